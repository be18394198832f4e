// Package read is the pipeline's read stage: it decodes one submitted file
// (xlsx, xls, ods, csv, or a plan document), finds the form it is, the
// commune that sent it, and the table of each data sheet (header rows,
// column-number row, data rows, footer), and delivers clean cells for
// validation. It never guesses a commune, and bad input never panics: a
// file that cannot be used is rejected with a stable reason and one
// Vietnamese finding.
package read

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/read/grid"
)

// Reader reads submissions against a plan.
type Reader struct {
	Plan *plan.Plan
	// Limits bound what one file may cost (zero fields: grid.DefaultLimits):
	// bytes and counts, checked by the decoders, and MaxFileDuration, the
	// time one Read may take.
	Limits grid.Limits
	// Logger receives an error record, with the stack, for every panic a
	// decoder or the mapping hit on a file (a bug: the file is rejected as
	// corrupt all the same); nil means slog.Default().
	Logger *slog.Logger
}

// errTooSlow is the cause of the per-file deadline of Read.
var errTooSlow = errors.New("read: the file's time budget ran out")

// Read decodes one submission and maps it to its form. It never panics and
// never returns a Go error for bad input: a file that cannot be used gives
// Workbook.Status = record.StatusRejected with Reason and one file-level
// Finding. A file over a limit is rejected as record.ReasonTooLarge, one
// whose reading outlasts Limits.MaxFileDuration as record.ReasonTooSlow.
// Only the cancellation of ctx itself returns an error (ctx.Err()).
func (r *Reader) Read(ctx context.Context, sub record.Submission) (wb record.Workbook, err error) {
	return r.readTo(ctx, sub, nil)
}

// readTo is Read, or ReadTo when sink is not nil.
func (r *Reader) readTo(ctx context.Context, sub record.Submission, sink TableSink) (wb record.Workbook, err error) {
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, err
	}
	lim := r.Limits.WithDefaults()
	fctx, cancel := context.WithTimeoutCause(ctx, lim.MaxFileDuration, errTooSlow)
	defer cancel()
	wb, err = r.readGuarded(ctx, fctx, sub, sink)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(fctx), errTooSlow) {
		// Only the file's own deadline ran out: the file is at fault.
		return r.TooSlow(sub, lim.MaxFileDuration), nil
	}
	if err != nil && ctx.Err() != nil {
		return record.Workbook{}, ctx.Err()
	}
	return wb, err
}

// TooSlow is the rejection of a file whose reading outlasted budget, with
// its one Vietnamese finding naming the time limit. The pipeline also uses
// it for a file the ledger remembers as too slow, without reading it again.
func (r *Reader) TooSlow(sub record.Submission, budget time.Duration) record.Workbook {
	return r.reject(sub, "", record.ReasonTooSlow, msgTooSlow(sub.Path, budget), "")
}

// readGuarded is read under the panic guard; ctx is the caller's, fctx
// the same with the file's deadline.
func (r *Reader) readGuarded(ctx, fctx context.Context, sub record.Submission, sink TableSink) (wb record.Workbook, err error) {
	defer func() {
		if p := recover(); p != nil {
			if cerr := ctx.Err(); cerr != nil {
				wb, err = record.Workbook{}, cerr
				return
			}
			r.logPanic(sub, p, debug.Stack())
			wb = r.reject(sub, wb.Format, record.ReasonCorrupt, msgCorrupt(sub.Path), fmt.Sprint(p))
			err = nil
		}
	}()
	var rs *streamState
	if sink != nil {
		rs = &streamState{sink: sink}
	}
	if wb, err = r.read(fctx, sub, rs); err != nil || sink == nil || wb.Status != record.StatusAccepted {
		return wb, err
	}
	return r.emit(fctx, sub, wb, rs)
}

// logPanic records a panic recovered while reading sub.
func (r *Reader) logPanic(sub record.Submission, p any, stack []byte) {
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Error("read: recovered from a panic; the file is rejected as corrupt",
		"path", sub.Path, "archive", sub.ArchivePath, "panic", fmt.Sprint(p), "stack", string(stack))
}

func (r *Reader) plan() *plan.Plan {
	if r.Plan == nil {
		r.Plan = plan.Default()
	}
	return r.Plan
}

func (r *Reader) read(ctx context.Context, sub record.Submission, rs *streamState) (record.Workbook, error) {
	lim := r.Limits.WithDefaults()
	kind, format, probErr := sniff(sub, lim)
	if probErr != nil {
		reason, msg := r.problem(sub, kind, grid.CodeOf(probErr), probErr, lim)
		return r.reject(sub, format, reason, msg, probErr.Error()), nil
	}
	switch kind {
	case kindDocument:
		return r.readDocument(sub, format), nil
	case kindOther:
		return r.reject(sub, format, record.ReasonNotSpreadsheet, msgNotSpreadsheet(sub.Path), ""), nil
	}
	var gw *grid.Workbook
	var pr *probe
	var derr error
	if kind == kindXLSX {
		gw, pr, derr = decodeXLSX(ctx, sub.ArchivePath, lim)
	} else {
		gw, derr = decode(ctx, kind, sub.ArchivePath, lim)
	}
	if cerr := ctx.Err(); cerr != nil {
		return record.Workbook{}, cerr
	}
	if derr != nil {
		return r.decodeFailure(sub, kind, format, derr)
	}
	if gw == nil {
		return r.reject(sub, format, record.ReasonCorrupt, msgCorrupt(sub.Path), "decoder returned no workbook"), nil
	}
	if gw.Format != "" && kind != kindCSV {
		format = gw.Format
	}
	out, err := r.mapWorkbook(ctx, sub, format, gw, pr, rs)
	if err == nil {
		// A file whose first pass skipped rows is judged on all of them:
		// a limit they break rejects it, whatever its headers said.
		err = pr.verify(ctx, sub.ArchivePath, lim)
		if err != nil && !errors.Is(err, errUnordered) {
			return r.decodeFailure(sub, kind, format, err)
		}
	}
	if errors.Is(err, errUnordered) {
		// Rows out of order where the first pass did not look: the file
		// is read whole, as any file with rows out of order.
		if gw, err = decode(ctx, kind, sub.ArchivePath, lim); err != nil {
			return r.decodeFailure(sub, kind, format, err)
		}
		return r.mapWorkbook(ctx, sub, format, gw, nil, rs)
	}
	return out, err
}

// decodeFailure is the rejection of a file its decoder failed on (or
// the error when the decoding was stopped).
func (r *Reader) decodeFailure(sub record.Submission, kind fileKind, format string, derr error) (record.Workbook, error) {
	if errors.Is(derr, context.Canceled) || errors.Is(derr, context.DeadlineExceeded) {
		return record.Workbook{}, derr
	}
	var pe *grid.PanicError
	if errors.As(derr, &pe) {
		r.logPanic(sub, pe.Value, pe.Stack)
	}
	code := grid.CodeOf(derr)
	if sniffedOnly(sub) {
		// An unknown extension whose bytes looked like a container but
		// would not decode: tell the commune it is not a spreadsheet.
		code = grid.CodeNotSheet
	}
	reason, msg := r.problem(sub, kind, code, derr, r.Limits.WithDefaults())
	return r.reject(sub, format, reason, msg, derr.Error()), nil
}

// problem is the reason and message of a decoder problem: a too_large one
// says which limit the file went over, and where, when the decoder said.
func (r *Reader) problem(sub record.Submission, kind fileKind, code string, err error, lim grid.Limits) (string, string) {
	if code != grid.CodeTooLarge {
		return problemReason(code, sub.Path, lim)
	}
	var p *grid.Problem
	var ex *grid.Excess
	if errors.As(err, &p) {
		ex = p.Excess
	}
	if ex == nil {
		// The sniffer refuses a file over MaxFileBytes before any decoder.
		size := sub.Size
		if st, err := os.Stat(sub.ArchivePath); err == nil {
			size = st.Size()
		}
		if size > lim.MaxFileBytes {
			ex = &grid.Excess{Limit: grid.LimitFileBytes, Max: lim.MaxFileBytes}
		}
	}
	if ex == nil {
		return problemReason(code, sub.Path, lim)
	}
	return record.ReasonTooLarge, msgLimit(sub.Path, kind == kindCSV, *ex)
}

// sniffedOnly reports whether the file's extension is not one we read, so
// its kind came from its bytes alone.
func sniffedOnly(sub record.Submission) bool {
	_, known := extKinds[ext(sub.Path)]
	return !known
}

// readDocument accepts a plan document (KH): commune from the folder only.
func (r *Reader) readDocument(sub record.Submission, format string) record.Workbook {
	wb := record.Workbook{Submission: sub, Format: format, Form: record.FormKH}
	c := r.folderCommune(sub)
	if c == nil {
		rej := r.reject(sub, format, record.ReasonUnknownCommune, msgDocumentNoCommune(sub.Path, sub.FolderHint), "")
		rej.Form = record.FormKH
		return rej
	}
	wb.CommuneCode = c.Code
	wb.Status = record.StatusAccepted
	return wb
}

func (r *Reader) folderCommune(sub record.Submission) *plan.Commune {
	if strings.TrimSpace(sub.FolderHint) == "" {
		return nil
	}
	return r.plan().Matcher().Commune(sub.FolderHint)
}

// reject builds a rejected workbook with its one file-level finding.
func (r *Reader) reject(sub record.Submission, format, reason, msg, detail string) record.Workbook {
	if format == "" {
		format = ext(sub.Path)
	}
	_ = detail // kept for debugging; the finding speaks Vietnamese only
	code := ""
	if reason != record.ReasonConflict && reason != record.ReasonUnknownCommune {
		// The commune is still told about its unusable file.
		if c := r.folderCommune(sub); c != nil {
			code = c.Code
		}
	}
	return record.Workbook{
		Submission:  sub,
		Format:      format,
		CommuneCode: code,
		Status:      record.StatusRejected,
		Reason:      reason,
		Findings: []record.Finding{{
			SubmissionID: sub.ID,
			Path:         sub.Path,
			CommuneCode:  code,
			Code:         reason,
			Severity:     record.Error,
			Message:      msg,
		}},
	}
}

// ext returns the lower-case extension of p without its dot.
func ext(p string) string {
	e := strings.ToLower(path.Ext(strings.ReplaceAll(p, "\\", "/")))
	return strings.TrimPrefix(e, ".")
}

// schemaList is the forms we map, in form order.
func schemaList() []*schemas.Schema { return schemas.All() }
