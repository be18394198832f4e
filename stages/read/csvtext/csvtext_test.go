package csvtext

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// decodeData writes data to a temporary file and decodes it.
func decodeData(t testing.TB, name string, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	return Decode(context.Background(), readtest.WriteTemp(t, name, data), lim)
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
			readtest.WantProblem(t, wb, err, tc.code)
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

func TestSamplesAgainstTruth(t *testing.T) {
	set, truth := readtest.SampleSet(t, "2022")
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
				rows[r.Num] = append(rows[r.Num], readtest.NormText(c.Text))
			}
		}
		for _, tr := range truth.Rows {
			if tr.Path != f.Path || tr.Check.Text == "" {
				continue
			}
			checked++
			want := readtest.NormText(tr.Check.Text)
			if tr.Sheet != "" || !slices.Contains(rows[tr.Row], want) {
				t.Errorf("%s: sheet %q line %d lacks %q (%s); has %q", f.Path, tr.Sheet, tr.Row, want, tr.Check.Column, rows[tr.Row])
			}
		}
	}
	if files == 0 || checked == 0 {
		t.Fatalf("truth has %d csv files, %d checked rows", files, checked)
	}
	t.Logf("%d csv sample files, %d truth rows found", files, checked)
}

var linesNote = regexp.MustCompile(`(\d+) lines`)

func TestRealWorldCorpus(t *testing.T) {
	root := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	notes, _ := readtest.ReadManifest(root) // without it, files are only decoded
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
		wb, err := readtest.DecodeWithin(t, Decode, p, grid.DefaultLimits, 20*time.Second)
		code := "ok"
		if err != nil {
			code = grid.CodeOf(err)
		}
		counts[code]++
		note := notes[rel]
		t.Logf("%s: %s %s", rel, code, readtest.Describe(wb, err))
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

func FuzzDecode(f *testing.F) {
	f.Add([]byte("\xEF\xBB\xBFSTT,Họ tên\n1,\"A\nB\"\n"))
	f.Add([]byte("a;b;c\r1;2;3\r"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00\n\x00"))
	f.Add([]byte("Nguy\xEA\xDEn,V\xE3n\n"))
	f.Add([]byte("sep=|\na|\"b"))
	lim := grid.Limits{MaxFileBytes: 1 << 16, MaxRows: 50, MaxCols: 10, MaxCells: 100, MaxCellChars: 20, MaxCellBytes: 400, MaxSheetBytes: 20_000}
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := decodeData(t, "f.csv", data, lim)
		if !readtest.CheckResult(t, wb, err, lim.WithDefaults()) {
			return
		}
		if len(wb.Sheets) != 1 {
			t.Fatalf("%d sheets, want 1", len(wb.Sheets))
		}
		for _, r := range wb.Sheets[0].Rows {
			for _, c := range r.Cells {
				if c.Text == "" || c.Kind != grid.String {
					t.Fatalf("bad cell %+v", c)
				}
			}
		}
	})
}
