package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/analytics/parquettest"
)

// readBack opens a written Parquet file with a fresh reader: see
// parquettest.ReadBack.
func readBack(t testing.TB, path string) (*arrow.Schema, int, []map[string]any) {
	return parquettest.ReadBack(t, path)
}

// sampleDataset is a small hand-made dataset exercising nulls, Vietnamese
// text, CSV rows (sheet "") and file-level findings.
func sampleDataset(loc *time.Location) *record.Dataset {
	src := func(id, path, sheet string, row int) record.Source {
		return record.Source{SubmissionID: id, Path: path, Sheet: sheet, Row: row, CommuneCode: "29956"}
	}
	m1 := src("aaa", "29956/M1 Thường Phước 1.xlsx", "Ấp 1", 9)
	return &record.Dataset{
		Submissions: []record.SubmissionOutcome{
			{
				Submission: record.Submission{ID: "aaa", Path: "29956/M1 Thường Phước 1.xlsx", Size: 12345,
					ReceivedAt: time.Date(2022, 4, 20, 9, 30, 0, 0, loc), Seq: 1},
				Format: "xlsx", Form: record.FormM1, CommuneCode: "29956", Status: record.StatusAccepted, SupersededBy: "ccc",
			},
			{
				Submission: record.Submission{ID: "bbb", Path: "hong.xlsx", Size: 0,
					ReceivedAt: time.Date(2022, 4, 21, 8, 0, 0, 0, loc), Seq: 2, DuplicateOf: "cu/hong.xlsx"},
				Format: "", Form: record.FormNone, Status: record.StatusRejected, Reason: record.ReasonCorrupt,
			},
		},
		Findings: []record.Finding{
			{SubmissionID: "bbb", Path: "hong.xlsx", Code: "corrupt", Severity: record.Error, Message: "Tệp bị hỏng, không mở được."},
			{SubmissionID: "ddd", Path: "29956/M3.csv", CommuneCode: "29956", Sheet: "", Row: 5, Column: "phone",
				ColumnTitle: "Số điện thoại", Ref: "E5", Code: "type-error", Severity: record.Warning, Value: "", Message: "Thiếu số điện thoại."},
		},
		Households: []record.Household{
			{Source: m1, State: record.State{Valid: true}, HouseholdCode: "0842", HeadName: "Nguyễn Văn Hùng", BirthYear: 1975,
				Gender: "Nam", CitizenID: "087075001234", Ethnicity: "Kinh", Hamlet: "Ấp 1", Class: "Hộ nghèo", Members: 4,
				HouseholdGroup: "G-29956-0842", MatchReason: "household_code", MatchScore: 1},
			{Source: src("aaa", "29956/M1 Thường Phước 1.xlsx", "Ấp 1", 10), State: record.State{Valid: false, Superseded: true},
				HeadName: "Lê Thị Mai"},
		},
		Registrations: []record.Registration{
			{Source: src("eee", "29956/M2.xlsx", "DS", 8), State: record.State{Valid: true}, RepName: "Trần Thị Lan", BirthYear: 1980,
				Gender: "Nữ", Relation: "Vợ", HeadName: "Nguyễn Văn Hùng", HouseholdCode: "0842", Hamlet: "Ấp 1", Class: "Hộ nghèo",
				Phone: "0912345678", Eligible: true, OverQuota: true, HouseholdGroup: "G-29956-0842", MatchReason: "household_code,name", MatchScore: 0.93},
		},
		Delegates: []record.Delegate{
			{Source: src("ddd", "29956/M3.csv", "", 4), State: record.State{Valid: true}, Name: "Võ Văn Lực", Position: "Trưởng ấp",
				Component: "Trưởng khóm/ấp", Hamlet: "Ấp 1", Phone: "0854726008"},
		},
		Opinions: []record.Opinion{
			{Source: src("fff", "29956/M4.xlsx", "M4", 7), State: record.State{Valid: true}, Hamlet: "Ấp 1", Cluster: 2,
				ReporterName: "Nguyễn Văn Hùng", Topic: "Việc làm", Agency: "Phòng LĐ-TB&XH", Content: "Đề nghị hỗ trợ vốn.",
				ReceivedOn: time.Date(2022, 4, 15, 0, 0, 0, 0, loc), Late: true},
			{Source: src("fff", "29956/M4.xlsx", "M4", 8), Content: "Không rõ ngày"},
		},
		Results: []record.Result{
			{Source: src("ggg", "29956/M5.xlsx", "KQ", 6), State: record.State{Valid: true}, Cluster: 2,
				Date: time.Date(2022, 5, 10, 0, 0, 0, 0, loc), DistrictTeam: 5, CommuneDelegates: 12, HamletHeads: 6,
				HouseholdReps: 30, Opinions: 9, Answered: 7, Forwarded: 0},
		},
		Figures: []record.Figure{
			{Period: "2022Q2", Cluster: 2, Measure: "attendance_planned", Value: 120},
			{Period: "2022Q2", CommuneCode: "29956", Hamlet: "Ấp 1", Topic: "", Measure: "reps_counted", Value: 5},
			{Period: "2022Q2", Cluster: 2, Topic: "Việc làm", Measure: "opinions", Value: 3},
		},
	}
}

// column is an expected column: name and Arrow type.
type column struct{ name, typ string }

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		out = append(out, column{name, typ})
	}
	return out
}

const source = "submission_id:utf8 path:utf8 sheet:utf8 row:int32 commune_code:utf8 "

func TestWriteTables(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	dir := filepath.Join(t.TempDir(), "data")
	paths, err := Write(context.Background(), dir, p, sampleDataset(loc))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range Tables {
		want = append(want, filepath.Join(dir, n+".parquet"))
	}
	part := func(table, commune string) string {
		return filepath.Join(dir, table, "province=87", "district=870", "year=2022", "quarter=2", "commune_code="+commune, PartFile)
	}
	for _, n := range Tables {
		if n == TableSubmissions || n == TableFindings || n == TableFigures {
			want = append(want, part(n, DefaultPartition))
		}
		want = append(want, part(n, "29956"))
	}
	want = append(want, filepath.Join(dir, DescriptionFile))
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths = %v, want %v", paths, want)
	}

	tests := []struct {
		table string
		cols  []column
		rows  []map[string]any // expected values of the listed columns, row by row
	}{
		{TableSubmissions,
			cols("submission_id:utf8 path:utf8 commune_code:utf8 received_at:timestamp[ms,_tz=UTC] form:utf8 status:utf8 reason:utf8 superseded_by:utf8 size:int64 format:utf8 duplicate_of:utf8 seq:int64"),
			[]map[string]any{
				{"submission_id": "aaa", "path": "29956/M1 Thường Phước 1.xlsx", "commune_code": "29956",
					"received_at": time.Date(2022, 4, 20, 2, 30, 0, 0, time.UTC), "form": "M1", "status": "accepted",
					"reason": nil, "superseded_by": "ccc", "size": int64(12345), "format": "xlsx", "duplicate_of": nil, "seq": int64(1)},
				{"submission_id": "bbb", "commune_code": nil, "form": nil, "status": "rejected", "reason": "corrupt",
					"superseded_by": nil, "size": int64(0), "format": nil, "duplicate_of": "cu/hong.xlsx"},
			}},
		{TableFindings,
			cols("submission_id:utf8 path:utf8 sheet:utf8 row:int32 commune_code:utf8 column:utf8 column_title:utf8 ref:utf8 code:utf8 severity:utf8 value:utf8 message:utf8"),
			[]map[string]any{
				{"submission_id": "bbb", "path": "hong.xlsx", "sheet": nil, "row": nil, "commune_code": nil, "column": nil,
					"column_title": nil, "ref": nil, "code": "corrupt", "severity": "error", "value": nil, "message": "Tệp bị hỏng, không mở được."},
				{"sheet": "", "row": int64(5), "commune_code": "29956", "column": "phone", "column_title": "Số điện thoại",
					"ref": "E5", "code": "type-error", "severity": "warning", "value": nil},
			}},
		{TableHouseholds,
			cols(source + "household_code:utf8 head_name:utf8 birth_year:int32 gender:utf8 citizen_id:utf8 ethnicity:utf8 hamlet:utf8 household_class:utf8 members:int32 note:utf8 valid:bool superseded:bool household_group:utf8 match_reason:utf8 match_score:float64"),
			[]map[string]any{
				{"submission_id": "aaa", "path": "29956/M1 Thường Phước 1.xlsx", "sheet": "Ấp 1", "row": int64(9), "commune_code": "29956",
					"household_code": "0842", "head_name": "Nguyễn Văn Hùng", "birth_year": int64(1975), "gender": "Nam",
					"citizen_id": "087075001234", "ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ nghèo", "members": int64(4),
					"note": nil, "valid": true, "superseded": false, "household_group": "G-29956-0842", "match_reason": "household_code", "match_score": 1.0},
				{"row": int64(10), "household_code": nil, "head_name": "Lê Thị Mai", "birth_year": nil, "citizen_id": nil, "members": nil,
					"valid": false, "superseded": true, "household_group": nil, "match_reason": nil, "match_score": nil},
			}},
		{TableRegistrations,
			cols(source + "rep_name:utf8 birth_year:int32 gender:utf8 citizen_id:utf8 relation:utf8 head_name:utf8 household_code:utf8 hamlet:utf8 household_class:utf8 phone:utf8 note:utf8 valid:bool superseded:bool eligible:bool over_quota:bool household_group:utf8 match_reason:utf8 match_score:float64"),
			[]map[string]any{
				{"sheet": "DS", "row": int64(8), "rep_name": "Trần Thị Lan", "birth_year": int64(1980), "citizen_id": nil, "relation": "Vợ",
					"phone": "0912345678", "eligible": true, "over_quota": true, "match_reason": "household_code,name", "match_score": 0.93},
			}},
		{TableDelegates,
			cols(source + "name:utf8 position:utf8 component:utf8 hamlet:utf8 phone:utf8 valid:bool superseded:bool"),
			[]map[string]any{
				{"path": "29956/M3.csv", "sheet": "", "row": int64(4), "name": "Võ Văn Lực", "component": "Trưởng khóm/ấp", "phone": "0854726008", "valid": true},
			}},
		{TableOpinions,
			cols(source + "hamlet:utf8 cluster:int32 reporter_name:utf8 household_code:utf8 topic:utf8 agency:utf8 content:utf8 received_on:date32 late:bool valid:bool superseded:bool"),
			[]map[string]any{
				{"row": int64(7), "cluster": int64(2), "household_code": nil, "topic": "Việc làm", "agency": "Phòng LĐ-TB&XH",
					"received_on": "2022-04-15", "late": true, "valid": true},
				{"row": int64(8), "hamlet": nil, "cluster": nil, "topic": nil, "received_on": nil, "late": false, "valid": false, "content": "Không rõ ngày"},
			}},
		{TableResults,
			cols(source + "cluster:int32 date:date32 district_team:int32 commune_delegates:int32 hamlet_heads:int32 household_reps:int32 opinions:int32 answered:int32 forwarded:int32 valid:bool superseded:bool"),
			[]map[string]any{
				{"cluster": int64(2), "date": "2022-05-10", "district_team": int64(5), "commune_delegates": int64(12), "hamlet_heads": int64(6),
					"household_reps": int64(30), "opinions": int64(9), "answered": int64(7), "forwarded": int64(0)},
			}},
		{TableFigures,
			cols("period:utf8 cluster:int32 commune_code:utf8 hamlet:utf8 topic:utf8 measure:utf8 value:float64"),
			[]map[string]any{
				{"period": "2022Q2", "cluster": int64(2), "commune_code": nil, "hamlet": nil, "topic": nil, "measure": "attendance_planned", "value": 120.0},
				{"cluster": nil, "commune_code": "29956", "hamlet": "Ấp 1", "topic": nil, "measure": "reps_counted", "value": 5.0},
				{"cluster": int64(2), "commune_code": nil, "topic": "Việc làm", "measure": "opinions", "value": 3.0},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			sc, _, rows := readBack(t, filepath.Join(dir, tt.table+".parquet"))
			if got, want := sc.NumFields(), len(tt.cols); got != want {
				t.Errorf("%d columns, want %d: %s", got, want, sc)
			}
			for i, c := range tt.cols {
				if i >= sc.NumFields() {
					break
				}
				f := sc.Field(i)
				typ := strings.ReplaceAll(f.Type.String(), " ", "_")
				if f.Name != c.name || typ != c.typ {
					t.Errorf("column %d = %s:%s, want %s:%s", i, f.Name, typ, c.name, c.typ)
				}
			}
			if len(rows) != len(tt.rows) {
				t.Fatalf("%d rows, want %d", len(rows), len(tt.rows))
			}
			for i, want := range tt.rows {
				for k, v := range want {
					got, ok := rows[i][k]
					if !ok {
						t.Errorf("row %d: no column %s", i, k)
						continue
					}
					if !reflect.DeepEqual(got, v) {
						t.Errorf("row %d %s = %#v, want %#v", i, k, got, v)
					}
				}
			}
		})
	}

	// Readers that ignore the stored Arrow schema (pandas, DuckDB, Spark)
	// rely on the Parquet logical types.
	t.Run("parquet logical types", func(t *testing.T) {
		for _, c := range []struct{ table, column, want string }{
			{TableSubmissions, "received_at", "Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds"},
			{TableSubmissions, "path", "String"},
			{TableOpinions, "received_on", "Date"},
			{TableResults, "date", "Date"},
			{TableHouseholds, "birth_year", "Int(bitWidth=32, isSigned=true)"},
		} {
			rdr, err := file.OpenParquetFile(filepath.Join(dir, c.table+".parquet"), false)
			if err != nil {
				t.Fatal(err)
			}
			sc := rdr.MetaData().Schema
			i := sc.ColumnIndexByName(c.column)
			if i < 0 {
				t.Errorf("%s: no column %s", c.table, c.column)
			} else if got := sc.Column(i).LogicalType().String(); !strings.HasPrefix(got, c.want) {
				t.Errorf("%s.%s logical type %s, want %s", c.table, c.column, got, c.want)
			}
			if cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(0); err != nil {
				t.Errorf("%s: %v", c.table, err)
			} else if cc.Compression() != compression {
				t.Errorf("%s: compression %v, want %v", c.table, cc.Compression(), compression)
			}
			rdr.Close()
		}
	})

	t.Run("dataset.json", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, DescriptionFile))
		if err != nil {
			t.Fatal(err)
		}
		var d description
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Tables) != len(Tables) {
			t.Fatalf("%d tables described, want %d", len(d.Tables), len(Tables))
		}
		for i, td := range d.Tables {
			if td.Name != Tables[i] || td.File != Tables[i]+".parquet" || td.DescriptionVI == "" || td.DescriptionEN == "" {
				t.Errorf("table %d described as %+v", i, td)
			}
			sc, _, rows := readBack(t, filepath.Join(dir, td.File))
			if td.Rows != len(rows) {
				t.Errorf("%s: %d rows described, file has %d", td.Name, td.Rows, len(rows))
			}
			if len(td.Columns) != sc.NumFields() {
				t.Fatalf("%s: %d columns described, file has %d", td.Name, len(td.Columns), sc.NumFields())
			}
			for j, cd := range td.Columns {
				f := sc.Field(j)
				if cd.Name != f.Name || cd.Type != f.Type.String() || cd.Nullable != f.Nullable || cd.DescriptionEN == "" || cd.DescriptionVI == "" {
					t.Errorf("%s column %d described as %+v, file has %s", td.Name, j, cd, f)
				}
			}
		}
	})
}

// TestWriteEmpty: every table is written even without rows, with the same
// schema as a table with rows.
func TestWriteEmpty(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(t.TempDir(), "full")
	if _, err := Write(context.Background(), full, p, sampleDataset(p.Location())); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	paths, err := Write(context.Background(), empty, nil, &record.Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(Tables)+1 {
		t.Fatalf("%d paths, want %d", len(paths), len(Tables)+1)
	}
	for _, n := range Tables {
		sc, groups, rows := readBack(t, filepath.Join(empty, n+".parquet"))
		if len(rows) != 0 || groups != 0 {
			t.Errorf("%s: %d rows in %d row groups, want none", n, len(rows), groups)
		}
		want, _, _ := readBack(t, filepath.Join(full, n+".parquet"))
		if !sc.Equal(want) {
			t.Errorf("%s: empty schema %s\nwant %s", n, sc, want)
		}
	}
}

// TestWriteRewrites: a second run replaces the files and leaves no
// temporary files behind.
func TestWriteRewrites(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ds := sampleDataset(p.Location())
	if _, err := Write(context.Background(), dir, p, ds); err != nil {
		t.Fatal(err)
	}
	ds.Households = ds.Households[:1]
	ds.Figures = nil
	if _, err := Write(context.Background(), dir, p, ds); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]int{TableHouseholds: 1, TableFigures: 0, TableSubmissions: 2} {
		if _, _, rows := readBack(t, filepath.Join(dir, n+".parquet")); len(rows) != want {
			t.Errorf("%s: %d rows after rewrite, want %d", n, len(rows), want)
		}
	}
	assertFiles(t, dir)
}

// TestWriteCancelled: a cancelled context stops the work with its error and
// leaves no half-written or temporary file.
func TestWriteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := Write(ctx, dir, nil, sampleDataset(time.UTC))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("files left after cancel: %v", ents)
	}
}

// TestRowGroups: a table larger than RowGroupRows is split into row groups
// and reads back whole, in order.
func TestRowGroups(t *testing.T) {
	n := RowGroupRows*2 + 7
	figs := make([]record.Figure, n)
	for i := range figs {
		figs[i] = record.Figure{Period: "2022Q2", Cluster: i % 3, Measure: "reps_planned", Value: float64(i)}
	}
	dir := t.TempDir()
	if _, err := Write(context.Background(), dir, nil, &record.Dataset{Figures: figs}); err != nil {
		t.Fatal(err)
	}
	_, groups, rows := readBack(t, filepath.Join(dir, TableFigures+".parquet"))
	if groups != 3 {
		t.Errorf("%d row groups, want 3", groups)
	}
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r["value"] != float64(i) {
			t.Fatalf("row %d value = %v", i, r["value"])
		}
		if (i%3 == 0) != (r["cluster"] == nil) {
			t.Fatalf("row %d cluster = %v", i, r["cluster"])
		}
	}
}

// assertFiles checks dir holds exactly the eight tables, the folders of
// their Hive trees and dataset.json.
func assertFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		got = append(got, name)
	}
	sort.Strings(got)
	for _, n := range Tables {
		want = append(want, n+".parquet", n+"/")
	}
	want = append(want, DescriptionFile)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
}

// TestWriteKeepsUnchanged: a second Write of a dataset changed in one
// table leaves every other Parquet file as it was (the same file, not
// rewritten; one made readable by others is made owner-only again),
// rewrites that table's files (or removes its emptied partitions), and
// rewrites a file whose bytes were altered on disk; the files read back
// as written.
func TestWriteKeepsUnchanged(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ds := sampleDataset(p.Location())
	first, err := Write(context.Background(), dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	stat := func() map[string]os.FileInfo {
		out := map[string]os.FileInfo{}
		for _, f := range first {
			if fi, err := os.Stat(f); err == nil && strings.HasSuffix(f, ".parquet") {
				out[f] = fi
			}
		}
		return out
	}
	before := stat()
	flat := filepath.Join(dir, TableFindings+".parquet")
	garbled := filepath.Join(dir, TableSubmissions+".parquet")
	b, err := os.ReadFile(garbled)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(garbled, b, FileMode); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(dir, TableHouseholds+".parquet")
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	before = stat()
	ds.Findings = ds.Findings[:1]
	second, err := Write(context.Background(), dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	// The paths returned are those of every file of the data (kept or
	// written), so that the status page lists the same: all but the
	// findings' partition of commune 29956, which has no rows now.
	var want []string
	for _, f := range first {
		if !strings.Contains(filepath.ToSlash(f), "/"+TableFindings+"/") || !strings.Contains(f, "commune_code=29956") {
			want = append(want, f)
		}
	}
	if !reflect.DeepEqual(want, second) {
		t.Errorf("the paths returned: %v, want %v", second, want)
	}
	after := stat()
	for f, fi := range before {
		if after[f] == nil {
			if slices.Contains(want, f) {
				t.Errorf("%s removed", f)
			}
			continue
		}
		rewritten := !os.SameFile(fi, after[f])
		wantRewrite := f == garbled || f == flat // the findings' other partition has the same rows
		if rewritten != wantRewrite {
			t.Errorf("%s: rewritten %v, want %v", f, rewritten, wantRewrite)
		}
		if m := after[f].Mode().Perm(); m != FileMode {
			t.Errorf("%s: mode %v", f, m)
		}
	}
	if _, _, rows := readBack(t, flat); len(rows) != 1 {
		t.Errorf("findings: %d rows, want 1", len(rows))
	}
	if _, _, rows := readBack(t, garbled); len(rows) != 2 {
		t.Errorf("submissions: %d rows, want 2", len(rows))
	}
	assertFiles(t, dir)
}
