package template

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/schemas/template/xlsxzip"
)

// The communes' kits are thousands of workbooks that differ, form by
// form, in little but their texts: the commune's name in the header, the
// hints, the guide, the hamlets of the drop-down list. Building each with
// excelize costs milliseconds, mostly in excelize's model and its XML
// marshalling. The kit writer instead runs the form writer (fillBook)
// against a recorder, which notes every call and argument but the texts:
// that is the workbook's shape. The first workbook of a shape is built by
// excelize with each text replaced by a placeholder, and its parts are
// kept as a skeleton; every workbook of that shape is then its skeleton
// with the placeholders replaced by its texts, XML-escaped as excelize
// escapes them. Texts that excelize would not write verbatim (empty, with
// leading or trailing white space, control characters, "_x" escapes,
// placeholder marks, too long) are not replaced: they are part of the
// shape. Equal texts share one placeholder, so the shared strings part
// lists them once, as excelize does. The result is the workbook excelize
// writes, byte for byte (TestKitShapesSameBytes).

// Placeholder marks: U+E000, the text's class in decimal, U+E001 (private
// use characters, never in a text that is replaced).
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// placeholder is the text excelize is given for the texts of class i.
func placeholder(i int) string { return markOpen + strconv.Itoa(i) + markClose }

// maxText is the longest text (UTF-16 units) excelize writes unchanged in a
// cell.
const maxText = excelize.TotalCellChars

// verbatim reports whether excelize writes s unchanged in every place the
// kit puts a text (shared strings, data validation messages, document
// properties), only XML-escaped: then a placeholder can stand for it.
func verbatim(s string) bool {
	if s == "" || len(s) > maxText {
		return false
	}
	switch s[0] {
	case '\t', '\n', '\r', ' ':
		return false
	}
	switch s[len(s)-1] {
	case '\t', '\n', '\r', ' ':
		return false
	}
	if strings.Contains(s, "_x") || strings.Contains(s, "_X") {
		return false // excelize's bstr escapes
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return false
			}
		case r < 0x20, r >= 0xE000 && r <= 0xF8FF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}

// texts numbers the distinct verbatim texts of a workbook in the order met.
type texts struct {
	list  []string
	class map[string]int
}

// of is the class of s, or -1 when s is not verbatim.
func (t *texts) of(s string) int {
	if !verbatim(s) {
		return -1
	}
	if i, ok := t.class[s]; ok {
		return i
	}
	if t.class == nil {
		t.class = map[string]int{}
	}
	t.class[s] = len(t.list)
	t.list = append(t.list, s)
	return len(t.list) - 1
}

// recorder is a book that builds nothing: it writes every call and its
// arguments, texts by class, into key, and emulates the few answers the
// form writer uses (sheet list, style ids).
type recorder struct {
	texts
	key    []byte
	sheets []string
	lists  [][]string // what GetSheetList answered, in order
	styles int
	bad    bool // an argument holds a placeholder mark
}

func newRecorder() *recorder {
	return &recorder{sheets: []string{"Sheet1"}, key: make([]byte, 0, 8<<10)}
}

func (r *recorder) op(c byte) { r.key = append(r.key, c) }

func (r *recorder) putStr(s string) {
	if strings.Contains(s, markOpen) || strings.Contains(s, markClose) {
		r.bad = true
	}
	r.key = binary.AppendUvarint(r.key, uint64(len(s)))
	r.key = append(r.key, s...)
}

func (r *recorder) putInt(n int64)     { r.key = binary.AppendVarint(r.key, n) }
func (r *recorder) putFloat(x float64) { r.putStr(strconv.FormatFloat(x, 'g', -1, 64)) }

func (r *recorder) putBool(b bool) {
	if b {
		r.key = append(r.key, 1)
	} else {
		r.key = append(r.key, 0)
	}
}

func (r *recorder) putJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		r.bad = true
		return
	}
	r.putStr(string(b))
}

// text writes a text: its class, or the text itself when not verbatim.
func (r *recorder) text(s string) {
	if i := r.of(s); i >= 0 {
		r.key = append(r.key, 't')
		r.putInt(int64(i))
		return
	}
	r.key = append(r.key, 'l')
	r.putStr(s)
}

// ptext writes an optional text.
func (r *recorder) ptext(s *string) {
	if s == nil {
		r.key = append(r.key, 'n')
		return
	}
	r.text(*s)
}

func (r *recorder) sheetIndex(name string) int {
	for i, s := range r.sheets {
		if strings.EqualFold(s, name) {
			return i
		}
	}
	return -1
}

func (r *recorder) NewStyle(style *excelize.Style) (int, error) {
	r.op('S')
	r.putJSON(style)
	r.styles++
	return r.styles, nil
}

func (r *recorder) SetSheetName(source, target string) error {
	r.op('N')
	r.putStr(source)
	r.putStr(target)
	if i := r.sheetIndex(source); i >= 0 {
		r.sheets[i] = target
	}
	return nil
}

func (r *recorder) NewSheet(sheet string) (int, error) {
	r.op('W')
	r.putStr(sheet)
	if i := r.sheetIndex(sheet); i >= 0 {
		return i, nil
	}
	r.sheets = append(r.sheets, sheet)
	return len(r.sheets) - 1, nil
}

func (r *recorder) GetSheetList() []string {
	r.op('G')
	list := append([]string(nil), r.sheets...)
	r.lists = append(r.lists, list)
	return append([]string(nil), list...)
}

func (r *recorder) SetSheetVisible(sheet string, visible bool, veryHidden ...bool) error {
	r.op('V')
	r.putStr(sheet)
	r.putBool(visible)
	r.putInt(int64(len(veryHidden)))
	for _, v := range veryHidden {
		r.putBool(v)
	}
	return nil
}

func (r *recorder) SetActiveSheet(index int) {
	r.op('A')
	r.putInt(int64(index))
}

func (r *recorder) MergeCell(sheet, topLeftCell, bottomRightCell string) error {
	r.op('M')
	r.putStr(sheet)
	r.putStr(topLeftCell)
	r.putStr(bottomRightCell)
	return nil
}

func (r *recorder) SetCellStyle(sheet, topLeftCell, bottomRightCell string, styleID int) error {
	r.op('Y')
	r.putStr(sheet)
	r.putStr(topLeftCell)
	r.putStr(bottomRightCell)
	r.putInt(int64(styleID))
	return nil
}

func (r *recorder) SetCellStr(sheet, cell, value string) error {
	r.op('C')
	r.putStr(sheet)
	r.putStr(cell)
	r.text(value)
	return nil
}

func (r *recorder) SetCellInt(sheet, cell string, value int64) error {
	r.op('I')
	r.putStr(sheet)
	r.putStr(cell)
	r.putInt(value)
	return nil
}

func (r *recorder) SetCellFloat(sheet, cell string, value float64, precision, bitSize int) error {
	r.op('F')
	r.putStr(sheet)
	r.putStr(cell)
	r.putFloat(value)
	r.putInt(int64(precision))
	r.putInt(int64(bitSize))
	return nil
}

func (r *recorder) SetRowHeight(sheet string, row int, height float64) error {
	r.op('H')
	r.putStr(sheet)
	r.putInt(int64(row))
	r.putFloat(height)
	return nil
}

func (r *recorder) SetColWidth(sheet, startCol, endCol string, width float64) error {
	r.op('w')
	r.putStr(sheet)
	r.putStr(startCol)
	r.putStr(endCol)
	r.putFloat(width)
	return nil
}

func (r *recorder) SetPanes(sheet string, panes *excelize.Panes) error {
	r.op('P')
	r.putStr(sheet)
	r.putJSON(panes)
	return nil
}

func (r *recorder) SetDefinedName(definedName *excelize.DefinedName) error {
	r.op('D')
	r.putJSON(definedName)
	return nil
}

func (r *recorder) SetPageLayout(sheet string, opts *excelize.PageLayoutOptions) error {
	r.op('L')
	r.putStr(sheet)
	r.putJSON(opts)
	return nil
}

func (r *recorder) SetSheetProps(sheet string, opts *excelize.SheetPropsOptions) error {
	r.op('O')
	r.putStr(sheet)
	r.putJSON(opts)
	return nil
}

func (r *recorder) AddDataValidation(sheet string, dv *excelize.DataValidation) error {
	r.op('d')
	r.putStr(sheet)
	if dv == nil {
		r.putJSON(nil)
		return nil
	}
	c := *dv
	msgs := dvTexts(&c)
	for _, m := range msgs {
		r.ptext(*m)
		*m = nil
	}
	r.putJSON(&c)
	return nil
}

func (r *recorder) ProtectSheet(sheet string, opts *excelize.SheetProtectionOptions) error {
	r.op('p')
	r.putStr(sheet)
	r.putJSON(opts)
	return nil
}

func (r *recorder) SetDocProps(docProperties *excelize.DocProperties) error {
	r.op('c')
	if docProperties == nil {
		r.putJSON(nil)
		return nil
	}
	c := *docProperties
	for _, s := range docTexts(&c) {
		r.text(*s)
		*s = ""
	}
	r.putJSON(&c)
	return nil
}

// dvTexts are a data validation's messages.
func dvTexts(dv *excelize.DataValidation) []**string {
	return []**string{&dv.Error, &dv.ErrorTitle, &dv.Prompt, &dv.PromptTitle}
}

// docTexts are the texts of the document properties (the rest of
// DocProperties, if excelize adds fields, is part of the shape).
func docTexts(d *excelize.DocProperties) []*string {
	return []*string{&d.Category, &d.ContentStatus, &d.Created, &d.Creator, &d.Description, &d.Identifier,
		&d.Keywords, &d.LastModifiedBy, &d.Modified, &d.Revision, &d.Subject, &d.Title, &d.Language, &d.Version}
}

// errDiverged is a skeleton build whose workbook did not answer as the
// recorder did.
var errDiverged = errors.New("the workbook answered unlike its recording")

// skelBook is the book of a skeleton: an excelize workbook given the
// placeholders of the verbatim texts, numbered as the recorder numbered
// them, and checked to answer as the recorder answered.
type skelBook struct {
	*excelize.File
	texts
	lists    [][]string // the recorder's sheet lists, in order
	diverged bool
}

// ph is what the workbook is given for s.
func (b *skelBook) ph(s string) string {
	if i := b.of(s); i >= 0 {
		return placeholder(i)
	}
	return s
}

func (b *skelBook) pph(s *string) *string {
	if s == nil {
		return nil
	}
	v := b.ph(*s)
	return &v
}

func (b *skelBook) GetSheetList() []string {
	got := b.File.GetSheetList()
	if len(b.lists) == 0 || !slices.Equal(got, b.lists[0]) {
		b.diverged = true
	} else {
		b.lists = b.lists[1:]
	}
	return got
}

func (b *skelBook) SetCellStr(sheet, cell, value string) error {
	return b.File.SetCellStr(sheet, cell, b.ph(value))
}

func (b *skelBook) AddDataValidation(sheet string, dv *excelize.DataValidation) error {
	if dv == nil {
		return b.File.AddDataValidation(sheet, dv)
	}
	c := *dv
	for _, m := range dvTexts(&c) {
		*m = b.pph(*m)
	}
	return b.File.AddDataValidation(sheet, &c)
}

func (b *skelBook) SetDocProps(docProperties *excelize.DocProperties) error {
	if docProperties == nil {
		return b.File.SetDocProps(docProperties)
	}
	c := *docProperties
	for _, s := range docTexts(&c) {
		*s = b.ph(*s)
	}
	return b.File.SetDocProps(&c)
}

// skeleton is the parts of a workbook of one shape, in the order excelize
// writes them, with the places of its texts.
type skeleton struct {
	parts []skelPart
	size  int // bytes held
}

// skelPart is one zip part: chunks of bytes with, between chunks[i] and
// chunks[i+1], the text of class slots[i]. A long first chunk is deflated
// once, as the head of every workbook's part.
type skelPart struct {
	name   string
	chunks [][]byte
	slots  []int
	head   *xlsxzip.Head // chunks[0] deflated, or nil
}

// minHead is the shortest first chunk deflated once as a head: below it,
// the part's deflate is cheap and compresses better whole.
const minHead = 2 << 10

// newSkeleton builds the skeleton of fm and opt with excelize; rec is the
// recording of the same workbook. It fails when excelize fails or answers
// unlike the recorder, or when a text's placeholder is not found in the
// parts exactly once per place (excelize changed it).
func newSkeleton(fm *form, opt Options, rec *recorder) (*skeleton, error) {
	f := excelize.NewFile()
	defer f.Close()
	b := &skelBook{File: f, lists: rec.lists}
	if err := fillBook(b, fm, opt); err != nil {
		return nil, err
	}
	if b.diverged || len(b.lists) != 0 || !slices.Equal(b.texts.list, rec.texts.list) {
		return nil, errDiverged
	}
	// As SaveAs does, for the content types of a .xlsx.
	f.Path = "kit.xlsx"
	cz := &captureZip{}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return cz })
	if _, err := f.WriteTo(io.Discard); err != nil {
		return nil, err
	}
	sk := &skeleton{}
	seen := make([]bool, len(rec.texts.list))
	for _, p := range cz.parts {
		sp, err := parseSlots(p.name, p.data.Bytes(), seen)
		if err != nil {
			return nil, err
		}
		if len(sp.slots) > 0 && len(sp.chunks[0]) >= minHead {
			if sp.head, err = xlsxzip.NewHead(sp.chunks[0]); err != nil {
				return nil, err
			}
		}
		sk.parts = append(sk.parts, sp)
		sk.size += len(p.name) + p.data.Len()
	}
	for i, ok := range seen {
		if !ok {
			return nil, errors.New("text " + strconv.Itoa(i) + " is not written")
		}
	}
	return sk, nil
}

// parseSlots splits a part at its placeholders.
func parseSlots(name string, data []byte, seen []bool) (skelPart, error) {
	sp := skelPart{name: name}
	for {
		at := bytes.Index(data, []byte(markOpen))
		if at < 0 {
			sp.chunks = append(sp.chunks, data)
			return sp, nil
		}
		rest := data[at+len(markOpen):]
		end := bytes.Index(rest, []byte(markClose))
		if end <= 0 {
			return sp, errors.New(name + ": a broken placeholder")
		}
		i, err := strconv.Atoi(string(rest[:end]))
		if err != nil || i < 0 || i >= len(seen) {
			return sp, errors.New(name + ": a broken placeholder")
		}
		seen[i] = true
		sp.chunks = append(sp.chunks, data[:at])
		sp.slots = append(sp.slots, i)
		data = rest[end+len(markClose):]
	}
}

// write writes the workbook of texts (the recorder's, in class order) to
// w through xlsxzip with cache.
func (sk *skeleton) write(w io.Writer, list []string, cache *xlsxzip.Cache) error {
	esc := make([][]byte, len(list))
	var eb bytes.Buffer
	for i, s := range list {
		eb.Reset()
		if err := xml.EscapeText(&eb, []byte(s)); err != nil {
			return err
		}
		esc[i] = bytes.Clone(eb.Bytes())
	}
	zw := xlsxzip.New(w, xlsxzip.Options{Cache: cache})
	var buf []byte
	for _, p := range sk.parts {
		var ew io.Writer
		var err error
		if p.head != nil {
			ew, err = zw.CreateAfter(p.name, p.head)
		} else {
			ew, err = zw.Create(p.name)
		}
		if err != nil {
			return err
		}
		data := p.chunks[0]
		if len(p.slots) > 0 {
			buf = buf[:0]
			for i, c := range p.chunks {
				if i > 0 || p.head == nil {
					buf = append(buf, c...)
				}
				if i < len(p.slots) {
					buf = append(buf, esc[p.slots[i]]...)
				}
			}
			data = buf
		}
		if _, err := ew.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// captureZip is an excelize.ZipWriter that keeps the parts uncompressed.
type captureZip struct {
	parts []*capturedPart
}

type capturedPart struct {
	name string
	data bytes.Buffer
}

func (c *captureZip) Create(name string) (io.Writer, error) {
	p := &capturedPart{name: name}
	c.parts = append(c.parts, p)
	return &p.data, nil
}

func (c *captureZip) AddFS(fs.FS) error { return errors.New("template: AddFS is not supported") }
func (c *captureZip) Close() error      { return nil }

// Default bound of a shape cache: the skeletons' bytes it keeps.
const defaultShapeBytes = 48 << 20

// shapes keeps the skeletons of the shapes met, by recording. It is safe
// for concurrent use.
type shapes struct {
	mu    sync.Mutex
	m     map[string]*shapeEntry
	size  int
	limit int
	built int // skeletons built
	used  int // workbooks written from a skeleton
}

type shapeEntry struct {
	once sync.Once
	sk   *skeleton // nil: the shape is written by excelize
}

func newShapes(limit int) *shapes {
	if limit <= 0 {
		limit = defaultShapeBytes
	}
	return &shapes{m: map[string]*shapeEntry{}, limit: limit}
}

// skeleton is the skeleton of rec's shape, built by build the first time;
// nil when it cannot be built or the cache is full.
func (s *shapes) skeleton(rec *recorder, build func() (*skeleton, error)) *skeleton {
	s.mu.Lock()
	e, ok := s.m[string(rec.key)]
	if !ok {
		if s.size >= s.limit {
			s.mu.Unlock()
			return nil
		}
		e = &shapeEntry{}
		s.m[string(rec.key)] = e
		s.size += len(rec.key)
	}
	s.mu.Unlock()
	e.once.Do(func() {
		sk, err := build()
		if err != nil {
			return
		}
		e.sk = sk
		s.mu.Lock()
		s.size += sk.size
		s.built++
		s.mu.Unlock()
	})
	if e.sk != nil {
		s.mu.Lock()
		s.used++
		s.mu.Unlock()
	}
	return e.sk
}

// kitWriter writes the kits' forms: through the skeletons of their shapes
// (with excelize when shapes is nil), the parts compressed through cache.
type kitWriter struct {
	cache  *xlsxzip.Cache
	shapes *shapes
}

func newKitWriter() *kitWriter {
	return &kitWriter{cache: xlsxzip.NewCache(0, 0), shapes: newShapes(0)}
}

// write writes the form workbook of opt to path, atomically: the same
// workbook as write (template.go) writes.
func (k *kitWriter) write(path string, p *plan.Plan, opt Options) error {
	if len(opt.Sheets) == 0 || k.shapes == nil {
		return write(path, p, opt, k.cache)
	}
	fm, err := newForm(p, opt)
	if err != nil {
		return write(path, p, opt, k.cache)
	}
	rec := newRecorder()
	if err := fillBook(rec, fm, opt); err != nil || rec.bad {
		return write(path, p, opt, k.cache)
	}
	sk := k.shapes.skeleton(rec, func() (*skeleton, error) { return newSkeleton(fm, opt, rec) })
	if sk == nil {
		return write(path, p, opt, k.cache)
	}
	var buf bytes.Buffer
	if err := sk.write(&buf, rec.texts.list, k.cache); err != nil {
		return fmt.Errorf("template: %s: %w", path, err)
	}
	if err := atomicfile.WriteWith(path, func(tmp string) error { return os.WriteFile(tmp, buf.Bytes(), 0o666) }); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}
