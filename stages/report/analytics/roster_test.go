package analytics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/record/recordtest"
)

// volatileRoster is the roster whose runs are overwritten after each call.
type volatileRoster = recordtest.VolatileRoster

// withRoster is ds with its households given by a volatileRoster of runs
// of run rows instead of held in memory.
func withRoster(ds *record.Dataset, run int) (*record.Dataset, *volatileRoster) {
	out := *ds
	r := &volatileRoster{Rows: ds.Households, Run: run}
	out.Households, out.Roster = nil, r
	return &out, r
}

// tree is every file under dir by its slash path.
func tree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTrees reports the files that differ between two trees; only those
// under prefix count.
func sameTrees(t *testing.T, got, want map[string][]byte, prefix string) {
	t.Helper()
	n := 0
	for name, w := range want {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		n++
		if g, ok := got[name]; !ok {
			t.Errorf("%s: missing", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s: %d bytes, want the %d bytes of the rows in memory", name, len(g), len(w))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && strings.HasPrefix(name, prefix) {
			t.Errorf("%s: not written from the rows in memory", name)
		}
	}
	if n == 0 {
		t.Errorf("no file under %q", prefix)
	}
}

// oneCommune is ds's households all in one commune: a partition of more
// than RowGroupRows rows.
func oneCommune(hs []record.Household) []record.Household {
	out := append([]record.Household(nil), hs...)
	for i := range out {
		out[i].CommuneCode = "29901"
	}
	return out
}

// TestWriteRoster: the analysts' data of a dataset whose roster is read
// in runs (record.Roster) is byte for byte that of the same rows held in
// memory, which is byte for byte what the former code wrote
// (legacyHouseholds); the roster is read once for the flat file and once
// more per round of partitions; a second write leaves every file as it is.
func TestWriteRoster(t *testing.T) {
	p := defaultPlan(t)
	big := households(RowGroupRows + 10) // 97 communes, rows interleaved; two row groups
	tests := []struct {
		name   string
		plan   *plan.Plan
		ds     *record.Dataset
		run    int
		budget int // partitionBudget; 0: the default
		reads  int // calls of Each: 1 + the rounds of partitions
	}{
		{"sample, runs of 1", p, sampleDataset(p.Location()), 1, 0, 2},
		{"sample, one run", p, sampleDataset(p.Location()), 1000, 0, 2},
		{"sample more communes, runs of 2", p, moreCommunes(sampleDataset(p.Location())), 2, 0, 2},
		{"empty roster", p, &record.Dataset{}, 10, 0, 1},
		{"interleaved communes, runs of 4096", nil, &record.Dataset{Households: big}, 4096, 0, 2},
		{"interleaved communes, runs of 1000, small budget", nil, &record.Dataset{Households: big}, 1000, 10_000, 0},
		{"one commune of more than a row group, runs of 777", p, &record.Dataset{Households: oneCommune(big[:RowGroupRows+10])}, 777, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.budget > 0 {
				defer func(b int) { partitionBudget = b }(partitionBudget)
				partitionBudget = tt.budget
			}
			ctx := context.Background()
			memDir, rosterDir, legacyDir := t.TempDir(), t.TempDir(), t.TempDir()
			memPaths, err := Write(ctx, memDir, tt.plan, tt.ds)
			if err != nil {
				t.Fatal(err)
			}
			rds, roster := withRoster(tt.ds, tt.run)
			rosterPaths, err := Write(ctx, rosterDir, tt.plan, rds)
			if err != nil {
				t.Fatal(err)
			}
			sameTrees(t, tree(t, rosterDir), tree(t, memDir), "")
			rel := func(dir string, ps []string) []string {
				out := make([]string, len(ps))
				for i, q := range ps {
					out[i], _ = filepath.Rel(dir, q)
				}
				return out
			}
			if !reflect.DeepEqual(rel(rosterDir, rosterPaths), rel(memDir, memPaths)) {
				t.Errorf("paths %v, want %v", rel(rosterDir, rosterPaths), rel(memDir, memPaths))
			}
			if tt.reads > 0 && roster.Calls != tt.reads {
				t.Errorf("the roster read %d times, want %d", roster.Calls, tt.reads)
			}
			if tt.budget > 0 && tt.reads == 0 && roster.Calls < 3 {
				t.Errorf("the roster read %d times: the small budget should need rounds", roster.Calls)
			}
			if err := legacyHouseholds(ctx, legacyDir, planPartitions(tt.plan), tt.ds.Households); err != nil {
				t.Fatal(err)
			}
			if len(tt.ds.Households) > 0 {
				sameTrees(t, tree(t, legacyDir), tree(t, memDir), TableHouseholds)
			}

			stat := map[string]os.FileInfo{}
			for _, q := range rosterPaths {
				fi, err := os.Stat(q)
				if err != nil {
					t.Fatal(err)
				}
				stat[q] = fi
			}
			again, err := Write(ctx, rosterDir, tt.plan, rds)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, rosterPaths) {
				t.Errorf("second write: paths %v, want %v", again, rosterPaths)
			}
			for q, fi := range stat {
				after, err := os.Stat(q)
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(q, ".parquet") && !os.SameFile(fi, after) {
					t.Errorf("%s rewritten by a second write of the same rows", q)
				}
			}
		})
	}
}

// changingRoster gives other rows on its second reading than on its first.
type changingRoster struct {
	volatileRoster
	second []record.Household
}

func (r *changingRoster) Each(ctx context.Context, fn func(int, []record.Household) error) error {
	if r.Calls == 1 {
		r.Rows = r.second
	}
	return r.volatileRoster.Each(ctx, fn)
}

// TestWriteRosterChanged: a roster whose rows change between its readings
// (more, fewer, or a new commune) is an error, not a wrong partition, and
// a cancelled write stops with the context's error.
func TestWriteRosterChanged(t *testing.T) {
	hs := households(300)
	extra := append([]record.Household{hs[0]}, hs...)
	other := append([]record.Household(nil), hs...)
	other[5].CommuneCode = "99999"
	for _, tt := range []struct {
		name   string
		second []record.Household
	}{
		{"more rows", extra},
		{"fewer rows", hs[:299]},
		{"a new commune", other},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &changingRoster{volatileRoster: volatileRoster{Rows: hs, Run: 50}, second: tt.second}
			_, err := Write(context.Background(), t.TempDir(), nil, &record.Dataset{Roster: r})
			if err == nil || !strings.Contains(err.Error(), "changed") {
				t.Fatalf("err = %v, want the rows changed", err)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancelRoster{volatileRoster: volatileRoster{Rows: hs, Run: 50}, cancel: cancel}
		dir := t.TempDir()
		_, err := Write(ctx, dir, nil, &record.Dataset{Roster: r})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		for name := range tree(t, dir) {
			if strings.Contains(name, ".tmp-") {
				t.Errorf("temporary file left: %s", name)
			}
		}
	})
}

// cancelRoster cancels its context during its second reading.
type cancelRoster struct {
	volatileRoster
	cancel func()
}

func (r *cancelRoster) Each(ctx context.Context, fn func(int, []record.Household) error) error {
	if r.Calls == 1 {
		return r.volatileRoster.Each(ctx, func(first int, hs []record.Household) error {
			if first > 100 {
				r.cancel()
			}
			return fn(first, hs)
		})
	}
	return r.volatileRoster.Each(ctx, fn)
}

// TestFileSink: a file is left as it is when the new bytes are its bytes
// with the owner-only mode, and replaced by them otherwise, whether they
// come in writes smaller or bigger than the comparing reader's buffer.
func TestFileSink(t *testing.T) {
	for _, chunk := range []int{65536, 300_000} {
		t.Run(fmt.Sprintf("writes of %d", chunk), func(t *testing.T) { testFileSink(t, chunk) })
	}
}

func testFileSink(t *testing.T, chunk int) {
	newBytes := bytes.Repeat([]byte("0123456789"), 100_000)
	for _, tt := range []struct {
		name string
		old  []byte // nil: no file
		mode os.FileMode
		keep bool
	}{
		{"no file", nil, FileMode, false},
		{"the same bytes", newBytes, FileMode, true},
		{"the same bytes, readable by others", newBytes, 0o644, false},
		{"differs at the start", append([]byte("X"), newBytes[1:]...), FileMode, false},
		{"differs near the end", append(append([]byte(nil), newBytes[:len(newBytes)-3]...), "XYZ"...), FileMode, false},
		{"longer", append(append([]byte(nil), newBytes...), '!'), FileMode, false},
		{"shorter", newBytes[:len(newBytes)/2], FileMode, false},
		{"empty", []byte{}, FileMode, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "t.parquet")
			var before os.FileInfo
			if tt.old != nil {
				if err := os.MkdirAll(filepath.Dir(path), DirMode); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, tt.old, tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
				before, _ = os.Stat(path)
			}
			s := openSink(path)
			for b := newBytes; len(b) > 0; b = b[min(len(b), chunk):] {
				if _, err := s.Write(b[:min(len(b), chunk)]); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.commit(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, newBytes) {
				t.Fatalf("file holds %d bytes (%v), want the new %d", len(got), err, len(newBytes))
			}
			after, _ := os.Stat(path)
			if kept := before != nil && os.SameFile(before, after); kept != tt.keep {
				t.Errorf("file kept %v, want %v", kept, tt.keep)
			}
			if after.Mode().Perm() != FileMode {
				t.Errorf("mode %v", after.Mode().Perm())
			}
			ents, _ := os.ReadDir(filepath.Dir(path))
			if len(ents) != 1 {
				t.Errorf("files left: %v", ents)
			}
		})
	}
}
