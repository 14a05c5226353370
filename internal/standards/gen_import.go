package standards

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// WriteImportCSV writes n generated standards as an import file of the ten
// columns of ImportColumns (UTF-8, header first): the file of the import
// benchmark. Projects and drug standards, which an import does not take,
// are skipped, and so are records issued after today; a current record
// not yet in force is written as 即将实施.
func (g *Gen) WriteImportCSV(w io.Writer, n int, today string) error {
	cw := csv.NewWriter(w)
	var head []string
	for _, c := range ImportColumns {
		head = append(head, c.Name)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("standards: import file: %w", err)
	}
	for i, done := 0, 0; done < n; i++ {
		in := g.Standard(i)
		if in.Status == StatusProject || in.Kind == KindDrug || in.Issued > today {
			continue
		}
		status := StatusLabels[in.Status]
		if in.Status == StatusActive && in.Implemented > today {
			status = "即将实施"
		}
		rec := []string{in.Code, in.Title, status, in.Issued, in.Implemented, in.ICS, in.CCS, in.Committee, in.DraftingUnits, strings.Join(in.Replaces, "；")}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("standards: import file: %w", err)
		}
		done++
	}
	cw.Flush()
	return cw.Error()
}
