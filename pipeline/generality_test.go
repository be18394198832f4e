package pipeline_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"doithoai/stages/report/analytics/parquettest"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/dedupe"
	"doithoai/stages/read"
	"doithoai/stages/report/feedback"
	"doithoai/stages/report/lists"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/validate"
)

// otherPlanFile is a fictional 2023 plan of another district, with the
// dialogues in quarter III, 3 clusters of 7 communes (one thị trấn with
// khóm, one commune with tổ, hamlets with letters), other quotas,
// deadlines and topics than the embedded 2022 plan.
const otherPlanFile = "testdata/plan-2023-q3.yaml"

// genFile is one demo file and what it is.
type genFile struct {
	rel     string // path in the inbox, '/'-separated
	abs     string // where the demo wrote it
	form    record.Form
	commune string
}

// genClassify reads every demo file once to learn its form and commune,
// so that the test can deliver them in the order communes would send them.
func genClassify(t *testing.T, p *plan.Plan, inbox string, files []string) []genFile {
	t.Helper()
	r := read.Reader{Plan: p}
	var out []genFile
	for i, abs := range files {
		rel, err := filepath.Rel(inbox, abs)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		folder, _, _ := strings.Cut(rel, "/")
		wb, err := r.Read(context.Background(), record.Submission{ID: hex.EncodeToString(sum[:]), Path: rel, Size: int64(len(b)),
			ArchivePath: abs, FolderHint: folder, Seq: int64(i + 1)})
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if wb.Status != record.StatusAccepted || p.Commune(wb.CommuneCode) == nil {
			t.Fatalf("demo file %s: %s (%s), commune %q", rel, wb.Status, wb.Reason, wb.CommuneCode)
		}
		out = append(out, genFile{rel: rel, abs: abs, form: wb.Form, commune: wb.CommuneCode})
	}
	return out
}

// genDeliver copies the files that match into the inbox.
func genDeliver(t *testing.T, inbox string, files []genFile, match func(genFile) bool) int {
	t.Helper()
	n := 0
	for _, f := range files {
		if !match(f) {
			continue
		}
		b, err := os.ReadFile(f.abs)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(inbox, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// genBook returns every non-empty cell text of a workbook, by sheet.
func genBook(t *testing.T, path string) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatalf("%s [%s]: %v", path, s, err)
		}
		out[s] = rows
	}
	return out
}

// genTexts is the set of the cell texts of some sheets.
func genTexts(sheets ...[][]string) map[string]bool {
	m := map[string]bool{}
	for _, rows := range sheets {
		for _, r := range rows {
			for _, c := range r {
				if c = strings.TrimSpace(c); c != "" {
					m[c] = true
				}
			}
		}
	}
	return m
}

// genJoined is all the cell texts of a workbook in one string, one cell a
// line, to search for a phrase.
func genJoined(book map[string][][]string) string {
	var b strings.Builder
	names := make([]string, 0, len(book))
	for s := range book {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		b.WriteString(s + "\n")
		for _, r := range book[s] {
			for _, c := range r {
				b.WriteString(c + "\n")
			}
		}
	}
	return b.String()
}

// genForeign are words of the 2022 plan that must not show in outputs of
// another plan: its district, its communes, its period.
var genForeign = []string{"Hồng Ngự", "Hong Ngu", "Thường Phước", "Thường Thới", "Long Khánh", "Phú Thuận", "Thường Lạc",
	"2022Q2", "Quý II/", "năm 2022"}

func genNoForeign(t *testing.T, what, text string) {
	t.Helper()
	for _, w := range genForeign {
		if strings.Contains(text, w) {
			t.Errorf("%s mentions %q, a word of the 2022 plan", what, w)
		}
	}
}

// genRun is one run of the pipeline at a moment.
func genRun(t *testing.T, cfg pipeline.Config, at time.Time) *pipeline.Summary {
	t.Helper()
	cfg.Clock = clock.Fixed(at)
	sum, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run at %s: %v", at.Format(time.RFC3339), err)
	}
	return sum
}

// genFindingCodes are the findings the demo's deliberate mistakes give
// (SPEC §9): an 11-digit CCCD restored, a 9-digit phone, a hamlet head of
// a hamlet the commune lacks, husband and wife of one household, and a
// household registered again by the neighbouring commune (not on its
// roster there, and a duplicate registration).
var genFindingCodes = map[string]int{
	validate.CodeIDZeroRestored:      1,
	validate.CodePhone:               1,
	validate.CodeUnknownHamlet:       1,
	dedupe.CodeDuplicateRegistration: 2,
	dedupe.CodeNotOnRoster:           1,
}

// TestOtherPlanEndToEnd runs the whole pipeline on a plan that is not the
// 2022 one: another year, quarter, district, communes, hamlets, clusters,
// quotas, deadlines and topics. The communes' files come from the demo
// generator and are dropped into the inbox as a season unfolds — plans
// and rosters before the deadline, each cluster's lists before its
// opinion deadline, each host's results after its dialogue — and the
// pipeline runs before the dialogues, mid-quarter and twice after the
// quarter. Everything must follow the plan: the period 2023Q3 and "Quý
// III/2023", the district, the three clusters, the seven communes, the
// quotas, the topics and agencies.
func TestOtherPlanEndToEnd(t *testing.T) {
	p, err := plan.Load(otherPlanFile)
	if err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, loc) }

	// The plan itself: what the test relies on.
	if p.Year != 2023 || p.DialogueQuarter != 3 || p.DialoguePeriod() != "2023Q3" || len(p.Clusters) != 3 || len(p.Communes()) != 7 {
		t.Fatalf("plan %s: year %d, quarter %d, %d clusters, %d communes", otherPlanFile, p.Year, p.DialogueQuarter, len(p.Clusters), len(p.Communes()))
	}
	if got := p.Cluster(2).PlannedAttendance; got != 9+2*6+7*(1+4) {
		t.Errorf("cluster 2 planned attendance %d, want the computed 56", got)
	}
	if d := p.Deadlines.CommunePlan; d.String() != "2023-06-23" {
		t.Errorf("commune plan deadline %q", d.String())
	}
	for _, c := range []struct{ commune, text, want string }{
		{"30007", "ap 4a", "Ấp 4A"}, {"30007", "ẤP  4B", "Ấp 4B"}, {"30022", "Tan Hoa A", "Ấp Tân Hòa A"},
		{"30004", "tổ 3", "Tổ 3"}, {"30001", "khom 6", "Khóm 6"}, {"30031", "Phu Tho B", "Ấp Phú Thọ B"},
	} {
		if h, ok := p.Matcher().Hamlet(c.commune, c.text); !ok || h != c.want {
			t.Errorf("hamlet %q of %s: %q %v, want %q", c.text, c.commune, h, ok, c.want)
		}
	}

	// The demo's files, made as of the first run after the quarter: every
	// cluster has met, so every host sends its results (M5).
	quarterEnd := at(2023, time.October, 1, 0)
	afterQuarter := at(2023, time.October, 2, 8)
	demoDir := t.TempDir()
	paths, err := demo.Generate(p, demoDir, demo.Options{Seed: 2023, Year: p.Year, Now: afterQuarter})
	if err != nil {
		t.Fatal(err)
	}
	files := genClassify(t, p, filepath.Join(demoDir, "inbox"), paths)
	forms := map[string]map[record.Form]int{}
	for _, f := range files {
		if forms[f.commune] == nil {
			forms[f.commune] = map[record.Form]int{}
		}
		forms[f.commune][f.form]++
	}
	for _, c := range p.Communes() {
		want := map[record.Form]int{record.FormKH: 1, record.FormM1: 1, record.FormM2: 1, record.FormM3: 1, record.FormM4: 1}
		if p.Cluster(c.Cluster).Host == c.Code {
			want[record.FormM5] = 1
		}
		if fmt.Sprint(forms[c.Code]) != fmt.Sprint(want) {
			t.Errorf("demo files of %s: %v, want %v", c.FullName(), forms[c.Code], want)
		}
	}
	clusterOf := func(f genFile) int { return p.Commune(f.commune).Cluster }
	// A commune's lists for its cluster's dialogue: M2, M3 and M4.
	genIsList := func(f genFile) bool {
		return f.form == record.FormM2 || f.form == record.FormM3 || f.form == record.FormM4
	}

	work := t.TempDir()
	inbox, outbox, state := filepath.Join(work, "inbox"), filepath.Join(work, "outbox"), filepath.Join(work, "state")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.Config{Plan: p, Inbox: inbox, Outbox: outbox, State: state, Settle: 0, Kind: pipeline.KindFull,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	finalRel := "bao-cao/" + quarterly.FileName("2023Q3", false)
	draftRel := "bao-cao/" + quarterly.FileName("2023Q3", true)
	if finalRel != "bao-cao/bao-cao-quy-2023Q3.xlsx" {
		t.Errorf("final report name %s", finalRel)
	}

	type step struct {
		name    string
		at      time.Time
		deliver func(genFile) bool
		// the moment is before, during or after the quarter
		draft bool
	}
	steps := []step{
		{"plans and rosters, before the quarter and the plan deadline", at(2023, time.June, 21, 9),
			func(f genFile) bool { return f.form == record.FormKH || f.form == record.FormM1 }, true},
		{"cluster 1 lists, before the dialogues", at(2023, time.July, 10, 9),
			func(f genFile) bool { return clusterOf(f) == 1 && genIsList(f) }, true},
		{"cluster 2 lists and cluster 1 results, mid-quarter", at(2023, time.August, 2, 9),
			func(f genFile) bool {
				return clusterOf(f) == 2 && genIsList(f) || clusterOf(f) == 1 && f.form == record.FormM5
			}, true},
		{"cluster 3 lists and cluster 2 results, mid-quarter", at(2023, time.August, 30, 9),
			func(f genFile) bool {
				return clusterOf(f) == 3 && genIsList(f) || clusterOf(f) == 2 && f.form == record.FormM5
			}, true},
		{"cluster 3 results, after the quarter", afterQuarter,
			func(f genFile) bool { return clusterOf(f) == 3 && f.form == record.FormM5 }, false},
		{"nothing new, later after the quarter", at(2023, time.October, 5, 8),
			func(genFile) bool { return false }, false},
	}
	delivered := 0
	var finalBytes []byte
	var sum *pipeline.Summary
	for i, st := range steps {
		delivered += genDeliver(t, inbox, files, st.deliver)
		sum = genRun(t, cfg, st.at)
		ds := sum.Dataset
		t.Logf("run %d (%s) at %s: %d submissions, %d findings, %d outputs", i+1, st.name, st.at.Format("2006-01-02 15:04"), sum.Submissions, sum.Findings, len(sum.Outputs))

		// Every file is a submission of its commune and form, accepted.
		if sum.Submissions != delivered || sum.Accepted != delivered || sum.Rejected != 0 || sum.Duplicates != 0 {
			t.Errorf("run %d: %d submissions (%d accepted, %d rejected, %d duplicates), want %d accepted",
				i+1, sum.Submissions, sum.Accepted, sum.Rejected, sum.Duplicates, delivered)
		}
		byPath := map[string]genFile{}
		for _, f := range files {
			byPath[f.rel] = f
		}
		for _, o := range ds.Submissions {
			f := byPath[o.Path]
			if o.Status != record.StatusAccepted || o.Form != f.form || o.CommuneCode != f.commune {
				t.Errorf("run %d: %s: %s %s (%s) commune %s, want accepted %s of %s", i+1, o.Path, o.Status, o.Form, o.Reason, o.CommuneCode, f.form, f.commune)
			}
		}
		// Only the deliberate mistakes are findings: everything was sent on
		// time by this plan's deadlines (23/06 for plans, the dialogue day
		// minus 7 days for opinions).
		for _, f := range ds.Findings {
			if _, ok := genFindingCodes[f.Code]; !ok {
				t.Errorf("run %d: unexpected finding %s %s in %s r%d: %s", i+1, f.Severity, f.Code, f.Path, f.Row, f.Message)
			}
		}
		for _, tl := range ds.Timeliness {
			if tl.OnTime != nil && !*tl.OnTime {
				t.Errorf("run %d: %s of %s received %s judged late (deadline %s)", i+1, tl.Form, tl.CommuneCode, tl.ReceivedAt, tl.Deadline)
			}
		}
		for _, o := range ds.Opinions {
			if o.Late {
				t.Errorf("run %d: opinion of %s (cluster %d) received %s judged late", i+1, o.CommuneCode, o.Cluster, o.ReceivedAt)
			}
		}

		// The quarterly report: a draft during the quarter, the final one
		// written once by the first run after it.
		_, errDraft := os.Stat(filepath.Join(outbox, filepath.FromSlash(draftRel)))
		finalPath := filepath.Join(outbox, filepath.FromSlash(finalRel))
		_, errFinal := os.Stat(finalPath)
		wrote := map[string]bool{}
		for _, o := range sum.Outputs {
			wrote[o] = true
		}
		switch {
		case st.draft:
			if errDraft != nil || errFinal == nil || !wrote[draftRel] {
				t.Errorf("run %d: draft report %v (written %v), final %v", i+1, errDraft, wrote[draftRel], errFinal)
			}
		case i == len(steps)-2: // the first run after the quarter
			if errFinal != nil || errDraft == nil || !wrote[finalRel] {
				t.Errorf("run %d: final report %v (written %v), draft still there: %v", i+1, errFinal, wrote[finalRel], errDraft == nil)
			}
			finalBytes, _ = os.ReadFile(finalPath)
		default: // later: kept as emitted
			b, err := os.ReadFile(finalPath)
			if err != nil || !bytes.Equal(b, finalBytes) || wrote[finalRel] || errDraft == nil {
				t.Errorf("run %d: the final report was rewritten or lost (%v, rewritten %v, same bytes %v, draft %v)",
					i+1, err, wrote[finalRel], bytes.Equal(b, finalBytes), errDraft == nil)
			}
		}

		genCheckStatusPage(t, p, outbox, i+1)
		genCheckLists(t, p, outbox, ds, i+1)
		if i == 1 {
			// Before cluster 1's dialogue, its attendance list holds its
			// communes' delegates, hamlet heads and representatives.
			genCheckAttendance(t, p, outbox, ds, 1, "18/07/2023")
		}
		if i == 3 {
			genCheckReport(t, p, filepath.Join(outbox, filepath.FromSlash(draftRel)), true, 2)
		}
	}
	if !sum.Now.After(quarterEnd) {
		t.Fatalf("the last run %s is not after the quarter", sum.Now)
	}
	ds := sum.Dataset

	// The final state: exactly the deliberate mistakes.
	count := map[string]int{}
	for _, f := range ds.Findings {
		count[f.Code]++
	}
	if fmt.Sprint(count) != fmt.Sprint(genFindingCodes) {
		t.Errorf("findings %v, want %v", count, genFindingCodes)
		for _, f := range ds.Findings {
			t.Logf("%s %s %s r%d: %s", f.Severity, f.Code, f.Path, f.Row, f.Message)
		}
	}
	invalid, ineligible := 0, 0
	for _, h := range ds.Households {
		if !h.Valid {
			invalid++
		}
	}
	for _, g := range ds.Registrations {
		if !g.Valid {
			invalid++
		} else if !g.Eligible {
			ineligible++
		}
	}
	for _, d := range ds.Delegates {
		if !d.Valid {
			invalid++
		}
	}
	if invalid != 2 || ineligible != 1 {
		t.Errorf("%d invalid rows (want 2: the 9-digit phone, the unknown hamlet), %d ineligible registrations (want 1)", invalid, ineligible)
	}
	if len(ds.Results) != 3 {
		t.Errorf("%d results (M5), want one per cluster", len(ds.Results))
	}

	// The final report was recorded once in the ledger.
	led, err := ledger.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	path, done, err := led.Emitted(context.Background(), quarterly.Kind, "2023Q3")
	led.Close()
	if err != nil || !done || filepath.Base(path) != filepath.Base(finalRel) {
		t.Errorf("ledger: final report emitted %v at %q (%v)", done, path, err)
	}
	genCheckReport(t, p, filepath.Join(outbox, filepath.FromSlash(finalRel)), false, 3)
	genCheckFigures(t, p, filepath.Join(outbox, "data", "figures.parquet"))
	genCheckFeedback(t, p, outbox, ds)
}

// genCheckStatusPage checks that index.html lists every commune, cluster
// and dialogue day of the plan and nothing of the 2022 plan.
func genCheckStatusPage(t *testing.T, p *plan.Plan, outbox string, run int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(outbox, "index.html"))
	if err != nil {
		t.Errorf("run %d: status page: %v", run, err)
		return
	}
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(b), " "))
	text = strings.Join(strings.Fields(text), " ")
	for _, cl := range p.Clusters {
		for _, want := range []string{cl.Name, cl.DialogueDate.In(p.Location()).Format("02/01/2006")} {
			if !strings.Contains(text, want) {
				t.Errorf("run %d: the status page does not show %q of %s", run, want, cl.Name)
			}
		}
		for _, c := range cl.Communes {
			if !strings.Contains(text, c.FullName()) || !strings.Contains(text, c.Code) {
				t.Errorf("run %d: the status page does not list %s (%s)", run, c.FullName(), c.Code)
			}
		}
	}
	if !strings.Contains(text, "Tam Nông") {
		t.Errorf("run %d: the status page does not name the district", run)
	}
	genNoForeign(t, fmt.Sprintf("run %d: the status page", run), text)
}

// genCheckLists checks the attendance lists (one per cluster of the plan)
// and the agencies' lists (one per agency of the plan's topics).
func genCheckLists(t *testing.T, p *plan.Plan, outbox string, ds *record.Dataset, run int) {
	t.Helper()
	var want []string
	for _, cl := range p.Clusters {
		want = append(want, lists.AttendanceFile(cl.ID))
	}
	genSameFiles(t, fmt.Sprintf("run %d: attendance lists", run), filepath.Join(outbox, "danh-sach-tham-du"), want)
	want = nil
	for _, a := range p.Agencies() {
		want = append(want, lists.QuestionsFile(a))
	}
	genSameFiles(t, fmt.Sprintf("run %d: agencies' lists", run), filepath.Join(outbox, "cau-hoi-co-quan"), want)
	// Each cluster's list names its own communes and no other.
	for _, cl := range p.Clusters {
		path := filepath.Join(outbox, "danh-sach-tham-du", lists.AttendanceFile(cl.ID))
		if _, err := os.Stat(path); err != nil {
			continue
		}
		text := vntext.Fold(genJoined(genBook(t, path)))
		for _, other := range p.Clusters {
			for _, c := range other.Communes {
				has := strings.Contains(text, vntext.Fold(c.FullName()))
				if has != (other.ID == cl.ID) {
					t.Errorf("run %d: attendance list of %s names %s: %v", run, cl.Name, c.FullName(), has)
				}
			}
		}
	}
}

// genSameFiles checks that a folder holds exactly the files named.
func genSameFiles(t *testing.T, what, dir string, want []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	var got []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			got = append(got, e.Name())
		}
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// genCheckAttendance checks one cluster's attendance list against the
// data: the venue and day of the plan, the district team of the plan's
// quota, and every current valid delegate, hamlet head and counted
// household representative of its communes.
func genCheckAttendance(t *testing.T, p *plan.Plan, outbox string, ds *record.Dataset, cluster int, day string) {
	t.Helper()
	cl := p.Cluster(cluster)
	path := filepath.Join(outbox, "danh-sach-tham-du", lists.AttendanceFile(cluster))
	book := genBook(t, path)
	joined := genJoined(book)
	for _, want := range []string{cl.Venue, day} {
		if !strings.Contains(joined, want) {
			t.Errorf("attendance list of %s lacks %q", cl.Name, want)
		}
	}
	genNoForeign(t, "attendance list of "+cl.Name, joined)
	// Names and hamlets are looked for in any column: the layout is the
	// lists' business, the people are the data's.
	cells := genTexts(genValues(book)...)
	names, hamlets := cells, cells
	in := map[string]bool{}
	for _, c := range cl.Communes {
		in[c.Code] = true
		for _, h := range c.Hamlets {
			if !hamlets[h] {
				t.Errorf("attendance list of %s: no one of %s, %s", cl.Name, h, c.FullName())
			}
		}
	}
	delegates := 0
	for _, d := range ds.Delegates {
		if !in[d.CommuneCode] || !d.Valid || d.Superseded {
			continue
		}
		delegates++
		if !names[d.Name] {
			t.Errorf("attendance list of %s lacks delegate %s (%s, %s)", cl.Name, d.Name, d.Position, d.CommuneCode)
		}
	}
	reps := 0
	for _, g := range ds.Registrations {
		if !in[g.CommuneCode] || !g.Valid || g.Superseded || !g.Eligible || g.OverQuota {
			continue
		}
		reps++
		if !names[g.RepName] {
			t.Errorf("attendance list of %s lacks representative %s (%s)", cl.Name, g.RepName, g.HouseholdCode)
		}
	}
	if delegates == 0 || reps == 0 {
		t.Errorf("attendance list of %s: %d delegates and %d representatives in the data", cl.Name, delegates, reps)
	}
	// The district team: a heading with the plan's quota (9), not 2022's 7.
	quota := regexp.MustCompile(`(^|[^0-9])` + fmt.Sprint(p.Quotas.DistrictTeam) + `([^0-9]|$)`)
	team := false
	for _, rows := range book {
		for _, r := range rows {
			line := strings.Join(r, " ")
			if strings.Contains(vntext.Fold(line), "to cong tac") && quota.MatchString(line) {
				team = true
			}
		}
	}
	if !team {
		t.Errorf("attendance list of %s does not plan %d seats for the district team", cl.Name, p.Quotas.DistrictTeam)
	}
}

// genCheckReport checks the quarterly report of the plan's quarter: the
// title sheet names the quarter (Quý III/2023) and the district of this
// plan, the report lists every commune and hamlet of the plan, every
// topic with its agency, and the number of clusters that reported.
func genCheckReport(t *testing.T, p *plan.Plan, path string, draft bool, results int) {
	t.Helper()
	book := genBook(t, path)
	what := filepath.Base(path)
	cover, ok := book[quarterly.SheetCover]
	if !ok {
		t.Errorf("%s: no sheet %q (sheets %v)", what, quarterly.SheetCover, genSheetNames(book))
		return
	}
	coverText := genJoined(map[string][][]string{"": cover})
	for _, want := range []string{"Quý III/2023", "HUYỆN TAM NÔNG", "Tam Nông, ngày", p.District.ReportTo} {
		if !strings.Contains(coverText, want) {
			t.Errorf("%s: the title sheet lacks %q", what, want)
		}
	}
	if strings.Contains(coverText, "DỰ THẢO") != draft {
		t.Errorf("%s: the title sheet says DỰ THẢO: %v, want %v", what, !draft, draft)
	}
	all := genJoined(book)
	genNoForeign(t, what, all)
	texts := genTexts(genValues(book)...)
	for _, c := range p.Communes() {
		if !texts[c.FullName()] {
			t.Errorf("%s: %s is not listed", what, c.FullName())
		}
		for _, h := range c.Hamlets {
			if !texts[h] {
				t.Errorf("%s: hamlet %s of %s is not listed", what, h, c.FullName())
			}
		}
	}
	for _, cl := range p.Clusters {
		if !texts[cl.Name] {
			t.Errorf("%s: cluster %q is not listed", what, cl.Name)
		}
	}
	for _, tp := range p.Topics {
		if !texts[tp.Name] || !texts[tp.Agency] {
			t.Errorf("%s: topic %q or its agency %q is not listed", what, tp.Name, tp.Agency)
		}
	}
	// "Số cụm đã gửi kết quả đối thoại (mẫu M5)": its value, out of the
	// plan's 3 clusters.
	found := false
	for _, r := range cover {
		for j, c := range r {
			if f := vntext.Fold(c); !strings.HasPrefix(f, "so cum") || !strings.Contains(f, "ket qua") {
				continue
			}
			for _, v := range r[j+1:] {
				if v == fmt.Sprint(results) {
					found = true
				}
			}
			if !regexp.MustCompile(`(^|[^0-9])` + fmt.Sprint(len(p.Clusters)) + ` cụm`).MatchString(strings.Join(r, " ")) {
				t.Errorf("%s: the M5 line %q does not count out of %d clusters", what, strings.Join(r, " | "), len(p.Clusters))
			}
		}
	}
	if !found {
		t.Errorf("%s: the title sheet does not count %d clusters that reported their results", what, results)
	}
}

func genSheetNames(book map[string][][]string) []string {
	var out []string
	for s := range book {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func genValues(book map[string][][]string) [][][]string {
	var out [][][]string
	for _, rows := range book {
		out = append(out, rows)
	}
	return out
}

// genCheckFigures reads figures.parquet back: the period is 2023Q3, the
// clusters, communes, hamlets and topics are the plan's, and the planned
// figures follow the plan's quotas.
func genCheckFigures(t *testing.T, p *plan.Plan, path string) {
	t.Helper()
	_, _, rows := parquettest.ReadBack(t, path)
	if len(rows) == 0 {
		t.Error("figures.parquet is empty")
		return
	}
	topics := map[string]bool{}
	for _, tp := range p.Topics {
		topics[tp.Name] = true
	}
	type key struct {
		cluster int64
		measure string
	}
	perCluster := map[key]float64{}
	seenTopics := map[string]bool{}
	seenCommunes := map[string]bool{}
	for _, r := range rows {
		if r["period"] != "2023Q3" {
			t.Errorf("figure %v: period %v, want 2023Q3", r, r["period"])
			continue
		}
		cluster, _ := r["cluster"].(int64)
		if r["cluster"] != nil && p.Cluster(int(cluster)) == nil {
			t.Errorf("figure %v: cluster %d is not in the plan", r, cluster)
		}
		if code, ok := r["commune_code"].(string); ok {
			c := p.Commune(code)
			if c == nil || c.Cluster != int(cluster) {
				t.Errorf("figure %v: commune %s is not in cluster %d of the plan", r, code, cluster)
				continue
			}
			seenCommunes[code] = true
			if h, ok := r["hamlet"].(string); ok && !genHas(c.Hamlets, h) {
				t.Errorf("figure %v: %s is not a hamlet of %s", r, h, c.FullName())
			}
		}
		if tp, ok := r["topic"].(string); ok {
			seenTopics[tp] = true
			if !topics[tp] {
				t.Errorf("figure %v: topic %q is not in the plan", r, tp)
			}
		}
		v, _ := r["value"].(float64)
		switch r["measure"] {
		case "reps_planned":
			if v != float64(p.Quotas.HouseholdReps) {
				t.Errorf("figure %v: %v household representatives planned, want %d", r, v, p.Quotas.HouseholdReps)
			}
		case "delegates_planned":
			if v != float64(p.Quotas.CommuneDelegates) {
				t.Errorf("figure %v: %v delegates planned, want %d", r, v, p.Quotas.CommuneDelegates)
			}
		case "district_team", "attendance_planned":
			if r["commune_code"] == nil {
				perCluster[key{cluster, r["measure"].(string)}] = v
			}
		}
	}
	for _, cl := range p.Clusters {
		if got := perCluster[key{int64(cl.ID), "district_team"}]; got != float64(p.Quotas.DistrictTeam) {
			t.Errorf("%s: district_team %v, want %d", cl.Name, got, p.Quotas.DistrictTeam)
		}
		if got := perCluster[key{int64(cl.ID), "attendance_planned"}]; got != float64(cl.PlannedAttendance) {
			t.Errorf("%s: attendance_planned %v, want %d", cl.Name, got, cl.PlannedAttendance)
		}
	}
	if len(seenCommunes) != len(p.Communes()) {
		t.Errorf("figures for %d communes, want %d", len(seenCommunes), len(p.Communes()))
	}
	if len(seenTopics) != len(topics) {
		t.Errorf("figures for topics %v, want the plan's %d", seenTopics, len(topics))
	}
}

func genHas(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// genCheckFeedback checks that the feedback folder has one folder per
// commune of the plan, named after it, holding the feedback (.xlsx and
// .txt) of each of its submissions.
func genCheckFeedback(t *testing.T, p *plan.Plan, outbox string, ds *record.Dataset) {
	t.Helper()
	root := filepath.Join(outbox, "phan-hoi")
	var want []string
	for _, c := range p.Communes() {
		folder := feedback.CommuneFolder(p, c)
		want = append(want, folder)
		if !strings.Contains(folder, strings.ReplaceAll(vntext.Fold(c.Name), " ", "-")) {
			t.Errorf("feedback folder %q does not name %s", folder, c.FullName())
		}
	}
	genSameFiles(t, "feedback folders", root, want)
	for _, o := range ds.Submissions {
		for _, rel := range []string{feedback.RelPath(p, o), feedback.TextRelPath(p, o)} {
			if !strings.HasPrefix(rel, feedback.CommuneFolder(p, p.Commune(o.CommuneCode))+"/") {
				t.Errorf("feedback of %s goes to %s, not its commune's folder", o.Path, rel)
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
				t.Errorf("feedback of %s: %v", o.Path, err)
			}
		}
	}
	// The commune with the 9-digit phone is told so in its feedback.
	for _, f := range ds.Findings {
		if f.Code != validate.CodePhone {
			continue
		}
		for _, o := range ds.Submissions {
			if o.ID != f.SubmissionID {
				continue
			}
			b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(feedback.TextRelPath(p, o))))
			if err != nil || !strings.Contains(string(b), "điện thoại") {
				t.Errorf("feedback of %s does not explain the phone number (%v)", o.Path, err)
			}
		}
	}
}
