package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/stages/bpe"
)

const bpeUsage = `usage:
  curate bpe train (--config FILE | --input GLOB [--input GLOB ...]) --out DIR
                   [--vocab-size N] [--pattern gpt2|cl100k|o200k|llama3]
                   [--min-frequency N] [--sample-bytes N] [--threads N]
  curate bpe encode --tokenizer PATH [--special] [--format text|bin] < text > ids
  curate bpe decode --tokenizer PATH [--format text|bin] < ids > text
  curate bpe export --tokenizer PATH --format hf|tiktoken|gpt2|llmc --out DIR

PATH is a directory written by "bpe train", a tokenizer.json, a .tiktoken
file (with its .json sidecar) or an npm tiktoken encoding JSON.

The train config file is YAML:
  inputs: [books/*.txt, wiki/*.xml.bz2]   # relative to the config file
  out: tokenizer/
  tokenizer:                              # bpe.Options
    vocab_size: 32768
    pattern: o200k
    special_tokens: ["<|endoftext|>"]
Input files are read as text (gzip, bzip2, xz, zstd decompressed), CRLF
becomes LF and invalid UTF-8 becomes U+FFFD.
`

// runBPE implements "curate bpe ...".
func runBPE(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, bpeUsage)
		return 2
	}
	var err error
	switch args[0] {
	case "train":
		err = bpeTrain(args[1:], stderr)
	case "encode":
		err = bpeEncode(args[1:], stdin, stdout)
	case "decode":
		err = bpeDecode(args[1:], stdin, stdout)
	case "export":
		err = bpeExport(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, bpeUsage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "curate bpe %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			fmt.Fprint(stderr, bpeUsage)
			return 2
		}
		return 1
	}
	return 0
}

var errUsage = errors.New("bad usage")

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// bpeTrainConfig is the YAML file of "bpe train --config".
type bpeTrainConfig struct {
	Inputs    []string    `yaml:"inputs"`
	Out       string      `yaml:"out"`
	Tokenizer bpe.Options `yaml:"tokenizer"`
}

func bpeTrain(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bpe train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var inputs multiFlag
	config := fs.String("config", "", "YAML config file")
	fs.Var(&inputs, "input", "input file or glob (repeatable)")
	out := fs.String("out", "", "output directory")
	vocab := fs.Int("vocab-size", 0, "vocabulary size (overrides the config)")
	pattern := fs.String("pattern", "", "split pattern (overrides the config)")
	minFreq := fs.Int64("min-frequency", 0, "lowest pair count to merge (overrides the config)")
	sample := fs.Int64("sample-bytes", -1, "training byte budget, 0 = all (overrides the config)")
	threads := fs.Int("threads", 0, "threads for counting (overrides the config)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := bpeTrainConfig{Tokenizer: bpe.DefaultOptions()}
	base := "."
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w", *config, err)
		}
		base = filepath.Dir(*config)
		if cfg.Out != "" && !filepath.IsAbs(cfg.Out) {
			cfg.Out = filepath.Join(base, cfg.Out)
		}
	}
	if len(inputs) > 0 {
		cfg.Inputs, base = inputs, "."
	}
	if *out != "" {
		cfg.Out = *out
	}
	o := &cfg.Tokenizer
	if *vocab > 0 {
		o.VocabSize = *vocab
	}
	if *pattern != "" {
		o.Pattern = bpe.Pattern(*pattern)
	}
	if *minFreq > 0 {
		o.MinFrequency = *minFreq
	}
	if *sample >= 0 {
		o.SampleBytes = *sample
	}
	if *threads > 0 {
		o.Threads = *threads
	}
	if len(cfg.Inputs) == 0 || cfg.Out == "" {
		return fmt.Errorf("%w: need inputs (--input or config inputs) and --out", errUsage)
	}
	if err := o.Validate(); err != nil {
		return err
	}
	files, err := sources.Expand(base, cfg.Inputs)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tr, err := bpe.NewTrainer(*o)
	if err != nil {
		return err
	}
	start := time.Now()
	var read int64
feed:
	for _, f := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		st, err := sources.Open(f.Path)
		if err != nil {
			return err
		}
		more := true
		n, err := readTextChunks(st, func(s string) bool {
			more = tr.Add(s)
			return more
		})
		st.Close()
		read += n
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		if !more {
			break feed
		}
	}
	countSecs := time.Since(start).Seconds()
	tok, err := tr.Finish(ctx)
	if err != nil {
		return err
	}
	if err := tok.Save(cfg.Out); err != nil {
		return err
	}
	s := tr.Stats()
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stderr, "trained %d ids (%d merges, pattern %s) on %d bytes of %d files in %.2fs (counting %.2fs, %.1f MB/s); %d distinct pre-tokens, %d pruned, %d over max_pretoken_bytes skipped; wrote %s\n",
		tok.NVocab(), s.Merges, o.Pattern, s.Bytes, len(files), secs, countSecs, float64(s.Bytes)/countSecs/1e6,
		s.Distinct, s.PrunedDistinct, s.SkippedLong, cfg.Out)
	return nil
}

// readTextChunks reads r as text in chunks of about 1 MiB ending at line
// ends, with CRLF made LF and invalid UTF-8 replaced, and calls add for each
// until it returns false. It returns the bytes read.
func readTextChunks(r io.Reader, add func(string) bool) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var total int64
	var buf []byte
	for {
		line, err := br.ReadSlice('\n')
		total += int64(len(line))
		buf = append(buf, line...)
		full := errors.Is(err, bufio.ErrBufferFull)
		if len(buf) >= 1<<20 || (err != nil && !full) {
			if len(buf) > 0 {
				s := strings.ReplaceAll(string(buf), "\r\n", "\n")
				s = strings.ToValidUTF8(s, "\uFFFD")
				buf = buf[:0]
				if !add(s) {
					return total, nil
				}
			}
		}
		if err != nil && !full {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, err
		}
	}
}

// loadAndRead is what encode and decode share: parse the flags, check
// them, load the tokenizer and read all of stdin.
func loadAndRead(fs *flag.FlagSet, args []string, path, format *string, stdin io.Reader) (*bpe.Tokenizer, []byte, error) {
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if *path == "" || (*format != "text" && *format != "bin") {
		return nil, nil, fmt.Errorf("%w: need --tokenizer and --format text|bin", errUsage)
	}
	tok, err := bpe.LoadPath(*path)
	if err != nil {
		return nil, nil, err
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		return nil, nil, fmt.Errorf("reading stdin: %w", err)
	}
	return tok, in, nil
}

func bpeEncode(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("bpe encode", flag.ContinueOnError)
	path := fs.String("tokenizer", "", "tokenizer directory or file")
	special := fs.Bool("special", false, "encode special-token text as special ids")
	format := fs.String("format", "text", "output: text (space-separated ids) or bin (uint32 little-endian)")
	tok, in, err := loadAndRead(fs, args, path, format, stdin)
	if err != nil {
		return err
	}
	var ids []uint32
	if *special {
		ids = tok.EncodeWithSpecial(string(in), nil)
	} else {
		ids = tok.Encode(string(in), nil)
	}
	bw := bufio.NewWriter(stdout)
	for i, id := range ids {
		if *format == "bin" {
			bw.Write([]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)})
			continue
		}
		if i > 0 {
			bw.WriteByte(' ')
		}
		bw.WriteString(strconv.FormatUint(uint64(id), 10))
	}
	if *format == "text" {
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func bpeDecode(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("bpe decode", flag.ContinueOnError)
	path := fs.String("tokenizer", "", "tokenizer directory or file")
	format := fs.String("format", "text", "input: text (whitespace-separated ids) or bin (uint32 little-endian)")
	tok, in, err := loadAndRead(fs, args, path, format, stdin)
	if err != nil {
		return err
	}
	var ids []uint32
	if *format == "bin" {
		if len(in)%4 != 0 {
			return fmt.Errorf("stdin: %d bytes is not a whole number of uint32 ids", len(in))
		}
		for i := 0; i < len(in); i += 4 {
			ids = append(ids, uint32(in[i])|uint32(in[i+1])<<8|uint32(in[i+2])<<16|uint32(in[i+3])<<24)
		}
	} else {
		for i, f := range strings.Fields(string(in)) {
			v, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				return fmt.Errorf("stdin: id %d %q: %w", i, f, err)
			}
			ids = append(ids, uint32(v))
		}
	}
	text, err := tok.Decode(ids, nil)
	if err != nil {
		return err
	}
	_, err = stdout.Write(text)
	return err
}

func bpeExport(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bpe export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("tokenizer", "", "tokenizer directory or file")
	format := fs.String("format", "", "hf, tiktoken, gpt2 or llmc")
	out := fs.String("out", "", "output directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *format == "" || *out == "" {
		return fmt.Errorf("%w: need --tokenizer, --format and --out", errUsage)
	}
	tok, err := bpe.LoadPath(*path)
	if err != nil {
		return err
	}
	if err := tok.Export(*format, *out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d ids as %s to %s\n", tok.NVocab(), *format, *out)
	return nil
}
