package gen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas/template"
)

// Options of Generate.
type Options struct {
	Communes   int // communes of the plan (at least 1)
	Households int // M1 rows per commune (at least one per hamlet)
	// ClusterSize is the communes per cluster; 0 means DefaultClusterSize.
	ClusterSize int
	Workers     int   // communes written at once; 0 means one per core
	Seed        int64 // drives every random choice
}

// File is one generated inbox file.
type File struct {
	Path    string      `json:"path"` // relative to the inbox, '/'-separated
	Form    record.Form `json:"form"`
	Commune string      `json:"commune"` // plan code
	Rows    int         `json:"rows"`    // data rows written
}

// Manifest describes a generated workspace: what is where and how long
// writing it took.
type Manifest struct {
	Communes   int            `json:"communes"`
	Households int            `json:"households"`
	Clusters   int            `json:"clusters"`
	Workers    int            `json:"workers"`
	Plan       string         `json:"plan"`  // the plan file
	Inbox      string         `json:"inbox"` // the inbox folder
	Files      []File         `json:"files"`
	Rows       map[string]int `json:"rows"`      // data rows by form
	DataRows   int            `json:"data_rows"` // data rows of every file
	Bytes      int64          `json:"bytes"`     // size of the inbox
	Elapsed    time.Duration  `json:"elapsed_ns"`
}

// ManifestName is the manifest's file name in the workspace.
const ManifestName = "manifest.json"

// Generate writes dir/plan.yaml, dir/inbox/<commune code>/{M1,M2,M3,M4}
// files and dir/manifest.json, one worker per core (each commune is
// independent), and returns the manifest. The writer builds each workbook
// in memory and saves it whole; a commune's files are small, so memory
// stays bounded by Workers × one commune.
func Generate(ctx context.Context, dir string, opt Options) (*Manifest, error) {
	if opt.Communes < 1 {
		return nil, errors.New("gen: at least one commune")
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	start := time.Now()
	if opt.ClusterSize <= 0 {
		opt.ClusterSize = DefaultClusterSize
	}
	cs := communes(opt.Communes, opt.ClusterSize)
	opt.Households = max(opt.Households, 6) // every hamlet (3 to 6) has households
	if err := os.MkdirAll(filepath.Join(dir, "inbox"), 0o755); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	src := planYAML(cs)
	p, err := plan.Parse(src, planPath)
	if err != nil {
		return nil, fmt.Errorf("gen: the generated plan does not load: %w", err)
	}
	if err := os.WriteFile(planPath, src, 0o644); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	m := &Manifest{Communes: opt.Communes, Households: opt.Households, Clusters: len(p.Clusters), Workers: opt.Workers,
		Plan: planPath, Inbox: filepath.Join(dir, "inbox"), Rows: map[string]int{}}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make([][]File, len(cs))
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				files, err := writeCommune(p, m.Inbox, cs[i], opt)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				results[i] = files
			}
		}()
	}
feed:
	for i := range cs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	for _, fs := range results {
		for _, f := range fs {
			m.Files = append(m.Files, f)
			m.Rows[string(f.Form)] += f.Rows
			m.DataRows += f.Rows
			if fi, err := os.Stat(filepath.Join(m.Inbox, filepath.FromSlash(f.Path))); err == nil {
				m.Bytes += fi.Size()
			}
		}
	}
	m.Elapsed = time.Since(start)
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o644); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return m, nil
}

// LoadManifest reads dir/manifest.json.
func LoadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", dir, err)
	}
	return &m, nil
}

// writeCommune draws and writes one commune's four forms.
func writeCommune(p *plan.Plan, inbox string, c Commune, opt Options) ([]File, error) {
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(c.Index+1)*0x9e3779b97f4a7c15))
	d := draw(rng, c, opt.Households, p.Quotas)
	base := template.Options{Commune: c.Code, Year: Year, Date: signed,
		Preparer: personName(rng, "Nữ"), Signer: personName(rng, "Nam")}
	forms := []struct {
		form record.Form
		name string
		rows []template.Row
	}{
		{record.FormM1, "M1 DS ho du kien thoat ngheo %s.xlsx", d.m1},
		{record.FormM2, "M2 dai dien ho %s.xlsx", d.m2},
		{record.FormM3, "M3 thanh phan cap xa %s.xlsx", d.m3},
		{record.FormM4, "M4 y kien kien nghi %s.xlsx", d.m4},
	}
	var out []File
	for _, f := range forms {
		opt := base
		opt.Form = f.form
		opt.Sheets = []template.Sheet{{Rows: f.rows}}
		rel := c.Code + "/" + fmt.Sprintf(f.name, c.Code)
		abs := filepath.Join(inbox, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		if err := template.Write(abs, p, opt); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", rel, err)
		}
		out = append(out, File{Path: rel, Form: f.form, Commune: c.Code, Rows: len(f.rows)})
	}
	return out, nil
}
