// Package xlsxzip is the zip writer of the workbooks the program writes
// (the communes' blank forms, the report stage's workbooks), installed in
// excelize with File.SetZipWriter. It writes the same bytes as excelize's
// default (archive/zip, deflate level 5, entries in the order excelize
// creates them), faster, or with Options.Level the same entries deflated
// at another level:
//
//   - a Cache shared by the workbooks of one run keeps the compressed
//     bytes of the parts seen so far (styles, theme, content types, rels,
//     identical sheets of the blank forms…), and a part met again is
//     written as it was compressed the first time (zip.Writer.CreateRaw
//     with the same CRC and sizes), skipping deflate;
//   - with SortSheets, worksheet entries are put in the order of their
//     number as they are written, instead of rewriting the finished zip.
//
// An entry started with CreateAfter is the exception: many parts that
// begin alike (the communes' sheets of one shape) share the deflated bytes
// of their common start (a Head), and only the rest is deflated and
// appended. Their content is the same; their compressed bytes differ from
// archive/zip's.
//
// Entries larger than 4 GiB are refused (they would need zip64, which
// excelize patches into the finished buffer).
package xlsxzip

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// DefaultLevel is archive/zip's deflate level (what zip.Writer.Create
// uses), the level of a Writer whose Options.Level is 0.
const DefaultLevel = 5

// Default bounds of a Cache.
const (
	// DefaultMaxPart is the largest part (uncompressed bytes) a cache keeps.
	DefaultMaxPart = 64 << 10
	// DefaultLimit bounds the bytes (uncompressed and compressed) a cache
	// keeps; once reached, new parts are no longer kept.
	DefaultLimit = 16 << 20
)

// Cache keeps compressed parts by content. It is safe for concurrent use;
// what it holds only changes speed, never the bytes written.
type Cache struct {
	mu      sync.Mutex
	parts   map[partKey][]*part
	size    int // bytes kept (raw and compressed)
	maxPart int
	limit   int
	hits    int
}

type partKey struct {
	crc   uint32
	n     int
	level int // the deflate level the part was compressed at
}

// part is a compressed part: its content, for comparison, and its
// deflated bytes.
type part struct {
	raw  []byte
	comp []byte
}

// NewCache makes a cache of parts up to maxPart bytes, limit bytes in all
// (0: the defaults).
func NewCache(maxPart, limit int) *Cache {
	if maxPart <= 0 {
		maxPart = DefaultMaxPart
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Cache{parts: map[partKey][]*part{}, maxPart: maxPart, limit: limit}
}

// Hits is the number of parts written from the cache so far.
func (c *Cache) Hits() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

// lookup is the compressed bytes of raw, or nil.
func (c *Cache) lookup(crc uint32, level int, raw []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.parts[partKey{crc, len(raw), level}] {
		if bytes.Equal(p.raw, raw) {
			c.hits++
			return p.comp
		}
	}
	return nil
}

// keep stores a compressed part while there is room.
func (c *Cache) keep(crc uint32, level int, raw, comp []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+len(raw)+len(comp) > c.limit {
		return
	}
	c.size += len(raw) + len(comp)
	k := partKey{crc, len(raw), level}
	c.parts[k] = append(c.parts[k], &part{raw: slices.Clone(raw), comp: comp})
}

// Options tune a Writer.
type Options struct {
	// Cache, when not nil, is consulted and fed with small parts.
	Cache *Cache
	// SortSheets puts the worksheet entries (xl/worksheets/sheetN.xml) in
	// the order of N, at the place of the first one; every other entry
	// keeps its place.
	SortSheets bool
	// Rows, by entry name, writes sheet data to put into a worksheet
	// written with an empty <sheetData></sheetData> (rows written apart
	// from excelize's StreamWriter): the entry is written as if its rows
	// had been there. The rows go straight into the deflate stream, so a
	// big sheet's XML is never held whole. An entry of Rows that is not
	// met, or has no empty sheet data, fails the zip; so does the error of
	// a RowsFunc.
	Rows map[string]RowsFunc
	// Level is the deflate level of every entry (compress/flate's
	// levels but flate.NoCompression, which is 0 and means DefaultLevel:
	// the bytes excelize's own writer gives). A lower level is faster and gives a larger file with
	// the same content; a Cache keeps parts of each level apart.
	Level int
	// Out, when not nil, is where the zip is written instead of the
	// writer New is given: excelize's File.Write then writes nothing
	// more, and the zip is not held whole in excelize's buffer first.
	Out io.Writer
}

// RowsFunc writes the rows of a worksheet (its <row> elements) to w.
type RowsFunc func(w io.Writer) error

// emptySheetData is where Options.Rows go.
const emptySheetData = "<sheetData></sheetData>"

// Writer is an excelize.ZipWriter. Entries are compressed as they are
// written and the zip is written to the underlying writer at Close.
type Writer struct {
	out     io.Writer
	opt     Options
	entries []*entry
	cur     *entry
	raw     []byte        // the current entry's content while it may be cached
	comp    *bytes.Buffer // the current entry's deflated bytes when streaming
	fw      *flate.Writer // when streaming
	err     error
	closed  bool
	spliced int // entries of opt.Rows met
}

// entry is one finished zip entry.
type entry struct {
	name string
	head *Head    // the deflated start of the entry (nil: none)
	rows RowsFunc // Options.Rows of the entry (nil: none), dropped once written
	crc  uint32
	size uint64 // uncompressed
	comp []byte
	// Of an entry with rows: its content around the empty sheet data,
	// split where the rows go. Its rows are deflated straight into the
	// zip at Close, never held.
	before, after []byte
}

// New makes a Writer that writes a zip to w.
func New(w io.Writer, opt Options) *Writer {
	if opt.Out != nil {
		w = opt.Out
	}
	out := &Writer{out: w, opt: opt}
	if l := out.level(); l < flate.HuffmanOnly || l > flate.BestCompression {
		out.err = fmt.Errorf("xlsxzip: invalid deflate level %d", opt.Level)
	}
	return out
}

// Install makes f save through a Writer with opt.
func Install(f *excelize.File, opt Options) {
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return New(w, opt) })
}

// flatePools holds *flate.Writer by level (index level - flate.HuffmanOnly).
var flatePools [flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

// level is the writer's deflate level.
func (w *Writer) level() int {
	if w.opt.Level == 0 {
		return DefaultLevel
	}
	return w.opt.Level
}

// getFlate is a deflate writer at level writing to out; putFlate gives it
// back.
func getFlate(out io.Writer, level int) *flate.Writer {
	if fw, ok := flatePools[level-flate.HuffmanOnly].Get().(*flate.Writer); ok {
		fw.Reset(out)
		return fw
	}
	fw, err := flate.NewWriter(out, level)
	if err != nil {
		panic(err) // New checked the level
	}
	return fw
}

func putFlate(fw *flate.Writer, level int) { flatePools[level-flate.HuffmanOnly].Put(fw) }

// entryWriter is the io.Writer of the current entry.
type entryWriter struct {
	w *Writer
	e *entry
}

func (ew entryWriter) Write(p []byte) (int, error) {
	w := ew.w
	if w.err != nil {
		return 0, w.err
	}
	if w.cur != ew.e {
		return 0, errors.New("xlsxzip: write to a finished entry")
	}
	w.cur.crc = crc32.Update(w.cur.crc, crc32.IEEETable, p)
	w.cur.size += uint64(len(p))
	if w.cur.size > math.MaxUint32 {
		w.err = fmt.Errorf("xlsxzip: %s: part larger than 4 GiB", w.cur.name)
		return 0, w.err
	}
	if w.fw != nil {
		if _, err := w.fw.Write(p); err != nil {
			w.err = err
			return 0, err
		}
		return len(p), nil
	}
	if w.cur.rows != nil || w.cur.head != nil && len(w.raw)+len(p) <= DefaultMaxPart ||
		w.cur.head == nil && w.opt.Cache != nil && len(w.raw)+len(p) <= w.opt.Cache.maxPart {
		w.raw = append(w.raw, p...)
		return len(p), nil
	}
	// Too large to keep: deflate from now on.
	w.comp = new(bytes.Buffer)
	w.comp.Grow(int(w.cur.size/4) + 64)
	w.fw = getFlate(w.comp, w.level())
	for _, b := range [][]byte{w.raw, p} {
		if _, err := w.fw.Write(b); err != nil {
			w.err = err
			return 0, err
		}
	}
	w.raw = w.raw[:0]
	return len(p), nil
}

// Create starts an entry; its content is what is written to the returned
// writer until the next Create or Close.
func (w *Writer) Create(name string) (io.Writer, error) {
	if w.closed {
		return nil, errors.New("xlsxzip: writer closed")
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	if strings.HasSuffix(name, "/") {
		return nil, fmt.Errorf("xlsxzip: %s: directories are not written", name)
	}
	w.cur = &entry{name: name}
	if rows, ok := w.opt.Rows[name]; ok {
		w.cur.rows = rows
		if rows == nil {
			w.cur.rows = func(io.Writer) error { return nil }
		}
		w.spliced++
	}
	return entryWriter{w, w.cur}, nil
}

// Head is the start of many parts, deflated once (NewHead) for
// CreateAfter. It is safe for concurrent use.
type Head struct {
	size uint64
	crc  uint32
	comp []byte // deflate blocks, not final, ending at a byte boundary
}

// NewHead deflates raw as the start of parts.
func NewHead(raw []byte) (*Head, error) {
	if uint64(len(raw)) > math.MaxUint32 {
		return nil, errors.New("xlsxzip: head larger than 4 GiB")
	}
	var buf bytes.Buffer
	buf.Grow(len(raw)/4 + 64)
	fw := getFlate(&buf, DefaultLevel)
	defer putFlate(fw, DefaultLevel)
	if _, err := fw.Write(raw); err != nil {
		return nil, err
	}
	// A sync flush ends the blocks, none of them final, at a byte boundary:
	// the deflate stream of the rest can follow.
	if err := fw.Flush(); err != nil {
		return nil, err
	}
	return &Head{size: uint64(len(raw)), crc: crc32.ChecksumIEEE(raw), comp: buf.Bytes()}, nil
}

// Len is the length of the head's content.
func (h *Head) Len() int { return int(h.size) }

// CreateAfter starts an entry whose content is h's followed by what is
// written to the returned writer. Its rest is deflated apart (never taken
// from or kept in the cache) and put after h's deflated bytes.
func (w *Writer) CreateAfter(name string, h *Head) (io.Writer, error) {
	if h == nil {
		return nil, errors.New("xlsxzip: no head")
	}
	if _, ok := w.opt.Rows[name]; ok {
		return nil, fmt.Errorf("xlsxzip: %s: rows and a head", name)
	}
	ew, err := w.Create(name)
	if err != nil {
		return nil, err
	}
	w.cur.head, w.cur.crc, w.cur.size = h, h.crc, h.size
	return ew, nil
}

// AddFS is not supported (excelize does not call it).
func (w *Writer) AddFS(fs.FS) error {
	return errors.New("xlsxzip: AddFS is not supported")
}

// deflate returns prefix (deflate blocks ending at a byte boundary, or
// nil) followed by raw deflated at level, in a new slice.
func deflate(prefix, raw []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(prefix) + len(raw)/4 + 64)
	buf.Write(prefix)
	fw := getFlate(&buf, level)
	defer putFlate(fw, level)
	if _, err := fw.Write(raw); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// finish compresses the current entry (or takes it from the cache).
func (w *Writer) finish() error {
	if w.err != nil {
		return w.err
	}
	e := w.cur
	if e == nil {
		return nil
	}
	w.cur = nil
	if w.fw != nil {
		err := w.fw.Close()
		putFlate(w.fw, w.level())
		w.fw = nil
		if err != nil {
			w.err = err
			return err
		}
		e.comp = w.comp.Bytes()
		if e.head != nil {
			e.comp = append(slices.Clip(e.head.comp), e.comp...)
		}
		w.comp = nil
	} else if e.rows != nil {
		at := bytes.Index(w.raw, []byte(emptySheetData))
		if at < 0 {
			w.err = fmt.Errorf("xlsxzip: %s: no empty sheet data to put rows in", e.name)
			return w.err
		}
		open := at + len("<sheetData>")
		e.before, e.after = slices.Clone(w.raw[:open]), slices.Clone(w.raw[open:])
		w.raw = w.raw[:0]
	} else if e.head != nil {
		comp, err := deflate(e.head.comp, w.raw, w.level())
		if err != nil {
			w.err = err
			return err
		}
		e.comp = comp
		w.raw = w.raw[:0]
	} else {
		c := w.opt.Cache
		if c != nil {
			e.comp = c.lookup(e.crc, w.level(), w.raw)
		}
		if e.comp == nil {
			comp, err := deflate(nil, w.raw, w.level())
			if err != nil {
				w.err = err
				return err
			}
			e.comp = comp
			if c != nil {
				c.keep(e.crc, w.level(), w.raw, e.comp)
			}
		}
		w.raw = w.raw[:0]
	}
	w.entries = append(w.entries, e)
	return nil
}

// writeRows writes an entry with rows to zw, deflated as it is made (the
// header and data descriptor zip.Writer.Create gives it, as for every
// entry): a big sheet's compressed bytes are never held.
func (w *Writer) writeRows(zw *zip.Writer, e *entry) error {
	ew, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
	if err != nil {
		return fmt.Errorf("xlsxzip: %s: %w", e.name, err)
	}
	cw := &sizeWriter{w: ew, name: e.name}
	if _, err := cw.Write(e.before); err != nil {
		return fmt.Errorf("xlsxzip: %s: %w", e.name, err)
	}
	rows := e.rows
	e.rows, e.before = nil, nil // its content can go once written
	if err := rows(cw); err != nil {
		return fmt.Errorf("xlsxzip: %s: rows: %w", e.name, err)
	}
	if _, err := cw.Write(e.after); err != nil {
		return fmt.Errorf("xlsxzip: %s: %w", e.name, err)
	}
	e.after = nil
	return nil
}

// sheetNo is N of xl/worksheets/sheetN.xml.
func sheetNo(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "xl/worksheets/sheet")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, ".xml")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// order is the entries in the order they are written.
func (w *Writer) order() []*entry {
	if !w.opt.SortSheets {
		return w.entries
	}
	var sheets []*entry
	for _, e := range w.entries {
		if _, ok := sheetNo(e.name); ok {
			sheets = append(sheets, e)
		}
	}
	slices.SortStableFunc(sheets, func(a, b *entry) int {
		na, _ := sheetNo(a.name)
		nb, _ := sheetNo(b.name)
		return na - nb
	})
	out := make([]*entry, 0, len(w.entries))
	placed := false
	for _, e := range w.entries {
		if _, ok := sheetNo(e.name); ok {
			if !placed {
				placed = true
				out = append(out, sheets...)
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// utf8Flag is the flag zip.Writer.CreateHeader sets for a name: 0x800
// when the name needs UTF-8 and is valid UTF-8.
func utf8Flag(s string) uint16 {
	require := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < 0x20 || r > 0x7d || r == 0x5c {
			if !utf8.ValidRune(r) || (r == utf8.RuneError && size == 1) {
				return 0
			}
			require = true
		}
	}
	if require {
		return 0x800
	}
	return 0
}

// Close writes the zip: every entry with the header zip.Writer.Create
// gives it, then the central directory.
func (w *Writer) Close() error {
	if w.closed {
		return errors.New("xlsxzip: closed twice")
	}
	if err := w.finish(); err != nil {
		return err
	}
	w.closed = true
	if w.spliced != len(w.opt.Rows) {
		return fmt.Errorf("xlsxzip: %d of %d worksheets given rows were not written", len(w.opt.Rows)-w.spliced, len(w.opt.Rows))
	}
	zw := zip.NewWriter(w.out)
	level := w.level()
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return pooledFlate{getFlate(out, level), level}, nil
	})
	for _, e := range w.order() {
		if e.rows != nil {
			if err := w.writeRows(zw, e); err != nil {
				return err
			}
			continue
		}
		fh := &zip.FileHeader{
			Name:               e.name,
			Method:             zip.Deflate,
			Flags:              0x8 | utf8Flag(e.name), // a data descriptor follows
			CreatorVersion:     20,
			ReaderVersion:      20,
			CRC32:              e.crc,
			CompressedSize64:   uint64(len(e.comp)),
			UncompressedSize64: e.size,
		}
		ew, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("xlsxzip: %s: %w", e.name, err)
		}
		if _, err := ew.Write(e.comp); err != nil {
			return fmt.Errorf("xlsxzip: %s: %w", e.name, err)
		}
	}
	w.entries = nil
	return zw.Close()
}

// pooledFlate is a deflate writer given back to its pool when closed.
type pooledFlate struct {
	*flate.Writer
	level int
}

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	putFlate(p.Writer, p.level)
	return err
}

// sizeWriter passes bytes on to w, refusing a part past 4 GiB (the size
// a zip entry without Zip64 holds, as for every other entry).
type sizeWriter struct {
	w    io.Writer
	name string
	size uint64
}

func (c *sizeWriter) Write(p []byte) (int, error) {
	if c.size += uint64(len(p)); c.size > math.MaxUint32 {
		return 0, fmt.Errorf("xlsxzip: %s: part larger than 4 GiB", c.name)
	}
	return c.w.Write(p)
}
