package extract_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/demo"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

// fill sets every field of the struct v points to a value of its own
// (seeded by n), so that a field the checked file forgets shows.
func fill(v reflect.Value, n *int, loc *time.Location) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			*n++
			v.Set(reflect.ValueOf(time.Date(2022, 4, *n%28+1, 0, 0, 0, 0, loc)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n, loc)
		}
	case reflect.String:
		*n++
		v.SetString("giá trị " + strings.Repeat("x", *n%7) + string(rune('A'+*n%26)))
	case reflect.Int, reflect.Int64:
		*n++
		v.SetInt(int64(*n))
	case reflect.Float64:
		*n++
		v.SetFloat(float64(*n) / 3)
	case reflect.Bool:
		*n++
		v.SetBool(*n%2 == 0)
	}
}

// TestCheckedEveryField: every field of every kind of record comes back
// from a checked file exactly; the source is the submission's.
func TestCheckedEveryField(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	sub := record.Submission{ID: strings.Repeat("ab", 32), Path: "29956/M.xlsx", FolderHint: "29956",
		ReceivedAt: time.Date(2022, 4, 20, 9, 0, 0, 0, loc), Seq: 7}
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	st.Location = loc
	n := 0
	for _, c := range []struct {
		form record.Form
		set  func(*record.Checked, reflect.Value)
		typ  reflect.Type
	}{
		{record.FormM1, func(c *record.Checked, v reflect.Value) { c.Households = v.Interface().([]record.Household) }, reflect.TypeOf(record.Household{})},
		{record.FormM2, func(c *record.Checked, v reflect.Value) { c.Registrations = v.Interface().([]record.Registration) }, reflect.TypeOf(record.Registration{})},
		{record.FormM3, func(c *record.Checked, v reflect.Value) { c.Delegates = v.Interface().([]record.Delegate) }, reflect.TypeOf(record.Delegate{})},
		{record.FormM4, func(c *record.Checked, v reflect.Value) { c.Opinions = v.Interface().([]record.Opinion) }, reflect.TypeOf(record.Opinion{})},
		{record.FormM5, func(c *record.Checked, v reflect.Value) { c.Results = v.Interface().([]record.Result) }, reflect.TypeOf(record.Result{})},
	} {
		wb := record.Workbook{Submission: sub, Format: "xlsx", Form: c.form, CommuneCode: "29956", Status: record.StatusAccepted,
			Tables: []record.Table{{Sheet: "S", HeaderRows: []int{3}, Rows: []record.SourceRow{record.RowOf(4), record.RowOf(5)}}}}
		recs := reflect.MakeSlice(reflect.SliceOf(c.typ), 3, 3)
		for i := 0; i < recs.Len(); i++ {
			fill(recs.Index(i), &n, loc)
			src := recs.Index(i).FieldByName("Source")
			src.FieldByName("SubmissionID").SetString(sub.ID)
			src.FieldByName("Path").SetString(sub.Path)
			src.FieldByName("CommuneCode").SetString(wb.CommuneCode)
			src.FieldByName("ReceivedAt").Set(reflect.ValueOf(sub.ReceivedAt))
			src.FieldByName("Seq").SetInt(sub.Seq)
		}
		var chk record.Checked
		c.set(&chk, recs)
		chk.Findings = []record.Finding{{SubmissionID: sub.ID, Path: sub.Path, Row: 4, Column: "x", Code: "c", Severity: record.Error, Message: "Sai"}}
		if err := st.SaveChecked(wb, chk); err != nil {
			t.Fatalf("%s: %v", c.form, err)
		}
		hdr, rows, got, ok := st.LoadChecked(sub)
		if !ok || rows != 2 || !reflect.DeepEqual(hdr, record.HeaderOf(wb)) {
			t.Fatalf("%s: checked file not loaded (%v, %d rows)", c.form, ok, rows)
		}
		if !reflect.DeepEqual(got, chk) {
			t.Errorf("%s: records did not round-trip:\n got %+v\nwant %+v", c.form, got, chk)
		}
	}
}

// TestCheckedNotExact: what a checked file could not give back exactly is
// refused, never stored approximately.
func TestCheckedNotExact(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	sub := record.Submission{ID: strings.Repeat("cd", 32), Path: "29956/M4.xlsx", ReceivedAt: time.Date(2022, 4, 20, 9, 0, 0, 0, loc), Seq: 3}
	src := record.Source{SubmissionID: sub.ID, Path: sub.Path, Sheet: "S", Row: 4, CommuneCode: "29956", ReceivedAt: sub.ReceivedAt, Seq: sub.Seq}
	wb := record.Workbook{Submission: sub, Form: record.FormM4, CommuneCode: "29956", Status: record.StatusAccepted}
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	st.Location = loc
	otherSrc := src
	otherSrc.Path = "elsewhere.xlsx"
	for name, chk := range map[string]record.Checked{
		"a date in another time zone": {Opinions: []record.Opinion{{Source: src, ReceivedOn: time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)}}},
		"a date with nanoseconds":     {Opinions: []record.Opinion{{Source: src, ReceivedOn: time.Date(2022, 4, 1, 0, 0, 0, 5, loc)}}},
		"a record of another file":    {Opinions: []record.Opinion{{Source: otherSrc}}},
		"records of another form":     {Households: []record.Household{{Source: src}}},
		"a finding JSON would alter":  {Findings: []record.Finding{{Message: "sai \xff"}}},
	} {
		if err := st.SaveChecked(wb, chk); !errors.Is(err, extract.ErrNotExact) {
			t.Errorf("%s: SaveChecked = %v, want ErrNotExact", name, err)
		}
	}
}

// TestDamagedChecked: a damaged or stale checked file is a miss (the
// caller checks the workbook again), never wrong records and never a
// panic; saving again repairs it.
func TestDamagedChecked(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var sub record.Submission
	var wb record.Workbook
	for _, s := range inboxSubs(t, filepath.Join(dir, "inbox"), demo.Moment(p)) {
		w, err := (&read.Reader{Plan: p, Logger: quiet}).Read(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if w.Form == record.FormM1 && w.Status == record.StatusAccepted {
			sub, wb = s, w
			break
		}
	}
	if sub.ID == "" {
		t.Fatal("no accepted roster in the demo inbox")
	}
	chk := validate.Check(p, &wb)
	if len(chk.Households) == 0 {
		t.Fatal("the roster checks to no households")
	}
	key, _ := extract.Key("test-stages", p)
	otherValidation, _ := extract.Key("test-stages validate/other", p)
	st := extract.NewStore(t.TempDir(), key, quiet)
	st.Location = p.Location()
	if err := st.SaveChecked(wb, chk); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.CheckedPath(sub))
	if err != nil {
		t.Fatal(err)
	}
	longest := ""
	for _, h := range chk.Households {
		if len(h.HeadName) > len(longest) {
			longest = h.HeadName
		}
	}
	cases := []struct {
		fault  string
		damage func()
		store  *extract.Store
	}{
		{fault: "checked file truncated to half", damage: func() { os.WriteFile(st.CheckedPath(sub), good[:len(good)/2], 0o600) }},
		{fault: "checked file replaced by garbage", damage: func() { os.WriteFile(st.CheckedPath(sub), []byte(strings.Repeat("garbage ", 500)), 0o600) }},
		{fault: "checked file with one byte of a record's text changed", damage: func() {
			b := append([]byte(nil), good...)
			i := bytes.Index(b, []byte(longest))
			if i < 0 {
				t.Fatal("no record text found in the checked file")
			}
			b[i] ^= 0x01
			os.WriteFile(st.CheckedPath(sub), b, 0o600)
		}},
		{fault: "checked file in place of the extract of cells", damage: func() { os.WriteFile(st.Path(sub), good, 0o600) }},
		{fault: "validation version changed (another key)", store: func() *extract.Store {
			o := extract.NewStore(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(st.CheckedPath(sub))))), otherValidation, quiet)
			o.Location = p.Location()
			return o
		}()},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			if err := st.SaveChecked(wb, chk); err != nil { // restore
				t.Fatal(err)
			}
			os.Remove(st.Path(sub))
			if c.damage != nil {
				c.damage()
			}
			use := st
			if c.store != nil {
				use = c.store
			}
			var hit bool
			if strings.Contains(c.fault, "extract of cells") {
				_, hit = use.Load(sub)
			} else {
				_, _, _, hit = use.LoadChecked(sub)
			}
			saveErr := use.SaveChecked(wb, chk)
			_, _, back, again := use.LoadChecked(sub)
			repaired := again && reflect.DeepEqual(back, chk)
			faults.Record(t, faultdoc.Case{
				Fault:    c.fault,
				Expected: "not used (a miss); the workbook is checked again and the checked file rewritten",
				Outcome:  outcome(hit, saveErr, repaired),
				Pass:     !hit && saveErr == nil && repaired,
			})
		})
	}
}

// TestEachChecked: EachChecked yields the records LoadChecked gives, a
// record batch at a time; a missing file is no error, a damaged one is.
func TestEachChecked(t *testing.T) {
	keep := extract.BatchRows
	defer func() { extract.BatchRows = keep }()
	extract.BatchRows = 3
	loc := time.FixedZone("ICT", 7*3600)
	sub := record.Submission{ID: strings.Repeat("cd", 32), Path: "29956/M1.xlsx", FolderHint: "29956",
		ReceivedAt: time.Date(2022, 4, 20, 9, 0, 0, 0, loc), Seq: 3}
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	st.Location = loc
	wb := record.Workbook{Submission: sub, Format: "xlsx", Form: record.FormM1, CommuneCode: "29956", Status: record.StatusAccepted,
		Tables: []record.Table{{Sheet: "S", HeaderRows: []int{3}}}}
	hs := make([]record.Household, 10)
	n := 0
	for i := range hs {
		fill(reflect.ValueOf(&hs[i]).Elem(), &n, loc)
		hs[i].Source = record.Source{SubmissionID: sub.ID, Path: sub.Path, CommuneCode: wb.CommuneCode, ReceivedAt: sub.ReceivedAt, Seq: sub.Seq, Row: 4 + i}
	}
	each := func() (sizes []int, got []record.Household, ok bool, err error) {
		ok, err = st.EachChecked(sub, func(chk *record.Checked) error {
			if len(chk.Findings) != 0 {
				t.Error("a batch holds findings")
			}
			sizes = append(sizes, len(chk.Households))
			got = append(got, chk.Households...)
			return nil
		})
		return sizes, got, ok, err
	}
	if _, _, ok, err := each(); ok || err != nil {
		t.Fatalf("no checked file: %v, %v", ok, err)
	}
	if err := st.SaveChecked(wb, record.Checked{Households: hs}); err != nil {
		t.Fatal(err)
	}
	_, _, whole, _ := st.LoadChecked(sub)
	sizes, got, ok, err := each()
	if !ok || err != nil || !reflect.DeepEqual(sizes, []int{3, 3, 3, 1}) {
		t.Fatalf("EachChecked: %v %v, batches %v", ok, err, sizes)
	}
	if !reflect.DeepEqual(got, whole.Households) || !reflect.DeepEqual(got, hs) {
		t.Error("the records yielded differ from those stored")
	}
	good, err := os.ReadFile(st.CheckedPath(sub))
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated":      good[:len(good)*2/3],
		"a byte changed": func() []byte { b := bytes.Clone(good); b[len(b)/3] ^= 0x01; return b }(),
		"replaced":       []byte(strings.Repeat("garbage ", 100)),
	} {
		if err := os.WriteFile(st.CheckedPath(sub), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := each(); !ok || err == nil {
			t.Errorf("%s: EachChecked = %v, %v; want an error", name, ok, err)
		}
	}
}

// TestLoadCheckedUpTo: a roster of more M1 records than the limit is
// loaded without them (counted, left in the file); at or under the limit,
// and for a limit < 0, it is LoadChecked. The findings and the header are
// the same either way, and a damaged file is not used either way.
func TestLoadCheckedUpTo(t *testing.T) {
	keep := extract.BatchRows
	defer func() { extract.BatchRows = keep }()
	extract.BatchRows = 3
	loc := time.FixedZone("ICT", 7*3600)
	sub := record.Submission{ID: strings.Repeat("ef", 32), Path: "29956/M1.xlsx", FolderHint: "29956",
		ReceivedAt: time.Date(2022, 4, 20, 9, 0, 0, 0, loc), Seq: 3}
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	st.Location = loc
	wb := record.Workbook{Submission: sub, Format: "xlsx", Form: record.FormM1, CommuneCode: "29956", Status: record.StatusAccepted,
		Tables: []record.Table{{Sheet: "S", HeaderRows: []int{3}}}}
	hs := make([]record.Household, 10)
	n := 0
	for i := range hs {
		fill(reflect.ValueOf(&hs[i]).Elem(), &n, loc)
		hs[i].Source = record.Source{SubmissionID: sub.ID, Path: sub.Path, CommuneCode: wb.CommuneCode, ReceivedAt: sub.ReceivedAt, Seq: sub.Seq, Row: 4 + i}
	}
	finding := record.Finding{SubmissionID: sub.ID, Path: sub.Path, Code: "duplicate-household-code", Severity: record.Warning, Message: "mã hộ đã có", Row: 7}
	if err := st.SaveChecked(wb, record.Checked{Households: hs, Findings: []record.Finding{finding}}); err != nil {
		t.Fatal(err)
	}
	wantWB, wantRows, want, ok := st.LoadChecked(sub)
	if !ok || len(want.Households) != len(hs) {
		t.Fatalf("LoadChecked: %v, %d records", ok, len(want.Households))
	}
	for _, tc := range []struct {
		limit, left int
	}{{-1, 0}, {10, 0}, {100, 0}, {9, 10}, {0, 10}} {
		gotWB, rows, got, left, ok := st.LoadCheckedUpTo(sub, tc.limit)
		if !ok || left != tc.left || rows != wantRows || !reflect.DeepEqual(gotWB, wantWB) || !reflect.DeepEqual(got.Findings, want.Findings) {
			t.Errorf("limit %d: ok %v, left %d (want %d), rows %d, findings %+v", tc.limit, ok, left, tc.left, rows, got.Findings)
		}
		if tc.left > 0 && got.Households != nil || tc.left == 0 && !reflect.DeepEqual(got, want) {
			t.Errorf("limit %d: %d records loaded", tc.limit, len(got.Households))
		}
	}
	good, err := os.ReadFile(st.CheckedPath(sub))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/3] ^= 0x01
	if err := os.WriteFile(st.CheckedPath(sub), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, ok := st.LoadCheckedUpTo(sub, 0); ok {
		t.Error("a damaged checked file was used with its records left in it")
	}
}

// TestReadRecordsReusesMemory: reading checked files again into one
// Scratch, one after the other (two files of each kind, bigger then
// smaller, the kinds in turn, twice over), gives each file exactly the
// records LoadChecked gives it, none left of the file read before into
// the same memory, and no findings.
func TestReadRecordsReusesMemory(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	st.Location = loc
	type file struct {
		sub  record.Submission
		form record.Form
	}
	var files []file
	n := 0
	for k, c := range []struct {
		form record.Form
		set  func(*record.Checked, reflect.Value)
		typ  reflect.Type
	}{
		{record.FormM1, func(c *record.Checked, v reflect.Value) { c.Households = v.Interface().([]record.Household) }, reflect.TypeOf(record.Household{})},
		{record.FormM2, func(c *record.Checked, v reflect.Value) { c.Registrations = v.Interface().([]record.Registration) }, reflect.TypeOf(record.Registration{})},
		{record.FormM3, func(c *record.Checked, v reflect.Value) { c.Delegates = v.Interface().([]record.Delegate) }, reflect.TypeOf(record.Delegate{})},
		{record.FormM4, func(c *record.Checked, v reflect.Value) { c.Opinions = v.Interface().([]record.Opinion) }, reflect.TypeOf(record.Opinion{})},
		{record.FormM5, func(c *record.Checked, v reflect.Value) { c.Results = v.Interface().([]record.Result) }, reflect.TypeOf(record.Result{})},
	} {
		for j, size := range []int{7, 4} {
			commune := []string{"29956", "29959"}[j]
			sub := record.Submission{ID: strings.Repeat(string(rune('a'+k))+string(rune('0'+j)), 32), Path: commune + "/M.xlsx", FolderHint: commune,
				ReceivedAt: time.Date(2022, 4, 20+j, 9, 0, 0, 0, loc), Seq: int64(10*k + j)}
			wb := record.Workbook{Submission: sub, Format: "xlsx", Form: c.form, CommuneCode: commune, Status: record.StatusAccepted,
				Tables: []record.Table{{Sheet: "S", HeaderRows: []int{3}}}}
			recs := reflect.MakeSlice(reflect.SliceOf(c.typ), size, size)
			for i := 0; i < size; i++ {
				fill(recs.Index(i), &n, loc)
				if j == 1 && i%2 == 0 {
					// Zero times after the bigger file's set ones.
					for f := 0; f < c.typ.NumField(); f++ {
						if v := recs.Index(i).Field(f); v.Type() == reflect.TypeOf(time.Time{}) {
							v.Set(reflect.ValueOf(time.Time{}))
						}
					}
				}
				src := recs.Index(i).FieldByName("Source")
				src.FieldByName("SubmissionID").SetString(sub.ID)
				src.FieldByName("Path").SetString(sub.Path)
				src.FieldByName("CommuneCode").SetString(commune)
				src.FieldByName("ReceivedAt").Set(reflect.ValueOf(sub.ReceivedAt))
				src.FieldByName("Seq").SetInt(sub.Seq)
			}
			var chk record.Checked
			c.set(&chk, recs)
			chk.Findings = []record.Finding{{SubmissionID: sub.ID, Path: sub.Path, Row: 4, Code: "c", Severity: record.Error, Message: "Sai"}}
			if err := st.SaveChecked(wb, chk); err != nil {
				t.Fatalf("%s: %v", c.form, err)
			}
			files = append(files, file{sub, c.form})
		}
	}
	var sc extract.Scratch
	for round := 0; round < 2; round++ {
		for _, f := range files {
			_, _, want, ok := st.LoadChecked(f.sub)
			if !ok {
				t.Fatalf("%s: not loaded", f.sub.Path)
			}
			want.Findings = nil
			got, ok := st.ReadRecords(f.sub, &sc)
			if !ok {
				t.Fatalf("%s %s: ReadRecords found nothing", f.form, f.sub.ID[:2])
			}
			// Other kinds' arrays may keep their memory, empty.
			norm := func(c record.Checked) record.Checked {
				if len(c.Households) == 0 {
					c.Households = nil
				}
				if len(c.Registrations) == 0 {
					c.Registrations = nil
				}
				if len(c.Delegates) == 0 {
					c.Delegates = nil
				}
				if len(c.Opinions) == 0 {
					c.Opinions = nil
				}
				if len(c.Results) == 0 {
					c.Results = nil
				}
				return c
			}
			if !reflect.DeepEqual(norm(*got), norm(want)) {
				t.Errorf("round %d, %s %s: ReadRecords gives\n %+v\nwant %+v", round, f.form, f.sub.ID[:2], *got, want)
			}
		}
	}
	if _, ok := st.ReadRecords(record.Submission{ID: strings.Repeat("ee", 32), Path: "x/M.xlsx"}, &sc); ok {
		t.Error("ReadRecords found a file never stored")
	}
	// A file found right is not hashed again while it is the same file;
	// one replaced since (every write of an extract replaces it) is, by
	// the same store, and a new store checks every file.
	path := st.CheckedPath(files[0].sub)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x01
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.ReadRecords(files[0].sub, &sc); ok {
		t.Error("ReadRecords used a damaged file put in place of one it had read")
	}
	b, err = os.ReadFile(st.CheckedPath(files[1].sub))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x01
	if err := os.WriteFile(st.CheckedPath(files[1].sub), b, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := extract.NewStore(filepath.Dir(filepath.Dir(filepath.Dir(path))), "k1", quiet)
	fresh.Location = loc
	if _, ok := fresh.ReadRecords(files[1].sub, &sc); ok {
		t.Error("ReadRecords used a damaged file")
	}
	if _, ok := fresh.ReadRecords(files[2].sub, &sc); !ok {
		t.Error("a new store did not read a good file")
	}
}
