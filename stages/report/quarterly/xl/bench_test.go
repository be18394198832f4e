package xl

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"doithoai/schemas/template/xlsxzip"
)

// saveBefore is Book.Save of streamed sheets as it was before xlsxzip:
// rows through StreamWriter.SetRow, excelize's own zip writer, then the
// zip rewritten with its worksheets in order (sortSheetsBefore). It is
// the reference of BenchmarkStreamSave and of TestSaveSameAsBefore.
func saveBefore(b *Book, path string) error {
	defer func(v bool) { directRows = v }(directRows)
	directRows = false
	defer b.f.Close()
	b.f.SetActiveSheet(0)
	for _, s := range b.streamed {
		if err := b.flush(s); err != nil {
			return err
		}
	}
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		return err
	}
	out, err := sortSheetsBefore(buf.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// sortSheetsBefore rewrites a zip with its worksheet entries in the order
// of their number, at the place of the first one (entries copied raw).
func sortSheetsBefore(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	no := func(name string) (int, bool) {
		rest, ok := strings.CutPrefix(name, "xl/worksheets/sheet")
		if !ok {
			return 0, false
		}
		rest, ok = strings.CutSuffix(rest, ".xml")
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(rest)
		return n, err == nil
	}
	var sheets []*zip.File
	for _, f := range zr.File {
		if _, ok := no(f.Name); ok {
			sheets = append(sheets, f)
		}
	}
	slices.SortStableFunc(sheets, func(a, b *zip.File) int {
		na, _ := no(a.Name)
		nb, _ := no(b.Name)
		return na - nb
	})
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	placed := false
	for _, f := range zr.File {
		if _, ok := no(f.Name); ok {
			if placed {
				continue
			}
			placed = true
			for _, sf := range sheets {
				if err := zw.Copy(sf); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := zw.Copy(f); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// feedbackLike is a book shaped like a large feedback workbook: a summary
// and a copied roster of rows × 18 columns of texts and numbers, with
// heights and merges.
func feedbackLike(rows int) *Book {
	b := NewLazyBook()
	sum := b.StreamSheet("Tóm tắt")
	sum.Widths(6, 11, 16, 7, 20, 22, 70)
	sum.Merge(1, 1, 7, "PHẢN HỒI KẾT QUẢ KIỂM TRA TỆP", Title)
	for r := 3; r < 40; r++ {
		sum.Row(r, Text, r-2, "Lỗi", "M1", r*7, "Cột E", "0912 345 678", "Nội dung lỗi số "+strconv.Itoa(r)+" cần sửa trước hạn")
	}
	sum.Setup(Print{Landscape: true, TitleRows: [2]int{3, 3}})
	s := b.StreamSheet("Danh sách hộ")
	for c := 1; c <= 20; c++ {
		s.Put(c, 5, "Cột "+strconv.Itoa(c), Header)
	}
	for r := 6; r < 6+rows; r++ {
		s.Put(1, r, r-5, TextCenter)
		for c := 2; c <= 18; c++ {
			s.Put(c, r, fmt.Sprintf("Hộ %d – ấp %d, %s", r*31+c, c, "Nguyễn Văn An"), Text)
		}
		s.Put(19, r, r, TextCenter)
		s.Put(20, r, Blank{}, Text)
		if r%7 == 0 {
			s.Height(r, 33)
		}
	}
	s.Setup(Print{Landscape: true, TitleRows: [2]int{5, 5}, FreezeRows: 5})
	return b
}

// TestSaveSameAsBefore: a feedback-like book saves to the same bytes as
// before xlsxzip, the rows written directly and the lean writing.
func TestSaveSameAsBefore(t *testing.T) {
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.xlsx"), filepath.Join(dir, "after.xlsx")
	lean := SetLean(false)
	err := saveBefore(feedbackLike(300), before)
	SetLean(lean)
	if err != nil {
		t.Fatal(err)
	}
	cache := xlsxzip.NewCache(0, 0)
	for i := range 2 {
		b := feedbackLike(300)
		b.SetCache(cache)
		if err := b.Save(after); err != nil {
			t.Fatal(err)
		}
		x, _ := os.ReadFile(before)
		y, _ := os.ReadFile(after)
		if !bytes.Equal(x, y) {
			t.Errorf("save %d: %d bytes, before %d: they differ", i+1, len(y), len(x))
		}
	}
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStreamSave saves a feedback-like book of 2,000 rows (as a
// commune's M1 roster) in the same process: "before" as before xlsxzip
// (saveBefore), "zip" with xlsxzip but rows through SetRow, "after" as
// Book.Save does now (rows written directly, a cache shared by the
// workbooks of the run). Building the book is not timed. cpu-ns/op is
// the process's CPU time, steadier than wall time on a shared machine.
func BenchmarkStreamSave(b *testing.B) {
	for _, mode := range []string{"before", "zip", "after"} {
		b.Run(mode, func(b *testing.B) {
			defer func(v bool) { directRows = v }(directRows)
			directRows = mode == "after"
			defer SetLean(SetLean(mode == "after"))
			cache := xlsxzip.NewCache(0, 0)
			path := filepath.Join(b.TempDir(), "b.xlsx")
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				bk := feedbackLike(2000)
				b.StartTimer()
				start := cpuTime()
				var err error
				if mode == "before" {
					err = saveBefore(bk, path)
				} else {
					if mode == "after" {
						bk.SetCache(cache)
					}
					err = bk.Save(path)
				}
				cpu += cpuTime() - start
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
