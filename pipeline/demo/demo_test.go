package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/dedupe"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

// readInbox reads every inbox file as the pipeline would in one run at the
// moment: receipt in path order, all received at now.
func readInbox(t *testing.T, p *plan.Plan, inbox string, now time.Time) []record.Workbook {
	t.Helper()
	var rels []string
	err := filepath.WalkDir(inbox, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(inbox, path)
			rels = append(rels, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(rels)
	r := read.Reader{Plan: p}
	var wbs []record.Workbook
	for i, rel := range rels {
		abs := filepath.Join(inbox, filepath.FromSlash(rel))
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		folder := ""
		if j := strings.Index(rel, "/"); j >= 0 {
			folder = rel[:j]
		}
		sub := record.Submission{ID: hex.EncodeToString(sum[:]), Path: rel, Size: int64(len(b)), ReceivedAt: now,
			ArchivePath: abs, FolderHint: folder, Seq: int64(i + 1)}
		wb, err := r.Read(context.Background(), sub)
		if err != nil {
			t.Fatal(err)
		}
		wbs = append(wbs, wb)
	}
	return wbs
}

func TestGenerate(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	opt := Options{Seed: 2022}
	files, err := Generate(p, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := newWorkspace(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	now := Moment(p)
	if got := now.Format(time.RFC3339); got != "2022-05-20T09:00:00+07:00" {
		t.Errorf("moment %s", got)
	}
	wbs := readInbox(t, p, filepath.Join(dir, "inbox"), now)
	if len(wbs) != len(files) {
		t.Fatalf("%d files in the inbox, Generate returned %d", len(wbs), len(files))
	}

	// Every commune has its folder, its plan and forms M1–M4; the hosts of
	// the clusters already held have M5.
	forms := map[string]map[record.Form]int{}
	for _, wb := range wbs {
		if wb.Status != record.StatusAccepted {
			t.Errorf("%s: %s (%s) %+v", wb.Submission.Path, wb.Status, wb.Reason, wb.Findings)
			continue
		}
		if wb.Form == record.FormKH {
			if !strings.HasSuffix(wb.Submission.Path, ".docx") {
				t.Errorf("%s: plan document is not .docx", wb.Submission.Path)
			}
		} else if c := p.Commune(wb.CommuneCode); c == nil || wb.HeaderName != "UBND "+strings.ToUpper(c.FullName()) {
			t.Errorf("%s: header %q for commune %s", wb.Submission.Path, wb.HeaderName, wb.CommuneCode)
		}
		if forms[wb.CommuneCode] == nil {
			forms[wb.CommuneCode] = map[record.Form]int{}
		}
		forms[wb.CommuneCode][wb.Form]++
		for _, f := range wb.Findings {
			t.Errorf("%s: reader finding %s: %s", wb.Submission.Path, f.Code, f.Message)
		}
	}
	held := 0
	for _, cl := range p.Clusters {
		for _, c := range cl.Communes {
			want := map[record.Form]int{record.FormKH: 1, record.FormM1: 1, record.FormM2: 1, record.FormM3: 1, record.FormM4: 1}
			if ws.held(cl.ID) && c.Code == cl.Host {
				want[record.FormM5] = 1
				held++
			}
			if fmt.Sprint(forms[c.Code]) != fmt.Sprint(want) {
				t.Errorf("%s: forms %v, want %v", c.FullName(), forms[c.Code], want)
			}
		}
	}
	if held != 2 {
		t.Errorf("%d clusters held their dialogue by %s, want 2 (assumed dates %v)", held, now, ws.dates)
	}

	ds, err := process.Stages(context.Background(), p, wbs, now)
	if err != nil {
		t.Fatal(err)
	}

	// The findings are exactly the planted ones, plus the commune plans
	// received after their deadline (the demo delivers everything at once).
	type key struct{ path, code, value string }
	want := map[key]int{}
	kinds := map[string]bool{}
	for _, m := range ws.mistakes {
		kinds[m.kind] = true
		for _, e := range m.expect {
			want[key{e.path, e.code, e.value}]++
		}
	}
	for _, k := range []string{mistakeZeroLost, mistakePhone9, mistakeUnknownHamlet, mistakeHusbandWife, mistakeNeighbour, mistakeNoDiacritics} {
		if !kinds[k] {
			t.Errorf("mistake %s was not planted", k)
		}
	}
	for _, wb := range wbs {
		if wb.Form == record.FormKH {
			want[key{wb.Submission.Path, validate.CodeLate, "09:00 ngày 20/05/2022"}]++
		}
	}
	got := map[key]int{}
	for _, f := range ds.Findings {
		got[key{f.Path, f.Code, f.Value}]++
		sev := record.Warning
		if f.Code == validate.CodePhone || f.Code == validate.CodeUnknownHamlet {
			sev = record.Error
		}
		if f.Severity != sev {
			t.Errorf("%s: %s has severity %s", f.Path, f.Code, f.Severity)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("expected finding %+v: got %d, want %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("unexpected finding %+v ×%d", k, n)
		}
	}
	if t.Failed() {
		for _, f := range ds.Findings {
			t.Logf("%s %s %s: %s", f.Severity, f.Code, f.Path, f.Message)
		}
	}

	// Only the planted rows are invalid or ineligible; the unaccented
	// registration still joins its household.
	invalid := 0
	for _, h := range ds.Households {
		if !h.Valid {
			invalid++
		}
	}
	for _, g := range ds.Registrations {
		if !g.Valid {
			invalid++
		}
	}
	for _, d := range ds.Delegates {
		if !d.Valid {
			invalid++
		}
	}
	if invalid != 2 {
		t.Errorf("%d invalid rows, want 2 (the 9-digit phone and the unknown hamlet)", invalid)
	}
	ineligible := 0
	for _, g := range ds.Registrations {
		if g.Valid && !g.Eligible {
			ineligible++
		}
	}
	if ineligible != 1 {
		t.Errorf("%d valid registrations are ineligible, want 1 (the neighbouring commune's)", ineligible)
	}
	for _, m := range ws.mistakes {
		if m.kind != mistakeNoDiacritics {
			continue
		}
		groups := map[string]bool{}
		for _, h := range ds.Households {
			if h.CommuneCode == m.commune && h.HouseholdCode == m.code {
				groups[h.HouseholdGroup] = true
			}
		}
		for _, g := range ds.Registrations {
			if g.CommuneCode == m.commune && g.HouseholdCode == m.code {
				if g.HeadName != stripDiacritics(g.HeadName) || !g.Eligible {
					t.Errorf("unaccented registration %+v", g)
				}
				groups[g.HouseholdGroup] = true
			}
		}
		if len(groups) != 1 {
			t.Errorf("the unaccented registration is not grouped with its household: %v", groups)
		}
	}
	if len(ds.Results) != held || len(ds.Opinions) == 0 || len(ds.Delegates) == 0 {
		t.Errorf("%d results, %d opinions, %d delegates", len(ds.Results), len(ds.Opinions), len(ds.Delegates))
	}
	for _, r := range ds.Results {
		if !r.Valid || r.Date.After(now) || r.Answered+r.Forwarded > r.Opinions {
			t.Errorf("result %+v", r)
		}
	}

	readme, err := os.ReadFile(filepath.Join(dir, ReadmeName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ws.mistakes {
		if !bytes.Contains(readme, []byte(m.text)) {
			t.Errorf("the README does not explain %s", m.kind)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	p := plan.Default()
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	fa, err := Generate(p, a, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	fb, err := Generate(p, b, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	fc, err := Generate(p, c, Options{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(fa) != len(fb) {
		t.Fatalf("%d and %d files", len(fa), len(fb))
	}
	differs := 0
	for i := range fa {
		ra, _ := filepath.Rel(a, fa[i])
		rb, _ := filepath.Rel(b, fb[i])
		if ra != rb {
			t.Fatalf("file %d: %s and %s", i, ra, rb)
		}
		ba, _ := os.ReadFile(fa[i])
		bb, _ := os.ReadFile(fb[i])
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two runs with the same seed", ra)
		}
		if i < len(fc) {
			bc, _ := os.ReadFile(fc[i])
			if !bytes.Equal(ba, bc) {
				differs++
			}
		}
	}
	if differs == 0 {
		t.Error("another seed gave the same files")
	}
	ra, _ := os.ReadFile(filepath.Join(a, ReadmeName))
	rb, _ := os.ReadFile(filepath.Join(b, ReadmeName))
	if !bytes.Equal(ra, rb) {
		t.Error("the README differs between two runs with the same seed")
	}
}

// TestGenerateOtherSeeds checks that the planted mistakes are the only
// errors whatever the seed.
func TestGenerateOtherSeeds(t *testing.T) {
	p := plan.Default()
	for _, seed := range []int64{1, 99, 123456} {
		dir := t.TempDir()
		if _, err := Generate(p, dir, Options{Seed: seed}); err != nil {
			t.Fatal(err)
		}
		now := Moment(p)
		wbs := readInbox(t, p, filepath.Join(dir, "inbox"), now)
		ds, err := process.Stages(context.Background(), p, wbs, now)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, f := range ds.Findings {
			count[f.Code]++
		}
		want := map[string]int{validate.CodeLate: len(p.Communes()), validate.CodeIDZeroRestored: 1, validate.CodePhone: 1,
			validate.CodeUnknownHamlet: 1, dedupe.CodeDuplicateRegistration: 2, dedupe.CodeNotOnRoster: 1}
		if fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("seed %d: findings %v, want %v", seed, count, want)
			for _, f := range ds.Findings {
				if f.Code != validate.CodeLate {
					t.Logf("%s %s: %s", f.Code, f.Path, f.Message)
				}
			}
		}
		if len(ds.Borderline) != 0 {
			t.Logf("seed %d: %d borderline pairs", seed, len(ds.Borderline))
		}
	}
}

// TestGenerateWithDialogueDates uses a plan whose dates are known: the
// demo takes them, and only clusters met before the moment report M5.
func TestGenerateWithDialogueDates(t *testing.T) {
	p := plan.Default()
	for i, d := range []int{24, 26, 7, 9} {
		m := time.May
		if i >= 2 {
			m = time.June
		}
		p.Clusters[i].DialogueDate = plan.Date{Y: 2022, M: m, D: d, Set: true}
	}
	dir := t.TempDir()
	now := time.Date(2022, time.May, 25, 9, 0, 0, 0, p.Location())
	files, err := Generate(p, dir, Options{Seed: 3, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var m5 []string
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "Ket qua") {
			m5 = append(m5, filepath.Base(f))
		}
	}
	if fmt.Sprint(m5) != "[Ket qua doi thoai cum 1.xlsx]" {
		t.Errorf("M5 files %v", m5)
	}
	wbs := readInbox(t, p, filepath.Join(dir, "inbox"), now)
	ds, err := validate.Validate(context.Background(), p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ds.Opinions {
		if d, _ := p.OpinionDeadline(o.Cluster); o.ReceivedOn.After(d) {
			t.Errorf("opinion received %s after the deadline %s of cluster %d", o.ReceivedOn, d, o.Cluster)
		}
	}
	for _, r := range ds.Results {
		if !r.Date.Equal(p.Clusters[0].DialogueDate.In(p.Location())) {
			t.Errorf("result dated %s", r.Date)
		}
	}
}

// TestGenerateOtherPlan uses the fictional 2023 plan of another district
// (quarter III, tổ and khóm, hamlets with letters, other quotas and
// topics): the dates come from the plan, hamlet heads of a "Tổ" are
// "Trưởng tổ", the planted unknown hamlet is a "Tổ" too, and the opinions
// of a vocational topic are about vocations.
func TestGenerateOtherPlan(t *testing.T) {
	p, err := plan.Load(filepath.Join("..", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Moment(p).Format(time.RFC3339); got != "2023-08-20T09:00:00+07:00" {
		t.Errorf("moment %s", got)
	}
	ws, err := newWorkspace(p, Options{Seed: 5, Year: p.Year})
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range p.Clusters {
		if !ws.dates[cl.ID].Equal(cl.DialogueDate.In(p.Location())) || ws.assumed[cl.ID] {
			t.Errorf("%s: demo date %s, plan %s", cl.Name, ws.dates[cl.ID], cl.DialogueDate)
		}
	}
	heads := 0
	for _, cm := range ws.communes {
		for _, d := range cm.delegates {
			if strings.HasPrefix(d.hamlet, "Tổ ") {
				heads++
				if !d.planted && d.position != "Trưởng tổ" {
					t.Errorf("head of %s is %q", d.hamlet, d.position)
				}
			}
		}
		for _, o := range cm.opinions {
			if o.topic == "Việc làm, giáo dục nghề nghiệp" && strings.Contains(o.content, "học phí") {
				t.Errorf("a vocational opinion about school fees: %q", o.content)
			}
		}
	}
	if heads == 0 {
		t.Error("no head of a tổ")
	}
	for _, m := range ws.mistakes {
		if m.kind == mistakeUnknownHamlet && !strings.Contains(m.text, "trưởng tổ") {
			t.Errorf("unknown hamlet mistake: %s", m.text)
		}
	}
	if got := hamletWord("Ấp Tô Châu"); got != "ấp" {
		t.Errorf("hamletWord(Ấp Tô Châu) = %q", got)
	}
}

// TestReadmeTimeliness: the README says the communes' plans are late or on
// time as the plan's deadline rule judges them at the demo's moment.
func TestReadmeTimeliness(t *testing.T) {
	p := plan.Default()
	deadline, ok := p.CommunePlanDeadline()
	if !ok {
		t.Fatal("the embedded plan has no commune plan deadline")
	}
	for _, tt := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"default moment", time.Time{}, "được ghi nhận là nộp trễ hạn."},
		{"deadline day, last minute", deadline.Add(24*time.Hour - time.Minute), "được ghi nhận là nộp đúng hạn."},
		{"the next day", deadline.Add(24 * time.Hour), "được ghi nhận là nộp trễ hạn."},
	} {
		dir := t.TempDir()
		if _, err := Generate(p, dir, Options{Seed: 3, Now: tt.now}); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		readme, err := os.ReadFile(filepath.Join(dir, ReadmeName))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, []byte(tt.want)) {
			t.Errorf("%s: the README does not say %q", tt.name, tt.want)
		}
	}
}
