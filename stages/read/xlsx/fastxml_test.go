package xlsx

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// decodeBoth decodes the file with the fast tokenizer and with
// encoding/xml alone and fails unless both give the same grid or the same
// problem (code and limit).
func decodeBoth(t *testing.T, path string, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := fallbacks.Load()
	fast, ferr := decodeFile(ctx, path, lim)
	lastFellBack = fallbacks.Load() > before
	forceXML = true
	slow, serr := decodeFile(ctx, path, lim)
	forceXML = false
	if (ferr == nil) != (serr == nil) || ferr != nil && (problemCode(ferr) != problemCode(serr) || !sameExcess(ferr, serr)) {
		t.Fatalf("%s: fast path %v, encoding/xml %v", path, ferr, serr)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: the fast path and encoding/xml disagree:\nfast %s\nxml  %s", path, readtest.Describe(fast, ferr), readtest.Describe(slow, serr))
	}
	return fast, ferr
}

// lastFellBack says whether decodeBoth's fast decode handed a sheet to
// encoding/xml.
var lastFellBack bool

// sameExcess reports whether two errors name the same exceeded limit.
func sameExcess(a, b error) bool {
	ea, eb := excessOf(a), excessOf(b)
	if ea == nil || eb == nil {
		return (ea == nil) == (eb == nil)
	}
	return *ea == *eb
}

func excessOf(err error) *grid.Excess {
	if p, ok := err.(*grid.Problem); ok {
		return p.Excess
	}
	return nil
}

// TestFastPathAgreesOnSheets reads odd but valid worksheets, and broken
// ones, both ways: every construct the fast tokenizer reads itself or
// hands to encoding/xml must come out the same.
func TestFastPathAgreesOnSheets(t *testing.T) {
	cases := []struct{ name, data, after string }{
		{"plain", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>12</v></c></row>`, ""},
		{"prefixed", `<row r="1"><x:c r="A1" t="str" xmlns:x="` + nsMain + `"><x:v>a</x:v></x:c></row>`, ""},
		{"entities", `<row r="2"><c r="A2" t="str"><v>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#272;&#x1EA1;</v></c></row>`, ""},
		{"cr", "<row r=\"2\"><c r=\"A2\" t=\"str\"><v>a\r\nb\rc</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>x&#13;\ny</t></is></c></row>", ""},
		{"attr spacing", `<row  r = '3' ><c r="C3"t="n" s = "1"><v>44621</v></c></row>`, ""},
		{"duplicate attrs", `<row r="4" r="9"><c r="A4" s="1" s="x" t="n"><v>44621</v></c></row>`, ""},
		{"self-closing", `<row r="5"/><row r="6"><c r="A6"/><c r="B6" t="s"/><c r="C6"><v/></c><c r="D6"><v>1</v></c></row>`, ""},
		{"phonetic", `<row r="7"><c r="A7" t="inlineStr"><is><r><t>Ng</t></r><rPh><t>x</t></rPh><r><t>uyễn</t></r></is></c></row>`, ""},
		{"merges", `<row r="1"><c r="A1" t="str"><v>h</v></c></row>`, `<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="D5"/></mergeCells>`},
		{"unsorted", `<row r="9"><c r="B9"><v>2</v></c><c r="A9"><v>1</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>`, ""},
		{"surrogate ref", `<row r="1"><c r="A1" t="str"><v>&#xD800;</v></c></row>`, ""},
		{"comment", `<!-- note --><row r="1"><c r="A1"><v>1</v></c></row>`, ""},
		{"cdata", `<row r="1"><c r="A1" t="str"><v><![CDATA[a<b]]></v></c></row>`, ""},
		{"choice", `<row r="1"><c r="A1"><v>1</v></c></row>`, `<mc:AlternateContent xmlns:mc="` + nsMC + `"><mc:Choice Requires="x14"><mergeCells><mergeCell ref="A1:B1"/></mergeCells></mc:Choice><mc:Fallback/></mc:AlternateContent>`},
		{"unknown entity", `<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>`, ""},
		{"nul ref", `<row r="1"><c r="A1" t="str"><v>&#0;</v></c></row>`, ""},
		{"control char", "<row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\x01b</v></c></row>", ""},
		{"bad utf-8", "<row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\xffb</v></c></row>", ""},
		{"cdata end in text", `<row r="1"><c r="A1" t="str"><v>a]]>b</v></c></row>`, ""},
		{"lt in attr", `<row r="1<"><c r="A1"><v>1</v></c></row>`, ""},
		{"unquoted attr", `<row r=1><c r="A1"><v>1</v></c></row>`, ""},
		{"mismatched end", `<row r="1"><c r="A1"><v>1</c></v></row>`, ""},
		{"text outside root", `</sheetData></worksheet>trailing<x>`, ""},
		{"non-ascii name", `<row r="1"><cé r="A1"><v>1</v></cé></row>`, ""},
		{"ns mismatch", `<row r="1"><a:c r="A1"><v>1</v></b:c></row>`, ""},
		{"two colons", `<row r="1"><a:b:c r="A1"><v>1</v></a:b:c></row>`, ""},
		{"too many columns", `<row r="1"><c r="ZZZ1"><v>1</v></c></row>`, ""},
	}
	fastOnes := map[string]bool{"plain": true, "prefixed": true, "entities": true, "cr": true, "attr spacing": true,
		"duplicate attrs": true, "self-closing": true, "phonetic": true, "merges": true, "unsorted": true, "surrogate ref": true,
		"too many columns": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			decodeBoth(t, newRawBook(tc.data, tc.after).write(t), fuzzLimits)
			if lastFellBack == fastOnes[tc.name] {
				t.Errorf("fell back to encoding/xml: %v, want %v", lastFellBack, !fastOnes[tc.name])
			}
		})
	}
	// Declarations the fast path leaves alone, deep nesting, broken
	// parts: in a sheet and in the shared strings.
	odd := map[string]string{
		"utf-16 declared": `<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		"windows-1258":    `<?xml version="1.0" encoding="windows-1258"?><worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1" t="str"><v>` + "\xd0" + `</v></c></row></sheetData></worksheet>`,
		"doctype":         `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet xmlns="` + nsMain + `"><sheetData/></worksheet>`,
		"pi":              `<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		"no declaration":  `<worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		"deep":            `<worksheet xmlns="` + nsMain + `"><sheetData>` + strings.Repeat("<x>", 70) + strings.Repeat("</x>", 70) + `</sheetData></worksheet>`,
		"truncated":       `<worksheet xmlns="` + nsMain + `"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`,
		"empty":           ``,
	}
	for name, part := range odd {
		t.Run("sst "+name, func(t *testing.T) {
			rb := newRawBook(`<row r="1"><c r="A1" t="s"><v>1</v></c></row>`, "")
			rb["xl/sharedStrings.xml"] = strings.Replace(strings.Replace(part, "worksheet", "sst", -1), "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>", "<si><t>a</t></si><si><t>b</t></si>", 1)
			decodeBoth(t, rb.write(t), fuzzLimits)
		})
	}
	for name, part := range odd {
		t.Run(name, func(t *testing.T) {
			rb := newRawBook("", "")
			rb["xl/worksheets/sheet1.xml"] = part
			decodeBoth(t, rb.write(t), fuzzLimits)
		})
	}
}

// TestFastPathAgreesOnCorpus decodes every real-world and sample workbook
// both ways, and checks that the fast path reads the generated-looking
// sample files itself (no fallback).
func TestFastPathAgreesOnCorpus(t *testing.T) {
	root := readtest.SharedDir(t)
	n := 0
	for _, dir := range []string{filepath.Join(root, "corpus", "realworld"), filepath.Join(root, "samples")} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isWorkbookExt(p, ".xlsx", ".xlsm", ".xltx") {
				return err
			}
			n++
			decodeBoth(t, p, grid.DefaultLimits)
			if lastFellBack && strings.Contains(filepath.ToSlash(p), "/samples/") {
				t.Errorf("%s: a sample file fell back to encoding/xml", p)
			}
			return nil
		})
	}
	if n == 0 {
		t.Skip("no workbooks under " + root)
	}
	t.Logf("%d workbooks agree; %d sheets fell back to encoding/xml in all", n, fallbacks.Load())
}

// FuzzFastPath feeds arbitrary worksheet XML to both tokenizers: they must
// agree on the grid or on the problem.
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{
		`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>44621</v></c></row></sheetData></worksheet>`,
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a&amp;b&#x1EA1;</x:t></x:is></x:c></x:row></x:sheetData><x:mergeCells><x:mergeCell ref="A1:B2"/></x:mergeCells></x:worksheet>`,
		"<worksheet><sheetData><row r='2'><c r='B2' t='str'><v>a\r\nb]]&gt;</v></c><c/></row></sheetData></worksheet>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rb := newRawBook("", "")
		rb["xl/worksheets/sheet1.xml"] = string(data)
		decodeBoth(t, rb.write(t), fuzzLimits)
	})
}

// FuzzFastPathSST is FuzzFastPath for the shared string table.
func FuzzFastPathSST(f *testing.F) {
	rb := newRawBook(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, "")
	f.Add([]byte(rb["xl/sharedStrings.xml"]))
	f.Add([]byte(`<sst><si><t xml:space="preserve"> a&#10;b </t></si><si><r><t>x</t></r><rPh><t>y</t></rPh></si></sst>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rb := newRawBook(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`, "")
		rb["xl/sharedStrings.xml"] = string(data)
		decodeBoth(t, rb.write(t), fuzzLimits)
	})
}

// FuzzFastPathStyles is FuzzFastPath for the styles part (which number
// formats are dates): cells of every style index read both ways.
func FuzzFastPathStyles(f *testing.F) {
	rb := newRawBook("", "")
	f.Add([]byte(rb["xl/styles.xml"]))
	f.Add([]byte(`<x:styleSheet xmlns:x="m"><x:numFmts><x:numFmt numFmtId=" 164" formatCode="d/m"/><x:numFmt numFmtId="165" formatCode='yy&#x2F;mm'/></x:numFmts>` +
		`<x:cellXfs><x:xf numFmtId=" 165 "/><x:xf/><x:xf numFmtId="x"/><x:xf numFmtId="22"/></x:cellXfs></x:styleSheet>`))
	f.Add([]byte(`<styleSheet><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="x"><cellXfs><xf numFmtId="14"/></cellXfs></mc:Choice></mc:AlternateContent><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`))
	var sheet strings.Builder
	sheet.WriteString(`<row r="1">`)
	for s := 0; s < 8; s++ {
		sheet.WriteString(`<c r="` + string(rune('A'+s)) + `1" s="` + string(rune('0'+s)) + `"><v>44621.5</v></c>`)
	}
	sheet.WriteString(`</row>`)
	f.Fuzz(func(t *testing.T, data []byte) {
		rb := newRawBook(sheet.String(), "")
		rb["xl/styles.xml"] = string(data)
		decodeBoth(t, rb.write(t), fuzzLimits)
	})
}
