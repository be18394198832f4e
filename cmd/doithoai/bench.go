package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/dedupe"
	"doithoai/stages/read"
)

// cmdBench measures the two heavy stages against baselines run in the same
// process, so the figures are ratios that mean the same on any machine:
//   - reading a large M1 roster with the project's reader, against
//     excelize's streaming row iterator over the same file;
//   - deduplicating synthetic households, against one sort of the same
//     records by folded name (the least any grouping must do).
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int("rows", 100_000, "rows of the generated roster that is read")
	records := fs.Int("records", 200_000, "synthetic M1/M2 records that are deduplicated")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	p, err := plan.Load("")
	if err != nil {
		fmt.Fprintln(stderr, "doithoai bench:", err)
		return exitFailed
	}
	dir, err := os.MkdirTemp("", "doithoai-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "doithoai bench:", err)
		return exitFailed
	}
	defer os.RemoveAll(dir)

	fmt.Fprintf(stdout, "Đo trên %d nhân, %s/%s. Tỷ lệ = thời gian (bộ nhớ) của bước / của mức chuẩn chạy cùng lúc.\n\n",
		runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	var results []benchResult

	file := filepath.Join(dir, "ds-ho.xlsx")
	if err := writeBenchRoster(file, p, *rows); err != nil {
		fmt.Fprintln(stderr, "doithoai bench: không tạo được tệp đo:", err)
		return exitFailed
	}
	base := measure(func() error { return excelizeRows(file) })
	ours := measure(func() error {
		c := p.Communes()[0].Name
		wb, err := (&read.Reader{Plan: p}).Read(ctx, record.Submission{ID: "bench", Path: c + "/ds-ho.xlsx", ArchivePath: file, FolderHint: c})
		if err != nil {
			return err
		}
		if wb.Status != record.StatusAccepted {
			return fmt.Errorf("bench roster %s: %s", wb.Status, wb.Reason)
		}
		n := 0
		for _, t := range wb.Tables {
			n += len(t.Rows)
		}
		if n != *rows {
			return fmt.Errorf("bench roster: read %d rows, want %d", n, *rows)
		}
		return nil
	})
	results = append(results,
		benchResult{name: fmt.Sprintf("chuẩn: excelize Rows, %d dòng", *rows), m: base, baseline: true},
		benchResult{name: fmt.Sprintf("đọc + nhận dạng mẫu M1, %d dòng", *rows), m: ours, base: base})

	ds, _ := dedupe.Synthesize(*records, 1)
	n := len(ds.Households) + len(ds.Registrations)
	base = measure(func() error { sortByName(ds); return nil })
	ours = measure(func() error { _, err := dedupe.Resolve(ctx, ds, dedupe.DefaultOptions()); return err })
	results = append(results,
		benchResult{name: fmt.Sprintf("chuẩn: sắp xếp %d bản ghi theo tên", n), m: base, baseline: true},
		benchResult{name: fmt.Sprintf("khử trùng lặp %d bản ghi", n), m: ours, base: base})

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Bước\tThời gian\tĐỉnh bộ nhớ\tTỷ lệ thời gian\tTỷ lệ bộ nhớ")
	failed := false
	for _, r := range results {
		if r.m.err != nil {
			failed = true
			fmt.Fprintf(tw, "%s\tlỗi: %v\t\t\t\n", r.name, r.m.err)
			continue
		}
		ratioT, ratioM := "1,00 (chuẩn)", "1,00 (chuẩn)"
		if !r.baseline {
			ratioT = ratio(r.m.elapsed.Seconds(), r.base.elapsed.Seconds())
			ratioM = ratio(float64(r.m.peak), float64(r.base.peak))
		}
		fmt.Fprintf(tw, "%s\t%v\t%.1f MiB\t%s\t%s\n", r.name, r.m.elapsed.Round(time.Millisecond), float64(r.m.peak)/(1<<20), ratioT, ratioM)
	}
	tw.Flush()
	if failed {
		return exitFailed
	}
	return exitOK
}

type benchResult struct {
	name     string
	m, base  measurement
	baseline bool
}

// measurement is one timed step: wall time and peak heap above the heap
// held before it started.
type measurement struct {
	elapsed time.Duration
	peak    uint64
	err     error
}

// measure runs f once after a GC, sampling the heap every 5 ms.
func measure(f func() error) measurement {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&s)
			peak = max(peak, s.HeapAlloc)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	err := f()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapAlloc)
	if peak < before {
		peak = before
	}
	return measurement{elapsed: elapsed, peak: peak - before, err: err}
}

// ratio formats a/b the Vietnamese way ("2,35×").
func ratio(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return strings.Replace(fmt.Sprintf("%.2f×", a/b), ".", ",", 1)
}

// excelizeRows is the reading baseline: every cell of every row through
// excelize's streaming iterator, raw values.
func excelizeRows(path string) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		n += len(cols)
	}
	if n == 0 {
		return fmt.Errorf("no cells")
	}
	return rows.Close()
}

// sortByName is the deduplication baseline: fold every name and sort.
func sortByName(ds dedupe.Input) {
	keys := make([]string, 0, len(ds.Households)+len(ds.Registrations))
	for _, h := range ds.Households {
		keys = append(keys, vntext.Fold(h.HeadName))
	}
	for _, r := range ds.Registrations {
		keys = append(keys, vntext.Fold(r.HeadName))
	}
	sort.Strings(keys)
}

// writeBenchRoster writes an M1 roster of n households with excelize's
// stream writer: the header block, header row and n data rows.
func writeBenchRoster(path string, p *plan.Plan, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	commune := p.Communes()[0]
	hamlets := commune.Hamlets
	put := func(row int, vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, vals)
	}
	if err := put(1, "UBND "+strings.ToUpper(commune.Kind+" "+commune.Name)); err != nil {
		return err
	}
	if err := put(2, "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO (Mẫu M1)"); err != nil {
		return err
	}
	if err := put(4, "STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú"); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(1))
	families := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"}
	middles := []string{"Văn", "Thị", "Minh", "Ngọc", "Thanh"}
	givens := []string{"Hùng", "Lan", "Dũng", "Mai", "Tuấn", "Hoa", "Phúc", "Hạnh", "Sơn", "Thảo"}
	for i := 0; i < n; i++ {
		name := families[rng.Intn(len(families))] + " " + middles[rng.Intn(len(middles))] + " " + givens[rng.Intn(len(givens))]
		class := "Hộ nghèo"
		if rng.Intn(2) == 0 {
			class = "Hộ cận nghèo"
		}
		id := fmt.Sprintf("0%02d%09d", 80+rng.Intn(10), rng.Intn(1_000_000_000))
		if err := put(5+i, i+1, fmt.Sprintf("HN%06d", i+1), name, 1940+rng.Intn(60), []string{"Nam", "Nữ"}[rng.Intn(2)],
			id, "Kinh", hamlets[rng.Intn(len(hamlets))], class, 1+rng.Intn(7), ""); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
