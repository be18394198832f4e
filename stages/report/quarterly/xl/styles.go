package xl

import (
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// The styles of a workbook are what the calls of excelize's NewStyle made
// on it, in order, made them (from excelize's default styles with the
// default font set by NewBook): every workbook of a kind makes the same
// ones, and excelize's NewStyle (which compares the new style with every
// one made) and the marshalling of the styles part cost a tenth of a
// small feedback workbook. A memo shared by the process keeps, for each
// sequence of styles met (a path in a tree of style keys), the ID
// NewStyle gave its last style and the styles part a book that made that
// sequence wrote. A book whose styles are all in the memo makes none of
// them in excelize and stores the memo's part, the very bytes excelize
// would write; one that meets a new style, takes a direct sheet or hands
// out its File makes the styles it skipped in excelize first, in order
// ("live": its excelize model then holds them), and goes on for real;
// one that takes a direct sheet or hands out its File also leaves the
// memo (excelize may make styles of its own there: its part is its own).

// styleNode is a sequence of styles of the memo: the ID of its last
// style, the sequences one style longer, and the styles part of a book
// that made exactly this sequence (nil: not yet known).
type styleNode struct {
	id       int
	children map[string]*styleNode
	part     []byte
}

// styleMemo is the process's memo of style sequences.
var styleMemo struct {
	mu    sync.Mutex
	root  styleNode
	nodes int
}

// memoParts counts the styles parts taken from the memo (for tests).
var memoParts atomic.Int64

// maxStyleNodes bounds the memo: past it, new sequences are not kept
// (their books make their styles in excelize, as before).
const maxStyleNodes = 4096

// stylesPart is the part of a workbook's styles.
const stylesPart = "xl/styles.xml"

// styleKey is the memo's key of a style: its JSON, which holds every
// setting (pointers by value, floats exactly).
func styleKey(s *excelize.Style) (string, bool) {
	b, err := json.Marshal(s)
	return string(b), err == nil
}

// namedKeys are the memo's keys of the named styles, made once.
var namedKeys = sync.OnceValue(func() (keys [numStyles]string) {
	for st := range keys {
		keys[st], _ = styleKey(styleOf(Style(st)))
	}
	return keys
})

// NewStyle makes a cell style (excelize's File.NewStyle) and returns its
// ID, for StyleID and RowWriter.
func (b *Book) NewStyle(s *excelize.Style) (int, error) {
	if b.memo == nil {
		return b.f.NewStyle(s)
	}
	key, ok := styleKey(s)
	if !ok {
		b.live()
		b.memo = nil
		return b.f.NewStyle(s)
	}
	return b.newStyle(key, func() *excelize.Style { return s })
}

// namedStyle is NewStyle(styleOf(st)), the style made only when needed.
func (b *Book) namedStyle(st Style) (int, error) {
	key := namedKeys()[st]
	if b.memo == nil || key == "" {
		return b.NewStyle(styleOf(st))
	}
	return b.newStyle(key, func() *excelize.Style { return styleOf(st) })
}

// newStyle is NewStyle of the style spec makes, whose key is key.
func (b *Book) newStyle(key string, spec func() *excelize.Style) (int, error) {
	styleMemo.mu.Lock()
	next := b.memo.children[key]
	styleMemo.mu.Unlock()
	if next != nil && !b.isLive {
		b.memo, b.seq = next, append(b.seq, spec)
		return next.id, nil
	}
	b.live()
	id, err := b.f.NewStyle(spec())
	if err != nil {
		b.memo = nil
		return id, err
	}
	if next == nil {
		styleMemo.mu.Lock()
		if next = b.memo.children[key]; next == nil && styleMemo.nodes < maxStyleNodes {
			next = &styleNode{id: id}
			if b.memo.children == nil {
				b.memo.children = map[string]*styleNode{}
			}
			b.memo.children[key] = next
			styleMemo.nodes++
		}
		styleMemo.mu.Unlock()
	}
	if next == nil || next.id != id {
		b.memo = nil // not kept (or, never expected, not what the memo holds)
		return id, nil
	}
	b.memo = next
	return id, nil
}

// live makes the styles the book skipped in excelize, in order: its
// excelize model then holds every style it has given out.
func (b *Book) live() {
	if b.isLive {
		return
	}
	b.isLive = true
	for _, spec := range b.seq {
		_, err := b.f.NewStyle(spec())
		b.fail(err)
	}
	b.seq = nil
}

// storeStyles puts the memo's styles part of the book's sequence in its
// package in place of excelize's model when the memo has it; else the
// book's styles are made in excelize (which then writes them) and
// keepStyles keeps the part written.
func (b *Book) storeStyles() {
	if b.memo == nil {
		return
	}
	styleMemo.mu.Lock()
	part := b.memo.part
	styleMemo.mu.Unlock()
	if part != nil {
		b.f.Styles = nil
		b.f.Pkg.Store(stylesPart, part)
		memoParts.Add(1)
		b.memo = nil // nothing to keep
		return
	}
	b.live()
}

// keepStyles keeps the styles part the book has written for its
// sequence (after a save whose part storeStyles did not have).
func (b *Book) keepStyles() {
	if b.memo == nil {
		return
	}
	v, ok := b.f.Pkg.Load(stylesPart)
	if !ok {
		return
	}
	part, ok := v.([]byte)
	if !ok {
		return
	}
	styleMemo.mu.Lock()
	if b.memo.part == nil {
		b.memo.part = slices.Clone(part)
	}
	styleMemo.mu.Unlock()
	b.memo = nil
}
