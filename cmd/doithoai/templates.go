package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"doithoai/pipeline"
	"doithoai/schemas/template"
)

// cmdTemplates writes the communes' blank forms M1–M5 (schemas/template
// kit): for every commune of the plan, or the one named by --commune, into
// <out>/<code-name>/. Runs keep outbox/templates up to date by themselves;
// this command is for writing them elsewhere or at once.
func cmdTemplates(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("templates", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	fs.StringVar(&c.plan, "plan", "", "plan file (YAML); default: the plan the state folder was made with, else the embedded 2022 plan")
	fs.StringVar(&c.state, "state", "state", "the state folder whose plan is used when --plan is not given")
	commune := fs.String("commune", "", "only this commune (code or name); default: every commune of the plan")
	out := fs.String("out", filepath.Join("outbox", pipeline.TemplatesDir), "where to write the forms")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "doithoai templates: không nhận đối số %q; dùng --commune để chọn một xã\n", fs.Arg(0))
		return exitUsage
	}
	p, err := c.loadPlan()
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	if *commune != "" {
		cm := p.Commune(*commune)
		if cm == nil {
			cm = p.Matcher().Commune(*commune)
		}
		if cm == nil {
			fmt.Fprintf(stderr, "doithoai templates: không có xã, thị trấn %q trong kế hoạch %s %d\n", *commune, p.District.Name, p.Year)
			return exitUsage
		}
		files, err := template.WriteKit(ctx, *out, p, cm.Code)
		if err != nil {
			fmt.Fprintln(stderr, "doithoai templates: không ghi được biểu mẫu:", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "Đã ghi %d biểu mẫu trống của %s vào %s\n", len(files), cm.FullName(), filepath.Join(*out, template.KitFolder(cm)))
		return exitOK
	}
	res, err := template.Sync(ctx, *out, p, true)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai templates: không ghi được biểu mẫu:", err)
		return exitFailed
	}
	communes := p.Communes()
	fmt.Fprintf(stdout, "Đã ghi %d biểu mẫu trống (M1–M5) của %d xã, thị trấn (kế hoạch %s năm %d) vào %s:\n",
		len(res.Files), len(communes), p.District.Name, p.Year, *out)
	for _, cm := range communes {
		fmt.Fprintf(stdout, "  %-28s %s\n", template.KitFolder(cm)+"/", cm.FullName())
	}
	for _, f := range res.Removed {
		fmt.Fprintf(stdout, "Đã xóa biểu mẫu cũ của %s (không còn trong kế hoạch)\n", f)
	}
	return exitOK
}
