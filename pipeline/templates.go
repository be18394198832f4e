package pipeline

import (
	"context"
	"log/slog"
	"path/filepath"

	"doithoai/schemas/template"
)

// TemplatesDir is the outbox folder of the communes' blank forms
// (outbox/templates/<commune>/M1-….xlsx).
const TemplatesDir = "templates"

// syncTemplates keeps outbox/templates holding every commune's blank
// forms for the run's plan: they are rewritten only when the plan (or the
// forms' version) changed, so a new plan reaches the communes without
// anyone remembering to run `doithoai templates`. A failure is logged and
// the run goes on: the forms are a convenience, the reports are the job.
// It returns how many files it wrote.
func syncTemplates(ctx context.Context, cfg Config, log *slog.Logger) int {
	res, err := template.Sync(ctx, filepath.Join(cfg.Outbox, TemplatesDir), cfg.Plan, false)
	if err != nil {
		log.Error("the communes' blank forms could not be written; the run goes on", "err", err)
		return len(res.Files)
	}
	if res.Written {
		log.Info("wrote the communes' blank forms for the plan", "files", len(res.Files), "removed", res.Removed)
	}
	return len(res.Files)
}
