package dedupe

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// heapSampler records the peak of runtime.MemStats.HeapAlloc while it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		var ms runtime.MemStats
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			s.peak = max(s.peak, ms.HeapAlloc)
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
