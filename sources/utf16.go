package sources

// TextEncoding is what SniffUTF16 makes of a text's first bytes.
type TextEncoding int

const (
	// NotUTF16 is text with no sign of UTF-16 (UTF-8, Latin-1, ...).
	NotUTF16 TextEncoding = iota
	// UTF16LE and UTF16BE are UTF-16 without a byte-order mark, told by
	// the zero high bytes of its ASCII characters.
	UTF16LE
	UTF16BE
	// Binary has NUL bytes in no UTF-16 pattern: not text curate can read.
	Binary
)

// SniffUTF16 tells UTF-16 written without a byte-order mark from other
// text by where its NUL bytes are. Markup, digits, spaces and newlines are
// ASCII in any script, so UTF-16 text has a zero byte in most code units,
// always on the same side (odd offsets for little-endian); real UTF-8 or
// Latin-1 text has none. Read as 8-bit text, such input becomes Latin-1
// with NULs stripped: garbage that passes every check downstream.
// head should be the first few KB.
func SniffUTF16(head []byte) TextEncoding {
	head = head[:len(head)&^1]
	if len(head) < 4 {
		return NotUTF16
	}
	var even, odd int
	for i := 0; i < len(head); i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	units := len(head) / 2
	switch {
	case odd*10 >= units*3 && even*20 <= units:
		return UTF16LE
	case even*10 >= units*3 && odd*20 <= units:
		return UTF16BE
	case (even+odd)*100 > len(head):
		return Binary
	}
	return NotUTF16
}
