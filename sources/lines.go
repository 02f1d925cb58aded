package sources

import (
	"bufio"
	"errors"
	"io"
)

// ReadLine reads one line (with its '\n', if any) from br into dst[:0],
// keeping at most max bytes: a longer line is read to its end and let go,
// with tooLong set, so one giant line costs a pass but never its size in
// memory. n counts every byte consumed. At the end of input a last line
// without '\n' is returned with a nil error; io.EOF comes only when nothing
// was left.
func ReadLine(br *bufio.Reader, max int, dst []byte) (line []byte, n int64, tooLong bool, err error) {
	line = dst[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if !tooLong && len(line)+len(chunk) > max {
			tooLong, line = true, line[:0]
		}
		if !tooLong {
			line = append(line, chunk...)
		}
		switch {
		case err == nil:
			return line, n, tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && n > 0:
			return line, n, tooLong, nil
		default:
			return line, n, tooLong, err
		}
	}
}
