package extract_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/demo"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/schemas"
	"doithoai/stages/ingest"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

var faults = faultdoc.New("extracts", "Damaged or stale extracts (state/extracts)",
	"Each file's reading is kept in state/extracts as Arrow IPC files so that it is decoded and validated once: "+
		"its cells (what feedback shows) and its check (typed records and findings, validate.Check). "+
		"These are the extracts the tests damaged or made stale, and what the store did with them: "+
		"an extract that is not exactly right is never used; the file is read (or checked) again and the extract rewritten.")

func TestMain(m *testing.M) { os.Exit(faultdoc.Main(m, faults)) }

var quiet = slog.New(slog.DiscardHandler)

// inboxSubs describes every file under an inbox as ingest would.
func inboxSubs(t *testing.T, inbox string, at time.Time) []record.Submission {
	t.Helper()
	var rels []string
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(inbox, p)
		rels = append(rels, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(rels)
	var subs []record.Submission
	for i, rel := range rels {
		abs := filepath.Join(inbox, filepath.FromSlash(rel))
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		subs = append(subs, record.Submission{ID: hex.EncodeToString(sum[:]), Path: rel, Size: int64(len(b)), ReceivedAt: at,
			ArchivePath: abs, FolderHint: ingest.FolderHint(rel), Seq: int64(i + 1)})
	}
	return subs
}

// roundTrip reads every submission, stores it, loads it back and wants
// the very same workbook; it returns how many cells went through.
func roundTrip(t *testing.T, p *plan.Plan, subs []record.Submission) (files, cells int) {
	t.Helper()
	key, err := extract.Key("test-reader", p)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	st := extract.NewStore(state, key, quiet)
	st.Location = p.Location()
	r := &read.Reader{Plan: p, Logger: quiet}
	for _, sub := range subs {
		wb, err := r.Read(context.Background(), sub)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Load(sub); ok {
			t.Fatalf("%s: an extract before any was stored", sub.Path)
		}
		if err := st.Save(wb); err != nil {
			t.Fatalf("%s: %v", sub.Path, err)
		}
		// The same bytes received again later, at another time and
		// sequence: the current submission is attached on load.
		again := sub
		again.ReceivedAt, again.Seq, again.DuplicateOf = sub.ReceivedAt.Add(time.Hour), sub.Seq+1000, "x/earlier.xlsx"
		got, ok := st.Load(again)
		if !ok {
			t.Fatalf("%s: stored extract not loaded", sub.Path)
		}
		want := wb
		want.Submission = again
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the workbook loaded from its extract differs from the one read", sub.Path)
		}
		// The rows again by batch: every table's, then each table's alone.
		for table := -1; table < len(wb.Tables); table++ {
			eachRowsSame(t, st, again, table, wb)
		}
		// The check beside it: loaded without the rows, the records and
		// findings exactly as Check makes them for the current submission.
		if err := st.SaveChecked(wb, validate.Check(p, &wb)); err != nil {
			t.Fatalf("%s: %v", sub.Path, err)
		}
		hdr, rows, chk, ok := st.LoadChecked(again)
		if !ok {
			t.Fatalf("%s: stored check not loaded", sub.Path)
		}
		if !reflect.DeepEqual(hdr, record.HeaderOf(want)) || rows != process.TableRows([]record.Workbook{wb}) {
			t.Fatalf("%s: the checked extract's workbook differs from the one read (%d rows)", sub.Path, rows)
		}
		if !reflect.DeepEqual(chk, validate.Check(p, &want)) {
			t.Fatalf("%s: the check loaded differs from the check made", sub.Path)
		}
		files++
		for _, tb := range wb.Tables {
			for _, r := range tb.Rows {
				cells += len(r.Cells)
			}
		}
		if runtime.GOOS != "windows" {
			fi, err := os.Stat(st.Path(sub))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: extract mode %v, want 0600", sub.Path, fi.Mode().Perm())
			}
			for _, d := range []string{filepath.Dir(st.Path(sub)), filepath.Join(state, extract.Dir)} {
				if di, err := os.Stat(d); err != nil || di.Mode().Perm() != 0o700 {
					t.Errorf("extract folder %s: %v %v, want 0700", d, di.Mode().Perm(), err)
				}
			}
		}
	}
	return files, cells
}

func TestRoundTripSamples(t *testing.T) {
	set, p := sampleds.Open(t, "2022")
	subs, err := sampleds.Submissions(set, 0)
	if err != nil {
		t.Fatal(err)
	}
	files, cells := roundTrip(t, p, subs)
	if files == 0 || cells == 0 {
		t.Fatalf("round trip of %d files, %d cells: nothing tested", files, cells)
	}
	t.Logf("%d files, %d cells round-tripped exactly", files, cells)
}

func TestRoundTripDemo(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	files, cells := roundTrip(t, p, inboxSubs(t, filepath.Join(dir, "inbox"), demo.Moment(p)))
	if files == 0 || cells == 0 {
		t.Fatalf("round trip of %d files, %d cells: nothing tested", files, cells)
	}
}

// TestRoundTripEdges: values a reader rarely makes still come back as they
// were, and a value the format cannot hold exactly is refused, not
// stored approximately.
func TestRoundTripEdges(t *testing.T) {
	sub := record.Submission{ID: strings.Repeat("ab", 32), Path: "29956/M1.xlsx", FolderHint: "29956"}
	wb := record.Workbook{Submission: sub, Format: "xlsx", Form: record.FormM1, CommuneCode: "29956", Status: record.StatusAccepted,
		Findings: []record.Finding{{SubmissionID: sub.ID, Path: sub.Path, Code: "x", Severity: record.Warning, Row: 3, Value: ""}},
		Tables: []record.Table{
			{Sheet: "", HeaderRows: []int{}, Columns: nil, Unknown: []string{""}, Rows: []record.SourceRow{}},
			{Sheet: "Trang 1", HeaderRows: []int{4, 5}, NumberRow: 6, FooterRow: 99,
				Columns: []record.Column{{Field: "head_name", Col: 2, Letter: "B", Header: "Họ và tên"}},
				Rows: []record.SourceRow{
					record.RowOf(7),
					hidden(record.RowOf(8,
						record.Cell{Field: schemas.IDNote, Text: "Nguyễn Văn \xffBa", Col: 5, Ref: "E8", Encoding: "tcvn3"},
						record.Cell{Field: schemas.IDHeadName, Text: "", Col: 2, Ref: "B8"},
						record.Cell{Field: schemas.IDDate, Text: "44562", Num: 44562.75, IsDate: true, Col: 4, Ref: "D8"},
						record.Cell{Field: schemas.IDBirthYear, Text: "1970", Num: 1970, IsNum: true, Col: 3, Ref: "C8"},
					)),
					record.RowOf(8, record.Cell{Field: schemas.IDHeadName, Text: "same row number again", Col: 2, Ref: "B8"}),
				}},
		}}
	st := extract.NewStore(t.TempDir(), "k1", quiet)
	if err := st.Save(wb); err != nil {
		t.Fatal(err)
	}
	got, ok := st.Load(sub)
	if !ok || !reflect.DeepEqual(got, wb) {
		t.Fatalf("edge workbook did not round-trip:\n got %+v\nwant %+v", got, wb)
	}
	bad := wb
	bad.Title = "UBND \xff" // JSON metadata would change it
	if err := st.Save(bad); !errors.Is(err, extract.ErrNotExact) {
		t.Errorf("a workbook that cannot round-trip: Save = %v, want ErrNotExact", err)
	}
	// Cells that break record.Cells' order (built by hand, not by Set)
	// are refused, never stored in a shape Load would not give back.
	for name, cells := range map[string]record.Cells{
		"no field":     {{Text: "x", Col: 2}},
		"out of order": {{Field: schemas.IDNote, Col: 5}, {Field: schemas.IDHeadName, Col: 2}},
		"twice":        {{Field: schemas.IDNote, Col: 5}, {Field: schemas.IDNote, Col: 6}},
	} {
		bad := wb
		bad.Tables = []record.Table{{Sheet: "S", Rows: []record.SourceRow{{Row: 9, Cells: cells}}}}
		if err := st.Save(bad); err == nil {
			t.Errorf("cells %s: Save stored them", name)
		}
	}
}

func hidden(r record.SourceRow) record.SourceRow {
	r.Hidden = true
	return r
}

// TestDamagedExtracts: a damaged or stale extract is a miss (the caller
// reads the file again), never a wrong workbook and never a panic; saving
// again repairs it.
func TestDamagedExtracts(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var sub record.Submission
	for _, s := range inboxSubs(t, filepath.Join(dir, "inbox"), demo.Moment(p)) {
		if strings.HasSuffix(s.Path, ".xlsx") {
			sub = s
			break
		}
	}
	wb, err := (&read.Reader{Plan: p, Logger: quiet}).Read(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	key, err := extract.Key("test-reader", p)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	st := extract.NewStore(state, key, quiet)
	if err := st.Save(wb); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.Path(sub))
	if err != nil {
		t.Fatal(err)
	}
	refined, err := plan.Parse(append(p.Source(), []byte("\n# refined\n")...), "refined.yaml")
	if err != nil {
		t.Fatal(err)
	}
	refinedKey, _ := extract.Key("test-reader", refined)
	otherReaderKey, _ := extract.Key("other-reader", p)
	moved := sub
	moved.Path, moved.FolderHint = "Thuong Phuoc 2/"+filepath.Base(sub.Path), "Thuong Phuoc 2"

	cases := []struct {
		fault  string
		damage func() // done to the stored extract
		store  *extract.Store
		sub    record.Submission
	}{
		{fault: "extract missing (folder deleted)", damage: func() { os.RemoveAll(filepath.Join(state, extract.Dir)) }},
		{fault: "extract truncated to half", damage: func() { os.WriteFile(st.Path(sub), good[:len(good)/2], 0o600) }},
		{fault: "extract truncated by its last byte", damage: func() { os.WriteFile(st.Path(sub), good[:len(good)-1], 0o600) }},
		{fault: "extract empty (0 bytes)", damage: func() { os.WriteFile(st.Path(sub), nil, 0o600) }},
		{fault: "extract replaced by garbage", damage: func() { os.WriteFile(st.Path(sub), []byte(strings.Repeat("garbage ", 500)), 0o600) }},
		{fault: "extract with bytes flipped in the middle", damage: func() {
			b := append([]byte(nil), good...)
			for i := len(b) / 3; i < len(b)/3+64 && i < len(b); i++ {
				b[i] ^= 0x5a
			}
			os.WriteFile(st.Path(sub), b, 0o600)
		}},
		{fault: "extract with one byte of a cell's text changed", damage: func() {
			b := append([]byte(nil), good...)
			i := bytes.Index(b, []byte(longestText(wb)))
			if i < 0 {
				t.Fatal("no cell text found in the extract")
			}
			b[i] ^= 0x01
			os.WriteFile(st.Path(sub), b, 0o600)
		}},
		{fault: "extract of another file's bytes put in its place", damage: func() {
			other := wb
			other.Submission.ID = strings.Repeat("cd", 32)
			o := extract.NewStore(t.TempDir(), key, quiet)
			if err := o.Save(other); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(o.Path(other.Submission))
			os.WriteFile(st.Path(sub), b, 0o600)
		}},
		{fault: "reader version or limits changed (another reader key)", store: extract.NewStore(state, otherReaderKey, quiet)},
		{fault: "plan refined (another plan source)", store: extract.NewStore(state, refinedKey, quiet)},
		{fault: "same bytes under another path and folder", sub: moved},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			if err := os.WriteFile(st.Path(sub), good, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			if err := st.Save(wb); err != nil { // restore
				t.Fatal(err)
			}
			if c.damage != nil {
				c.damage()
			}
			use, s := st, sub
			if c.store != nil {
				use = c.store
			}
			if c.sub.ID != "" {
				s = c.sub
			}
			_, hit := use.Load(s)
			want := wb
			want.Submission = s
			if c.sub.ID != "" {
				if want, err = (&read.Reader{Plan: p, Logger: quiet}).Read(context.Background(), s); err != nil {
					t.Fatal(err)
				}
			}
			// The caller reads again and stores: the next load is a hit
			// with exactly what the reader made.
			saveErr := use.Save(want)
			back, again := use.Load(s)
			ok := !hit && saveErr == nil && again && reflect.DeepEqual(back, want)
			faults.Record(t, faultdoc.Case{
				Fault:    c.fault,
				Expected: "not used (a miss); the file is read again and the extract rewritten",
				Outcome:  outcome(hit, saveErr, again && reflect.DeepEqual(back, want)),
				Pass:     ok,
			})
		})
	}
}

// longestText is the longest cell text of wb.
func longestText(wb record.Workbook) string {
	best := ""
	for _, tb := range wb.Tables {
		for _, r := range tb.Rows {
			for _, c := range r.Cells {
				if len(c.Text) > len(best) {
					best = c.Text
				}
			}
		}
	}
	return best
}

func outcome(hit bool, saveErr error, repaired bool) string {
	if hit {
		return "the damaged extract was used"
	}
	if saveErr != nil {
		return fmt.Sprintf("ignored, but rewriting it failed: %v", saveErr)
	}
	if !repaired {
		return "ignored, but the rewritten extract does not load exactly"
	}
	return "ignored (no panic, no error); rewritten, and loaded back exactly as read"
}

// TestPrune: storing under a new key removes the submission's extracts of
// older keys.
func TestPrune(t *testing.T) {
	state := t.TempDir()
	sub := record.Submission{ID: strings.Repeat("ef", 32), Path: "a.csv"}
	wb := record.Workbook{Submission: sub, Format: "csv", Status: record.StatusRejected, Reason: record.ReasonEmpty}
	old := extract.NewStore(state, "old", quiet)
	if err := old.Save(wb); err != nil {
		t.Fatal(err)
	}
	if err := extract.NewStore(state, "new", quiet).Save(wb); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old.Path(sub)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the old key's extract is still there: %v", err)
	}
	if p := old.Path(record.Submission{ID: "../../etc", Path: "x"}); p != "" {
		t.Errorf("a submission ID that is not a hash gets a path: %s", p)
	}
}

// TestRoundTripSmallBatches: with record batches of a few rows, so that
// every file is many batches and rows meet batch ends everywhere, the
// extracts still come back exactly.
func TestRoundTripSmallBatches(t *testing.T) {
	keep := extract.BatchRows
	defer func() { extract.BatchRows = keep }()
	extract.BatchRows = 5
	p := plan.Default()
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 11}); err != nil {
		t.Fatal(err)
	}
	files, cells := roundTrip(t, p, inboxSubs(t, filepath.Join(dir, "inbox"), demo.Moment(p)))
	if files == 0 || cells == 0 {
		t.Fatalf("round trip of %d files, %d cells: nothing tested", files, cells)
	}
}

// eachRowsSame checks that Store.EachRows yields the rows of table (-1:
// every table) of wb, in order, each batch's rows of one table.
func eachRowsSame(t *testing.T, st *extract.Store, sub record.Submission, table int, wb record.Workbook) {
	t.Helper()
	got := make([][]record.SourceRow, len(wb.Tables))
	ok, err := st.EachRows(sub, table, func(ti int, rows []record.SourceRow) error {
		if table >= 0 && ti != table || len(rows) == 0 {
			return fmt.Errorf("rows of table %d (%d) yielded for table %d", ti, len(rows), table)
		}
		for _, r := range rows {
			r.Cells = append([]record.Cell(nil), r.Cells...) // valid only during the call
			got[ti] = append(got[ti], r)
		}
		return nil
	})
	if !ok || err != nil {
		t.Fatalf("%s: EachRows(%d): %v %v", sub.Path, table, ok, err)
	}
	for ti, tb := range wb.Tables {
		want := tb.Rows
		if table >= 0 && ti != table {
			want = nil
		}
		if len(got[ti]) != len(want) {
			t.Fatalf("%s: EachRows(%d): table %d: %d rows, want %d", sub.Path, table, ti, len(got[ti]), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[ti][i], want[i]) {
				t.Fatalf("%s: EachRows(%d): table %d row %d: %+v, want %+v", sub.Path, table, ti, i, got[ti][i], want[i])
			}
		}
	}
}
