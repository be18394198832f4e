package read

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/read/internal/readtest"
)

// collect is a TableSink that keeps what it is given.
type collect struct {
	begun  bool
	header record.Workbook
	counts []int
	rows   [][]record.SourceRow
	order  []int // the table of each chunk
}

func (c *collect) Begin(h record.Workbook, rows []int) {
	c.begun, c.header, c.counts = true, h, rows
	c.rows = make([][]record.SourceRow, len(rows))
}

func (c *collect) Rows(ti int, rows []record.SourceRow) {
	for _, r := range rows {
		r.Cells = append(record.Cells(nil), r.Cells...) // the sink keeps no cells
		c.rows[ti] = append(c.rows[ti], r)
	}
	c.order = append(c.order, ti)
}

// TestSinkAgrees reads every file of the sample set, the real-world
// corpus, the test files and generated commune files with Read and with
// ReadTo, whole and streamed (every xlsx sheet cut after its first rows:
// its rows counted in one pass and handed over in one more): the rows the
// sink gets, put back into the workbook ReadTo returns, are the workbook
// Read returns, the tables in order and the counts told first right.
func TestSinkAgrees(t *testing.T) {
	root := readtest.SharedDir(t)
	set, tr := readtest.SampleSet(t, "2022")
	planPath := filepath.Join(set, tr.Plan)
	if tr.Plan == "" {
		planPath = filepath.Join(set, "plan.yaml")
	}
	p, err := plan.Load(planPath)
	if err != nil {
		t.Fatal(err)
	}
	rd := &Reader{Plan: p}
	gdir := t.TempDir()
	man, err := gen.Generate(context.Background(), gdir, gen.Options{Communes: 1, Households: 2500, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := plan.Load(man.Plan)
	if err != nil {
		t.Fatal(err)
	}
	keep := streamKeepRows
	defer func() { streamKeepRows = keep }()
	files, emitted, legacy := 0, 0, 0
	for _, dir := range []string{man.Inbox, filepath.Join(set, "inbox"), filepath.Join(root, "corpus", "realworld"), "testdata"} {
		rd := rd
		if dir == man.Inbox {
			rd = &Reader{Plan: gp}
		}
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(dir, path)
			rel = filepath.ToSlash(rel)
			folder := ""
			if i := strings.IndexByte(rel, '/'); i > 0 {
				folder = rel[:i]
			}
			sub := record.Submission{ID: rel, Path: rel, ArchivePath: path, FolderHint: folder}
			for _, cut := range []int{1 << 30, 0} {
				streamKeepRows = cut
				want, err1 := rd.Read(context.Background(), sub)
				var c collect
				before := streamTablesRun.Load()
				got, err2 := rd.ReadTo(context.Background(), sub, &c)
				if (err1 == nil) != (err2 == nil) {
					t.Fatalf("%s: errors %v and %v", rel, err1, err2)
				}
				if c.begun != (want.Status == record.StatusAccepted) {
					t.Fatalf("%s: %s, but the sink began: %v", rel, want.Status, c.begun)
				}
				if c.begun {
					for i := range got.Tables {
						if got.Tables[i].Rows != nil {
							t.Fatalf("%s: ReadTo returned rows", rel)
						}
						if len(c.rows[i]) != c.counts[i] {
							t.Fatalf("%s: table %d: %d rows handed over, %d told", rel, i, len(c.rows[i]), c.counts[i])
						}
						got.Tables[i].Rows = c.rows[i]
					}
					for i := 1; i < len(c.order); i++ {
						if c.order[i] < c.order[i-1] {
							t.Fatalf("%s: tables handed over out of order: %v", rel, c.order)
						}
					}
					if cut == 0 && streamTablesRun.Load() > before+1 {
						emitted++
						for _, f := range want.Findings {
							if f.Code == "legacy-encoding" {
								legacy++
								break
							}
						}
					}
				}
				if !reflect.DeepEqual(want, got) {
					t.Fatalf("%s (cut after %d rows): ReadTo differs:\n want %+v\n  got %+v", rel, cut, summary(want), summary(got))
				}
			}
			files++
			return nil
		})
	}
	if files == 0 {
		t.Skip("no files")
	}
	if emitted == 0 {
		t.Fatal("no file's rows were counted and handed over in a later pass")
	}
	t.Logf("%d files read the same through a sink, %d of them in a counting and an emitting pass (%d with columns in a legacy font)", files, emitted, legacy)
}

// TestSinkLegacyFonts: big sheets typed in the legacy fonts (a column in
// VNI or TCVN3, short cells that follow the table's font, a Unicode
// column, a sheet of Unicode text with Latin-1 letters), cut after their
// first rows, so that each column's font is decided in a counting pass
// and its cells converted in the emitting pass: ReadTo hands over the
// rows Read returns, with the same findings in the same places.
func TestSinkLegacyFonts(t *testing.T) {
	keep := streamKeepRows
	defer func() { streamKeepRows = keep }()
	rd := &Reader{Plan: plan.Default()}
	for _, enc := range []vntext.Encoding{vntext.VNI, vntext.TCVN3, vntext.Unicode} {
		t.Run(enc.String(), func(t *testing.T) {
			names := legacyNames(vniNames)
			if enc == vntext.TCVN3 {
				names = legacyNames(tcvn3Names)
			}
			s := func(u string) string { return spell(u, enc) }
			rows := [][]any{
				row("UBND XÃ THƯỜNG PHƯỚC 1"),
				row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO"),
				row("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Khóm/Ấp", "Phân loại hộ", "Ghi chú", "Cột lạ"),
			}
			for i := 0; i < 400; i++ {
				name := names[i%len(names)]
				if enc == vntext.Unicode {
					name = []string{"Tô Hà", "Bé Út", "Loïc Müller", "Nguyễn Văn Trí"}[i%4]
				}
				rows = append(rows, row(i+1, fmt.Sprintf("29956-%04d", i), name, 1960+i%40, []string{"Nam", s("Nữ")}[i%2],
					s("Ấp 3"), s("Hộ nghèo"), "Trần Thị Lan", s("Hộ nghèo")))
			}
			rows = append(rows, nil, row(nil, nil, "Người lập biểu"))
			file := filepath.Join(t.TempDir(), "m1.xlsx")
			writeXLSX(t, file, fxSheet{name: "DS", rows: rows}, fxSheet{name: "Trang 2", rows: rows[:40]})
			sub := record.Submission{ID: "sha-" + enc.String(), Path: "29956/M1.xlsx", ArchivePath: file, FolderHint: "29956"}
			streamKeepRows = 1 << 30
			want, err := rd.Read(context.Background(), sub)
			if err != nil || want.Status != record.StatusAccepted {
				t.Fatalf("%v %s %s", err, want.Status, want.Reason)
			}
			streamKeepRows = 10
			var c collect
			before := streamTablesRun.Load()
			got, err := rd.ReadTo(context.Background(), sub, &c)
			if err != nil {
				t.Fatal(err)
			}
			if streamTablesRun.Load() < before+2 {
				t.Fatal("the rows were not counted and handed over in two more passes")
			}
			for i := range got.Tables {
				got.Tables[i].Rows = c.rows[i]
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("ReadTo differs:\n want %+v\n  got %+v", summary(want), summary(got))
			}
			legacy := 0
			for _, f := range want.Findings {
				if f.Code == "legacy-encoding" {
					legacy++
				}
			}
			if (legacy > 0) != (enc != vntext.Unicode) {
				t.Fatalf("%d legacy-encoding findings: %+v", legacy, summary(want))
			}
		})
	}
}
