package xl

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestThemeSameBytes saves the same books (cell by cell and streamed,
// named styles made at once and lazily) with the theme part stored and
// marshalled by excelize: every part the same, byte for byte.
func TestThemeSameBytes(t *testing.T) {
	defer func(v bool) { fixedTheme = v }(fixedTheme)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		mk   func(b *Book, name string) *Sheet
	}{{"sheet", (*Book).Sheet}, {"stream", (*Book).StreamSheet}} {
		paths := map[bool]string{}
		for _, v := range []bool{true, false} {
			fixedTheme = v
			paths[v] = filepath.Join(dir, tc.name+map[bool]string{true: "-stored", false: "-marshalled"}[v]+".xlsx")
			fillSheets(t, paths[v], tc.mk)
		}
		a, b := zipParts(t, paths[true]), zipParts(t, paths[false])
		if len(a) != len(b) || len(a[themePart]) == 0 {
			t.Errorf("%s: %d parts against %d, theme %d bytes", tc.name, len(a), len(b), len(a[themePart]))
		}
		for name, x := range b {
			if !bytes.Equal(a[name], x) {
				t.Errorf("%s: %s differs", tc.name, name)
			}
		}
	}
	fixedTheme = true
	lazy, eager := filepath.Join(dir, "lazy.xlsx"), filepath.Join(dir, "lazy-marshalled.xlsx")
	commentBook(t, lazy)
	fixedTheme = false
	commentBook(t, eager)
	if a, b := zipParts(t, lazy), zipParts(t, eager); !bytes.Equal(a[themePart], b[themePart]) || len(a[themePart]) == 0 {
		t.Error("theme of a lazy book differs")
	}
}
