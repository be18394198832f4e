package xlsx

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// valueOld is value before texts were cut from the book's arena (the
// reference of TestValueAgrees).
func (r *sheetReader) valueOld() (grid.Cell, bool) {
	c := &r.cell
	gc := grid.Cell{Formula: c.formula}
	switch c.typ {
	case "s":
		if !c.hasV {
			return gc, false
		}
		idx, ok := atoi(bytes.TrimSpace(c.v))
		if !ok || idx < 0 || idx >= r.b.sst.len() {
			r.b.note(fmt.Sprintf("shared string index out of range on sheet %q", r.sheet.Name))
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, r.b.sst.at(idx)
	case "inlineStr":
		switch {
		case c.hasIS:
			gc.Text = unescapeX(string(c.is))
		case c.hasV:
			gc.Text = unescapeX(string(c.v))
		}
		gc.Kind = grid.String
	case "str":
		if !c.hasV {
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, unescapeX(string(c.v))
	case "b":
		if !c.hasV {
			return gc, false
		}
		switch v := strings.TrimSpace(string(c.v)); strings.ToLower(v) {
		case "1", "true":
			gc.Kind, gc.Text = grid.Bool, "TRUE"
		case "0", "false":
			gc.Kind, gc.Text = grid.Bool, "FALSE"
		default:
			gc.Kind, gc.Text = grid.String, v
		}
	case "e":
		if !c.hasV {
			return gc, false
		}
		gc.Kind, gc.Text = grid.Error, strings.TrimSpace(string(c.v))
	case "d":
		if !c.hasV {
			return gc, false
		}
		v := strings.TrimSpace(string(c.v))
		if serial, ok := isoSerial(v); ok {
			gc.Kind, gc.Num, gc.Text = grid.Date, serial, grid.NumText(serial)
		} else {
			gc.Kind, gc.Text = grid.String, v
		}
	default: // "n", absent, or unknown: a number
		if !c.hasV {
			if c.hasIS { // an inline string without t="inlineStr"
				gc.Kind, gc.Text = grid.String, unescapeX(string(c.is))
				break
			}
			return gc, false
		}
		r.numberOld(&gc, strings.TrimSpace(string(c.v)))
	}
	if gc.Text == "" {
		return gc, false
	}
	return gc, true
}

// numberOld is number before it read the raw bytes (the reference of
// TestValueAgrees).
func (r *sheetReader) numberOld(gc *grid.Cell, raw string) {
	if raw == "" {
		return
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		// Not a number at all, or one float64 cannot hold: keep the text.
		gc.Kind, gc.Text = grid.String, raw
		return
	}
	gc.Kind, gc.Num, gc.Text = grid.Number, f, raw
	if !plainDecimal(raw) {
		gc.Text = grid.NumText(f)
	}
	s := r.cell.style
	if s >= 0 && s < len(r.b.dateXF) && r.b.dateXF[s] && f >= 0 {
		gc.Kind = grid.Date
		if r.b.date1904 {
			gc.Num = f + 1462
			gc.Text = grid.NumText(gc.Num)
		}
	}
}

// TestValueAgrees decodes crafted cells of every kind (numbers plain,
// signed, spaced, in exponent notation, dates of both systems, texts
// with and without _xHHHH_ escapes, errors, booleans) and every workbook
// of the samples, the real-world corpus and the test data, and checks
// each cell value against valueOld, made from the same raw cell.
func TestValueAgrees(t *testing.T) {
	cells := 0
	valueHook = func(r *sheetReader, gc grid.Cell, ok bool) {
		want, wantOK := r.valueOld()
		if gc != want || ok != wantOK {
			t.Errorf("sheet %q row %d col %d: value %+v %v, valueOld %+v %v", r.sheet.Name, r.rowNum, r.cell.col, gc, ok, want, wantOK)
		}
		cells++
	}
	defer func() { valueHook = nil }()
	crafted := newRawBook(`<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v> -7.50 </v></c><c r="C1"><v>8.7E+10</v></c>`+
		`<c r="D1"><v>1e400</v></c><c r="E1"><v>abc</v></c><c r="F1" s="1"><v>44635</v></c><c r="G1" s="2"><v>-3</v></c>`+
		`<c r="H1" t="str"><v>a_x000D_b</v></c><c r="I1" t="str"><v>plain</v></c><c r="J1" t="inlineStr"><is><t>Họ _x0041_ tên</t></is></c>`+
		`<c r="K1" t="inlineStr"><v>v text</v></c><c r="L1"><is><t>no type</t></is></c><c r="M1" t="e"><v> #N/A </v></c>`+
		`<c r="N1" t="b"><v>true</v></c><c r="O1" t="b"><v>x</v></c><c r="P1" t="d"><v>2022-03-15</v></c><c r="Q1"><v></v></c>`+
		`<c r="R1"><v>.5</v></c><c r="S1"><v>007</v></c><c r="T1" t="s"><v>0</v></c><c r="U1" t="s"><v>99</v></c><c r="V1"><f>1+1</f><v>2</v></c></row>`+
		`<row r="2"><c r="A2"><v>`+strings.Repeat("1", 3000)+`</v></c><c r="B2" t="str"><v>`+strings.Repeat("x", 3000)+`</v></c></row>`, "").write(t)
	if wb, err := Decode(context.Background(), crafted, grid.DefaultLimits); err != nil || cells < 24 {
		t.Fatalf("crafted book: %d cells compared, %v %+v", cells, err, wb)
	}
	var files []string
	root := readtest.SharedDir(t)
	for _, dir := range []string{filepath.Join(root, "samples"), filepath.Join(root, "corpus", "realworld"), "testdata", "../testdata"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isWorkbookExt(p, ".xlsx", ".xlsm") {
				files = append(files, p)
			}
			return nil
		})
	}
	for _, p := range files {
		_, _ = Decode(context.Background(), p, grid.DefaultLimits)
	}
	t.Logf("%d files and the crafted book, %d cells agree", len(files), cells)
	if cells < 10000 {
		t.Errorf("only %d cells compared", cells)
	}
}
