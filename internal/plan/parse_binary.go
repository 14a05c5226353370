package plan

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrNotText means the input is not text in any supported encoding: a
// picture, an archive (.docx, .xlsx, .zip) or random bytes. Parse returns
// it wrapped in a *NotTextError that says where the binary content starts.
var ErrNotText = errors.New("input is not text (文件不是文本)")

// NotTextError is Parse's refusal of binary input.
type NotTextError struct {
	Offset int // byte offset in the input of the first binary content
}

func (e *NotTextError) Error() string {
	return fmt.Sprintf("文件不是文本（第 %d 字节起含二进制内容），请上传方案的 .txt 文本 input is not text (binary content from byte %d)", e.Offset, e.Offset)
}

func (e *NotTextError) Unwrap() error { return ErrNotText }

// binaryShare bounds the characters of a text that may be undecodable
// (U+FFFD) or control characters other than tab, line and page breaks
// before the input counts as binary: a few stray bytes in a long plan are
// tolerated, as they always were; a file of them is not.
const (
	binaryShare = 200 // at most one such character in binaryShare
	binaryFree  = 8   // and always this many
)

func isBinaryRune(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
		return false
	case r < 0x20 || r == 0x7F:
		return true
	}
	return false
}

// checkText refuses decoded text whose share of undecodable and control
// characters marks binary input. src is the raw input, for the offset.
func checkText(src []byte, decoded string) error {
	bad, total, first := 0, 0, -1
	for i, r := range decoded {
		total++
		if isBinaryRune(r) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad <= binaryFree || bad*binaryShare <= total {
		return nil
	}
	return &NotTextError{Offset: sourceOffset(src, decoded, first)}
}

// sourceOffset maps the byte offset at of the first binary character of the
// decoded text back to the input: exactly for UTF-8 and UTF-16; for the
// other encodings, which share ASCII with UTF-8, the first control or NUL
// byte, else the decoded offset.
func sourceOffset(src []byte, decoded string, at int) int {
	switch {
	case bytes.HasPrefix(src, []byte{0xEF, 0xBB, 0xBF}):
		return 3 + at
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}), bytes.HasPrefix(src, []byte{0xFE, 0xFF}):
		n := 2
		for _, r := range decoded[:at] {
			n += 2 * len(utf16.Encode([]rune{r}))
		}
		return n
	}
	if at <= len(src) && decoded[:at] == string(src[:at]) {
		return at
	}
	for i, b := range src {
		if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v') || b == 0x7F {
			return i
		}
	}
	return at
}
