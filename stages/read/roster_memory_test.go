package read_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// rosterRows is the size of the big roster: as many rows as the default
// limits let one sheet hold (200,000 rows, 2,000,000 cells), ten cells a
// row.
const rosterRows = 199_000

// writeRoster writes an M1 roster of n households as Excel stores one:
// every text in the shared string table (names, codes and citizen IDs
// unique per row), numbers as numbers.
func writeRoster(t testing.TB, path string, n int) { writeRosterTail(t, path, n, "") }

// writeRosterTail is writeRoster with raw rows written after the last one.
func writeRosterTail(t testing.TB, path string, n int, tail string) {
	names := []string{"Nguyễn Văn Trí", "Trần Thị Lan", "Lê Văn Hùng", "Phạm Thị Mai", "Huỳnh Văn Tư"}
	fixed := []string{"Mẫu M1", "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO", "STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính",
		"Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Nam", "Nữ", "Kinh", "Ấp 1", "Ấp 2", "Ấp 3", "Hộ nghèo", "Hộ cận nghèo"}
	fixed = append(fixed, names...)
	idx := map[string]int{}
	for i, s := range fixed {
		idx[s] = i
	}
	code := func(i int) int { return len(fixed) + 2*(i-1) } // then the ID at +1
	readtest.XLSX(t, path, func(w io.Writer) {
		s := func(ref string, text string) string {
			return `<c r="` + ref + `" t="s"><v>` + strconv.Itoa(idx[text]) + `</v></c>`
		}
		io.WriteString(w, `<row r="1">`+s("A1", "Mẫu M1")+`</row><row r="2">`+s("A2", "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO")+`</row><row r="4">`)
		for j, h := range fixed[2:12] {
			io.WriteString(w, s(string(rune('A'+j))+"4", h))
		}
		io.WriteString(w, `</row>`)
		for i := 1; i <= n; i++ {
			r := strconv.Itoa(4 + i)
			fmt.Fprintf(w, `<row r="%s"><c r="A%s"><v>%d</v></c><c r="B%s" t="s"><v>%d</v></c>%s<c r="D%s"><v>%d</v></c>%s<c r="F%s" t="s"><v>%d</v></c>%s%s%s<c r="J%s"><v>%d</v></c></row>`,
				r, r, i, r, code(i), s("C"+r, names[i%len(names)]), r, 1940+i%60, s("E"+r, []string{"Nam", "Nữ"}[i%2]),
				r, code(i)+1, s("G"+r, "Kinh"), s("H"+r, fmt.Sprintf("Ấp %d", 1+i%3)), s("I"+r, []string{"Hộ nghèo", "Hộ cận nghèo"}[i%2]), r, 1+i%7)
		}
		io.WriteString(w, tail)
	}, func(w io.Writer) {
		for _, s := range fixed {
			io.WriteString(w, `<si><t>`+s+`</t></si>`)
		}
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, `<si><t>29956-%06d</t></si><si><t>0870%08d</t></si>`, i, 79105129+i)
		}
	})
}

// TestRosterChild is the measured child of TestRosterMemory: it reads the
// roster with the real Reader and prints its rows, streamed or whole.
func TestRosterChild(t *testing.T) {
	if !faultdoc.ChildFor("TestRosterChild") {
		t.Skip("the measured child of TestRosterMemory")
	}
	if os.Getenv("ROSTER_WHOLE") != "" {
		*read.StreamKeepRows = 1 << 30
	}
	rd := &read.Reader{Plan: plan.Default()}
	if os.Getenv("ROSTER_BIG") != "" {
		rd.Limits = bigLimits
	}
	path := os.Getenv("ROSTER_FILE")
	wb, err := rd.Read(context.Background(), record.Submission{ID: "m1", Path: "29956/m1.xlsx", ArchivePath: path, FolderHint: "29956"})
	rows := 0
	for _, tb := range wb.Tables {
		rows += len(tb.Rows)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(wb)
	fmt.Printf("KEPT %d\n", ms.HeapAlloc)
	fmt.Printf("ROSTER %s %s %d %v\n", wb.Status, wb.Reason, rows, err)
}

// TestRosterMemory reads a roster of 199,000 households (the most one
// sheet may hold under the default limits) in a measured child, streamed
// and, for comparison, with the whole grid held as before: the streamed
// read must keep the peak far below the whole-grid one.
func TestRosterMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 199,000-row roster")
	}
	path := filepath.Join(t.TempDir(), "m1.xlsx")
	writeRoster(t, path, rosterRows)
	debug.FreeOSMemory()
	kept := map[bool]int64{}
	run := func(whole bool) (faultdoc.Measured, string) {
		env := []string{"ROSTER_FILE=" + path}
		if whole {
			env = append(env, "ROSTER_WHOLE=1")
		}
		m := faultdoc.RunChild(t, "TestRosterChild", 5*time.Minute, env...)
		for _, l := range strings.Split(m.Stdout, "\n") {
			if rest, ok := strings.CutPrefix(l, "KEPT "); ok {
				kept[whole], _ = strconv.ParseInt(rest, 10, 64)
			}
			if rest, ok := strings.CutPrefix(l, "ROSTER "); ok {
				return m, rest
			}
		}
		return m, "no output: " + m.Stderr
	}
	whole, wout := run(true)
	stream, sout := run(false)
	want := fmt.Sprintf("accepted  %d <nil>", rosterRows)
	// The rows kept (record.SourceRow, 72 bytes a cell) are most of the
	// heap; the garbage collector lets the heap grow to about twice what
	// is live before it collects.
	const bound = 400 * faultdoc.MiB
	ok := sout == want && wout == want && stream.ExitCode == 0 && whole.ExitCode == 0 &&
		(stream.PeakRSS == 0 || stream.PeakRSS < bound && stream.PeakRSS < whole.PeakRSS && stream.PeakRSS < 2*kept[false])
	t.Logf("streamed: %s, peak RSS %d MiB, wall %v; whole grid: %s, peak RSS %d MiB, wall %v; rows kept: %d MiB of heap",
		sout, stream.PeakRSS/faultdoc.MiB, stream.Wall.Round(time.Millisecond), wout, whole.PeakRSS/faultdoc.MiB, whole.Wall.Round(time.Millisecond), kept[false]/faultdoc.MiB)
	outcome := fmt.Sprintf("accepted with all %d rows; streamed: peak RSS < %d MiB, under twice the heap the kept rows use, and below the whole-grid read's", rosterRows, bound/faultdoc.MiB)
	if !ok {
		outcome = fmt.Sprintf("streamed %q peak %d MiB; whole %q peak %d MiB", sout, stream.PeakRSS/faultdoc.MiB, wout, whole.PeakRSS/faultdoc.MiB)
	}
	faults.Record(t, faultdoc.Case{
		Fault:    fmt.Sprintf("xlsx roster of %d households (2 M cells, the default limits), every text a shared string", rosterRows),
		Expected: "accepted, every row read; the table streamed from the decoder: peak RSS bounded by the rows kept, not grid + rows",
		Outcome:  outcome,
		Pass:     ok,
	})
}

// TestStreamedLateTrouble: what the rows of a big roster hold far below
// its first rows (a limit broken, a decoder remark) counts the same
// whether the roster is streamed or read whole.
func TestStreamedLateTrouble(t *testing.T) {
	keep := *read.StreamKeepRows
	defer func() { *read.StreamKeepRows = keep }()
	rd := &read.Reader{Plan: plan.Default()}
	for _, tc := range []struct{ name, tail, status, finding string }{
		{"a value in column 2000", `<row r="9000"><c r="BXX9000"><v>1</v></c></row>`, "rejected", "too_large"},
		{"a shared string index out of range", `<row r="9000"><c r="A9000" t="s"><v>999999</v></c></row>`, "accepted", "decoder-note"},
		{"nothing", ``, "accepted", ""},
		{"a row out of order", `<row r="3"><c r="A3" t="s"><v>1</v></c></row>`, "accepted", ""},
		{"a table row out of order", `<row r="100"><c r="A100"><v>1</v></c><c r="B100" t="s"><v>25</v></c></row>`, "accepted", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m1.xlsx")
			writeRosterTail(t, path, 5000, tc.tail)
			sub := record.Submission{ID: "m1", Path: "29956/m1.xlsx", ArchivePath: path, FolderHint: "29956"}
			*read.StreamKeepRows = 1 << 30
			whole, err1 := rd.Read(context.Background(), sub)
			*read.StreamKeepRows = 100
			skims := read.SkimmedSheets.Load()
			cut, err2 := rd.Read(context.Background(), sub)
			if read.SkimmedSheets.Load() == skims {
				t.Error("the first pass did not skip the roster's later rows")
			}
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if string(whole.Status) != tc.status || tc.finding != "" && !hasCode(whole, tc.finding) {
				t.Fatalf("whole read: %s %s %+v", whole.Status, whole.Reason, whole.Findings)
			}
			if !reflect.DeepEqual(whole, cut) {
				t.Fatalf("streamed read differs: %s %s %+v / %s %s %+v", whole.Status, whole.Reason, whole.Findings, cut.Status, cut.Reason, cut.Findings)
			}
		})
	}
}

func hasCode(wb record.Workbook, code string) bool {
	for _, f := range wb.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// bigLimits are grid.Limits raised by configuration for a roster of a
// million households (TestBigRosterMemory).
var bigLimits = grid.Limits{
	MaxFileBytes: 256 << 20, MaxUnpackedBytes: 1 << 30, MaxPartBytes: 1 << 30,
	MaxRows: 1_100_000, MaxCells: 12_000_000, MaxSheetBytes: 512 << 20, MaxWorkbookBytes: 1 << 30,
	MaxFileDuration: 10 * time.Minute,
}

// TestBigRosterMemory measures, on request only (DOITHOAI_ROSTER_ROWS=n),
// a roster of n households read under bigLimits in a child: it logs the
// peak RSS and the heap the kept rows use.
func TestBigRosterMemory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("DOITHOAI_ROSTER_ROWS"))
	if n == 0 {
		t.Skip("set DOITHOAI_ROSTER_ROWS to measure a big roster")
	}
	path := filepath.Join(t.TempDir(), "m1.xlsx")
	writeRoster(t, path, n)
	st, _ := os.Stat(path)
	debug.FreeOSMemory()
	m := faultdoc.RunChild(t, "TestRosterChild", 10*time.Minute, "ROSTER_FILE="+path, "ROSTER_BIG=1")
	t.Logf("%d rows, file %d MiB: peak RSS %d MiB, wall %v, exit %d; %s", n, st.Size()>>20, m.PeakRSS/faultdoc.MiB, m.Wall.Round(time.Millisecond), m.ExitCode, strings.TrimSpace(m.Stdout))
}
