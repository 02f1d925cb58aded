package journals

import (
	"bufio"
	"maps"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// xmlInput is what the JATS and MEDLINE readers share: one XML input read
// as a token stream, its counters, and the id of the last record read for
// error context.
type xmlInput struct {
	src    *Source
	path   string
	stream *sources.Stream
	dec    *tokenizer
	counts doc.Counts
	last   string // id of the last record read
	done   bool
}

func newXMLInput(s *Source, path string, st *sources.Stream, br *bufio.Reader) xmlInput {
	return xmlInput{src: s, path: path, stream: st, dec: newTokenizer(br), counts: doc.Counts{}}
}

// Stats returns a copy of the reader's counters.
func (r *xmlInput) Stats() doc.Counts { return maps.Clone(r.counts) }

// InputOffset is how many raw input bytes have been read, for progress.
func (r *xmlInput) InputOffset() int64 { return r.stream.CompressedOffset() }

func (r *xmlInput) Close() error { return r.stream.Close() }
