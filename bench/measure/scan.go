// Package measure runs the benchmark of bench/README.md over a workspace
// made by doithoai/bench/gen: the baseline (excelize's streaming row
// iterator over every file of the inbox), a full `doithoai run`, an idle
// run and `doithoai status`, each as a child process with its wall time
// and peak resident memory, and reports the figures and their ratios to
// the baseline.
package measure

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
)

// ScanResult is what the baseline saw.
type ScanResult struct {
	Files    int           `json:"files"`
	Sheets   int           `json:"sheets"`
	Rows     int           `json:"rows"`      // every row the iterator returned
	Cells    int           `json:"cells"`     // cells of those rows (up to the last non-empty one)
	DataRows int           `json:"data_rows"` // rows whose first cell is a whole number ≥ 1 (the STT column)
	Workers  int           `json:"workers"`
	Elapsed  time.Duration `json:"elapsed_ns"` // the scan itself, without process start
}

// Scan is the baseline: every sheet of every .xlsx file under inbox read
// with excelize's streaming iterator (f.Rows + rows.Columns, raw values),
// one worker per core unless workers > 0.
func Scan(ctx context.Context, inbox string, workers int) (ScanResult, error) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	start := time.Now()
	var files []string
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xlsx") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return ScanResult{}, fmt.Errorf("scan %s: %w", inbox, err)
	}
	jobs := make(chan string)
	var mu sync.Mutex
	total := ScanResult{Workers: workers}
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				r, err := scanFile(p)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				total.Files++
				total.Sheets += r.Sheets
				total.Rows += r.Rows
				total.Cells += r.Cells
				total.DataRows += r.DataRows
				mu.Unlock()
			}
		}()
	}
	for _, p := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return total, firstErr
	}
	total.Elapsed = time.Since(start)
	return total, ctx.Err()
}

func scanFile(path string) (ScanResult, error) {
	var r ScanResult
	f, err := excelize.OpenFile(path)
	if err != nil {
		return r, fmt.Errorf("scan %s: %w", path, err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return r, fmt.Errorf("scan %s, sheet %q: %w", path, sheet, err)
		}
		r.Sheets++
		for rows.Next() {
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return r, fmt.Errorf("scan %s, sheet %q: %w", path, sheet, err)
			}
			r.Rows++
			r.Cells += len(cols)
			if len(cols) > 0 {
				if n, err := strconv.Atoi(strings.TrimSpace(cols[0])); err == nil && n >= 1 {
					r.DataRows++
				}
			}
		}
		if err := rows.Close(); err != nil {
			return r, fmt.Errorf("scan %s, sheet %q: %w", path, sheet, err)
		}
	}
	return r, nil
}

// ScanMain is the baseline as a program (the child the benchmark runs):
// flags -inbox and -workers; it prints the ScanResult as JSON on stdout.
func ScanMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	inbox := fs.String("inbox", "", "inbox folder")
	workers := fs.Int("workers", 0, "files read at once (0: one per core)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	r, err := Scan(context.Background(), *inbox, *workers)
	if err != nil {
		fmt.Fprintln(stderr, "scan:", err)
		return 1
	}
	b, _ := json.Marshal(r)
	fmt.Fprintln(stdout, string(b))
	return 0
}

// exists reports whether a path exists.
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
