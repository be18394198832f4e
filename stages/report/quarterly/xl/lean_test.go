package xl

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// TestCleanSameAsBefore: clean is the predicate CleanText used before,
// on chosen and random strings.
func TestCleanSameAsBefore(t *testing.T) {
	before := func(s string) bool { return !strings.ContainsFunc(s, bad) && utf8.ValidString(s) }
	cases := []string{"", "abc", "Nguyễn Văn A", "a\tb\nc\rd", "a\x01b", "\x00", "\x1f", "x\x7f",
		"\xff", "ab\xc3", "\xed\xa0\x80", "\uFFFE", "\uFFFF", "\uFFFD", "😀", "a\u2028b", "_x0041_"}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", " ", "\t", "\n", "\x01", "\x1f", "ễ", "\xff", "\xc3", "\uFFFE", "😀", "\xed\xa0\x80", "&"}
	for range 5000 {
		var sb strings.Builder
		for range rng.IntN(8) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		if got, want := clean(s), before(s); got != want {
			t.Errorf("clean(%q) = %v, want %v", s, got, want)
		}
	}
}

// leanBooks writes books whose styles are made in varied orders and
// ways (named styles at once and lazily, styles of the caller, a style
// met twice, a direct sheet, the File handed out) into dir.
func leanBooks(t *testing.T, dir string) {
	t.Helper()
	red := &excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}}
	text := styleOf(Text) // the same as the named style Text
	books := []struct {
		name string
		mk   func() *Book
		fill func(b *Book)
	}{
		{"eager", NewBook, func(b *Book) {
			s := b.StreamSheet("Một")
			id, err := b.NewStyle(red)
			b.fail(err)
			s.Row(1, Header, "A", "B")
			s.StyleID(1, 2, 2, 2, id)
		}},
		{"lazy", NewLazyBook, func(b *Book) {
			s := b.StreamSheet("Một")
			s.Put(1, 1, "x", Note)
			id, err := b.NewStyle(text)
			b.fail(err)
			s.StyleID(1, 2, 1, 2, id)
			s.Put(2, 2, 5, Int)
		}},
		{"lazy-other-order", NewLazyBook, func(b *Book) {
			s := b.StreamSheet("Một")
			id, err := b.NewStyle(text)
			b.fail(err)
			s.StyleID(1, 2, 1, 2, id)
			s.Put(1, 1, "x", Note)
			s.Put(2, 2, 5, Int)
			s.Put(2, 3, "y", Text)
		}},
		{"lazy-direct", NewLazyBook, func(b *Book) {
			s := b.StreamSheet("Một")
			s.Put(1, 1, "x", Title)
			d := b.Sheet("Hai")
			d.Put(1, 1, "y", Paragraph)
			id, err := b.NewStyle(red)
			b.fail(err)
			d.StyleID(1, 2, 1, 2, id)
		}},
		{"lazy-file", NewLazyBook, func(b *Book) {
			s := b.StreamSheet("Một")
			s.Put(1, 1, "x", Title)
			id, err := b.File().NewStyle(red)
			b.fail(err)
			s.StyleID(1, 2, 1, 2, id)
			s.Put(1, 3, "z", Muted)
		}},
		{"none", NewLazyBook, func(b *Book) { b.StreamSheet("Một").PutText(1, 1, "x", Plain) }},
		// Two books of one style sequence with a direct sheet, the second
		// with a date: excelize makes default date styles of its own when
		// a time is put in a direct sheet's cell, which the memo's part of
		// the sequence (kept from the first book) does not hold.
		{"direct-no-date", NewBook, func(b *Book) {
			d := b.Sheet("Một")
			d.Row(1, Text, "x", Styled{V: "y", S: Date})
		}},
		{"direct-date", NewBook, func(b *Book) {
			d := b.Sheet("Một")
			d.Row(1, Text, "x", Styled{V: time.Date(2022, 4, 5, 0, 0, 0, 0, time.UTC), S: Date})
		}},
	}
	for _, bk := range books {
		b := bk.mk()
		b.SetTitle(bk.name, "Huyện")
		bk.fill(b)
		if err := b.Save(filepath.Join(dir, bk.name+".xlsx")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLeanSameBytes saves the same books as before the lean writing
// (SetLean(false)) and the lean way, with the memo of styles empty, then
// filled: the same files, byte for byte; the warm books take their styles
// part from the memo.
func TestLeanSameBytes(t *testing.T) {
	defer SetLean(SetLean(true))
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, lean := range []bool{false, true, true} {
		if i < 2 {
			SetLean(lean)
		}
		n := memoParts.Load()
		leanBooks(t, dirs[i])
		if i == 2 && memoParts.Load()-n < 4 {
			t.Errorf("%d styles parts from the memo", memoParts.Load()-n)
		}
	}
	styleMemo.mu.Lock()
	nodes := styleMemo.nodes
	styleMemo.mu.Unlock()
	if nodes == 0 {
		t.Error("no style sequence in the memo")
	}
	names, err := filepath.Glob(filepath.Join(dirs[0], "*.xlsx"))
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, name := range names {
		want, _ := os.ReadFile(name)
		for _, d := range dirs[1:] {
			got, err := os.ReadFile(filepath.Join(d, filepath.Base(name)))
			if err != nil || !bytes.Equal(got, want) {
				a, b := zipParts(t, name), zipParts(t, filepath.Join(d, filepath.Base(name)))
				for part := range a {
					if !bytes.Equal(a[part], b[part]) {
						t.Errorf("%s: %s differs:\n%.600s\n%.600s", filepath.Base(name), part, a[part], b[part])
					}
				}
				t.Errorf("%s differs (%v)", filepath.Base(name), err)
			}
		}
	}
}
