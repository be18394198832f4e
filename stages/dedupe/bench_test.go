package dedupe

import (
	"context"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"doithoai/pipeline/record"
)

// heapSampler records the peak of runtime.MemStats.HeapAlloc while it
// runs, and the peak of the live heap (what the last collection kept).
type heapSampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	peak     uint64
	peakLive uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		var ms runtime.MemStats
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			s.peak = max(s.peak, ms.HeapAlloc)
			metrics.Read(live)
			s.peakLive = max(s.peakLive, live[0].Value.Uint64())
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) finish() uint64 {
	close(s.stop)
	s.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return max(s.peak, ms.HeapAlloc)
}

// benchResolve times Resolve on n synthetic rows and reports the wall time,
// the heap held by the input itself and the peak heap during Resolve
// (sampled every 10 ms; it includes the input and the Result).
func benchResolve(b *testing.B, n int) {
	in, truth := Synthesize(n, 1)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	sampler := startHeapSampler(10 * time.Millisecond)
	b.ResetTimer()
	start := time.Now()
	var res Result
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = Resolve(context.Background(), in, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	peak := sampler.finish()
	const mib = 1 << 20
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/resolve")
	b.ReportMetric(float64(base)/mib, "dataset-MiB")
	b.ReportMetric(float64(peak)/mib, "peak-heap-MiB")
	b.ReportMetric(float64(len(in.Households)+len(in.Registrations)), "rows")
	m := truth.Evaluate(in, res)
	b.Logf("%d workers: %s; %d groups, %d borderline", runtime.GOMAXPROCS(0), m, len(res.Groups), len(res.Borderline))
}

// BenchmarkResolve100k resolves 100,000 synthetic rows.
func BenchmarkResolve100k(b *testing.B) { benchResolve(b, 100_000) }

// BenchmarkResolve1M resolves 1,000,000 synthetic rows (target: under 30 s
// and 1 GiB on 2 cores). Run it once:
//
//	go test -run x -bench Resolve1M -benchtime 1x ./stages/dedupe/
func BenchmarkResolve1M(b *testing.B) { benchResolve(b, 1_000_000) }

// benchResolveParts resolves n synthetic rows of one commune (every row
// relabelled to one commune code, as a province's roster in one file) with
// ResolveParts, the way a run resolves a roster too big to hold: the
// statistics first, then the one part through a Loader. It reports the
// peak heap and the peak live heap above the input's (what resolving
// adds: the part's rows as the loader gives them, the matcher, the
// Result).
func benchResolveParts(b *testing.B, n int) {
	in, _ := Synthesize(n, 1)
	oneCommune(in)
	benchResolvePartsOf(b, in)
}

// oneCommune relabels every row of in to one commune.
func oneCommune(in Input) {
	// One commune: its hamlets and Mã hộ stay those of the synthetic
	// communes (prefixed), so that the households and duplicates are the
	// same, in one part.
	const code = "10000"
	apart := func(c, s string) string {
		if s == "" {
			return ""
		}
		return c + "-" + s
	}
	for i := range in.Households {
		h := &in.Households[i]
		h.Hamlet, h.HouseholdCode = apart(h.CommuneCode, h.Hamlet), apart(h.CommuneCode, h.HouseholdCode)
		h.CommuneCode = code
	}
	for i := range in.Registrations {
		r := &in.Registrations[i]
		r.Hamlet, r.HouseholdCode = apart(r.CommuneCode, r.Hamlet), apart(r.CommuneCode, r.HouseholdCode)
		r.CommuneCode = code
	}
}

// benchResolvePartsOf resolves in with ResolveParts (see benchResolveParts).
func benchResolvePartsOf(b *testing.B, in Input) {
	var res Result
	var peak, peakLive, base uint64
	var elapsed, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := NewStats()
		st.Grow(len(in.Households) + len(in.Registrations))
		const run = 32768
		for lo := 0; lo < len(in.Households); lo += run {
			if err := st.AddHouseholds(in.Households[lo:min(lo+run, len(in.Households))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.AddRegistrations(in.Registrations); err != nil {
			b.Fatal(err)
		}
		res = Result{}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base = ms.HeapAlloc
		sampler := startHeapSampler(10 * time.Millisecond)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		var err error
		if res, err = ResolveParts(context.Background(), st, len(in.Households), len(in.Registrations), indexedLoader(in), DefaultOptions()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		p := sampler.finish()
		peak = max(peak, p)
		peakLive = max(peakLive, sampler.peakLive)
	}
	const mib = 1 << 20
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/resolve")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/resolve")
	b.ReportMetric(float64(base)/mib, "input-MiB")
	b.ReportMetric(float64(peak-min(peak, base))/mib, "peak-heap-above-input-MiB")
	b.ReportMetric(float64(peakLive-min(peakLive, base))/mib, "peak-live-above-input-MiB")
	b.Logf("%d rows: %d groups, %d borderline, %d findings", len(in.Households)+len(in.Registrations), len(res.Groups), len(res.Borderline), len(res.Findings))
}

// BenchmarkResolveParts100k resolves 100,000 synthetic rows of one commune
// in parts (one part).
func BenchmarkResolveParts100k(b *testing.B) { benchResolveParts(b, 100_000) }

// BenchmarkResolvePartsCommunes1M resolves 1,000,000 synthetic rows of
// their communes in parts (a part a commune or a few, as a national run).
func BenchmarkResolvePartsCommunes1M(b *testing.B) {
	in, _ := Synthesize(1_000_000, 1)
	benchResolvePartsOf(b, in)
}

// BenchmarkResolveParts1M resolves 1,000,000 synthetic rows of one commune
// in parts (one part of a million rows: a province's roster in one file).
func BenchmarkResolveParts1M(b *testing.B) { benchResolveParts(b, 1_000_000) }

// benchStats gathers the Stats of n synthetic rows the way a run does: the
// M1 rows in runs of 32,768, then the M2 rows.
func benchStats(b *testing.B, n int) {
	in, _ := Synthesize(n, 1)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		st := NewStats()
		st.Grow(len(in.Households) + len(in.Registrations))
		const run = 32768
		for lo := 0; lo < len(in.Households); lo += run {
			if err := st.AddHouseholds(in.Households[lo:min(lo+run, len(in.Households))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.AddRegistrations(in.Registrations); err != nil {
			b.Fatal(err)
		}
		if len(st.Parts()) == 0 {
			b.Fatal("no parts")
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkStats100k gathers the Stats of 100,000 synthetic rows.
func BenchmarkStats100k(b *testing.B) { benchStats(b, 100_000) }

// BenchmarkStats1M gathers the Stats of 1,000,000 synthetic rows.
func BenchmarkStats1M(b *testing.B) { benchStats(b, 1_000_000) }

// indexedLoader is InMemory with the rows of each commune found once (as a
// run's roster loader has them), so that a benchmark of many parts times
// resolving them, not scanning the whole input for each.
func indexedLoader(whole Input) Loader {
	hOf, rOf := map[string][]int{}, map[string][]int{}
	for i := range whole.Households {
		c := whole.Households[i].CommuneCode
		hOf[c] = append(hOf[c], i)
	}
	for i := range whole.Registrations {
		c := whole.Registrations[i].CommuneCode
		rOf[c] = append(rOf[c], i)
	}
	var at, hs []int
	var batch []record.Household
	return func(ctx context.Context, communes []string, rows *PartRows) error {
		hs = hs[:0]
		for _, c := range communes {
			hs = append(hs, hOf[c]...)
		}
		slices.Sort(hs)
		for lo := 0; lo < len(hs); lo += prepareBatch {
			at, batch = at[:0], batch[:0]
			for _, i := range hs[lo:min(lo+prepareBatch, len(hs))] {
				at = append(at, i)
				batch = append(batch, whole.Households[i])
			}
			if err := rows.AddHouseholds(at, batch); err != nil {
				return err
			}
		}
		var rs []int
		for _, c := range communes {
			rs = append(rs, rOf[c]...)
		}
		slices.Sort(rs)
		if err := rows.AddRegistrationsOf(whole.Registrations, rs); err != nil {
			return err
		}
		return ctx.Err()
	}
}
