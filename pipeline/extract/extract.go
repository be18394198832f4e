// Package extract keeps what the read stage made of each submission, so
// that a file is decoded once: its clean, typed cells, its tables and its
// findings are stored as an Arrow IPC file under the state folder and
// loaded by later runs instead of reading the file again.
//
// An extract is two files, state/extracts/<sha256>/<key>-<where>.arrow (the
// workbook with its source rows, what feedback shows) and
// <key>-<where>.checked.arrow (the workbook without its rows, and what
// validation made of it alone: typed records and findings, see
// validate.Check), so that a run loads a file's records without its
// source rows and without validating it again. The key
// (see Key) names everything that changes what the reader and the
// validation make of the bytes: their versions, the reader's limits, the
// schemas and the plan; where
// names the submission's inbox path and folder, which the reader also uses
// (the extension picks the decoder, the folder names the commune, and the
// messages quote the path). What belongs to the submission rather than to
// the bytes (receipt time, sequence, archive path, duplicate-of) is never
// stored: Load re-attaches the current record.Submission.
//
// Each file is a sequence of record batches of at most BatchRows rows and
// a trailer (see batches.go): a workbook's rows are written as they come
// (CellsWriter, CheckedWriter: the reader hands them over as it decodes
// them, so a big sheet is never held whole) and read one batch at a time.
//
// An extract is a cache. A missing, truncated, corrupt or other-key file is
// never trusted: Load reports a miss, the caller reads the file again and
// Save rewrites it. Deleting state/extracts is always safe.
package extract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// Dir is the folder of the extracts inside the state folder.
const Dir = "extracts"

// FormatVersion is the layout of an extract file. Bump it when the columns
// or the metadata change; older files are then ignored and rewritten.
//
// 2: a row's cells are stored in field order (schemas.FieldID), no longer
// sorted by name; the field column still holds the canonical name.
// 3: the digest hashes the record batch's buffers (not value by value);
// the checked file beside the cells.
// 4: a checked record's sheet position (sheet_index).
// 5: record batches of at most BatchRows rows, written as they are
// encoded, then a trailer batch with the workbook's metadata and the
// digest (no longer in the schema's metadata); the checked file's
// metadata counts its records.
const FormatVersion = "5"

// Metadata keys of an extract's Arrow schema.
const (
	metaFormat   = "doithoai.extract.format"
	metaKind     = "doithoai.extract.kind" // kindCells or kindChecked
	metaKey      = "doithoai.extract.key"
	metaSHA256   = "doithoai.extract.sha256"
	metaPath     = "doithoai.extract.path"
	metaFolder   = "doithoai.extract.folder"
	metaWorkbook = "doithoai.extract.workbook" // trailer: JSON of wbMeta (cells) or checkedMeta (checked)
	metaDigest   = "doithoai.extract.digest"   // trailer: see hashBatch and finishDigest
	metaForm     = "doithoai.extract.form"     // checked: the form, which names the columns
)

// The kinds of extract file.
const (
	kindCells   = "cells"
	kindChecked = "checked"
)

// Key is the short hash of everything, besides the bytes and the
// submission's path, that changes what the reader and the validation make
// of a file: stagesKey (the pipeline names there the reader's version and
// limits and the validation's version), the embedded schema files, and
// the plan's
// source bytes (communes, hamlets and names are all read from it; any
// change of the plan, even a comment, gives a new key — simple and safe).
func Key(stagesKey string, p *plan.Plan) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "doithoai extract %s\n%s\n", FormatVersion, stagesKey)
	for _, sc := range schemas.All() {
		b, err := schemas.Raw(sc.Name)
		if err != nil {
			return "", fmt.Errorf("extract key: schema %s: %w", sc.Name, err)
		}
		fmt.Fprintf(h, "schema %s %d\n", sc.Name, len(b))
		h.Write(b)
	}
	if p == nil {
		p = plan.Default()
	}
	src := p.Source()
	fmt.Fprintf(h, "plan %d\n", len(src))
	h.Write(src)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// where is the short hash of what the reader uses of the submission
// besides its bytes.
func where(sub record.Submission) string {
	h := sha256.Sum256([]byte(sub.Path + "\x00" + sub.FolderHint))
	return hex.EncodeToString(h[:])[:12]
}

// Store is the extracts folder of one state folder, for one key.
type Store struct {
	dir string
	key string
	log *slog.Logger
	// Location is the time zone of the dates of checked records (the
	// plan's, see validate.ParseDate); nil is UTC. A date in another zone
	// is not stored (ErrNotExact).
	Location *time.Location
	// digests are the checked files ReadRecords found right.
	digests digestMemo
}

// NewStore returns the store of the state folder for key (see Key); log
// receives the reasons an extract was not used (nil: slog.Default()).
func NewStore(stateDir, key string, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{dir: filepath.Join(stateDir, Dir), key: key, log: log}
}

// Key is the key the store reads and writes under.
func (s *Store) Key() string { return s.key }

// Path is the extract file of sub under the store's key; "" when sub has
// no content hash the store can use as a folder name.
func (s *Store) Path(sub record.Submission) string {
	if !isHex(sub.ID) {
		return ""
	}
	return filepath.Join(s.dir, sub.ID, s.key+"-"+where(sub)+".arrow")
}

// Identity names what the store keeps (or would keep) of sub under its
// key: the content hash, the key and the hash of the inbox path and
// folder, relative to no folder (the same for a copy of the state
// folder). The reader is deterministic, so two workbooks with the same
// identity are the same; "" when sub has no usable content hash.
func (s *Store) Identity(sub record.Submission) string {
	if !isHex(sub.ID) {
		return ""
	}
	return sub.ID + "/" + s.key + "-" + where(sub)
}

// CheckedPath is the checked file of sub beside its extract (see Path).
func (s *Store) CheckedPath(sub record.Submission) string {
	p := s.Path(sub)
	if p == "" {
		return ""
	}
	return strings.TrimSuffix(p, ".arrow") + ".checked.arrow"
}

func (s *Store) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// Load returns the stored workbook of sub, source rows included, with sub
// attached, and whether there was a usable one. A missing file is a
// silent miss; an unreadable, truncated, corrupt or mismatched one is
// logged and a miss. The file is read one record batch at a time.
func (s *Store) Load(sub record.Submission) (record.Workbook, bool) {
	p := s.Path(sub)
	if p == "" {
		return record.Workbook{}, false
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return record.Workbook{}, false
	}
	if err == nil {
		var wb record.Workbook
		wb, err = decodeFrom(f, s.key, sub)
		f.Close()
		if err == nil {
			return wb, true
		}
	}
	s.log.Warn("extract not used; the file is read again", "path", sub.Path, "extract", p, "err", err)
	return record.Workbook{}, false
}

// ErrNotExact means a workbook would not come back from its extract
// exactly as it is (a value the format cannot hold); it is not stored, and
// the file is read again by every run.
var ErrNotExact = errors.New("extract: the workbook does not round-trip exactly")

// Save stores wb (what the reader made of wb.Submission) atomically,
// owner-only, replacing the submission's extracts of other keys. What
// could not come back exactly (a cell out of field order, text that JSON
// would alter) is refused and nothing is stored. The rows are written in
// record batches as they are encoded (see BatchRows); CellsWriter stores
// rows as they come, without the whole workbook.
func (s *Store) Save(wb record.Workbook) error {
	p := s.Path(wb.Submission)
	if p == "" {
		return fmt.Errorf("extract: submission %q has no usable content hash", wb.Submission.ID)
	}
	return s.writeFile(p, func(w io.Writer) error { return Encode(w, s.key, wb) })
}

// prune removes the extracts of a submission's folder made under other
// keys: they will never be used again.
func (s *Store) prune(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || atomicfile.IsTemp(n) || strings.HasPrefix(n, s.key+"-") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			s.log.Debug("cannot remove an old extract", "file", n, "err", err)
		}
	}
}

func isHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// wbMeta is the part of a workbook kept in the schema metadata: all but
// the submission and the tables' rows.
type wbMeta struct {
	Format      string
	Form        record.Form
	CommuneCode string
	HeaderName  string
	Title       string
	Status      record.Status
	Reason      string
	Findings    []record.Finding
	Tables      []tableMeta
}

// tableMeta is a table without its rows.
type tableMeta struct {
	Sheet      string
	HeaderRows []int
	NumberRow  int
	FooterRow  int
	Columns    []record.Column
	Unknown    []string
	Rows       int  // number of source rows
	RowsEmpty  bool // Rows is a non-nil empty slice
}

func metaOf(wb *record.Workbook) wbMeta {
	m := wbMeta{Format: wb.Format, Form: wb.Form, CommuneCode: wb.CommuneCode, HeaderName: wb.HeaderName,
		Title: wb.Title, Status: wb.Status, Reason: wb.Reason, Findings: wb.Findings}
	if wb.Tables != nil {
		m.Tables = make([]tableMeta, len(wb.Tables))
	}
	for i, t := range wb.Tables {
		m.Tables[i] = tableMeta{Sheet: t.Sheet, HeaderRows: t.HeaderRows, NumberRow: t.NumberRow, FooterRow: t.FooterRow,
			Columns: t.Columns, Unknown: t.Unknown, Rows: len(t.Rows), RowsEmpty: t.Rows != nil && len(t.Rows) == 0}
	}
	return m
}

// header is the workbook of m without rows, sub attached; rows says
// whether the tables' Rows get their capacity (the cells file) or stay nil.
func (m *wbMeta) header(sub record.Submission, rows bool) (record.Workbook, error) {
	wb := record.Workbook{Submission: sub, Format: m.Format, Form: m.Form, CommuneCode: m.CommuneCode,
		HeaderName: m.HeaderName, Title: m.Title, Status: m.Status, Reason: m.Reason, Findings: m.Findings}
	if m.Tables != nil {
		wb.Tables = make([]record.Table, len(m.Tables))
	}
	for i, t := range m.Tables {
		if t.Rows < 0 {
			return record.Workbook{}, errors.New("extract: negative row count")
		}
		wb.Tables[i] = record.Table{Sheet: t.Sheet, HeaderRows: t.HeaderRows, NumberRow: t.NumberRow, FooterRow: t.FooterRow,
			Columns: t.Columns, Unknown: t.Unknown}
		if rows && (t.Rows > 0 || t.RowsEmpty) {
			wb.Tables[i].Rows = make([]record.SourceRow, 0, t.Rows)
		}
	}
	return wb, nil
}

// exactJSON encodes v and checks that it decodes back to exactly v (JSON
// alters invalid UTF-8); into is a new value of v's type.
func exactJSON[T any](v *T, path string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("extract: encode %s: %w", path, err)
	}
	var back T
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, v) {
		return "", fmt.Errorf("%w: %s (metadata)", ErrNotExact, path)
	}
	return string(b), nil
}

// cellFields holds one Arrow row per cell of a source row, in row order; a
// source row without cells is one Arrow row with a null field.
var cellFields = []arrow.Field{
	{Name: "table", Type: arrow.PrimitiveTypes.Int32},     // index in Workbook.Tables
	{Name: "seq", Type: arrow.PrimitiveTypes.Int32},       // index in Table.Rows
	{Name: "row", Type: arrow.PrimitiveTypes.Int32},       // SourceRow.Row
	{Name: "hidden", Type: arrow.FixedWidthTypes.Boolean}, // SourceRow.Hidden
	{Name: "field", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "col", Type: arrow.PrimitiveTypes.Int32},
	{Name: "ref", Type: arrow.BinaryTypes.String},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "num", Type: arrow.PrimitiveTypes.Float64},
	{Name: "is_num", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "is_date", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "encoding", Type: arrow.BinaryTypes.String},
}

// ident is what an extract file names of its submission and making.
type ident struct {
	kind, key string
	sub       record.Submission
}

func (id ident) pairs() ([]string, []string) {
	return []string{metaFormat, metaKind, metaKey, metaSHA256, metaPath, metaFolder},
		[]string{FormatVersion, id.kind, id.key, id.sub.ID, id.sub.Path, id.sub.FolderHint}
}

// cellsBuilder accumulates the Arrow rows (cells) of one record batch.
type cellsBuilder struct {
	rb     *array.RecordBuilder
	tab    *array.Int32Builder
	seq    *array.Int32Builder
	row    *array.Int32Builder
	hidden *array.BooleanBuilder
	field  *array.StringBuilder
	col    *array.Int32Builder
	ref    *array.StringBuilder
	text   *array.StringBuilder
	num    *array.Float64Builder
	isNum  *array.BooleanBuilder
	isDate *array.BooleanBuilder
	enc    *array.StringBuilder
	n      int
}

func newCellsBuilder() *cellsBuilder {
	rb := array.NewRecordBuilder(memory.NewGoAllocator(), arrow.NewSchema(cellFields, nil))
	return &cellsBuilder{rb: rb,
		tab: rb.Field(0).(*array.Int32Builder), seq: rb.Field(1).(*array.Int32Builder), row: rb.Field(2).(*array.Int32Builder),
		hidden: rb.Field(3).(*array.BooleanBuilder), field: rb.Field(4).(*array.StringBuilder), col: rb.Field(5).(*array.Int32Builder),
		ref: rb.Field(6).(*array.StringBuilder), text: rb.Field(7).(*array.StringBuilder), num: rb.Field(8).(*array.Float64Builder),
		isNum: rb.Field(9).(*array.BooleanBuilder), isDate: rb.Field(10).(*array.BooleanBuilder), enc: rb.Field(11).(*array.StringBuilder)}
}

func (cb *cellsBuilder) add(ti, si int, r *record.SourceRow, name string, named bool, c *record.Cell) {
	cb.tab.Append(int32(ti))
	cb.seq.Append(int32(si))
	cb.row.Append(int32(r.Row))
	cb.hidden.Append(r.Hidden)
	if named {
		cb.field.Append(name)
	} else {
		cb.field.AppendNull()
	}
	cb.col.Append(int32(c.Col))
	cb.ref.Append(c.Ref)
	cb.text.Append(c.Text)
	cb.num.Append(c.Num)
	cb.isNum.Append(c.IsNum)
	cb.isDate.Append(c.IsDate)
	cb.enc.Append(c.Encoding)
	cb.n++
}

// flush writes the batch built so far, if any.
func (cb *cellsBuilder) flush(bw *batchWriter) error {
	if cb.n == 0 {
		return nil
	}
	rec := cb.rb.NewRecordBatch()
	defer rec.Release()
	cb.n = 0
	return bw.write(rec.Columns(), int(rec.NumRows()))
}

// Encode writes wb (without its submission) as an Arrow IPC file made
// under key, in record batches of about BatchRows cells. On an error, what
// was written to w is not an extract.
func Encode(w io.Writer, key string, wb record.Workbook) error {
	m := metaOf(&wb)
	mj, err := exactJSON(&m, wb.Submission.Path)
	if err != nil {
		return err
	}
	for _, t := range wb.Tables {
		for _, r := range t.Rows {
			if len(r.Cells) == 0 && r.Cells != nil {
				return fmt.Errorf("%w: %s: row %d has an empty, non-nil cell list", ErrNotExact, wb.Submission.Path, r.Row)
			}
		}
	}
	bw, err := newBatchWriter(w, ident{kindCells, key, wb.Submission}, cellFields)
	if err != nil {
		return err
	}
	cb := newCellsBuilder()
	defer cb.rb.Release()
	fail := func(err error) error {
		bw.abort()
		return err
	}
	for ti := range wb.Tables {
		t := &wb.Tables[ti]
		for si := range t.Rows {
			if err := cb.addRow(bw, ti, si, &t.Rows[si], wb.Submission.Path); err != nil {
				return fail(err)
			}
		}
	}
	if err := cb.flush(bw); err != nil {
		return fail(err)
	}
	return bw.close(mj)
}

// texts is a text column's values as substrings of one copy of its data.
type texts struct {
	all  string
	offs []int32
}

func newTexts(a *array.String) texts {
	if a.Len() == 0 {
		return texts{}
	}
	return texts{all: string(a.ValueBytes()), offs: a.ValueOffsets()}
}

func (t texts) at(i int) string { return t.all[t.offs[i]:t.offs[i+1]] }

// Decode reads an extract made under key for the bytes and path of sub,
// and returns its workbook with sub attached. Any mismatch (format, key,
// hash, path, folder) or damage is an error.
func Decode(data []byte, key string, sub record.Submission) (record.Workbook, error) {
	return decodeFrom(bytes.NewReader(data), key, sub)
}

// decodeFrom is Decode reading the file from r, one batch at a time;
// decodeRows has checked each table's row count.
func decodeFrom(r ipc.ReadAtSeeker, key string, sub record.Submission) (wb record.Workbook, err error) {
	begin := func(m *wbMeta) error {
		var err error
		wb, err = m.header(sub, true)
		return err
	}
	add := func(ti int, rows []record.SourceRow) error {
		wb.Tables[ti].Rows = append(wb.Tables[ti].Rows, rows...)
		return nil
	}
	if err := decodeRows(r, key, sub, -1, false, begin, add); err != nil {
		return record.Workbook{}, err
	}
	return wb, nil
}

// openStored opens the stored file at p; nil, nil when there is none
// (p is "" or the file is gone).
func openStored(p string) (*os.File, error) {
	if p == "" {
		return nil, nil
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return f, nil
}

// EachRows reads the source rows Save (or a CellsWriter) stored for sub
// one record batch at a time, without the whole workbook: yield gets the
// rows of one table (ti, an index in the workbook's Tables) from one
// batch, in order, valid only during the call; table is the only table
// whose rows are yielded (-1: every table's). So a big sheet is never
// held whole. The file's digest is checked at its end: an error after
// some batches (a damaged or mismatched file, or yield's own error) means
// what was yielded must not be used. false, nil when there is no extract.
func (s *Store) EachRows(sub record.Submission, table int, yield func(ti int, rows []record.SourceRow) error) (bool, error) {
	f, err := openStored(s.Path(sub))
	if f == nil || err != nil {
		return false, err
	}
	defer f.Close()
	var m wbMeta
	begin := func(got *wbMeta) error {
		m = *got
		if table >= len(m.Tables) {
			return fmt.Errorf("extract: table %d of %d", table, len(m.Tables))
		}
		return nil
	}
	if err := decodeRows(f, s.key, sub, table, true, begin, yield); err != nil {
		return true, fmt.Errorf("extract: rows of %s: %w", sub.Path, err)
	}
	return true, nil
}

// decodeRows reads an extract of cells made under key for sub from r, one
// record batch at a time: begin gets the workbook's metadata, yield each
// batch's rows of a table (of table only, unless it is -1), in order. With
// reuse, the rows and cells handed to yield are only valid during the call
// (their memory is used again for the next batch); without, the cells stay
// valid (the rows slice is still reused). The row counts are checked
// against the metadata at the end, then the digest (readBatches).
func decodeRows(r ipc.ReadAtSeeker, key string, sub record.Submission, table int, reuse bool,
	begin func(m *wbMeta) error, yield func(ti int, rows []record.SourceRow) error) (err error) {
	defer func() {
		// A damaged file must never stop a run, whatever the IPC reader
		// makes of it.
		if p := recover(); p != nil {
			err = fmt.Errorf("extract: damaged: %v", p)
		}
	}()
	var m wbMeta
	var counts []int // rows met so far, by table
	start := func(mj string) error {
		if err := json.Unmarshal([]byte(mj), &m); err != nil {
			return fmt.Errorf("extract: workbook metadata: %w", err)
		}
		for _, t := range m.Tables {
			if t.Rows < 0 {
				return errors.New("extract: negative row count")
			}
		}
		counts = make([]int, len(m.Tables))
		return begin(&m)
	}
	lastName, lastID := "", schemas.FieldID(0)
	var rows []record.SourceRow
	var cells []record.Cell
	each := func(rec arrow.RecordBatch) error {
		var (
			tab    = rec.Column(0).(*array.Int32)
			seq    = rec.Column(1).(*array.Int32)
			row    = rec.Column(2).(*array.Int32)
			hidden = rec.Column(3).(*array.Boolean)
			field  = rec.Column(4).(*array.String)
			col    = rec.Column(5).(*array.Int32)
			ref    = newTexts(rec.Column(6).(*array.String))
			text   = newTexts(rec.Column(7).(*array.String))
			num    = rec.Column(8).(*array.Float64)
			isNum  = rec.Column(9).(*array.Boolean)
			isDate = rec.Column(10).(*array.Boolean)
			enc    = newTexts(rec.Column(11).(*array.String))
		)
		// The batch's cells in one allocation: a row's cells are
		// contiguous (one Arrow row per cell, rows in order) and in one
		// batch, in field order.
		if n := int(rec.NumRows()); reuse && cap(cells) >= n {
			cells = cells[:0]
		} else {
			cells = make([]record.Cell, 0, n)
		}
		rows = rows[:0]
		start, curT := 0, -1 // where the current row's cells begin; its table
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			err := yield(curT, rows)
			rows = rows[:0]
			return err
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			ti, si := int(tab.Value(i)), int(seq.Value(i))
			if ti < 0 || ti >= len(counts) {
				return fmt.Errorf("extract: cell of table %d of %d", ti, len(counts))
			}
			switch {
			case si == counts[ti]-1 && ti == curT:
			case si == counts[ti] && si < m.Tables[ti].Rows:
				if ti != curT {
					if err := flush(); err != nil {
						return err
					}
				}
				counts[ti]++
				curT = ti
				if table < 0 || ti == table {
					rows = append(rows, record.SourceRow{Row: int(row.Value(i)), Hidden: hidden.Value(i)})
					start = len(cells)
				}
			default:
				return fmt.Errorf("extract: row %d of table %d out of order", si, ti)
			}
			if field.IsNull(i) || table >= 0 && ti != table {
				continue
			}
			name := field.Value(i)
			id := lastID
			if name != lastName || lastName == "" {
				var ok bool
				if id, ok = schemas.FieldIDOf(name); !ok {
					return fmt.Errorf("extract: cell of unknown field %q", name)
				}
				lastName, lastID = name, id
			}
			r := &rows[len(rows)-1]
			if n := len(r.Cells); n > 0 && r.Cells[n-1].Field >= id {
				return fmt.Errorf("extract: row %d of table %d: cell %s out of field order", si, ti, name)
			}
			cells = append(cells, record.Cell{ // within the capacity: never moves
				Text: text.at(i), Num: num.Value(i), IsNum: isNum.Value(i), IsDate: isDate.Value(i), Field: id,
				Col: int(col.Value(i)), Ref: ref.at(i), Encoding: enc.at(i),
			})
			r.Cells = cells[start:len(cells):len(cells)]
		}
		return flush()
	}
	if err := readBatches(r, ident{kindCells, key, sub}, func(func(string) string) []arrow.Field { return cellFields }, start, each, nil, false); err != nil {
		return err
	}
	for i, t := range m.Tables {
		if counts[i] != t.Rows {
			return fmt.Errorf("extract: table %d has %d rows, want %d", i, counts[i], t.Rows)
		}
	}
	return nil
}
