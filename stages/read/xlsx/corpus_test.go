package xlsx

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/truth"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// decodeGuarded decodes with a deadline, so one bad file cannot stall the
// suite.
func decodeGuarded(t *testing.T, path string, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	return readtest.DecodeWithin(t, Decode, path, lim, 20*time.Second)
}

// fold normalises text for comparison with truth values: NFC, single
// spaces, trimmed.
func fold(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

var (
	idWithZero = regexp.MustCompile(`^0\d{8,11}$`)
	stateVis   = map[string]grid.Visibility{"visible": grid.Visible, "hidden": grid.Hidden, "veryHidden": grid.VeryHidden}
)

// TestInboxSamples decodes every workbook of the sample inbox and checks
// it against truth.json: rejected files get their code, the others give
// the sheets, states and data rows the truth lists, with raw values intact
// (IDs typed as numbers in plain digits, birth dates as date cells, text
// that looks like a formula kept as text).
func TestInboxSamples(t *testing.T) {
	base, set := readtest.SampleSet(t, "2022")
	inbox := filepath.Join(base, "inbox")
	files := map[string]readtest.TruthFile{}
	for _, f := range set.Files {
		files[f.Path] = f
	}
	decoded := map[string]*grid.Workbook{}
	count := 0
	err := filepath.WalkDir(inbox, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isWorkbookExt(p, ".xlsx", ".xlsm") {
			return err
		}
		rel, _ := filepath.Rel(inbox, p)
		rel = filepath.ToSlash(rel)
		count++
		tf, known := files[rel]
		wb, err := decodeGuarded(t, p, grid.DefaultLimits)
		switch {
		case strings.HasPrefix(filepath.Base(p), "~$"):
			// An Office owner/lock file: a few bytes naming the user.
			if problemCode(err) != grid.CodeCorrupt {
				t.Errorf("%s: lock file gave %v, want corrupt", rel, err)
			}
		case known && tf.Reason != nil && *tf.Reason == "corrupt":
			if problemCode(err) != grid.CodeCorrupt {
				t.Errorf("%s: got %v, want corrupt", rel, err)
			}
		case err != nil:
			t.Errorf("%s: %v", rel, err)
		default:
			decoded[rel] = wb
			if known {
				checkTruthFile(t, rel, tf, wb)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count == 0 {
		t.Fatal("no workbook found in the inbox")
	}
	checked := 0
	for _, r := range set.Rows {
		wb := decoded[r.Path]
		if wb == nil {
			continue
		}
		checkTruthRow(t, wb, r)
		checked++
	}
	t.Logf("%d workbooks, %d decoded, %d truth rows checked", count, len(decoded), checked)
}

// checkTruthFile compares sheets, states, the date system and data rows.
func checkTruthFile(t *testing.T, rel string, tf readtest.TruthFile, wb *grid.Workbook) {
	t.Helper()
	if len(tf.Sheets) > 0 {
		if len(wb.Sheets) != len(tf.Sheets) {
			t.Errorf("%s: %d sheets, truth has %d", rel, len(wb.Sheets), len(tf.Sheets))
			return
		}
		for i, ts := range tf.Sheets {
			gs := wb.Sheets[i]
			if gs.Name != ts.Name || gs.Visibility != stateVis[ts.State] {
				t.Errorf("%s: sheet %d is %q/%d, truth %q/%s", rel, i, gs.Name, gs.Visibility, ts.Name, ts.State)
			}
			if len(ts.DataRows) == 2 {
				for _, n := range ts.DataRows {
					if readtest.Row(&gs, n) == nil {
						t.Errorf("%s: sheet %q lacks data row %d", rel, ts.Name, n)
					}
				}
			}
		}
	}
	if tf.Date1904 != nil && *tf.Date1904 != wb.Date1904 {
		t.Errorf("%s: Date1904 %v, truth %v", rel, wb.Date1904, *tf.Date1904)
	}
}

// checkTruthRow checks the raw cells of one truth row.
func checkTruthRow(t *testing.T, wb *grid.Workbook, tr truth.Row) {
	t.Helper()
	where := fmt.Sprintf("%s %s!%d", tr.Path, tr.Sheet, tr.Row)
	var row *grid.Row
	for i := range wb.Sheets {
		if wb.Sheets[i].Name == tr.Sheet {
			row = readtest.Row(&wb.Sheets[i], tr.Row)
		}
	}
	if row == nil {
		t.Errorf("%s: row missing", where)
		return
	}
	has := func(ok func(c grid.Cell) bool) bool {
		for _, c := range row.Cells {
			if ok(c) {
				return true
			}
		}
		return false
	}
	if want := fold(tr.Check.Text); want != "" && !has(func(c grid.Cell) bool { return c.Kind == grid.String && fold(c.Text) == want }) {
		t.Errorf("%s: no text cell %q in %+v", where, tr.Check.Text, row.Cells)
	}
	for _, k := range tr.Kinds {
		switch k {
		case "id_number_lost_zero":
			for key, v := range tr.Values {
				s, _ := v.(string)
				if !strings.Contains(key, "CCCD") || !idWithZero.MatchString(s) {
					continue
				}
				digits := strings.TrimLeft(s, "0")
				n, _ := strconv.ParseFloat(digits, 64)
				if !has(func(c grid.Cell) bool { return c.Kind == grid.Number && c.Text == digits && c.Num == n }) {
					t.Errorf("%s: no number cell %s for ID %s in %+v", where, digits, s, row.Cells)
				}
			}
		case "year_excel_date":
			year, _ := tr.Values["Năm sinh"].(float64)
			if !has(func(c grid.Cell) bool {
				return c.Kind == grid.Date && excelYear(c.Num) == int(year)
			}) {
				t.Errorf("%s: no date cell of year %v in %+v", where, year, row.Cells)
			}
		case "formula_text":
			if !has(func(c grid.Cell) bool {
				return c.Kind == grid.String && !c.Formula && fold(c.Text) == fold(tr.Check.Text)
			}) {
				t.Errorf("%s: formula-looking text %q not kept as text", where, tr.Check.Text)
			}
		}
	}
}

// excelYear is the year of a 1900-system serial.
func excelYear(serial float64) int {
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(serial*24) * time.Hour).Year()
}

// manifestRule maps a MANIFEST.tsv note to the code Decode must give.
type manifestRule struct {
	note *regexp.Regexp
	code string // "" means: must decode
}

var manifestRules = []manifestRule{
	{regexp.MustCompile(`OLE2/CFB container holding encrypted OOXML`), grid.CodeEncrypted},
	{regexp.MustCompile(`(?i)entity-expansion bomb|amplification`), grid.CodeTooLarge},
	{regexp.MustCompile(`(?i)zip unreadable|CRC mismatch|corrupted zip|truncated zip|empty ZIP archive`), grid.CodeCorrupt},
	{regexp.MustCompile(`EXTENSION MISMATCH`), grid.CodeCorrupt},
	{regexp.MustCompile(`(?i)XML not well-formed`), grid.CodeCorrupt},
	{regexp.MustCompile(`cells out to column XFD`), grid.CodeTooLarge}, // 16384 values in a row: past MaxCols
	// The manifest's inspector could not read UTF-16 parts, so its facts
	// ("no <sheet> entries") do not hold for them.
	{regexp.MustCompile(`UTF-16 XML parts`), ""},
	{regexp.MustCompile(`no <sheet> entries`), grid.CodeEmpty},
	{regexp.MustCompile(`(?i)Strict OOXML|namespace prefix|x: prefixes|cells without r|invalid r \(|no sharedStrings part|no styles part|backslash path separators|date1904|Google Sheets|inlineStr cells`), ""},
}

var (
	countRe      = func(what string) *regexp.Regexp { return regexp.MustCompile(`(?:^|; )` + what + `: (\d+)`) }
	hiddenRe     = countRe("hidden sheets")
	veryHiddenRe = countRe("veryHidden sheets")
	mergesRe     = countRe("merged ranges")
)

// TestRealWorldCorpus runs Decode over every OOXML workbook of the
// real-world corpus: no panic, no hang, each file decoded or rejected with
// a Problem code; files the manifest describes as encrypted, bombs, damaged
// or odd-but-valid get the outcome that description calls for.
func TestRealWorldCorpus(t *testing.T) {
	root := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	notes, err := readtest.ReadManifest(root)
	if err != nil {
		t.Skipf("no manifest: %v", err)
	}
	counts := map[string]int{}
	total := 0
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isWorkbookExt(p, ".xlsx", ".xlsm", ".xltx") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		total++
		wb, err := decodeGuarded(t, p, grid.DefaultLimits)
		code := "decoded"
		if err != nil {
			code = problemCode(err)
			if code == "not-a-problem" {
				t.Errorf("%s: error is no *grid.Problem: %v", rel, err)
			}
		}
		counts[code]++
		note := notes[rel]
		for _, r := range manifestRules {
			if !r.note.MatchString(note) {
				continue
			}
			if r.code == "" && err != nil {
				t.Errorf("%s: %v; the manifest (%q) describes a readable file", rel, err, note)
			}
			if r.code != "" && problemCode(err) != r.code {
				t.Errorf("%s: got %v, want %s for %q", rel, err, r.code, note)
			}
			break
		}
		if wb != nil {
			checkManifestFacts(t, rel, note, wb)
		}
		t.Logf("%-70s %s", rel, readtest.Describe(wb, err))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatal("no workbook in the corpus")
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%d", k, counts[k])
	}
	t.Logf("%d files:%s", total, sb.String())
}

// checkManifestFacts compares what the manifest counted with the grid.
// Sheets whose part is missing are not in the grid (a note says so), so
// the visibility counts may come out lower; the manifest's merge counts
// miss parts outside xl/, so only a non-zero count is compared.
func checkManifestFacts(t *testing.T, rel, note string, wb *grid.Workbook) {
	t.Helper()
	missing := 0
	for _, n := range wb.Notes {
		if strings.HasPrefix(n, "worksheet part missing") {
			missing++
		}
	}
	if strings.Contains(note, "date1904") != wb.Date1904 {
		t.Errorf("%s: Date1904 %v, manifest %q", rel, wb.Date1904, note)
	}
	var hidden, very, merges int
	for _, s := range wb.Sheets {
		switch s.Visibility {
		case grid.Hidden:
			hidden++
		case grid.VeryHidden:
			very++
		}
		merges += len(s.Merges)
	}
	for _, c := range []struct {
		re  *regexp.Regexp
		got int
		sym string
	}{{hiddenRe, hidden, "hidden sheets"}, {veryHiddenRe, very, "veryHidden sheets"}, {mergesRe, merges, "merged ranges"}} {
		want := 0
		if m := c.re.FindStringSubmatch(note); m != nil {
			want, _ = strconv.Atoi(m[1])
		}
		switch {
		case c.sym == "merged ranges" && want > 0 && c.got != want:
			t.Errorf("%s: %d %s, manifest says %d", rel, c.got, c.sym, want)
		case c.sym != "merged ranges" && (c.got > want || c.got < want-missing):
			t.Errorf("%s: %d %s, manifest says %d", rel, c.got, c.sym, want)
		}
	}
}
