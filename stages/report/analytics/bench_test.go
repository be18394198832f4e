package analytics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"doithoai/pipeline/record"
)

// households makes n distinct M1 rows with realistic values.
func households(n int) []record.Household {
	out := make([]record.Household, n)
	for i := range out {
		household(i, &out[i])
	}
	return out
}

var (
	family  = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng"}
	middle  = []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh"}
	given   = []string{"Hùng", "Lan", "Mai", "Dũng", "Tâm", "Phước", "Lực", "Đức", "Hạnh", "Nghĩa", "Trinh"}
	hamlets = []string{"Ấp 1", "Ấp 2", "Ấp 3", "Khóm Trung 2", "Ấp Phú Hòa"}
	classes = []string{"Hộ nghèo", "Hộ cận nghèo"}
)

// household makes the i-th row of households into h: the rows of 97
// communes, interleaved.
func household(i int, h *record.Household) {
	*h = record.Household{}
	commune := fmt.Sprintf("%05d", 29900+i%97)
	code := fmt.Sprintf("%04d", i%10000)
	h.Source = record.Source{
		SubmissionID: fmt.Sprintf("%064x", i/500),
		Path:         commune + "/M1 danh sach ho.xlsx",
		Sheet:        hamlets[i%len(hamlets)],
		Row:          8 + i%500,
		CommuneCode:  commune,
	}
	h.State = record.State{Valid: i%17 != 0, Superseded: i%41 == 0}
	h.HouseholdCode = code
	h.HeadName = family[i%len(family)] + " " + middle[(i/7)%len(middle)] + " " + given[(i/3)%len(given)]
	h.BirthYear = 1940 + i%60
	h.Gender = [2]string{"Nam", "Nữ"}[i%2]
	if i%5 != 0 {
		h.CitizenID = fmt.Sprintf("087%09d", i)
	}
	h.Ethnicity = "Kinh"
	h.Hamlet = hamlets[i%len(hamlets)]
	h.Class = classes[i%2]
	h.Members = 1 + i%8
	if h.Valid && !h.Superseded {
		h.HouseholdGroup = "G-" + commune + "-" + code
		h.MatchReason = "household_code"
		h.MatchScore = 1
	}
}

// genRoster is a roster of n rows made (by household) as they are read,
// run rows at a time into one buffer, as a roster read from disk holds
// one run at a time. With perCommune > 0 the communes' rows come
// together, perCommune rows each (as in a real inbox: one current M1 file
// per commune), else interleaved.
type genRoster struct{ n, run, perCommune int }

func (r genRoster) Len() int { return r.n }

func (r genRoster) Each(ctx context.Context, fn func(int, []record.Household) error) error {
	buf := make([]record.Household, r.run)
	for off := 0; off < r.n; off += r.run {
		if err := ctx.Err(); err != nil {
			return err
		}
		hs := buf[:min(r.run, r.n-off)]
		for i := range hs {
			household(off+i, &hs[i])
			if r.perCommune > 0 {
				hs[i].CommuneCode = fmt.Sprintf("%05d", 10000+(off+i)/r.perCommune)
				hs[i].Path = hs[i].CommuneCode + "/M1 danh sach ho.xlsx"
			}
		}
		if err := fn(off, hs); err != nil {
			return err
		}
	}
	return nil
}

// peakHeap samples the heap's live and not yet collected objects every
// millisecond until stop is called, which returns the highest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// BenchmarkHouseholdsRoster writes the households table (flat and Hive
// tree) of a roster of 500,000 rows, the former way (legacy: the rows
// read into memory, as the code before record.Roster needed them, then
// written by index) and from the roster read in runs of 4,096 rows; the
// communes' rows together (2,000 each: one round of partitions) or
// interleaved (97 communes all open at once: partitionBudget makes
// rounds). The metric peak-heap-MiB is the highest heap seen during one
// write (objects not yet collected included).
func BenchmarkHouseholdsRoster(b *testing.B) {
	const n = 500_000
	legacy := func(roster genRoster) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			rows := make([]record.Household, 0, roster.Len())
			if err := roster.Each(ctx, func(_ int, hs []record.Household) error {
				rows = append(rows, hs...)
				return nil
			}); err != nil {
				return err
			}
			return legacyHouseholds(ctx, dir, planPartitions(nil), rows)
		}
	}
	streamed := func(roster genRoster) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			_, err := Write(ctx, dir, nil, &record.Dataset{Roster: roster})
			return err
		}
	}
	together := genRoster{n: n, run: 4096, perCommune: 2000}
	interleaved := genRoster{n: n, run: 4096}
	for _, bc := range []struct {
		name  string
		write func(ctx context.Context, dir string) error
	}{
		{"legacy-in-memory/together", legacy(together)},
		{"roster/together", streamed(together)},
		{"legacy-in-memory/interleaved", legacy(interleaved)},
		{"roster/interleaved", streamed(interleaved)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				dir := b.TempDir()
				runtime.GC()
				stop := peakHeap()
				err := bc.write(context.Background(), dir)
				peak = max(peak, stop())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkWriteHouseholds writes one million households (and the other
// tables, empty) to Parquet.
func BenchmarkWriteHouseholds(b *testing.B) {
	ds := &record.Dataset{Households: households(1_000_000)}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(context.Background(), dir, nil, ds); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(filepath.Join(dir, TableHouseholds+".parquet")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	}
	_, groups, rows := readBack(b, filepath.Join(dir, TableHouseholds+".parquet"))
	if len(rows) != len(ds.Households) || groups != (len(rows)+RowGroupRows-1)/RowGroupRows {
		b.Fatalf("%d rows in %d row groups", len(rows), groups)
	}
}
