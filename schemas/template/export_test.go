package template

import (
	"context"

	"doithoai/pipeline/plan"
)

// WriteKitsCounted writes every commune's kit of p into dir as Sync does
// (workers at once) and tells how many skeletons were built and how many
// workbooks were written from one.
func WriteKitsCounted(ctx context.Context, dir string, p *plan.Plan, workers int) (files []string, built, used int, err error) {
	kw := newKitWriter()
	files, err = writeKitsWith(ctx, dir, p, workers, kw)
	return files, kw.shapes.built, kw.shapes.used, err
}
