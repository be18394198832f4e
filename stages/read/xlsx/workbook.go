package xlsx

import (
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"doithoai/stages/read/grid"
)

// sheetRef is a <sheet> entry of workbook.xml resolved to its part.
type sheetRef struct {
	name       string
	visibility grid.Visibility
	part       string // "" when the relationship or the part is missing
	kind       string // relationship kind: worksheet, chartsheet, ...
}

// workbookInfo is what workbook.xml and its relationships say.
type workbookInfo struct {
	part     string
	date1904 bool
	sheets   []sheetRef
	styles   string // styles part, "" when absent
	strings  string // shared strings part, "" when absent
}

// findWorkbook locates the workbook part: the officeDocument relationship
// of the package, else the usual xl/workbook.xml, else a lone
// workbook.xml anywhere. Packages that hold another format (xlsb,
// Numbers, ODS) get a precise Problem.
func (p *opcPackage) findWorkbook() (string, error) {
	rels, err := p.readRels("_rels/.rels")
	if err != nil && grid.CodeOf(err) == grid.CodeTooLarge {
		return "", err
	}
	// A damaged root relationships part is tolerated: Excel itself
	// repairs such files by looking for the workbook where it usually is.
	for _, r := range rels {
		if r.kind() == "officedocument" && !r.external {
			name := p.resolve("", r.target)
			if p.has(name) {
				return p.checkWorkbookFormat(name)
			}
		}
	}
	if p.has("xl/workbook.xml") {
		return "xl/workbook.xml", nil
	}
	var found []string
	for k := range p.parts {
		if path.Base(k) == "workbook.xml" {
			found = append(found, k)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	switch {
	case p.has("xl/workbook.bin"):
		return "", grid.Fail(grid.CodeUnsupported, "binary Excel workbook (.xlsb) in an .xlsx file", nil)
	case p.has("index/document.iwa") || p.has("index.xml"):
		return "", grid.Fail(grid.CodeUnsupported, "Apple Numbers package, not an Excel workbook", nil)
	case p.has("content.xml") && (p.has("mimetype") || p.has("meta-inf/manifest.xml")):
		return "", grid.Fail(grid.CodeCorrupt, "OpenDocument content in an Excel-named file", nil)
	case len(p.parts) == 0:
		return "", grid.Fail(grid.CodeCorrupt, "empty zip archive", nil)
	}
	return "", grid.Fail(grid.CodeCorrupt, "no workbook part in the package", nil)
}

// checkWorkbookFormat rejects an officeDocument that is not SpreadsheetML.
func (p *opcPackage) checkWorkbookFormat(name string) (string, error) {
	if strings.HasSuffix(name, ".bin") {
		return "", grid.Fail(grid.CodeUnsupported, "binary Excel workbook (.xlsb) in an .xlsx file", nil)
	}
	return name, nil
}

// readWorkbook reads workbook.xml and its relationships.
func (p *opcPackage) readWorkbook(part string) (*workbookInfo, error) {
	wi := &workbookInfo{part: part}
	rels, err := p.readRels(relsPath(part))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]rel, len(rels))
	for _, r := range rels {
		if r.external {
			continue
		}
		byID[r.id] = r
		switch r.kind() {
		case "styles":
			if wi.styles == "" {
				wi.styles = p.resolve(part, r.target)
			}
		case "sharedstrings":
			if wi.strings == "" {
				wi.strings = p.resolve(part, r.target)
			}
		}
	}
	// Writers that forget the relationship still put the parts beside
	// the workbook.
	dir := path.Dir(part)
	if wi.styles == "" || !p.has(wi.styles) {
		wi.styles = optional(p, path.Join(dir, "styles.xml"))
	}
	if wi.strings == "" || !p.has(wi.strings) {
		wi.strings = optional(p, path.Join(dir, "sharedStrings.xml"))
	}

	x, err := p.openXML(part)
	if err != nil {
		return nil, err
	}
	defer x.close()
	for {
		tok, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			if v, ok := attr(se, "date1904"); ok {
				wi.date1904 = xmlBool(v)
			}
		case "sheet":
			if len(wi.sheets) >= maxSheetEntries {
				return nil, grid.Fail(grid.CodeTooLarge, "too many sheet entries in the workbook", nil)
			}
			s := sheetRef{}
			s.name, _ = attr(se, "name")
			state, _ := attr(se, "state")
			switch strings.ToLower(state) {
			case "hidden":
				s.visibility = grid.Hidden
			case "veryhidden":
				s.visibility = grid.VeryHidden
			}
			if id := relID(se); id != "" {
				if r, ok := byID[id]; ok {
					s.kind = r.kind()
					if name := p.resolve(part, r.target); p.has(name) {
						s.part = name
					}
				}
			}
			wi.sheets = append(wi.sheets, s)
		}
	}
	if len(rels) == 0 && len(wi.sheets) > 0 {
		return nil, grid.Fail(grid.CodeCorrupt, "workbook relationships part missing", nil)
	}
	return wi, nil
}

// maxSheetEntries bounds the <sheet> entries read from workbook.xml
// (Limits.MaxSheets is checked against the worksheets among them).
const maxSheetEntries = 100_000

// relID is the r:id attribute of a <sheet>.
func relID(se xml.StartElement) string {
	var plain string
	for _, a := range se.Attr {
		if a.Name.Local == "id" {
			if a.Name.Space != "" {
				return a.Value
			}
			plain = a.Value
		}
	}
	return plain
}

// optional returns name when the part exists, else "".
func optional(p *opcPackage, name string) string {
	if p.has(name) {
		return name
	}
	return ""
}

// xmlBool parses an xsd:boolean.
func xmlBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on":
		return true
	}
	return false
}

// readStyles returns, for each cell format (cellXfs index), whether its
// number format shows a date or time. A missing styles part gives nil.
func (p *opcPackage) readStyles(part string) ([]bool, error) {
	if part == "" {
		return nil, nil
	}
	var custom map[int]string
	var xfs []int
	// With the fast tokenizer when it can (as the sheets): the part is
	// read by local names and attribute values only.
	err := p.readPart(part, nil, func() { custom, xfs = nil, nil }, func(ev events) error {
		custom = map[int]string{}
		inNumFmts, inCellXfs := false, false
		for {
			kind, local, _, a, err := ev.event()
			if err != nil {
				return err
			}
			switch kind {
			case tokEOF:
				return nil
			case tokStart:
				switch string(local) {
				case "numFmts":
					inNumFmts = true
				case "cellXfs":
					inCellXfs = true
				case "numFmt":
					if inNumFmts {
						v, _ := first(a, "numFmtId")
						id, err := strconv.Atoi(string(v))
						code, _ := first(a, "formatCode")
						if err == nil && len(custom) < maxNumFmts {
							custom[id] = string(code)
						}
					}
				case "xf":
					if inCellXfs {
						if len(xfs) >= maxXfs {
							return grid.Fail(grid.CodeTooLarge, fmt.Sprintf("more than %d cell formats", maxXfs), nil)
						}
						v, _ := first(a, "numFmtId")
						id, err := strconv.Atoi(strings.TrimSpace(string(v)))
						if err != nil {
							id = 0
						}
						xfs = append(xfs, id)
					}
				}
			case tokEnd:
				switch string(local) {
				case "numFmts":
					inNumFmts = false
				case "cellXfs":
					inCellXfs = false
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	dates := make([]bool, len(xfs))
	for i, id := range xfs {
		if code, ok := custom[id]; ok {
			dates[i] = grid.IsDateFormat(code)
		} else {
			dates[i] = grid.BuiltinDateFormat(id)
		}
	}
	return dates, nil
}

// Bounds on styles.xml (Excel itself allows 64000 formats).
const (
	maxXfs     = 1 << 20
	maxNumFmts = 1 << 16
)
