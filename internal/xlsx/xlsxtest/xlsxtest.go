// Package xlsxtest builds workbooks for tests of the upload readers: a
// sheet of a chosen unpacked size that packs small, as a zip bomb would.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	rootRels     = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sharedString = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>标准编号</t></si><si><t>青海省地方标准 高原特色农产品质量分级规范</t></si></sst>`
)

// BigSheet is a workbook whose one sheet, named sheet, unpacks to at least
// xmlBytes of XML: a header row, then rows of a standard code (inline
// text), a shared-string title and a number. It packs to a few per cent of
// its unpacked size. It also returns the number of rows.
func BigSheet(sheet string, xmlBytes int) ([]byte, int) {
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(body))
	}
	put("[Content_Types].xml", contentTypes)
	put("_rels/.rels", rootRels)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="`+sheet+`" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", workbookRels)
	put("xl/sharedStrings.xml", sharedString)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		panic(err)
	}
	n := 0
	wr := func(s string) {
		w.Write([]byte(s))
		n += len(s)
	}
	wr(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	wr(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>标准名称</t></is></c><c r="C1" t="inlineStr"><is><t>序号</t></is></c></row>`)
	rows := 1
	for r := 2; n < xmlBytes; r++ {
		wr(fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>DB63/T %d-2024</t></is></c><c r="B%d" t="s"><v>1</v></c><c r="C%d"><v>%d</v></c></row>`, r, r, r, r, r, r))
		rows = r
	}
	wr(`</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return out.Bytes(), rows
}

// HeapGrowth runs fn and returns how far the heap in use rose above where
// it stood before (sampled every 2 ms while fn runs), and the bytes fn
// allocated in all.
func HeapGrowth(fn func()) (peak, allocated uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var top atomic.Uint64
	top.Store(before.HeapInuse)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > top.Load() {
				top.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > top.Load() {
		top.Store(after.HeapInuse)
	}
	return top.Load() - before.HeapInuse, after.TotalAlloc - before.TotalAlloc
}
