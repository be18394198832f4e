package xlsx

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// TestSharedTableChunks: the shared table gives back every string it was
// given, whatever the chunk size: strings that fill a chunk exactly,
// empty ones, ones longer than a chunk (alone in theirs), and escaped ones
// (added as text).
func TestSharedTableChunks(t *testing.T) {
	strs := []string{"", "a", "Nguyễn Văn Trí", "", "29956-000001", strings.Repeat("x", 40), "b", "", "087079105130", "Ấp 2", strings.Repeat("ạ", 9), "c"}
	keep := sstChunk
	defer func() { sstChunk = keep }()
	for _, tc := range []struct {
		name         string
		chunk, first int
	}{
		{"default", keep, 1 << 20},
		{"one byte", 1, 1},
		{"five bytes", 5, 5},
		{"a small first chunk", 16, 3},
		{"sixteen bytes", 16, 16},
		{"exact fits", 12, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sstChunk = tc.chunk
			sb := sharedBuilder{first: tc.first}
			for i, s := range strs {
				if i%2 == 0 {
					sb.add([]byte(s), "")
				} else {
					sb.add(nil, s)
				}
			}
			tb := sb.table()
			if tb.len() != len(strs) {
				t.Fatalf("%d strings, want %d", tb.len(), len(strs))
			}
			for i, s := range strs {
				if got := tb.at(i); got != s {
					t.Errorf("string %d: %q, want %q", i, got, s)
				}
			}
			if tc.chunk < 40 && len(tb.chunks) < 2 {
				t.Errorf("%d chunks of %d bytes for %d bytes of text", len(tb.chunks), tc.chunk, sb.total)
			}
		})
	}
}

// TestSharedChunksSameGrid: a roster whose shared strings fill many
// chunks decodes to the same grid as with one chunk.
func TestSharedChunksSameGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m1.xlsx")
	const n = 3000
	readtest.XLSX(t, path, func(w io.Writer) {
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d"><v>%d</v></c></row>`, i, i, 2*(i-1), i, 2*(i-1)+1, i, i)
		}
		// An index past the table: a decoder note, as before.
		fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>`, n+1, n+1, 2*n)
	}, func(w io.Writer) {
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, `<si><t>29956-%06d</t></si><si><r><t>Hộ </t></r><r><t>số_x000D_%d</t></r></si>`, i, i)
		}
	})
	keep := sstChunk
	defer func() { sstChunk = keep }()
	decode := func(chunk int) *grid.Workbook {
		sstChunk = chunk
		wb, err := Decode(context.Background(), path, grid.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		return wb
	}
	want := decode(1 << 30)
	if c, ok := readtest.Cell(&want.Sheets[0], n, 2); !ok || c.Text != fmt.Sprintf("Hộ số\r%d", n) {
		t.Fatalf("last row's text: %+v", c)
	}
	for _, chunk := range []int{64, 1000, 4096} {
		if got := decode(chunk); !reflect.DeepEqual(got, want) {
			t.Errorf("chunks of %d bytes: the grid differs", chunk)
		}
	}
}
