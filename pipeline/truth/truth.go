// Package truth reads a sample set's truth.json (../shared/samples/<set>/)
// and replays the set batch by batch, so that tests and the benchmark
// command can compare the pipeline's verdicts with the expected ones. It is
// test support: the pipeline itself never reads truth files.
package truth

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Set is a parsed truth.json.
type Set struct {
	Set        string     `json:"set"`
	Plan       string     `json:"plan"`
	Batches    []Batch    `json:"batches"`
	Files      []File     `json:"files"`
	Rows       []Row      `json:"rows"`
	Groups     []Group    `json:"duplicate_groups"`
	Homonyms   [][]string `json:"homonyms"`
	Aggregates Aggregates `json:"aggregates"`

	Dir string `json:"-"` // the set's folder
}

// Batch is one delivery of files.
type Batch struct {
	Batch int       `json:"batch"`
	At    time.Time `json:"at"`
	Files []string  `json:"files"`
}

// File is the expected verdict on one file.
type File struct {
	Path        string   `json:"path"`
	Batch       int      `json:"batch"`
	CommuneCode *string  `json:"commune_code"`
	Form        *string  `json:"form"`
	Expect      string   `json:"expect"`
	Reason      *string  `json:"reason"`
	Supersedes  *string  `json:"supersedes"`
	Kinds       []string `json:"kinds"`
	Format      string   `json:"format"`
	SHA256      string   `json:"sha256"`
	Rows        int      `json:"rows"`
}

// Row is the expected verdict on one data row.
type Row struct {
	Path           string         `json:"path"`
	Sheet          string         `json:"sheet"`
	Row            int            `json:"row"`
	Form           string         `json:"form"`
	Valid          bool           `json:"valid"`
	InvalidColumns []string       `json:"invalid_columns"`
	Warnings       []string       `json:"warnings"`
	HouseholdID    *string        `json:"household_id"`
	Eligible       *bool          `json:"eligible"`
	Superseded     bool           `json:"superseded"`
	OverQuota      *bool          `json:"over_quota"`
	Late           *bool          `json:"late"`
	Topic          *string        `json:"topic"`
	Component      *string        `json:"component"`
	Cluster        *int           `json:"cluster"`
	CommuneCode    string         `json:"commune_code"`
	Hamlet         *string        `json:"hamlet"`
	Kinds          []string       `json:"kinds"`
	Values         map[string]any `json:"values"`
	Check          struct {
		Column string `json:"column"`
		Text   string `json:"text"`
	} `json:"check"`
}

// Group is an expected duplicate group.
type Group struct {
	HouseholdID string   `json:"household_id"`
	Rows        [][]any  `json:"rows"` // [path, sheet, row]
	Forms       []string `json:"forms"`
	Why         []string `json:"why"`
}

// Aggregates are the expected figures.
type Aggregates struct {
	Period     string           `json:"period"`
	Hamlets    []map[string]any `json:"hamlets"`
	Communes   []map[string]any `json:"communes"`
	Clusters   []map[string]any `json:"clusters"`
	Opinions   []map[string]any `json:"opinions"`
	Results    []map[string]any `json:"results"`
	Timeliness []map[string]any `json:"timeliness"`
	Figures    []Figure         `json:"figures"`
}

// Figure is one expected figure, shaped like figures.parquet.
type Figure struct {
	Period      string  `json:"period"`
	Cluster     *int    `json:"cluster"`
	CommuneCode *string `json:"commune_code"`
	Hamlet      *string `json:"hamlet"`
	Topic       *string `json:"topic"`
	Measure     string  `json:"measure"`
	Value       float64 `json:"value"`
}

// RepoRoot walks up from the working directory to the folder with go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir is ../shared beside the repository, or "" when absent.
func SharedDir() string {
	root, err := RepoRoot()
	if err != nil {
		return ""
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if fi, err := os.Stat(d); err == nil && fi.IsDir() {
		return d
	}
	return ""
}

// Load reads the truth of a sample set folder (holding truth.json).
func Load(dir string) (*Set, error) {
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, err
	}
	var s Set
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("truth.json: %w", err)
	}
	s.Dir = dir
	return &s, nil
}

// Sets lists the sample set folders under shared/samples.
func Sets(shared string) []string {
	var out []string
	entries, _ := os.ReadDir(filepath.Join(shared, "samples"))
	for _, e := range entries {
		d := filepath.Join(shared, "samples", e.Name())
		if _, err := os.Stat(filepath.Join(d, "truth.json")); e.IsDir() && err == nil {
			out = append(out, d)
		}
	}
	return out
}

// PlanPath is the set's plan file.
func (s *Set) PlanPath() string {
	p := s.Plan
	if p == "" {
		p = "plan.yaml"
	}
	return filepath.Join(s.Dir, p)
}

// Receipt returns each file of the batch lists with the time of its batch
// and its place (from 1) in the lists' order, batch after batch: the
// receipt of truth-fed records, which do not go through ingest.
func (s *Set) Receipt() (map[string]time.Time, map[string]int64) {
	at := map[string]time.Time{}
	seq := map[string]int64{}
	n := int64(0)
	for _, b := range s.Batches {
		for _, f := range b.Files {
			n++
			at[f], seq[f] = b.At, n
		}
	}
	return at, seq
}

// CopyBatch copies batch k's files (1-based) from the set's inbox into
// inbox, keeping their relative paths and giving them an old mtime so they
// count as complete.
func (s *Set) CopyBatch(k int, inbox string) error {
	for _, b := range s.Batches {
		if b.Batch != k {
			continue
		}
		for _, rel := range b.Files {
			src := filepath.Join(s.Dir, "inbox", filepath.FromSlash(rel))
			dst := filepath.Join(inbox, filepath.FromSlash(rel))
			if err := copyFile(src, dst); err != nil {
				return err
			}
			old := b.At.Add(-time.Hour)
			if old.After(time.Now().Add(-time.Hour)) {
				old = time.Now().Add(-time.Hour)
			}
			_ = os.Chtimes(dst, old, old)
		}
		return nil
	}
	return fmt.Errorf("no batch %d", k)
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
