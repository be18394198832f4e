package xl

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// commentBook writes a streamed book whose sheets have comments of the
// kinds feedback writes and others: runs bold, italic, sized and not,
// texts to escape (quotes, markup, line breaks, tabs, a control
// character), boxes over several columns and rows, widths changed between
// comments, a first sheet (excelize's template sheet, with a row format)
// and later ones; and a sheet whose comments the direct writer leaves to
// AddComment (plain text, a run without a font, two authors).
func commentBook(t *testing.T, path string) {
	t.Helper()
	b := NewLazyBook()
	b.SetTitle("Ghi chú", "Huyện")
	bold := &excelize.Font{Bold: true, Family: FontName, Size: 10}
	plain := &excelize.Font{Family: FontName, Size: 10}
	for si, name := range []string{"Đầu", "Giữa", "Cuối"} {
		s := b.StreamSheet(name)
		s.Widths(6, 30)
		for r := 2; r <= 60; r += 3 {
			s.Put(1, r, "dòng "+strconv.Itoa(r), Text)
			runs := []excelize.RichTextRun{
				{Text: "Lỗi: ", Font: bold},
				{Text: "Giá trị \"<x>\" & 'y'\nxuống dòng\tvà\rthêm \x01 " + strconv.Itoa(r), Font: plain},
			}
			if r%2 == 0 {
				runs = append(runs, excelize.RichTextRun{Text: "\nCảnh báo: ", Font: &excelize.Font{Bold: true, Italic: true, Family: "Arial", Size: 10.5}},
					excelize.RichTextRun{Text: " nghiêng ", Font: &excelize.Font{Italic: true}})
			}
			s.Comment(excelize.Comment{Cell: Cell(1+r%9, r), Author: "Huyện kiểm tra", Paragraph: runs, Width: uint(120 + 37*r), Height: uint(20 + 15*(r%7))})
			if r == 20 {
				s.Widths(6, 30, 3, 0, 90) // widths change between comments
			}
		}
		if si == 2 {
			s.Widths(8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8)
		}
		s.Setup(Print{Landscape: true})
	}
	s := b.StreamSheet("Khác")
	s.Comment(excelize.Comment{Cell: "B2", Author: "Huyện", Text: "chữ thường", Width: 100, Height: 40})
	s.Comment(excelize.Comment{Cell: "B3", Author: "Xã", Paragraph: []excelize.RichTextRun{{Text: "không phông"}}, Width: 100, Height: 40})
	s.Comment(excelize.Comment{Cell: "B4", Author: "Huyện", Paragraph: []excelize.RichTextRun{{Text: "ba", Font: plain}}})
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
}

// zipParts is every part of a zip with its content.
func zipParts(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// TestCommentsSameAsAddComment writes the same book with comments written
// directly and through excelize's AddComment: every part the same, byte
// for byte (the comments and drawing parts, the sheets, rels and content
// types), and the direct writer did write the comments of the first three
// sheets.
func TestCommentsSameAsAddComment(t *testing.T) {
	defer func(v bool) { directComments = v }(directComments)
	dir := t.TempDir()
	paths := map[bool]string{true: filepath.Join(dir, "direct.xlsx"), false: filepath.Join(dir, "excelize.xlsx")}
	for _, v := range []bool{true, false} {
		directComments = v
		before := storedParts.Load()
		commentBook(t, paths[v])
		if n := storedParts.Load() - before; v && n != 3 || !v && n != 0 {
			t.Errorf("direct %v: %d sheets' comments written directly", v, n)
		}
	}
	a, b := zipParts(t, paths[true]), zipParts(t, paths[false])
	if len(a) != len(b) {
		t.Errorf("%d parts against %d", len(a), len(b))
	}
	for name, x := range b {
		if !bytes.Equal(a[name], x) {
			t.Errorf("%s differs:\n%.600s\n%.600s", name, a[name], x)
		}
	}
	f, err := excelize.OpenFile(paths[true])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range []string{"Đầu", "Giữa", "Cuối", "Khác"} {
		cm, err := f.GetComments(sheet)
		if err != nil || len(cm) == 0 {
			t.Errorf("%s: %d comments (%v)", sheet, len(cm), err)
		}
	}
}

// TestCommentsDirectUsed checks that the direct writer is taken for the
// comments it reproduces (not silently left to AddComment).
func TestCommentsDirectUsed(t *testing.T) {
	b := NewLazyBook()
	s := b.StreamSheet("A")
	font := &excelize.Font{Family: FontName, Size: 10}
	for r := 1; r <= 5; r++ {
		s.Comment(excelize.Comment{Cell: Cell(1, r), Author: "Huyện", Paragraph: []excelize.RichTextRun{{Text: "x", Font: font}}, Width: 100, Height: 40})
	}
	if err := b.applyPre(s); err != nil {
		t.Fatal(err)
	}
	if len(b.File().Comments) != 0 || len(b.File().VMLDrawing) != 0 {
		t.Errorf("comments left to excelize's model: %d comments parts, %d drawings", len(b.File().Comments), len(b.File().VMLDrawing))
	}
	b.File().Close()
}
