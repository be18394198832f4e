package quarterly_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/clock"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/ingest"
	"doithoai/stages/report/lists"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/report/quarterly/xl/fixture"
)

// stagesRun runs ingest, read, validate, dedupe and aggregate as the
// pipeline does, then this package and the lists, with the ledger as the
// Emitter. It returns the dataset and the paths written.
func stagesRun(t *testing.T, p *plan.Plan, led *ledger.Ledger, inbox, state, outbox string, now time.Time) (*record.Dataset, []string) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ing, err := ingest.Run(ctx, led, ingest.Config{Inbox: inbox, State: state, Clock: clock.Fixed(now), Real: clock.Real{}, Logger: log})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	wbs, err := sampleds.Read(ctx, p, ing.All)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := sampleds.Stages(ctx, p, wbs, now)
	if err != nil {
		t.Fatal(err)
	}
	q, err := quarterly.Write(ctx, quarterly.Config{Dir: filepath.Join(outbox, "bao-cao"), Plan: p, Now: now, Emitter: led}, ds)
	if err != nil {
		t.Fatalf("quarterly: %v", err)
	}
	l, err := lists.Write(ctx, lists.Config{Outbox: outbox, AttendanceDir: "danh-sach-tham-du", QuestionsDir: "cau-hoi-co-quan", Plan: p, Now: now}, ds)
	if err != nil {
		t.Fatalf("lists: %v", err)
	}
	return ds, append(q, l...)
}

// TestSampleReplay replays ../shared/samples/2022 batch by batch and checks
// the figures of the written report against truth.json.
func TestSampleReplay(t *testing.T) {
	set, p := sampleds.Open(t, "2022")
	work := t.TempDir()
	if d := os.Getenv("DOITHOAI_REPLAY_DIR"); d != "" {
		work = d // keep the outbox to look at (an empty folder is expected)
	}
	inbox, state, outbox := filepath.Join(work, "inbox"), filepath.Join(work, "state"), filepath.Join(work, "outbox")
	for _, d := range []string{inbox, state, outbox} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	led, err := ledger.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer led.Close()
	var ds *record.Dataset
	var last time.Time
	for _, b := range set.Batches {
		if err := set.CopyBatch(b.Batch, inbox); err != nil {
			t.Fatal(err)
		}
		ds, _ = stagesRun(t, p, led, inbox, state, outbox, b.At)
		last = b.At
	}
	draft := filepath.Join(outbox, "bao-cao", quarterly.FileName(set.Aggregates.Period, true))
	f, err := excelize.OpenFile(draft)
	if err != nil {
		t.Fatalf("the draft after the last batch (%s): %v", last, err)
	}
	defer f.Close()
	cells, err := fixture.Cells(f)
	if err != nil {
		t.Fatal(err)
	}
	checkTruth(t, p, set, cells)
	checkNoSourceIDs(t, ds, cells)

	// The attendance lists hold each cluster's counted representatives.
	for _, c := range set.Aggregates.Clusters {
		id := num(c["cluster"])
		path := filepath.Join(outbox, "danh-sach-tham-du", lists.AttendanceFile(id))
		af, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ac, _ := fixture.Cells(af)
		af.Close()
		want := fmt.Sprintf("IV. ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO (%d người)", num(c["reps_counted"]))
		if fixture.Find(ac[lists.SheetAttendance], want) == "" {
			t.Errorf("cluster %d attendance list: no %q", id, want)
		}
		want = fmt.Sprintf("II. ĐẠI BIỂU CẤP XÃ (%d người)", num(c["delegates_present"]))
		if fixture.Find(ac[lists.SheetAttendance], want) == "" {
			t.Errorf("cluster %d attendance list: no %q", id, want)
		}
		checkNoSourceIDs(t, ds, ac[lists.SheetAttendance])
	}

	// After the quarter: the final report once, then kept.
	final := filepath.Join(outbox, "bao-cao", quarterly.FileName(set.Aggregates.Period, false))
	_, paths := stagesRun(t, p, led, inbox, state, outbox, last.AddDate(0, 1, 0))
	if !contains(paths, final) {
		t.Fatalf("first run after the quarter did not write %s: %v", final, paths)
	}
	if at, ok, err := led.Emitted(context.Background(), quarterly.Kind, set.Aggregates.Period); err != nil || !ok || at != final {
		t.Errorf("ledger: %q %v %v", at, ok, err)
	}
	before, _ := os.ReadFile(final)
	_, paths = stagesRun(t, p, led, inbox, state, outbox, last.AddDate(0, 2, 0))
	after, _ := os.ReadFile(final)
	if contains(paths, final) || string(before) != string(after) {
		t.Error("the final report was rewritten")
	}
	if _, err := os.Stat(draft); err == nil {
		t.Error("the draft is still there after the final report")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	}
	return 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// rowsBy indexes a sheet's rows by the text of some columns.
func rowsBy(cells map[string]string, cols ...string) map[string]int {
	out := map[string]int{}
	maxRow := 0
	for ref := range cells {
		_, r, _ := excelize.CellNameToCoordinates(ref)
		maxRow = max(maxRow, r)
	}
	for r := 1; r <= maxRow; r++ {
		var key []string
		for _, c := range cols {
			key = append(key, cells[c+strconv.Itoa(r)])
		}
		k := strings.Join(key, "|")
		if _, ok := out[k]; !ok {
			out[k] = r
		}
	}
	return out
}

func checkTruth(t *testing.T, p *plan.Plan, set *truth.Set, cells map[string]map[string]string) {
	t.Helper()
	agree, total := 0, 0
	cmpCell := func(what string, sheet map[string]string, ref string, want int) {
		total++
		if got := sheet[ref]; got != strconv.Itoa(want) {
			t.Errorf("%s: %s = %q, want %d", what, ref, got, want)
			return
		}
		agree++
	}
	cl := cells[quarterly.SheetClusters]
	byCluster := rowsBy(cl, "B")
	for _, c := range set.Aggregates.Clusters {
		id := num(c["cluster"])
		r, ok := byCluster[p.Cluster(id).Name]
		if !ok {
			t.Errorf("cluster %d: no row", id)
			continue
		}
		rs := strconv.Itoa(r)
		what := fmt.Sprintf("cluster %d", id)
		cmpCell(what+" attendance_planned", cl, "F"+rs, num(c["attendance_planned"]))
		cmpCell(what+" district_team", cl, "G"+rs, num(c["district_team"]))
		cmpCell(what+" delegates_present", cl, "H"+rs, num(c["delegates_present"]))
		cmpCell(what+" heads_present", cl, "I"+rs, num(c["heads_present"]))
		cmpCell(what+" reps_counted", cl, "J"+rs, num(c["reps_counted"]))
		cmpCell(what+" attendance_expected", cl, "K"+rs, num(c["attendance_expected"]))
		if d := str(c["dialogue_date"]); d != "" {
			tm, _ := time.Parse("2006-01-02", d)
			total++
			if got := cl["D"+rs]; got != tm.Format("02/01/2006") {
				t.Errorf("%s dialogue date %q, want %s", what, got, d)
			} else {
				agree++
			}
		}
	}
	hm := cells[quarterly.SheetHamlets]
	byHamlet := rowsBy(hm, "C", "D")
	for _, h := range set.Aggregates.Hamlets {
		c := p.Commune(str(h["commune_code"]))
		key := c.FullName() + "|" + str(h["hamlet"])
		r, ok := byHamlet[key]
		if !ok {
			t.Errorf("hamlet %s: no row", key)
			continue
		}
		rs := strconv.Itoa(r)
		for col, m := range map[string]string{"E": "reps_planned", "F": "reps_registered", "G": "reps_eligible", "H": "reps_counted", "K": "heads_planned", "L": "heads_present"} {
			cmpCell(key+" "+m, hm, col+rs, num(h[m]))
		}
	}
	cm := cells[quarterly.SheetCommunes]
	byCommune := rowsBy(cm, "D")
	for _, c := range set.Aggregates.Communes {
		code := str(c["commune_code"])
		r, ok := byCommune[code]
		if !ok {
			t.Errorf("commune %s: no row", code)
			continue
		}
		rs := strconv.Itoa(r)
		cmpCell(code+" delegates_planned", cm, "E"+rs, num(c["delegates_planned"]))
		cmpCell(code+" delegates_present", cm, "F"+rs, num(c["delegates_present"]))
		cmpCell(code+" heads_present", cm, "H"+rs, num(c["heads_present"]))
		cmpCell(code+" reps_counted", cm, "L"+rs, num(c["reps_counted"]))
	}
	tp := cells[quarterly.SheetTopics]
	byTopic := rowsBy(tp, "B", "C")
	for _, o := range set.Aggregates.Opinions {
		key := p.Cluster(num(o["cluster"])).Name + "|" + str(o["topic"])
		r, ok := byTopic[key]
		if !ok {
			t.Errorf("topic %s: no row", key)
			continue
		}
		rs := strconv.Itoa(r)
		total++
		if tp["D"+rs] != str(o["agency"]) {
			t.Errorf("%s agency %q, want %q", key, tp["D"+rs], str(o["agency"]))
		} else {
			agree++
		}
		cmpCell(key+" opinions", tp, "E"+rs, num(o["opinions"]))
		cmpCell(key+" opinions_late", tp, "F"+rs, num(o["opinions_late"]))
	}
	sub := cells[quarterly.SheetSubmissions]
	bySub := rowsBy(sub, "C")
	formCol := map[string]string{"KH": "D", "M1": "E", "M2": "F", "M3": "G", "M4": "H", "M5": "I"}
	for _, tl := range set.Aggregates.Timeliness {
		c := p.Commune(str(tl["commune_code"]))
		r, ok := bySub[c.FullName()]
		if !ok {
			t.Errorf("timeliness %s: no row", c.FullName())
			continue
		}
		got := sub[formCol[str(tl["form"])]+strconv.Itoa(r)]
		want := "Chưa nộp"
		if at := str(tl["received_at"]); at != "" {
			tm, _ := time.Parse(time.RFC3339, at)
			want = tm.In(p.Location()).Format("02/01")
			if ot, ok := tl["on_time"].(bool); ok && !ot {
				want = "Trễ (" + want + ")"
			}
		}
		total++
		if got != want {
			t.Errorf("timeliness %s %s = %q, want %q", c.FullName(), str(tl["form"]), got, want)
		} else {
			agree++
		}
	}
	t.Logf("report cells agreeing with truth.json: %d of %d", agree, total)
}

// checkNoSourceIDs: no citizen ID or phone of the dataset appears in full.
func checkNoSourceIDs(t *testing.T, ds *record.Dataset, sheets any) {
	t.Helper()
	secret := map[string]bool{}
	add := func(s string) {
		if len(s) >= 9 {
			secret[s] = true
		}
	}
	for _, h := range ds.Households {
		add(h.CitizenID)
	}
	for _, r := range ds.Registrations {
		add(r.CitizenID)
		add(r.Phone)
	}
	for _, d := range ds.Delegates {
		add(d.Phone)
	}
	scan := func(where string, cells map[string]string) {
		for ref, v := range cells {
			for s := range secret {
				if strings.Contains(v, s) {
					t.Errorf("%s!%s shows %s in full", where, ref, s)
				}
			}
		}
	}
	switch x := sheets.(type) {
	case map[string]map[string]string:
		for sh, c := range x {
			scan(sh, c)
		}
	case map[string]string:
		scan("sheet", x)
	}
}
