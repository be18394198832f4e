package validate_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/schemas"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

// sampleWorkbooks reads the 2022 sample set.
func sampleWorkbooks(t testing.TB) ([]record.Workbook, *plan.Plan) {
	t.Helper()
	set, p := sampleds.Open(t, "2022")
	subs, err := sampleds.Submissions(set, 0)
	if err != nil {
		t.Fatal(err)
	}
	wbs, err := sampleds.Read(context.Background(), p, subs)
	if err != nil {
		t.Fatal(err)
	}
	return wbs, p
}

// TestCheckerEqualsReference: the checker with its fast paths (fields by
// FieldID, one reused rowCheck, remembered enumerations and hamlets)
// makes exactly the records and findings of the checker before them, on
// the sample set and on many rows of it spoilt at random (fuzz-style,
// fixed seeds): odd Unicode, blanks, numbers, dates, repeated and
// all-different values.
func TestCheckerEqualsReference(t *testing.T) {
	wbs, p := sampleWorkbooks(t)
	compare := func(t *testing.T, wb *record.Workbook) int {
		t.Helper()
		got, want := validate.Check(p, wb), validate.CheckOld(p, wb)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Check differs from the reference\n got %d findings, want %d", wb.Submission.Path, len(got.Findings), len(want.Findings))
		}
		return len(got.Findings) + len(got.Households) + len(got.Registrations) + len(got.Delegates) + len(got.Opinions) + len(got.Results)
	}
	n := 0
	for i := range wbs {
		n += compare(t, &wbs[i])
	}
	if n == 0 {
		t.Fatal("the sample set checked to nothing")
	}
	pool := spoilPool(p)
	findings := 0
	for seed := uint64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		for i := range wbs {
			wb := spoil(&wbs[i], rng, pool)
			compare(t, &wb)
			findings += len(validate.Check(p, &wb).Findings)
		}
	}
	if findings < 1000 {
		t.Fatalf("the spoilt rows gave only %d findings", findings)
	}
	t.Logf("%d findings on the spoilt rows", findings)
}

// spoilPool are the texts spoilt cells take: valid and invalid values of
// every kind of field, tricky Unicode, and the plan's own names.
func spoilPool(p *plan.Plan) []string {
	out := []string{
		"", " ", "\u00a0", "\u200b", "Nam", "nữ", "NỮ", " Nam ", "Nam\u00a0", "Kinh", "kinh ", "Khơ-me", "Khmer", "Hoa",
		"Chủ hộ", "chu ho", "Con", "Con nuôi", "Vợ", "vo", "Hộ nghèo", "HỘ CẬN NGHÈO", "Cận nghèo", "Hộ khá",
		norm.NFD.String("Hộ cận nghèo"), norm.NFD.String("Nữ"), "Nguyễn Văn An", norm.NFD.String("Trần Thị Bích"),
		"Lê  Văn\tBa", "Ng\u200dguyễn", "\ufeffHùng", "Th\u00adêng", "Москва", "東京", "😀", "a\xffb", "\x00",
		"1975", "05/03/1975", "1975-03-05", "3000", "27000", "1899", "abc", "19 75", "1.975", "4", "4.0", "-1", "1e9",
		"012345678901", "12345678901", "123456789", "0123-456-789-01", "1.23457E+11", "O12345678901", "0912345678",
		"+84912345678", "84 912 345 678", "(028) 3829 1234", "912345678", "Trưởng khóm/ấp", "Cụm 1", "cụm số 2", "III",
		"HGD-0001", "hgd-0001", "HGD 0001", "Ý kiến\nnhiều dòng", "Đường liên ấp xuống cấp",
	}
	long := ""
	for len(long) < 2200 {
		long += "Ý kiến dài về việc sửa chữa đường "
	}
	out = append(out, long)
	for _, c := range p.Communes() {
		out = append(out, c.Name)
		for _, h := range c.Hamlets {
			out = append(out, h, norm.NFD.String(h), " "+h+" ")
		}
	}
	for _, tp := range p.Topics {
		out = append(out, tp.Name)
	}
	for _, sc := range schemas.All() {
		for _, f := range sc.Fields {
			out = append(out, f.Constraints.Enum...)
			for _, vs := range f.EnumVariants {
				out = append(out, vs...)
			}
		}
	}
	return out
}

// spoil copies wb with some of its cells changed: a text from the pool, a
// number, a date, a fresh all-different text, or no cell.
func spoil(wb *record.Workbook, rng *rand.Rand, pool []string) record.Workbook {
	out := *wb
	out.Tables = make([]record.Table, len(wb.Tables))
	for ti, tbl := range wb.Tables {
		nt := tbl
		nt.Rows = make([]record.SourceRow, len(tbl.Rows))
		for ri, r := range tbl.Rows {
			nr := r
			nr.Cells = append(record.Cells(nil), r.Cells...)
			for ci := range nr.Cells {
				c := &nr.Cells[ci]
				switch rng.IntN(10) {
				case 0:
					c.Text, c.IsNum, c.IsDate, c.Num = pool[rng.IntN(len(pool))], false, false, 0
				case 1:
					c.Num = float64(rng.IntN(3000000)) / float64(1+rng.IntN(3))
					c.IsNum, c.IsDate, c.Text = true, false, ""
				case 2:
					c.Num = float64(20000 + rng.IntN(30000))
					c.IsDate, c.IsNum, c.Text = true, false, ""
				case 3:
					c.Text, c.IsNum, c.IsDate = "x"+string(rune('a'+rng.IntN(26)))+string(rune(0x1ea0+rng.IntN(90))), false, false
				case 4:
					c.Text = ""
				}
			}
			nt.Rows[ri] = nr
		}
		out.Tables[ti] = nt
	}
	return out
}

// BenchmarkCheck checks the sample set's workbooks (old: the reference
// checker, new: Check).
func BenchmarkCheck(b *testing.B) {
	wbs, p := sampleWorkbooks(b)
	benchCheck(b, wbs, p)
}

// benchCheck checks wbs with the reference checker ("old") and Check
// ("new"), reporting rows checked per second.
func benchCheck(b *testing.B, wbs []record.Workbook, p *plan.Plan) {
	rows := 0
	for _, wb := range wbs {
		for _, t := range wb.Tables {
			rows += len(t.Rows)
		}
	}
	for _, bc := range []struct {
		name  string
		check func(*plan.Plan, *record.Workbook) record.Checked
	}{{"new", validate.Check}, {"old", validate.CheckOld}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range wbs {
					_ = bc.check(p, &wbs[i])
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// inboxWorkbooks reads an inbox of generated form-like commune files
// (bench/gen: 2 communes, M1 roster of 2,000 households, M2, M3, M4).
func inboxWorkbooks(b *testing.B) ([]record.Workbook, *plan.Plan) {
	b.Helper()
	dir := b.TempDir()
	man, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 2, Households: 2000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Load(man.Plan)
	if err != nil {
		b.Fatal(err)
	}
	rd := &read.Reader{Plan: p}
	var wbs []record.Workbook
	for _, f := range man.Files {
		path := filepath.Join(man.Inbox, filepath.FromSlash(f.Path))
		sub := record.Submission{ID: f.Path, Path: f.Path, ArchivePath: path, FolderHint: strings.Split(f.Path, "/")[0]}
		wb, err := rd.Read(context.Background(), sub)
		if err != nil {
			b.Fatal(err)
		}
		wbs = append(wbs, wb)
	}
	return wbs, p
}

// BenchmarkCheckInbox checks a generated inbox's workbooks, old (the
// reference checker) and new (Check), in the same process.
func BenchmarkCheckInbox(b *testing.B) {
	wbs, p := inboxWorkbooks(b)
	benchCheck(b, wbs, p)
}
