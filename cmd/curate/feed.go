package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/curate-dev/curate/pipeline"
	"github.com/curate-dev/curate/shards"
)

const feedUsage = `usage:
  curate feed inspect DIR [-n 2]   packing, splits, mixture table, first sequences as text
  curate feed verify DIR           recheck every shard's sha256, header and size
DIR is a run's output folder or its feed/ folder.
`

func runFeed(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, feedUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("feed "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 2, "sequences to decode (inspect)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil || len(pos) != 1 {
		fmt.Fprint(stderr, feedUsage)
		return exitUsage
	}
	switch args[0] {
	case "inspect":
		if err := pipeline.InspectFeed(stdout, pos[0], *n); err != nil {
			fmt.Fprintln(stderr, "curate feed inspect:", err)
			return exitFailed
		}
	case "verify":
		if err := shards.VerifyFeed(pos[0]); err != nil {
			fmt.Fprintln(stderr, "curate feed verify:", err)
			return exitFailed
		}
		man, dir, _ := shards.ReadFeedManifest(pos[0])
		files := 0
		for _, s := range man.Shards {
			files += len(s.Files)
		}
		fmt.Fprintf(stdout, "%s: %d shards, %d files: every checksum, header and size matches the manifest\n", dir, len(man.Shards), files)
	default:
		fmt.Fprint(stderr, feedUsage)
		return exitUsage
	}
	return exitOK
}
