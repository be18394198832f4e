package read_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
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

// faults is the table of docs/faults/read.md.
var faults = faultdoc.New("read", "Hostile and broken spreadsheets",
	"Each file below is built by the test itself (none is committed) and read by the real `read.Reader`, "+
		"with the default limits, in a child process whose wall time and peak resident memory the "+
		"operating system measures. A file over a limit is rejected as `too_large` with a message that "+
		"names the limit; repeats are counted and charged before they are expanded; a file that outlasts "+
		"its time budget is rejected as `too_slow`; a stop ends a read promptly.")

func TestMain(m *testing.M) {
	code := faultdoc.Main(m, faults)
	if benchInbox.dir != "" {
		_ = os.RemoveAll(benchInbox.dir)
	}
	os.Exit(code)
}

// The bounds every bomb must stay within.
const (
	bombWall = 5 * time.Second
	bombRSS  = 200 * faultdoc.MiB
	killed   = 2 * time.Minute // the child is killed past this: a hang
)

// childJob is what the measured child reads: the files, in order, with
// the Reader's time budget and, for a stop, when the caller's context is
// cancelled.
type childJob struct {
	Files           []childFile
	MaxFileDuration time.Duration
	CancelAfter     time.Duration
}

// childFile is one submission of a childJob.
type childFile struct {
	Path   string // the file on disk
	Name   string // its inbox path
	Folder string // its inbox folder
}

// childOutcome is what the child printed for one file.
type childOutcome struct {
	Name, Status, Reason, Message, Err string
}

// TestReadChild is the measured child of the tests below: it reads the
// job's files with the real Reader and prints one OUTCOME line each.
func TestReadChild(t *testing.T) {
	if !faultdoc.ChildFor("TestReadChild") {
		t.Skip("the measured child of the fault tests; run by them")
	}
	var job childJob
	if err := json.Unmarshal([]byte(os.Getenv("READ_JOB")), &job); err != nil {
		t.Fatalf("READ_JOB: %v", err)
	}
	rd := &read.Reader{Plan: plan.Default(), Limits: grid.Limits{MaxFileDuration: job.MaxFileDuration}}
	ctx := context.Background()
	if job.CancelAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(job.CancelAfter, cancel)
	}
	for _, f := range job.Files {
		sub := record.Submission{ID: f.Name, Path: f.Name, ArchivePath: f.Path, FolderHint: f.Folder}
		if st, err := os.Stat(f.Path); err == nil {
			sub.Size = st.Size()
		}
		wb, err := rd.Read(ctx, sub)
		o := childOutcome{Name: f.Name, Status: string(wb.Status), Reason: wb.Reason}
		if len(wb.Findings) > 0 {
			o.Message = wb.Findings[0].Message
		}
		if err != nil {
			o.Err = err.Error()
		}
		line, _ := json.Marshal(o)
		fmt.Printf("OUTCOME %s\n", line)
	}
}

// runRead runs the child on the job and returns what it used and printed.
func runRead(t *testing.T, job childJob) (faultdoc.Measured, []childOutcome) {
	t.Helper()
	data, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	// Where the child cannot report its own peak (faultdoc.ReportPeak),
	// the rusage figure counts this process's memory too: give back what
	// building the bombs took first.
	debug.FreeOSMemory()
	m := faultdoc.RunChild(t, "TestReadChild", killed, "READ_JOB="+string(data))
	var out []childOutcome
	sc := bufio.NewScanner(strings.NewReader(m.Stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "OUTCOME "); ok {
			var o childOutcome
			if err := json.Unmarshal([]byte(rest), &o); err != nil {
				t.Fatalf("child output %q: %v", rest, err)
			}
			out = append(out, o)
		}
	}
	return m, out
}

// within says whether the child finished normally within the bounds.
func within(m faultdoc.Measured, wall time.Duration) bool {
	return !m.Killed && m.ExitCode == 0 && m.Wall < wall && (m.PeakRSS == 0 || m.PeakRSS < bombRSS)
}

// used describes a child's run when a case fails (not stable: failing
// tables are never written).
func used(m faultdoc.Measured) string {
	s := fmt.Sprintf("exit %d, wall %v, peak RSS %d MiB", m.ExitCode, m.Wall.Round(time.Millisecond), m.PeakRSS/faultdoc.MiB)
	if m.Killed {
		s += ", killed"
	}
	if m.ExitCode != 0 {
		s += "; stderr: " + tail(m.Stderr+m.Stdout, 600)
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// bomb is one hostile file and what reading it must give.
type bomb struct {
	fault  string                           // what is tried
	wall   time.Duration                    // the bound on the child's wall time; 0: bombWall
	name   string                           // inbox name (the extension picks the decoder)
	build  func(t *testing.T, path string)  // writes the file
	reason string                           // the rejection reason
	says   []string                         // what the message must contain
	check  func(path string) (string, bool) // further checks of the file, or nil
}

// bombs are the hostile files; each is one case of the fault table.
func bombs() []bomb {
	long := strings.Repeat("Nguyễn Văn Một, ấp Thường Phước ", 40) // about 1.4 KB
	write := func(data func(t *testing.T) []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, data(t), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	odsStream := func(rows func(w io.Writer)) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			readtest.StreamZip(t, path,
				readtest.Text("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
				readtest.StreamEntry{Name: "content.xml", Write: func(w io.Writer) {
					io.WriteString(w, readtest.ODSHead+`<table:table table:name="DS">`+readtest.ODSRow("STT", "Mã hộ"))
					rows(w)
					io.WriteString(w, `</table:table>`+readtest.ODSTail)
				}})
		}
	}
	xlsxRows := func(rows string) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			readtest.XLSX(t, path, func(w io.Writer) {
				io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c><c r="B1" t="inlineStr"><is><t>Mã hộ</t></is></c></row>`+rows)
			}, nil)
		}
	}
	sst := func(n int64, letters func(io.Writer, int64)) func(w io.Writer) {
		return func(w io.Writer) {
			io.WriteString(w, `<si><t>`)
			letters(w, n)
			io.WriteString(w, `</t></si>`)
		}
	}
	return []bomb{{
		fault:  "ODS of issue 11: one row repeated 199,990 times whose cell of 1.4 KB of text is repeated 10 times (an archive under 2 KB)",
		name:   "DS.ods",
		build:  write(func(t *testing.T) []byte { return readtest.ODSRepeatBomb(t, 199_990, 10, long) }),
		reason: record.ReasonTooLarge,
		says:   []string{"64 MB", `trang "DS"`, "dòng 2", "lặp lại"},
		check: func(path string) (string, bool) {
			st, err := os.Stat(path)
			return fmt.Sprintf("the file is %d bytes", st.Size()), err == nil && st.Size() < 2048
		},
	}, {
		fault: "ODS row whose one value is repeated across 1,000,000 columns, the row repeated 1,048,575 times",
		name:  "cot.ods",
		build: odsStream(func(w io.Writer) {
			io.WriteString(w, `<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000000"/></table:table-row>`)
		}),
		reason: record.ReasonTooLarge,
		says:   []string{"1.000 cột", "cột ALM"},
	}, {
		fault: "ODS cell holding 100 MB of text (deflated about 100:1, under the zip-bomb ratio)",
		name:  "o.ods",
		build: odsStream(func(w io.Writer) {
			io.WriteString(w, `<table:table-row><table:table-cell office:value-type="string"><text:p>`)
			readtest.Filler(w, 100<<20)
			io.WriteString(w, `</text:p></table:table-cell></table:table-row>`)
		}),
		reason: record.ReasonTooLarge,
		says:   []string{"128 KB cho một ô"},
	}, {
		fault: "xlsx shared string of 30 MB (random letters, an 18 MB file) referenced by 100,000 cells",
		name:  "sst30.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, readtest.SharedRefs(100_000), sst(30<<20, readtest.RandomLetters))
		},
		reason: record.ReasonTooLarge,
		says:   []string{"128 KB cho một ô"},
	}, {
		fault: "xlsx shared string of 100 KB referenced by 100,000 cells (10 GB once every reference is expanded)",
		name:  "sst100k.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, readtest.SharedRefs(100_000), sst(100<<10, readtest.Filler))
		},
		reason: record.ReasonTooLarge,
		says:   []string{"64 MB", `trang "DS"`},
	}, {
		fault: "xlsx shared string table of 75 MB (1,200 strings of 64 KB, deflated 100:1) and 2,000 cells referencing them (each cut to 32,767 characters)",
		name:  "sstbig.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, func(w io.Writer) {
				for i := 0; i < 2000; i++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>`, i+1, i+1, i%1200)
				}
			}, func(w io.Writer) {
				for i := 0; i < 1200; i++ {
					io.WriteString(w, `<si><t>`)
					readtest.Filler(w, 64<<10)
					io.WriteString(w, `</t></si>`)
				}
			})
		},
		reason: record.ReasonTooLarge,
		says:   []string{"cả tệp vượt giới hạn 128 MB"},
	}, {
		fault: "xlsx shared string table of 64 MB that deflates 400:1 (4 million tiny strings)",
		wall:  15 * time.Second,
		name:  "sstzip.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, readtest.SharedRefs(10), func(w io.Writer) {
				item := []byte(`<si><t>a</t></si>`)
				for n := 0; n < 64<<20; n += len(item) {
					w.Write(item)
				}
			})
		},
		reason: record.ReasonTooLarge,
		says:   []string{"2.000.000 ô"},
	}, {
		fault: "xlsx inline cell of 300 MB of text, compressed",
		name:  "cell300.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, func(w io.Writer) {
				io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>`)
				readtest.Filler(w, 300<<20)
				io.WriteString(w, `</t></is></c></row>`)
			}, nil)
		},
		reason: record.ReasonTooLarge,
		says:   []string{"256 MB"},
	}, {
		fault: "xlsx inline cell of 100 MB of text (a part under every size limit)",
		name:  "cell100.xlsx",
		build: func(t *testing.T, path string) {
			readtest.XLSX(t, path, func(w io.Writer) {
				io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>`)
				readtest.Filler(w, 100<<20)
				io.WriteString(w, `</t></is></c></row>`)
			}, nil)
		},
		reason: record.ReasonTooLarge,
		says:   []string{"128 KB cho một ô"},
	}, {
		fault:  `xlsx value at r="A1048576", after a header row (a gap of a million rows)`,
		name:   "gap.xlsx",
		build:  xlsxRows(`<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>`),
		reason: record.ReasonTooLarge,
		says:   []string{"200.000 dòng", "dòng 1.048.576"},
	}, {
		fault:  `xlsx value at r="XFD2" (the last of 16,384 columns)`,
		name:   "xfd.xlsx",
		build:  xlsxRows(`<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>`),
		reason: record.ReasonTooLarge,
		says:   []string{"1.000 cột", "cột XFD"},
	}, {
		fault:  "CSV with one line of 200 MB, streamed to disk",
		name:   "dong.csv",
		build:  func(t *testing.T, path string) { readtest.WriteLine(t, path, 200<<20) },
		reason: record.ReasonTooLarge,
		says:   []string{"64 MB cho một tệp"},
	}, {
		fault:  "CSV with one field of 40 MB (a file under the size limit)",
		name:   "o.csv",
		build:  func(t *testing.T, path string) { readtest.WriteLine(t, path, 40<<20) },
		reason: record.ReasonTooLarge,
		says:   []string{"128 KB cho một ô", "dòng 2", "cột B"},
	}, {
		fault:  ".xls whose Workbook stream declares 4 GB in its directory entry",
		name:   "size.xls",
		build:  patchXLS(func(c *readtest.CFB) error { return c.SetSize("Workbook", 0xFFFFFFF0) }),
		reason: record.ReasonTooLarge,
		says:   []string{"256 MB"},
	}, {
		fault:  ".xls whose Workbook sector chain loops on its first sector",
		name:   "loop.xls",
		build:  patchXLS(func(c *readtest.CFB) error { return c.LoopChain("Workbook") }),
		reason: record.ReasonCorrupt,
	}, {
		fault: ".xls shared string of 8,000 characters referenced by 100,000 LABELSST cells",
		name:  "sst.xls",
		build: func(t *testing.T, path string) {
			var body []byte
			for i := 0; i < 100_000; i++ {
				body = append(body, readtest.BIFFRec(0x00FD, readtest.U16(i/10), readtest.U16(i%10), readtest.U16(0), readtest.U32(0))...)
			}
			data := readtest.BIFF8Book([][]byte{readtest.BIFFSST(strings.Repeat("x", 8000))}, body)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		reason: record.ReasonTooLarge,
		says:   []string{"64 MB", `trang "DS"`},
	}, {
		fault: ".xls with DIMENSIONS of 65,536 rows × 256 columns, 65,536 ROW records and a MULBLANK over all 256 columns of each row (16.7 million empty cells if expanded)",
		name:  "dim.xls",
		build: func(t *testing.T, path string) {
			body := readtest.BIFFRec(0x0200, readtest.U32(0), readtest.U32(65536), readtest.U16(0), readtest.U16(256), readtest.U16(0))
			xfs := make([]byte, 2*256)
			for r := 0; r < 65536; r++ {
				body = append(body, readtest.BIFFRec(0x0208, readtest.U16(r), readtest.U16(0), readtest.U16(256), make([]byte, 10))...)
			}
			for r := 0; r < 65536; r++ {
				body = append(body, readtest.BIFFRec(0x00BE, readtest.U16(r), readtest.U16(0), xfs, readtest.U16(255))...)
			}
			data := readtest.BIFF8Book([][]byte{readtest.BIFFSST("STT")}, append(body, readtest.BIFFRec(0x00FD, readtest.U16(0), readtest.U16(0), readtest.U16(0), readtest.U32(0))...))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		reason: record.ReasonNotAForm, // read fine: nothing but one cell is there, so no form
	}}
}

// patchXLS copies a LibreOffice-written .xls form and patches its
// compound file.
func patchXLS(patch func(*readtest.CFB) error) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		data, err := os.ReadFile(filepath.Join("testdata", "lo", "m1.lo.xls"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := readtest.ParseCFB(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := patch(c); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, c.Data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBombs reads each hostile file in a measured child: it is rejected
// with the reason (too_large, naming the limit) within seconds and in
// bounded memory.
func TestBombs(t *testing.T) {
	if faultdoc.IsChild() {
		t.Skip("parent only")
	}
	for _, b := range bombs() {
		t.Run(b.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), b.name)
			b.build(t, path)
			m, out := runRead(t, childJob{Files: []childFile{{Path: path, Name: "29956/" + b.name, Folder: "29956"}}})
			wall := b.wall
			if wall == 0 {
				wall = bombWall
			}
			expected := fmt.Sprintf("rejected as %s in < %v, peak RSS < %d MiB", b.reason, wall, bombRSS/faultdoc.MiB)
			if len(b.says) > 0 {
				expected += ", the message naming the limit"
			}
			c := faultdoc.Case{Fault: b.fault, Expected: expected}
			if len(out) != 1 {
				c.Outcome = "the child printed no verdict: " + used(m)
				faults.Record(t, c)
				return
			}
			o := out[0]
			t.Logf("%s: %s", b.name, used(m))
			ok := within(m, wall) && o.Status == string(record.StatusRejected) && o.Reason == b.reason && o.Err == ""
			for _, s := range b.says {
				ok = ok && strings.Contains(o.Message, s)
			}
			extra := ""
			if b.check != nil {
				var good bool
				extra, good = b.check(path)
				ok = ok && good
				extra = "; " + extra
			}
			if ok {
				c.Outcome = fmt.Sprintf("rejected as %s in < %v, peak RSS < %d MiB%s; told: «%s»", o.Reason, wall, bombRSS/faultdoc.MiB, extra, o.Message)
			} else {
				c.Outcome = fmt.Sprintf("status %q, reason %q, err %q, message %q%s; %s", o.Status, o.Reason, o.Err, o.Message, extra, used(m))
			}
			c.Pass = ok
			faults.Record(t, c)
		})
	}
}

// slowXLSX writes a workbook that is valid and within every limit but
// slow to read: 200,000 rows of 20 formatted, empty cells (4 million XML
// elements, a 10 MB file); it takes seconds to stream and holds nothing.
func slowXLSX(t *testing.T, path string) {
	readtest.XLSX(t, path, func(w io.Writer) {
		for r := 1; r <= 200_000; r++ {
			fmt.Fprintf(w, `<row r="%d">`, r)
			for c := 0; c < 20; c++ {
				fmt.Fprintf(w, `<c r="%c%d" s="1"/>`, 'A'+c, r)
			}
			io.WriteString(w, `</row>`)
		}
	}, nil)
}

// TestTimeBudgetAndStop reads a slow file twice in measured children:
// with a time budget of a tenth of a second it is rejected as too_slow (Read
// returns no error), and a stop (the caller's context cancelled after a tenth of
// a second) makes Read return the context's error, both promptly.
func TestTimeBudgetAndStop(t *testing.T) {
	if faultdoc.IsChild() {
		t.Skip("parent only")
	}
	path := filepath.Join(t.TempDir(), "cham.xlsx")
	slowXLSX(t, path)
	file := []childFile{{Path: path, Name: "29956/cham.xlsx", Folder: "29956"}}
	// The file takes about 0.45 s to read on a quiet machine since the
	// fast tokenizer (seconds before it): the budget stays well below.
	const budget, bound = 100 * time.Millisecond, 3 * time.Second

	m, out := runRead(t, childJob{Files: file, MaxFileDuration: budget})
	c := faultdoc.Case{
		Fault:    "xlsx of 4 million formatted empty cells (about 0.5 s to stream) read with a time budget of 0.1 s per file",
		Expected: fmt.Sprintf("rejected as too_slow, Read returns no error, the child done in < %v", bound),
	}
	ok := len(out) == 1 && within(m, bound) && out[0].Reason == record.ReasonTooSlow && out[0].Err == "" && strings.Contains(out[0].Message, "0,1 giây")
	if ok {
		c.Outcome = fmt.Sprintf("rejected as too_slow in < %v; told: «%s»", bound, out[0].Message)
	} else {
		c.Outcome = fmt.Sprintf("%+v; %s", out, used(m))
	}
	c.Pass = ok
	faults.Record(t, c)

	m, out = runRead(t, childJob{Files: file, CancelAfter: budget})
	c = faultdoc.Case{
		Fault:    "stop signal (the caller's context cancelled) 0.1 s into reading the same slow xlsx",
		Expected: fmt.Sprintf("Read returns context.Canceled, no verdict, the child done in < %v", bound),
	}
	ok = len(out) == 1 && within(m, bound) && out[0].Err == context.Canceled.Error() && out[0].Status == ""
	if ok {
		c.Outcome = fmt.Sprintf("Read returned %q in < %v", out[0].Err, bound)
	} else {
		c.Outcome = fmt.Sprintf("%+v; %s", out, used(m))
	}
	c.Pass = ok
	faults.Record(t, c)
}

// TestBombAmongGoodFiles reads good forms and bombs in turn with one
// Reader: the bombs are rejected and every good form is still accepted.
func TestBombAmongGoodFiles(t *testing.T) {
	if faultdoc.IsChild() {
		t.Skip("parent only")
	}
	dir := t.TempDir()
	byName := map[string]bomb{}
	for _, b := range bombs() {
		byName[b.name] = b
	}
	// A bomb after each good form but the last.
	between := []string{"DS.ods", "sst100k.xlsx", "gap.xlsx", "sst.xls"}
	var files []childFile
	good := map[string]bool{}
	for i, name := range []string{"m1.xlsx", "m2.lo.ods", "m3.utf8.csv", "m1.lo.xls", "m4.lo.xlsx"} {
		abs, err := filepath.Abs(filepath.Join("testdata", "lo", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, childFile{Path: abs, Name: "Thường Phước 1/" + name, Folder: "Thường Phước 1"})
		good[files[len(files)-1].Name] = true
		if i < len(between) {
			b := byName[between[i]]
			p := filepath.Join(dir, b.name)
			b.build(t, p)
			files = append(files, childFile{Path: p, Name: "Thường Phước 1/" + b.name, Folder: "Thường Phước 1"})
		}
	}
	m, out := runRead(t, childJob{Files: files})
	bound := 10 * time.Second
	c := faultdoc.Case{
		Fault:    "five good forms (xlsx, LibreOffice ods with its 1,048,576-row tail, CSV, xls, xlsx) with a bomb between each two, read in turn by one Reader",
		Expected: fmt.Sprintf("every bomb rejected as too_large, every good form accepted, all in < %v, peak RSS < %d MiB", bound, bombRSS/faultdoc.MiB),
	}
	ok := len(out) == len(files) && within(m, bound)
	for _, o := range out {
		if good[o.Name] {
			ok = ok && o.Status == string(record.StatusAccepted)
		} else {
			ok = ok && o.Reason == record.ReasonTooLarge
		}
	}
	if ok {
		c.Outcome = fmt.Sprintf("%d bombs rejected as too_large, %d good forms accepted, in < %v, peak RSS < %d MiB", len(files)-len(good), len(good), bound, bombRSS/faultdoc.MiB)
	} else {
		c.Outcome = fmt.Sprintf("%+v; %s", out, used(m))
	}
	c.Pass = ok
	faults.Record(t, c)
}
