package analytics

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/analytics/parquettest"
)

// otherPlan loads pipeline/testdata/plan-2023-q3.yaml: another province's
// district, year and quarter than the embedded 2022 plan.
func otherPlan(t testing.TB) *plan.Plan {
	t.Helper()
	p, err := plan.Load(filepath.Join("..", "..", "..", "pipeline", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// defaultPlan loads the embedded 2022 plan.
func defaultPlan(t testing.TB) *plan.Plan {
	t.Helper()
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rowKey is a row in a comparable form (JSON with sorted keys).
func rowKey(t testing.TB, r map[string]any) string {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// multiset counts rows by rowKey.
func multiset(t testing.TB, rows []map[string]any) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[rowKey(t, r)]++
	}
	return m
}

// wantPartitions are the plan's partition values as ReadHive gives them.
func wantPartitions(p *plan.Plan) map[string]any {
	v := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	if p == nil {
		return map[string]any{KeyProvince: nil, KeyDistrict: nil, KeyYear: nil, KeyQuarter: nil}
	}
	return map[string]any{
		KeyProvince: v(p.District.ProvinceCode),
		KeyDistrict: v(p.District.Code),
		KeyYear:     strconv.Itoa(p.Year),
		KeyQuarter:  strconv.Itoa(p.DialogueQuarter),
	}
}

// checkHive reads every table's Hive tree under dir back and checks it
// against the flat file: the same rows as a multiset once the path's
// commune_code is a column again, one partition per commune (null
// included), the plan's province, district, year and quarter on every
// path, the flat schema without commune_code in every file, and only
// partition files in the tree (those of paths). It returns the number of
// partition files.
func checkHive(t *testing.T, dir string, p *plan.Plan, paths []string) int {
	t.Helper()
	fixed := wantPartitions(p)
	returned := map[string]bool{}
	for _, q := range paths {
		if rel, err := filepath.Rel(dir, q); err == nil && strings.Contains(filepath.ToSlash(rel), "/") {
			returned[filepath.ToSlash(rel)] = true
		}
	}
	total := 0
	for _, name := range Tables {
		flatSchema, _, flat := parquettest.ReadBack(t, filepath.Join(dir, name+".parquet"))
		parts := parquettest.ReadHive(t, filepath.Join(dir, name))
		total += len(parts)
		communes := map[any]bool{}
		for _, r := range flat {
			communes[r[PartitionColumn]] = true
		}
		if len(parts) != len(communes) {
			t.Errorf("%s: %d partitions, want one per commune value of the flat file (%d)", name, len(parts), len(communes))
		}
		seen := map[any]bool{}
		var rows []map[string]any
		for _, part := range parts {
			if !reflect.DeepEqual(part.Keys, PartitionKeys) || !strings.HasSuffix(part.Rel, "/"+PartFile) {
				t.Errorf("%s: partition file %s, want %v/%s", name, part.Rel, PartitionKeys, PartFile)
			}
			if !returned[name+"/"+part.Rel] {
				t.Errorf("%s: %s is in the tree but not among the paths Write returned", name, part.Rel)
			}
			delete(returned, name+"/"+part.Rel)
			for k, want := range fixed {
				if got := part.Values[k]; got != want {
					t.Errorf("%s: %s has %s=%v, want %v", name, part.Rel, k, got, want)
				}
			}
			c := part.Values[PartitionColumn]
			if seen[c] {
				t.Errorf("%s: commune %v in two partitions", name, c)
			}
			seen[c] = true
			if len(part.Rows) == 0 {
				t.Errorf("%s: partition %s has no rows", name, part.Rel)
			}
			var want []string
			for _, f := range flatSchema.Fields() {
				if f.Name != PartitionColumn {
					want = append(want, f.Name+":"+f.Type.String())
				}
			}
			var got []string
			for _, f := range part.Schema.Fields() {
				got = append(got, f.Name+":"+f.Type.String())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s columns %v, want the flat file's without %s: %v", name, part.Rel, got, PartitionColumn, want)
			}
			for _, r := range part.Rows {
				if name == TableFigures && p != nil && r["period"] != p.DialoguePeriod() {
					t.Errorf("figures: %s holds a row of period %v", part.Rel, r["period"])
				}
				for k := range fixed {
					delete(r, k) // the flat file has no such column
				}
				rows = append(rows, r)
			}
		}
		if len(rows) != len(flat) {
			t.Errorf("%s: %d rows in the Hive tree, %d in the flat file", name, len(rows), len(flat))
		}
		if got, want := multiset(t, rows), multiset(t, flat); !reflect.DeepEqual(got, want) {
			n := 0
			for k, c := range want {
				if got[k] != c && n < 3 {
					t.Errorf("%s: row %s: %d in the Hive tree, %d in the flat file", name, k, got[k], c)
					n++
				}
			}
			t.Errorf("%s: the Hive tree's rows differ from the flat file's", name)
		}
	}
	for rel := range returned {
		t.Errorf("Write returned %s, which is not a partition file of the tree", rel)
	}
	return total
}

// treeFiles lists every file and folder under dir/<table> for all tables,
// '/'-separated and relative to dir.
func treeFiles(t *testing.T, dir string) (files, dirs []string) {
	t.Helper()
	for _, name := range Tables {
		filepath.WalkDir(filepath.Join(dir, name), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				t.Error(err)
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			if d.IsDir() {
				dirs = append(dirs, filepath.ToSlash(rel))
			} else {
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	sort.Strings(files)
	return files, dirs
}

// moreCommunes adds copies of the hand-made dataset's commune rows under a
// second commune, so that every record table has two communes.
func moreCommunes(ds *record.Dataset) *record.Dataset {
	out := *ds
	out.Households = append([]record.Household(nil), ds.Households...)
	for _, h := range ds.Households {
		h.CommuneCode = "29959"
		h.Row += 100
		out.Households = append(out.Households, h)
	}
	out.Registrations = append([]record.Registration(nil), ds.Registrations...)
	for _, r := range ds.Registrations {
		r.CommuneCode = "29959"
		out.Registrations = append(out.Registrations, r)
	}
	out.Figures = append([]record.Figure(nil), ds.Figures...)
	out.Figures = append(out.Figures, record.Figure{Period: "2022Q2", CommuneCode: "29959", Hamlet: "Ấp Long Thạnh", Measure: "reps_eligible", Value: 4})
	return &out
}

// periodOf dates the figures of ds in p's dialogue period, as a run with
// plan p would have.
func periodOf(ds *record.Dataset, p *plan.Plan) *record.Dataset {
	for i := range ds.Figures {
		ds.Figures[i].Period = p.DialoguePeriod()
	}
	return ds
}

// TestHive: the Hive tree holds exactly the flat files' rows, split by
// commune below the plan's province, district, year and quarter.
func TestHive(t *testing.T) {
	p22 := defaultPlan(t)
	noDistrict, err := plan.Parse([]byte(strings.Replace(string(plan.DefaultYAML()), `code: "870"`, `code: ""`, 1)), "no-district.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		plan *plan.Plan
		ds   func(t *testing.T) *record.Dataset
	}{
		{"hand-made, 2022 plan", p22, func(*testing.T) *record.Dataset { return moreCommunes(sampleDataset(p22.Location())) }},
		{"hand-made, 2023 plan", otherPlan(t), func(*testing.T) *record.Dataset { return periodOf(sampleDataset(p22.Location()), otherPlan(t)) }},
		{"plan without a district (after the 2025 reform)", noDistrict, func(*testing.T) *record.Dataset { return sampleDataset(p22.Location()) }},
		{"no plan", nil, func(*testing.T) *record.Dataset { return sampleDataset(p22.Location()) }},
		{"empty dataset", p22, func(*testing.T) *record.Dataset { return &record.Dataset{} }},
		{"sample set 2022", p22, func(t *testing.T) *record.Dataset {
			_, _, ds := sampleRun(t) // skips without ../shared
			return ds
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan
			ds := tt.ds(t)
			dir := filepath.Join(t.TempDir(), "data")
			paths, err := Write(context.Background(), dir, p, ds)
			if err != nil {
				t.Fatal(err)
			}
			n := checkHive(t, dir, p, paths)
			if len(paths) != len(Tables)+n+1 {
				t.Errorf("%d paths returned, want %d tables, %d partitions and %s", len(paths), len(Tables), n, DescriptionFile)
			}
			if p == noDistrict && n > 0 && !strings.Contains(paths[len(Tables)], "/district="+DefaultPartition+"/") {
				t.Errorf("a plan without a district: partition %s", paths[len(Tables)])
			}
			files, _ := treeFiles(t, dir)
			for _, f := range files {
				if filepath.Base(f) != PartFile {
					t.Errorf("unexpected file in the Hive tree: %s", f)
				}
			}
			checkDescription(t, dir, p, ds)
			if runtime.GOOS != "windows" {
				checkPrivate(t, dir)
			}
			if tt.name == "sample set 2022" {
				t.Logf("%d partition files", n)
			}
		})
	}
}

// checkDescription: dataset.json documents the Hive tree, its partition
// keys and values, and each table's partition count.
func checkDescription(t *testing.T, dir string, p *plan.Plan, ds *record.Dataset) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, DescriptionFile))
	if err != nil {
		t.Fatal(err)
	}
	var d description
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.Hive.Default != DefaultPartition || !strings.Contains(d.Hive.Layout, "year=<year>/quarter=<quarter>/commune_code=<commune_code>/"+PartFile) {
		t.Errorf("hive described as %+v", d.Hive)
	}
	fixed := wantPartitions(p)
	var keys []string
	for _, k := range d.Hive.Keys {
		keys = append(keys, k.Name)
		if k.DescriptionEN == "" || k.DescriptionVI == "" {
			t.Errorf("key %s undocumented", k.Name)
		}
		if want, ok := fixed[k.Name]; ok {
			w := DefaultPartition
			if want != nil {
				w = want.(string)
			}
			if k.Value != w {
				t.Errorf("key %s value %q, want %q", k.Name, k.Value, w)
			}
		}
	}
	if !reflect.DeepEqual(keys, PartitionKeys) {
		t.Errorf("keys %v, want %v", keys, PartitionKeys)
	}
	for _, td := range d.Tables {
		parts := parquettest.ReadHive(t, filepath.Join(dir, filepath.FromSlash(td.HiveDir)))
		if td.HiveDir != td.Name || td.HivePartitions != len(parts) {
			t.Errorf("%s: hive_dir %q, %d partitions described, %d in the tree", td.Name, td.HiveDir, td.HivePartitions, len(parts))
		}
	}
}

// checkPrivate: the tree, like the flat files, is the owner's only.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if d.IsDir() && fi.Mode().Perm() != DirMode || !d.IsDir() && fi.Mode().Perm() != FileMode {
			t.Errorf("%s has permission %v", p, fi.Mode().Perm())
		}
		return nil
	})
}

// TestHiveStale: a later write removes the partitions that no longer have
// rows (a commune gone, another plan's district and period, a table
// emptied), the temporaries of a killed run and the folders left empty;
// the folder of an emptied table stays, empty.
func TestHiveStale(t *testing.T) {
	p22 := defaultPlan(t)
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := Write(context.Background(), dir, p22, moreCommunes(sampleDataset(p22.Location()))); err != nil {
		t.Fatal(err)
	}
	before, _ := treeFiles(t, dir)
	var communes int
	for _, f := range before {
		if strings.HasPrefix(f, TableHouseholds+"/") {
			communes++
		}
	}
	if communes != 2 {
		t.Fatalf("households: %d partitions before, want 2: %v", communes, before)
	}
	// A killed run's temporary file in a partition folder.
	partDir := filepath.Dir(filepath.Join(dir, filepath.FromSlash(before[0])))
	if err := os.WriteFile(filepath.Join(partDir, ".tmp-123"), []byte("PAR1"), 0o600); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name  string
		plan  *plan.Plan
		ds    func() *record.Dataset
		check func(t *testing.T, files []string)
	}{
		{"fewer communes", p22, func() *record.Dataset {
			ds := sampleDataset(p22.Location())
			ds.Results = nil
			return ds
		}, func(t *testing.T, files []string) {
			for _, f := range files {
				if strings.Contains(f, "commune_code=29959") {
					t.Errorf("stale partition of a commune gone: %s", f)
				}
				if strings.HasPrefix(f, TableResults+"/") {
					t.Errorf("stale partition of an emptied table: %s", f)
				}
			}
		}},
		{"another plan", otherPlan(t), func() *record.Dataset { return periodOf(sampleDataset(p22.Location()), otherPlan(t)) }, func(t *testing.T, files []string) {
			for _, f := range files {
				if strings.Contains(f, "district=870") || strings.Contains(f, "year=2022") {
					t.Errorf("stale partition of the earlier plan: %s", f)
				}
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			paths, err := Write(context.Background(), dir, st.plan, st.ds())
			if err != nil {
				t.Fatal(err)
			}
			checkHive(t, dir, st.plan, paths)
			files, dirs := treeFiles(t, dir)
			st.check(t, files)
			var want []string
			for _, q := range paths[len(Tables) : len(paths)-1] {
				rel, _ := filepath.Rel(dir, q)
				want = append(want, filepath.ToSlash(rel))
			}
			sort.Strings(want)
			if !reflect.DeepEqual(files, want) {
				t.Errorf("tree holds %v\nwant exactly the partitions written %v", files, want)
			}
			for _, d := range dirs {
				ents, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(d)))
				if err == nil && len(ents) == 0 && strings.Contains(d, "/") {
					t.Errorf("empty folder left: %s", d)
				}
			}
			if fi, err := os.Stat(filepath.Join(dir, TableResults)); err != nil || !fi.IsDir() {
				t.Errorf("the emptied table's folder: %v", err)
			}
		})
	}
}

// TestEscapeValue: partition values are folder-safe and decode back.
func TestEscapeValue(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"29956", "29956"},
		{"00004", "00004"},
		{"", DefaultPartition},
		{"a/b", "a%2Fb"},
		{`a\b`, "a%5Cb"},
		{"k=v", "k%3Dv"},
		{"..", "%2E%2E"},
		{"50%", "50%25"},
		{"Xã 1", "X%C3%A3%201"},
		{"CON", "CON"},
	} {
		got := EscapeValue(tt.in)
		if got != tt.want {
			t.Errorf("EscapeValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in == "" {
			continue
		}
		if dec, err := url.PathUnescape(got); err != nil || dec != tt.in {
			t.Errorf("%q decodes to %q, %v", got, dec, err)
		}
	}
}
