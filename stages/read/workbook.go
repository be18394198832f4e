package read

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
)

// mapWorkbook turns a decoded workbook into the form's tables, deciding
// the form and the commune.
//
// pr, when not nil, is the probe of an xlsx file whose big sheets hold
// only their first rows: their tables are read in a second pass over the
// file (streamTables).
//
// rs, when not nil, is the state of a read whose rows go to a TableSink:
// a cut sheet's table is then only counted in the second pass (its rows
// are read once more and handed over by emit), and mapWorkbook records it
// in rs.pending.
func (r *Reader) mapWorkbook(ctx context.Context, sub record.Submission, format string, gw *grid.Workbook, pr *probe, rs *streamState) (record.Workbook, error) {
	if rs != nil {
		rs.reset()
	}
	fc := fileCtx{sub: sub, csv: gw.Format == "csv" || format == "csv" || format == "tsv"}
	var views []*sheetView
	for i := range gw.Sheets {
		s := &gw.Sheets[i]
		if s.Visibility != grid.Visible {
			continue // hidden helper sheets (dropdown lists) are not data
		}
		v := newSheetView(s)
		v.index, v.probe = i, pr
		if pr.truncated(i) {
			v.truncated = true
			v.sheetEnc = pr.sheetEnc(i) // of the whole sheet, not its first rows
		}
		if len(v.tops) == 0 {
			continue
		}
		views = append(views, v)
	}
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, err
	}
	if len(views) == 0 {
		return r.reject(sub, format, record.ReasonNoData, msgNoSheets(sub.Path), ""), nil
	}

	// Where each sheet's header block ends: its strongest header of any
	// form, identifying columns or not.
	all := schemaIndexes()
	anyBest := make([]*mapping, len(views))
	for i, v := range views {
		anyBest[i] = findHeader(v, all, strongHeader)
		if err := ctx.Err(); err != nil {
			return record.Workbook{}, err
		}
	}
	topIx := pickForm(all, anyBest)

	// What the title and "Mẫu" lines say, from the data sheets first. A
	// title naming another document counts only on the data sheets (a
	// summary sheet beside the form says nothing).
	var hint formHint
	foreign := ""
	for pass := 0; pass < 2; pass++ {
		for i, v := range views {
			onData := anyBest[i] != nil && anyBest[i].ix == topIx
			if (pass == 0) != onData {
				continue
			}
			h := findFormHint(headerBlock(v, blockEnd(v, anyBest[i])))
			if hint.mauForm == "" && h.mauForm != "" {
				hint.mauForm, hint.mau = h.mauForm, h.mau
			}
			if hint.titleForm == "" && h.titleForm != "" {
				hint.titleForm, hint.title = h.titleForm, h.title
			}
			if foreign == "" && h.foreign != "" && (pass == 0 || topIx == nil) {
				foreign = h.foreign
			}
		}
	}
	if hint.mauForm != "" || hint.titleForm != "" {
		foreign = ""
	}

	// The form: the headers with the form's identifying columns decide;
	// the title or "Mẫu" line helps when no header is strong enough on
	// its own, and lets one identifying column be renamed.
	hinted := func(ix *schemaIndex) bool { return ix.s.Name == hint.mauForm || ix.s.Name == hint.titleForm }
	ok := func(m *mapping) bool { return identified(m, hinted(m.ix)) }
	best := make([]*mapping, len(views))
	for i, v := range views {
		best[i] = findHeaderOK(v, all, strongHeader, ok)
	}
	headerIx := pickForm(all, best)
	formIx, thr := headerIx, strongHeader
	if formIx == nil {
		for _, f := range []string{hint.mauForm, hint.titleForm} {
			if f != "" {
				formIx, thr = indexOf(f), weakHeader
				break
			}
		}
	}

	out := record.Workbook{Submission: sub, Format: format, Title: hint.title}
	var findings []record.Finding
	var tables []record.Table
	var tableViews []*sheetView
	var tableMaps []*mapping
	if formIx != nil {
		for i, v := range views {
			m := best[i]
			if m == nil || m.ix != formIx {
				m = findHeaderOK(v, []*schemaIndex{formIx}, thr, ok)
			}
			if m == nil {
				if best[i] != nil {
					findings = append(findings, record.Finding{
						SubmissionID: sub.ID, Path: sub.Path, Sheet: v.s.Name, Row: headerStart(best[i]),
						Code: "other-form-sheet", Severity: record.Warning,
						Message: fmt.Sprintf("%s: trang này có dòng tên cột của mẫu %s, không phải mẫu %s của tệp, nên không được đọc.",
							where(fc, v.s.Name, 0, "", ""), best[i].ix.s.Name, formIx.s.Name),
					})
				}
				continue
			}
			tableViews = append(tableViews, v)
			tableMaps = append(tableMaps, m)
		}
		if len(tableMaps) == 0 {
			formIx = nil
		}
	}

	// The commune, from the folder and the header blocks (never from a
	// table row).
	var lines []blockLine
	if len(tableViews) > 0 {
		for i, v := range tableViews {
			lines = append(lines, headerBlock(v, tableMaps[i].b.rows[0])...)
		}
	} else {
		for i, v := range views {
			lines = append(lines, headerBlock(v, blockEnd(v, anyBest[i]))...)
		}
	}
	hits := findNames(joinSplitNames(lines), r.plan().Matcher())
	commune, headerName, reason, msg := r.decideCommune(sub, hits)
	out.HeaderName = headerName

	// Another office's document: nothing names a form and no header has
	// a form's identifying columns, or its title names another document.
	if (formIx == nil && hint.mauForm == "" && hint.titleForm == "") || (formIx != nil && foreign != "") {
		var closest *mapping
		if formIx != nil {
			closest = tableMaps[0]
		} else {
			closest = closestMapping(views, all)
		}
		rej := r.reject(sub, format, record.ReasonNotAForm, msgNotAForm(sub.Path, closest, foreign, foreign != ""), "")
		rej.HeaderName, rej.Title = out.HeaderName, foreign
		if reason == "" && commune != nil {
			rej.CommuneCode, rej.Findings[0].CommuneCode = commune.Code, commune.Code
		}
		return rej, nil
	}

	if formIx != nil {
		out.Form = record.Form(formIx.s.Name)
	}
	if reason != "" {
		rej := r.reject(sub, format, reason, msg, "")
		rej.Form, rej.HeaderName, rej.Title = out.Form, out.HeaderName, out.Title
		return rej, nil
	}
	out.CommuneCode = commune.Code
	if formIx == nil {
		var closest *mapping
		for _, f := range []string{hint.mauForm, hint.titleForm} {
			if ix := indexOf(f); ix != nil && closest == nil {
				closest = closestMapping(views, []*schemaIndex{ix})
			}
		}
		rej := r.reject(sub, format, record.ReasonUnknownForm, msgUnknownForm(sub.Path, hint, closest), "")
		rej.HeaderName, rej.Title = out.HeaderName, out.Title
		rej.CommuneCode, rej.Findings[0].CommuneCode = commune.Code, commune.Code
		return rej, nil
	}

	// Title or "Mẫu" line naming another form than the headers.
	if headerIx != nil {
		for _, h := range []struct{ form, text string }{{hint.mauForm, hint.mau}, {hint.titleForm, hint.title}} {
			if h.form != "" && h.form != headerIx.s.Name {
				findings = append(findings, record.Finding{
					SubmissionID: sub.ID, Path: sub.Path, Code: "form-mismatch", Severity: record.Warning, Value: h.text,
					Message: fmt.Sprintf("Tệp %q: đầu biểu ghi %q (mẫu %s) nhưng dòng tên cột là của mẫu %s; tệp được đọc theo mẫu %s.",
						sub.Path, h.text, h.form, headerIx.s.Name, headerIx.s.Name),
				})
				break
			}
		}
	}

	streamed, err := r.streamTables(ctx, sub, tableViews, tableMaps, fc, rs != nil)
	if err != nil {
		// The second pass decodes what the first did: it fails only
		// when the file changed or the time ran out.
		if cerr := ctx.Err(); cerr != nil {
			return record.Workbook{}, cerr
		}
		if errors.Is(err, errUnordered) {
			return record.Workbook{}, err
		}
		return r.decodeFailure(sub, kindXLSX, format, err)
	}
	rows := 0
	for i, v := range tableViews {
		m := tableMaps[i]
		v.release = true
		var t record.Table
		var fs []record.Finding
		st, ok := streamed[i]
		switch {
		case ok && st.count:
			// Its rows are read again and handed over; the findings of
			// their fonts go here then.
			t = st.t
			rs.pending[i], rs.insertAt[i] = st, len(findings)+len(labelFindings(v, m, fc))
			rows += st.rows
		case ok:
			t, fs = st.finish()
		default:
			t, fs = extractTable(v, m, fc)
		}
		findings = append(findings, labelFindings(v, m, fc)...)
		findings = append(findings, fs...)
		tables = append(tables, t)
		rows += len(t.Rows)
		if err := ctx.Err(); err != nil {
			return record.Workbook{}, err
		}
	}
	if rows == 0 {
		rej := r.reject(sub, format, record.ReasonNoData, msgNoData(sub.Path, formIx.s.Name), "")
		rej.Form, rej.HeaderName, rej.Title = out.Form, out.HeaderName, out.Title
		rej.CommuneCode, rej.Findings[0].CommuneCode = commune.Code, commune.Code
		return rej, nil
	}
	notes, err := r.allNotes(ctx, sub, gw, pr)
	if errors.Is(err, errUnordered) {
		return record.Workbook{}, err
	}
	if err != nil {
		return r.decodeFailure(sub, kindXLSX, format, err)
	}
	findings = append(findings, noteFindings(notes, fc)...)
	for i := range findings {
		findings[i].CommuneCode = commune.Code
	}
	out.Status = record.StatusAccepted
	out.Tables = tables
	out.Findings = findings
	return out, nil
}

// streamTablesRun counts the second passes (tests).
var streamTablesRun atomic.Int64

// streamTables reads the tables of the cut sheets (sheetView.truncated)
// in one more pass over the file, each row handed to its table builder
// as the decoder reads it and then dropped. The builders are returned by
// position in views, not yet finished; count makes them counting ones
// (see tableBuilder.count), which keep no rows.
func (r *Reader) streamTables(ctx context.Context, sub record.Submission, views []*sheetView, maps []*mapping, fc fileCtx, count bool) (map[int]*tableBuilder, error) {
	bySheet := map[int]int{} // sheet index -> position in views
	for i, v := range views {
		if v.truncated {
			bySheet[v.index] = i
			// Recognition is done: the builder reads the rows the second
			// pass hands it, so the first pass's rows can go.
			v.s.Rows, v.byNum = nil, nil
		}
	}
	if len(bySheet) == 0 {
		return nil, nil
	}
	out := map[int]*tableBuilder{}
	f := &feed{start: func(index int) *tableBuilder {
		i, ok := bySheet[index]
		if !ok {
			return nil
		}
		tb := newTableBuilder(views[i], maps[i], fc)
		if count {
			tb.count, tb.stats = true, make([]vntext.ColumnStats, len(tb.cols))
		}
		out[i] = tb
		return tb
	}}
	streamTablesRun.Add(1)
	gw, err := decodeRows(ctx, sub.ArchivePath, r.Limits.WithDefaults(), f)
	if err != nil {
		return nil, err
	}
	views[0].probe.verified(gw)
	return out, nil
}

// allNotes are the decoder's remarks on the whole file: the first pass's,
// or, when it skipped rows, those of a full pass (the second pass's, or
// one more, which also checks the limits on the skipped rows).
func (r *Reader) allNotes(ctx context.Context, sub record.Submission, gw *grid.Workbook, pr *probe) ([]string, error) {
	if !pr.skimmed() {
		return gw.Notes, nil
	}
	if err := pr.verify(ctx, sub.ArchivePath, r.Limits.WithDefaults()); err != nil {
		return nil, err
	}
	return pr.notes, nil
}

// headerStart is the first header row of a mapping, 0 for none.
func headerStart(m *mapping) int {
	if m == nil {
		return 0
	}
	return m.b.rows[0]
}

// labelFindings reports required columns that are missing and header
// columns that belong to no field.
func labelFindings(v *sheetView, m *mapping, fc fileCtx) []record.Finding {
	var out []record.Finding
	hdr := m.b.rows[len(m.b.rows)-1]
	have := map[string]bool{}
	for _, f := range m.fields {
		have[f] = true
	}
	for _, f := range m.ix.s.Fields {
		if !f.Constraints.Required || have[f.Name] {
			continue
		}
		out = append(out, record.Finding{
			SubmissionID: fc.sub.ID, Path: fc.sub.Path, Sheet: v.s.Name, Row: hdr,
			Column: f.Name, ColumnTitle: f.Title, Code: "missing-label", Severity: record.Error,
			Message: fmt.Sprintf("%s: không tìm thấy cột bắt buộc %q của mẫu %s trong dòng tên cột; các dòng dữ liệu sẽ thiếu thông tin này.",
				where(fc, v.s.Name, hdr, "", ""), f.Title, m.ix.s.Name),
		})
	}
	for _, l := range m.unknown {
		out = append(out, record.Finding{
			SubmissionID: fc.sub.ID, Path: fc.sub.Path, Sheet: v.s.Name, Row: hdr, Ref: ref(l.col, hdr),
			Code: "extra-label", Severity: record.Warning, Value: l.display(),
			Message: fmt.Sprintf("%s: cột này không có trong mẫu %s nên không được đọc.",
				where(fc, v.s.Name, hdr, colLetters(l.col), l.display()), m.ix.s.Name),
		})
	}
	return out
}

// noteFindings words the decoders' remarks for people.
func noteFindings(notes []string, fc fileCtx) []record.Finding {
	var out []record.Finding
	for _, n := range notes {
		f := record.Finding{SubmissionID: fc.sub.ID, Path: fc.sub.Path, Severity: record.Warning, Value: n}
		max, sheet, cut := grid.ParseCutNote(n)
		switch {
		case cut:
			f.Code, f.Sheet = "cell-truncated", sheet
			f.Message = fmt.Sprintf("%s: có ô dài quá %s ký tự, phần thừa đã bị cắt bỏ.", where(fc, sheet, 0, "", ""), max)
		case n == "csv_encoding:windows-1258":
			f.Code = "csv-encoding"
			f.Message = fmt.Sprintf("Tệp %q không lưu theo UTF-8; đã đọc theo bảng mã Windows-1258. Lần sau đề nghị lưu \"CSV UTF-8\".", fc.sub.Path)
		case n == "csv_encoding:utf-8-damaged":
			f.Code = "csv-encoding"
			f.Message = fmt.Sprintf("Tệp %q có ký tự hỏng (không đúng UTF-8); các ký tự này đã bị thay thế, đề nghị kiểm tra lại dữ liệu.", fc.sub.Path)
		case strings.HasPrefix(n, "csv_encoding:"):
			continue // UTF-16 and the like read fine
		case strings.HasPrefix(n, "codepage "):
			f.Code = "codepage"
			f.Message = fmt.Sprintf("Tệp %q dùng bảng mã chưa hỗ trợ; văn bản được đọc theo Windows-1252 nên có thể sai dấu, đề nghị lưu lại dưới dạng .xlsx.", fc.sub.Path)
		default:
			f.Code = "decoder-note"
			f.Message = fmt.Sprintf("Tệp %q: có điểm bất thường khi đọc tệp (%s); đề nghị kiểm tra lại dữ liệu.", fc.sub.Path, n)
		}
		out = append(out, f)
	}
	return out
}

// joinSplitNames joins an issuing-body line cut after its kind ("UBND
// XÃ" / "THƯỜNG PHƯỚC 1") with the line below it.
func joinSplitNames(lines []blockLine) []blockLine {
	out := make([]blockLine, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		toks := strings.Fields(vntext.Fold(l.text))
		if n := len(toks); n >= 2 && (toks[n-1] == "xa" || toks[n-1] == "phuong" || (n >= 3 && toks[n-2] == "thi" && toks[n-1] == "tran")) {
			prefix := strings.Join(toks[:n-1], " ")
			if toks[n-1] == "tran" {
				prefix = strings.Join(toks[:n-2], " ")
			}
			if contains(orgPrefixes, prefix) {
				for j := i + 1; j < len(lines) && j <= i+4; j++ {
					if lines[j].col == l.col || (lines[j].row == l.row && !lines[j].first) {
						l.text = l.text + " " + lines[j].text
						break
					}
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// decideCommune applies SPEC §3: folder and header must agree; a header
// naming a commune outside the plan, two different communes, or no
// commune at all reject the file. It returns the commune, or the reason
// and message of the rejection.
func (r *Reader) decideCommune(sub record.Submission, hits []nameHit) (*plan.Commune, string, string, string) {
	folder := r.folderCommune(sub)
	// Issuing-body lines decide; mentions ("… của UBND xã X") only help
	// when the block has none.
	var primary []nameHit
	for _, h := range hits {
		if h.primary {
			primary = append(primary, h)
		}
	}
	if len(primary) > 0 {
		hits = primary
	}
	var unknown *nameHit
	var named []*nameHit
	headerName := ""
	for i := range hits {
		h := &hits[i]
		if headerName == "" && h.primary {
			headerName = h.text
		}
		if h.commune == nil {
			if h.primary && unknown == nil {
				unknown = h
			}
			continue
		}
		dup := false
		for _, n := range named {
			if n.commune == h.commune {
				dup = true
			}
		}
		if !dup {
			named = append(named, h)
		}
	}
	if headerName == "" && len(hits) > 0 {
		headerName = hits[0].text
	}
	p := r.plan()
	switch {
	case unknown != nil:
		return nil, unknown.text, record.ReasonUnknownCommune, msgHeaderNotInPlan(sub.Path, unknown.text, p.Year)
	case len(named) > 1:
		return nil, headerName, record.ReasonConflict,
			msgConflictHeader(sub.Path, named[0].commune.FullName(), named[1].commune.FullName())
	}
	var header *plan.Commune
	if len(named) == 1 {
		header = named[0].commune
		if headerName == "" {
			headerName = named[0].text
		}
	}
	if folder != nil && header != nil && folder != header {
		return nil, headerName, record.ReasonConflict,
			msgConflictFolder(sub.Path, sub.FolderHint, folder.FullName(), named[0].text, header.FullName())
	}
	if folder != nil {
		return folder, headerName, "", ""
	}
	if header != nil {
		return header, headerName, "", ""
	}
	return nil, headerName, record.ReasonUnknownCommune, msgNoCommune(sub.Path, sub.FolderHint)
}
