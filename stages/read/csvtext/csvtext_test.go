package csvtext

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"doithoai/stages/read/grid"
)

// decodeData writes data to a temporary file and decodes it.
func decodeData(t testing.TB, name string, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return Decode(context.Background(), p, lim)
}

// utf16 encodes s as UTF-16 with or without a BOM.
func utf16(t testing.TB, s string, order unicode.Endianness, bom unicode.BOMPolicy) []byte {
	b, err := unicode.UTF16(order, bom).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dump renders the sheet as "line:col=text|col=text;" for compact asserts.
func dump(wb *grid.Workbook) string {
	var b strings.Builder
	for _, r := range wb.Sheets[0].Rows {
		fmt.Fprintf(&b, "%d:", r.Num)
		for i, c := range r.Cells {
			if i > 0 {
				b.WriteByte('|')
			}
			if c.Kind != grid.String {
				b.WriteString("!kind!")
			}
			fmt.Fprintf(&b, "%d=%s", c.Col, c.Text)
		}
		b.WriteByte(';')
	}
	return b.String()
}

func TestDecode(t *testing.T) {
	const vn = "STT,Họ và tên,Năm sinh\n1,Nguyễn Văn Hải,1959\n"
	tests := []struct {
		name  string
		file  string
		data  []byte
		want  string
		notes string
	}{
		{"plain comma", "a.csv", []byte(vn), "1:1=STT|2=Họ và tên|3=Năm sinh;2:1=1|2=Nguyễn Văn Hải|3=1959;", ""},
		{"utf-8 bom, blank lines and empty fields", "a.csv", []byte("\xEF\xBB\xBFUBND XÃ A,,,\n,,,\n\n,x,,y\n"), "1:1=UBND XÃ A;4:2=x|4=y;", ""},
		{"quoted field spanning lines", "a.csv", []byte("a,\"line1\nline2\",b\nc,d\n"), "1:1=a|2=line1\nline2|3=b;3:1=c|2=d;", ""},
		{"quotes and commas", "a.csv", []byte(`"DANH SÁCH, NĂM 2022",x` + "\n" + `"say ""hi""",5" tall` + "\n"), `1:1=DANH SÁCH, NĂM 2022|2=x;2:1=say "hi"|2=5" tall;`, ""},
		{"semicolon (Vietnamese Excel)", "a.csv", []byte("STT;Họ tên;Ghi chú\n1;Lê Thị B;có, không\n2;Trần C;\n"), "1:1=STT|2=Họ tên|3=Ghi chú;2:1=1|2=Lê Thị B|3=có, không;3:1=2|2=Trần C;", ""},
		{"tab", "a.tsv", []byte("a\tb, c\td\n1\t2\t3\n"), "1:1=a|2=b, c|3=d;2:1=1|2=2|3=3;", ""},
		{"pipe", "a.txt", []byte("a|b|c\n1|2|3\n"), "1:1=a|2=b|3=c;2:1=1|2=2|3=3;", ""},
		{"sep hint", "a.csv", []byte("sep=;\na;b,c\n"), "2:1=a|2=b,c;", ""},
		{"crlf", "a.csv", []byte("a,b\r\nc,\"d\r\ne\"\r\nf,g\r\n"), "1:1=a|2=b;2:1=c|2=d\ne;4:1=f|2=g;", ""},
		{"old mac cr", "a.csv", []byte("a,b\rc,d\r\re,f"), "1:1=a|2=b;2:1=c|2=d;4:1=e|2=f;", ""},
		{"single column", "a.csv", []byte("only\nvalues\n"), "1:1=only;2:1=values;", ""},
		{"utf-16le bom", "a.csv", utf16(t, vn, unicode.LittleEndian, unicode.UseBOM), "1:1=STT|2=Họ và tên|3=Năm sinh;2:1=1|2=Nguyễn Văn Hải|3=1959;", "csv_encoding:utf-16le"},
		{"utf-16be bom", "a.csv", utf16(t, vn, unicode.BigEndian, unicode.UseBOM), "1:1=STT|2=Họ và tên|3=Năm sinh;2:1=1|2=Nguyễn Văn Hải|3=1959;", "csv_encoding:utf-16be"},
		{"utf-16le no bom", "a.csv", utf16(t, vn, unicode.LittleEndian, unicode.IgnoreBOM), "1:1=STT|2=Họ và tên|3=Năm sinh;2:1=1|2=Nguyễn Văn Hải|3=1959;", "csv_encoding:utf-16le"},
		{"utf-16be no bom", "a.csv", utf16(t, vn, unicode.BigEndian, unicode.IgnoreBOM), "1:1=STT|2=Họ và tên|3=Năm sinh;2:1=1|2=Nguyễn Văn Hải|3=1959;", "csv_encoding:utf-16be"},
		// Windows-1258: ê + combining tilde, ă, a + combining hook above.
		{"windows-1258", "a.csv", []byte("STT,Ho\xD2 t\xEAn\n1,Nguy\xEA\xDEn V\xE3n Ha\xD2i\n"), "1:1=STT|2=Hỏ tên;2:1=1|2=Nguyễn Văn Hải;", "csv_encoding:windows-1258"},
		{"utf-8 cut mid-character", "a.csv", []byte("Họ và tên,Năm sinh,Ghi chú\nNguyễn Văn Hải,1959,Nữ\nTrần Thị Ánh,1960,\xE1\xBB"), "1:1=Họ và tên|2=Năm sinh|3=Ghi chú;2:1=Nguyễn Văn Hải|2=1959|3=Nữ;3:1=Trần Thị Ánh|2=1960|3=\uFFFD;", "csv_encoding:utf-8-damaged"},
		{"windows-1258 ending in a lead byte", "a.csv", []byte("a,Ti\xEAn"), "1:1=a|2=Tiên;", "csv_encoding:windows-1258"},
		{"ctrl-z at end", "a.csv", []byte("a,b\n\x1a"), "1:1=a|2=b;", ""},
		{"citizen id kept as text", "a.csv", []byte("1,087185846938,87079105129\n"), "1:1=1|2=087185846938|3=87079105129;", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := decodeData(t, tc.file, tc.data, grid.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if wb.Format != "csv" || len(wb.Sheets) != 1 || wb.Sheets[0].Name != "" {
				t.Fatalf("workbook %+v", wb)
			}
			if got := dump(wb); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if got := strings.Join(wb.Notes, ","); got != tc.notes {
				t.Errorf("notes %q, want %q", got, tc.notes)
			}
			for _, r := range wb.Sheets[0].Rows {
				for _, c := range r.Cells {
					if !norm.NFC.IsNormalString(c.Text) && tc.notes == "csv_encoding:windows-1258" {
						t.Errorf("not NFC: %q", c.Text)
					}
				}
			}
		})
	}
}

func TestDecodeProblems(t *testing.T) {
	with := func(f func(*grid.Limits)) grid.Limits {
		l := grid.DefaultLimits
		f(&l)
		return l
	}
	tests := []struct {
		name string
		data []byte
		lim  grid.Limits
		code string
	}{
		{"zero bytes", nil, grid.DefaultLimits, grid.CodeCorrupt},
		{"xlsx named csv", []byte("PK\x03\x04\x14\x00rest"), grid.DefaultLimits, grid.CodeCorrupt},
		{"xls named csv", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), grid.DefaultLimits, grid.CodeCorrupt},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), grid.DefaultLimits, grid.CodeNotSheet},
		{"pdf", []byte("%PDF-1.7\n"), grid.DefaultLimits, grid.CodeNotSheet},
		{"nul bytes", []byte("a,b\n\x00\x01\x02\x03garbage\x00\xff\xfe"), grid.DefaultLimits, grid.CodeNotSheet},
		{"control characters", []byte(strings.Repeat("\x01\x02\x03\x04x", 40)), grid.DefaultLimits, grid.CodeNotSheet},
		{"utf-32", []byte("\xFF\xFE\x00\x00a\x00\x00\x00"), grid.DefaultLimits, grid.CodeUnsupported},
		{"file size", []byte("a,b\n1,2\n"), with(func(l *grid.Limits) { l.MaxFileBytes = 4 }), grid.CodeTooLarge},
		{"columns", []byte("a,b,c\n"), with(func(l *grid.Limits) { l.MaxCols = 2 }), grid.CodeTooLarge},
		{"rows", []byte("a\nb\nc\n"), with(func(l *grid.Limits) { l.MaxRows = 2 }), grid.CodeTooLarge},
		{"cells", []byte("a,b\nc,d\n"), with(func(l *grid.Limits) { l.MaxCells = 3 }), grid.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := decodeData(t, "x.csv", tc.data, tc.lim)
			var p *grid.Problem
			if !errors.As(err, &p) {
				t.Fatalf("got %v, %v; want a Problem %s", wb, err, tc.code)
			}
			if p.Code != tc.code {
				t.Errorf("code %s (%v), want %s", p.Code, err, tc.code)
			}
		})
	}
}

func TestLimitsTolerated(t *testing.T) {
	lim := grid.DefaultLimits
	lim.MaxCellChars = 4
	lim.MaxCols = 2
	lim.MaxRows = 2
	// Trailing empty fields and blank lines beyond the limits cost nothing.
	wb, err := decodeData(t, "a.csv", []byte("Nguyễn Văn,b,,,,,\n,,,\n\n\n"), lim)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(wb); got != "1:1=Nguy|2=b;" {
		t.Errorf("got %q", got)
	}
	if len(wb.Notes) != 1 || !strings.Contains(wb.Notes[0], "cut to 4") {
		t.Errorf("notes %q", wb.Notes)
	}
}

// sharedDir locates ../shared beside the repository root, or skips.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data absent (%s): %v", shared, err)
	}
	return shared
}

var spaces = regexp.MustCompile(`\s+`)

// normText is NFC with white space collapsed, for comparing with truth.
func normText(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(norm.NFC.String(s), " "))
}

func TestSamplesAgainstTruth(t *testing.T) {
	set := filepath.Join(sharedDir(t), "samples", "2022")
	raw, err := os.ReadFile(filepath.Join(set, "truth.json"))
	if err != nil {
		t.Skipf("no truth.json: %v", err)
	}
	var truth struct {
		Files []struct {
			Path   string `json:"path"`
			Format string `json:"format"`
		} `json:"files"`
		Rows []struct {
			Path  string `json:"path"`
			Sheet string `json:"sheet"`
			Row   int    `json:"row"`
			Check struct {
				Column string `json:"column"`
				Text   string `json:"text"`
			} `json:"check"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	files, checked := 0, 0
	for _, f := range truth.Files {
		if f.Format != "csv" {
			continue
		}
		files++
		wb, err := Decode(context.Background(), filepath.Join(set, "inbox", filepath.FromSlash(f.Path)), grid.DefaultLimits)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		rows := map[int][]string{}
		for _, r := range wb.Sheets[0].Rows {
			for _, c := range r.Cells {
				rows[r.Num] = append(rows[r.Num], normText(c.Text))
			}
		}
		for _, tr := range truth.Rows {
			if tr.Path != f.Path || tr.Check.Text == "" {
				continue
			}
			checked++
			want := normText(tr.Check.Text)
			if tr.Sheet != "" || !contains(rows[tr.Row], want) {
				t.Errorf("%s: sheet %q line %d lacks %q (%s); has %q", f.Path, tr.Sheet, tr.Row, want, tr.Check.Column, rows[tr.Row])
			}
		}
	}
	if files == 0 || checked == 0 {
		t.Fatalf("truth has %d csv files, %d checked rows", files, checked)
	}
	t.Logf("%d csv sample files, %d truth rows found", files, checked)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var linesNote = regexp.MustCompile(`(\d+) lines`)

func TestRealWorldCorpus(t *testing.T) {
	root := filepath.Join(sharedDir(t), "corpus", "realworld")
	notes := map[string]string{}
	if m, err := os.ReadFile(filepath.Join(root, "MANIFEST.tsv")); err == nil {
		for _, line := range strings.Split(string(m), "\n") {
			if f := strings.Split(line, "\t"); len(f) >= 8 {
				notes[f[0]] = f[7]
			}
		}
	}
	counts := map[string]int{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".csv", ".tsv", ".txt":
		default:
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		wb, err := decodeWithTimeout(t, p, 20*time.Second)
		code := "ok"
		if err != nil {
			code = grid.CodeOf(err)
		}
		counts[code]++
		note := notes[rel]
		t.Logf("%s: %s %s", rel, code, summary(wb, err))
		switch {
		case strings.Contains(note, "zero-byte"):
			if code != grid.CodeCorrupt {
				t.Errorf("%s (%s): got %s, want corrupt", rel, note, code)
			}
			return nil
		case strings.HasPrefix(note, "text:") || strings.Contains(note, "| text:"):
			if err != nil {
				t.Errorf("%s (%s): %v", rel, note, err)
				return nil
			}
		default:
			return nil
		}
		for enc, want := range map[string]string{"utf-16be": "csv_encoding:utf-16be", "utf-16le": "csv_encoding:utf-16le", "non-utf8": "csv_encoding:windows-1258"} {
			if strings.Contains(note, enc) && !strings.Contains(strings.Join(wb.Notes, ","), want) {
				t.Errorf("%s (%s): notes %q lack %s", rel, note, wb.Notes, want)
			}
		}
		if m := linesNote.FindStringSubmatch(note); m != nil {
			lines, _ := strconv.Atoi(m[1])
			rows := wb.Sheets[0].Rows
			// The manifest counts line terminators; the last line may lack one.
			if len(rows) == 0 || rows[len(rows)-1].Num > lines+1 || rows[len(rows)-1].Num < lines {
				t.Errorf("%s (%s): %d rows, last %+v", rel, note, len(rows), rows[len(rows)-1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("realworld csv/tsv/txt: %v", counts)
}

// decodeWithTimeout decodes one file, failing the test if it hangs.
func decodeWithTimeout(t *testing.T, p string, d time.Duration) (*grid.Workbook, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type result struct {
		wb  *grid.Workbook
		err error
	}
	ch := make(chan result, 1)
	go func() {
		wb, err := Decode(ctx, p, grid.DefaultLimits)
		ch <- result{wb, err}
	}()
	select {
	case r := <-ch:
		return r.wb, r.err
	case <-time.After(d + 5*time.Second):
		t.Fatalf("%s: decoder hangs", p)
		return nil, nil
	}
}

// summary describes a decode result for the test log.
func summary(wb *grid.Workbook, err error) string {
	if err != nil {
		return err.Error()
	}
	s := wb.Sheets[0]
	cells, last := 0, 0
	for _, r := range s.Rows {
		cells += len(r.Cells)
		last = r.Num
	}
	return fmt.Sprintf("%d rows (last line %d), %d cells, notes %q", len(s.Rows), last, cells, wb.Notes)
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("\xEF\xBB\xBFSTT,Họ tên\n1,\"A\nB\"\n"))
	f.Add([]byte("a;b;c\r1;2;3\r"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00\n\x00"))
	f.Add([]byte("Nguy\xEA\xDEn,V\xE3n\n"))
	f.Add([]byte("sep=|\na|\"b"))
	lim := grid.Limits{MaxFileBytes: 1 << 16, MaxRows: 50, MaxCols: 10, MaxCells: 100, MaxCellChars: 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := decodeData(t, "f.csv", data, lim)
		if err != nil {
			var p *grid.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error is not a Problem: %v", err)
			}
			return
		}
		prev := 0
		for _, r := range wb.Sheets[0].Rows {
			if r.Num <= prev || len(r.Cells) == 0 {
				t.Fatalf("bad row order or empty row: %+v", r)
			}
			prev = r.Num
			for _, c := range r.Cells {
				if c.Text == "" || c.Col < 1 || c.Col > lim.MaxCols {
					t.Fatalf("bad cell %+v", c)
				}
			}
		}
	})
}
