package read_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/pipeline/faultdoc"
	"doithoai/stages/read/internal/readtest"
)

// fuzzBomb is a small version of a bomb, kept as a seed of the fuzz
// corpora: dir is the decoder package, ext the index of its extension in
// FuzzRead's list.
type fuzzBomb struct {
	name string
	dir  string
	ext  uint8
	data func(t *testing.T) []byte
}

// fuzzBombs are the seeds: small enough to keep in the repository, and
// still hostile under the fuzz targets' small limits.
func fuzzBombs() []fuzzBomb {
	file := func(name string, build func(t *testing.T, path string)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			p := filepath.Join(t.TempDir(), name)
			build(t, p)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	byName := map[string]bomb{}
	for _, b := range bombs() {
		byName[b.name] = b
	}
	xls := func(name string) func(t *testing.T) []byte { return file(name, byName[name].build) }
	return []fuzzBomb{
		{"ods-repeat-issue11", "ods", 2, xls("DS.ods")},
		{"ods-column-repeat", "ods", 2, xls("cot.ods")},
		{"ods-giant-cell", "ods", 2, file("g.ods", func(t *testing.T, p string) {
			os.WriteFile(p, readtest.ODSZip(t, readtest.ODSHead+`<table:table table:name="DS"><table:table-row><table:table-cell office:value-type="string"><text:p>`+
				strings.Repeat("x", 64<<10)+`</text:p></table:table-cell></table:table-row></table:table>`+readtest.ODSTail), 0o600)
		})},
		{"xlsx-shared-string-refs", "xlsx", 0, file("s.xlsx", func(t *testing.T, p string) {
			readtest.XLSX(t, p, readtest.SharedRefs(500), func(w io.Writer) {
				io.WriteString(w, `<si><t>`+strings.Repeat("x", 1500)+`</t></si>`)
			})
		})},
		{"xlsx-giant-shared-string", "xlsx", 0, file("g.xlsx", func(t *testing.T, p string) {
			readtest.XLSX(t, p, readtest.SharedRefs(10), func(w io.Writer) {
				io.WriteString(w, `<si><t>`+strings.Repeat("x", 64<<10)+`</t></si>`)
			})
		})},
		{"xlsx-gap-A1048576", "xlsx", 0, xls("gap.xlsx")},
		{"xlsx-XFD", "xlsx", 0, xls("xfd.xlsx")},
		{"xls-stream-size", "xls", 1, xls("size.xls")},
		{"xls-loop-chain", "xls", 1, xls("loop.xls")},
		{"xls-shared-string-refs", "xls", 1, func(t *testing.T) []byte {
			var body []byte
			for i := 0; i < 300; i++ {
				body = append(body, readtest.BIFFRec(0x00FD, readtest.U16(i/10), readtest.U16(i%10), readtest.U16(0), readtest.U32(0))...)
			}
			return readtest.BIFF8Book([][]byte{readtest.BIFFSST(strings.Repeat("x", 1500))}, body)
		}},
		{"xls-dimensions-mulblank", "xls", 1, func(t *testing.T) []byte {
			body := readtest.BIFFRec(0x0200, readtest.U32(0), readtest.U32(65536), readtest.U16(0), readtest.U16(256), readtest.U16(0))
			for r := 0; r < 8; r++ {
				body = append(body, readtest.BIFFRec(0x00BE, readtest.U16(r), readtest.U16(0), make([]byte, 2*256), readtest.U16(255))...)
			}
			return readtest.BIFF8Book([][]byte{readtest.BIFFSST("STT")}, body)
		}},
		{"csv-long-field", "csvtext", 3, func(*testing.T) []byte {
			return []byte("STT,Mã hộ\n1," + strings.Repeat("x", 8<<10) + "\n")
		}},
		{"csv-many-fields", "csvtext", 3, func(*testing.T) []byte {
			return []byte("STT,Mã hộ\n1" + strings.Repeat(",", 17000) + "x\n")
		}},
	}
}

// TestWriteFuzzSeeds writes the seeds into the corpora under testdata/fuzz
// (FuzzDecode of each decoder, FuzzRead here) when DOITHOAI_WRITE_FUZZ_SEEDS
// is set; the corpora are kept in the repository, and `go test` runs them.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("DOITHOAI_WRITE_FUZZ_SEEDS") == "" || faultdoc.IsChild() {
		t.Skip("set DOITHOAI_WRITE_FUZZ_SEEDS=1 to rewrite the fuzz seeds")
	}
	for _, s := range fuzzBombs() {
		data := s.data(t)
		write := func(dir, body string) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, s.name), []byte("go test fuzz v1\n"+body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(filepath.Join(s.dir, "testdata", "fuzz", "FuzzDecode"), fmt.Sprintf("[]byte(%q)\n", data))
		write(filepath.Join("testdata", "fuzz", "FuzzRead"), fmt.Sprintf("[]byte(%q)\nbyte(%q)\n", data, rune(s.ext)))
		t.Logf("%s: %d bytes", s.name, len(data))
	}
}
