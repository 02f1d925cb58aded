package shards

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// The spool is the feed's random-access copy of the token shards: every
// document as [eot] + ids in one flat file per part, and beside it a
// fixed-width index record per document. The global shuffle reads ranges
// of documents from it by offset, which Parquet row groups cannot give.

// SpoolRecordBytes is the size of one index record: the document id's
// 64-bit hash, its token count (uint32) and its language's index in the
// part's language table (uint16).
const SpoolRecordBytes = 14

// SpoolRecord is one document of a spool.
type SpoolRecord struct {
	IDHash uint64
	Tokens uint32
	Lang   uint16
}

// AppendSpoolRecord encodes r.
func AppendSpoolRecord(dst []byte, r SpoolRecord) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, r.IDHash)
	dst = binary.LittleEndian.AppendUint32(dst, r.Tokens)
	return binary.LittleEndian.AppendUint16(dst, r.Lang)
}

// DecodeSpoolRecord decodes the record at the start of b.
func DecodeSpoolRecord(b []byte) SpoolRecord {
	return SpoolRecord{
		IDHash: binary.LittleEndian.Uint64(b),
		Tokens: binary.LittleEndian.Uint32(b[8:]),
		Lang:   binary.LittleEndian.Uint16(b[12:]),
	}
}

// SpoolIndex streams a spool index file record by record.
type SpoolIndex struct {
	f   *os.File
	buf []byte
	n   int
	pos int
	err error
}

// OpenSpoolIndex opens a spool index and checks its size.
func OpenSpoolIndex(path string) (*SpoolIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size()%SpoolRecordBytes != 0 {
		f.Close()
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-byte records", path, st.Size(), SpoolRecordBytes)
	}
	return &SpoolIndex{f: f, buf: make([]byte, 0, SpoolRecordBytes*4096)}, nil
}

// Next returns the next record; ok is false at the end or on error (see Err).
func (s *SpoolIndex) Next() (SpoolRecord, bool) {
	if s.pos+SpoolRecordBytes > s.n {
		s.buf = s.buf[:cap(s.buf)]
		n, err := io.ReadFull(s.f, s.buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		if err != nil {
			s.err = err
			return SpoolRecord{}, false
		}
		s.n, s.pos = n, 0
		if n == 0 {
			return SpoolRecord{}, false
		}
	}
	r := DecodeSpoolRecord(s.buf[s.pos:])
	s.pos += SpoolRecordBytes
	return r, true
}

// Err is the read error that stopped Next, if any.
func (s *SpoolIndex) Err() error { return s.err }

// Close releases the file.
func (s *SpoolIndex) Close() error { return s.f.Close() }

// ReadSpoolRecords reads records [first, first+n) by offset.
func ReadSpoolRecords(f io.ReaderAt, first, n int64, dst []SpoolRecord) ([]SpoolRecord, error) {
	b := make([]byte, n*SpoolRecordBytes)
	if _, err := f.ReadAt(b, first*SpoolRecordBytes); err != nil {
		return nil, fmt.Errorf("spool index records %d..%d: %w", first, first+n, err)
	}
	for i := int64(0); i < n; i++ {
		dst = append(dst, DecodeSpoolRecord(b[i*SpoolRecordBytes:]))
	}
	return dst, nil
}

// ReadSpoolTokens reads tokens [first, first+n) of a spool by offset.
func ReadSpoolTokens(f io.ReaderAt, dt DType, first, n int64, dst []uint32) ([]uint32, error) {
	b := make([]byte, n*int64(dt.Size()))
	if _, err := f.ReadAt(b, first*int64(dt.Size())); err != nil {
		return nil, fmt.Errorf("spool tokens %d..%d: %w", first, first+n, err)
	}
	return GetTokens(dst, dt, b), nil
}
