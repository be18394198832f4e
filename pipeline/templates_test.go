package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas/template"
)

// TestRunWritesTemplates: the first run writes every commune's blank
// forms into outbox/templates; a second run with the same plan leaves them
// untouched (modification times unchanged); a run with a changed plan of
// the same season rewrites them.
func TestRunWritesTemplates(t *testing.T) {
	p := plan.Default()
	root := t.TempDir()
	cfg := pipeline.Config{Plan: p, Inbox: filepath.Join(root, "inbox"), Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Clock: clock.Fixed(time.Date(2022, 5, 1, 9, 0, 0, 0, p.Location())), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := os.MkdirAll(cfg.Inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range p.Communes() {
		for _, f := range []record.Form{record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5} {
			paths = append(paths, filepath.Join(cfg.Outbox, pipeline.TemplatesDir, template.KitFolder(c), template.KitFileName(f)))
		}
	}
	past := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	run := func(name string, p *plan.Plan) (rewritten int) {
		t.Helper()
		cfg.Plan = p
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, path := range paths {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !fi.ModTime().Equal(past) {
				rewritten++
			}
			if err := os.Chtimes(path, past, past); err != nil {
				t.Fatal(err)
			}
		}
		return rewritten
	}
	if n := run("first run", p); n != len(paths) {
		t.Errorf("first run wrote %d of %d forms", n, len(paths))
	}
	if n := run("same plan", p); n != 0 {
		t.Errorf("a run with the same plan rewrote %d forms", n)
	}
	changed, err := plan.Parse([]byte(strings.Replace(string(p.Source()), "Ấp Giồng Bàng", "Ấp Giồng Bàng Mới", 1)), "changed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := run("changed plan", changed); n != len(paths) {
		t.Errorf("a run with a changed plan rewrote %d of %d forms", n, len(paths))
	}
}
