package plan

import (
	"archive/zip"
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

func randomBytes(n int) []byte {
	r := rand.NewChaCha8([32]byte{'s', 'i', 'd', 'i'})
	b := make([]byte, n)
	r.Read(b)
	return b
}

func zipped(t *testing.T, name string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseRefusesBinary: input that is not text in any supported encoding
// is refused, naming where the binary content starts; real plan texts in
// every supported encoding, and texts with a few stray bytes, still parse.
func TestParseRefusesBinary(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), randomBytes(4096)...)
	docx := zipped(t, "word/document.xml", bytes.Repeat([]byte("<w:p><w:r><w:t>加大标准的有效供给</w:t></w:r></w:p>"), 2000))
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(seed)
	u16, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes(seed)
	withNul := append(append(append([]byte{}, seed[:1000]...), 0, 0, 0x1b), seed[1000:]...)
	binaryTail := append(append([]byte{}, seed...), randomBytes(len(seed)/10)...)

	refused := []struct {
		name   string
		src    []byte
		offset int
	}{
		{"2 MB of random bytes", randomBytes(2 << 20), -1},
		{"PNG", png, 6}, // \x89P is a GB18030 character; \x1a is not text
		{"docx (zip)", docx, 2},
		{"xlsx (zip) with a UTF-8 BOM glued on", append([]byte("\xEF\xBB\xBF"), zipped(t, "xl/workbook.xml", []byte("<workbook/>"))...), 5},
		{"plan followed by binary", binaryTail, len(seed)},
		{"UTF-16 of NULs", append([]byte{0xFF, 0xFE}, make([]byte, 4000)...), 2},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			doc, err := Parse(c.src)
			var nt *NotTextError
			if doc != nil || !errors.Is(err, ErrNotText) || !errors.As(err, &nt) {
				t.Fatalf("Parse: doc %v, err %v; want ErrNotText", doc != nil, err)
			}
			// Random bytes may read as a few characters before the first that
			// cannot be text.
			if c.offset >= 0 && (nt.Offset < c.offset || nt.Offset > c.offset+64) {
				t.Errorf("offset %d; want %d or a little after", nt.Offset, c.offset)
			}
			if !strings.Contains(err.Error(), "文件不是文本（第 ") || !strings.Contains(parseHint(err), "请上传方案的 .txt 文本") {
				t.Errorf("message %q / hint %q", err, parseHint(err))
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
	accepted := []struct {
		name string
		src  []byte
	}{
		{"seed", seed},
		{"seed GB18030", gb},
		{"seed UTF-16", u16},
		{"seed with a few stray control bytes", withNul},
		{"seed cut mid-character", seed[:len(seed)-1]},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse(c.src)
			if err != nil || len(doc.Tasks()) != 27 {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}
