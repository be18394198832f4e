package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"doithoai/pipeline/record"
)

// checkedMeta is the metadata of a checked file: the workbook without its
// rows and the findings of its check.
type checkedMeta struct {
	Workbook wbMeta
	Findings []record.Finding
	Records  int // the records of the file's form, in its batches
}

// col is one column of a kind of record: its name and a pointer to the
// field of a record it holds (exactly one of the accessors is set).
type col[T any] struct {
	name string
	s    func(*T) *string
	i    func(*T) *int
	b    func(*T) *bool
	f    func(*T) *float64
	t    func(*T) *time.Time // stored as Unix seconds, noTime when zero
	// few: a text of few distinct values (a sheet name, a hamlet). Its
	// decoded values get their own memory, one copy per value, so that a
	// record kept after its file (a group member's source) does not keep
	// the whole column's text alive.
	few bool
}

// noTime stands for the zero time.
const noTime = math.MinInt64

func str[T any](name string, f func(*T) *string) col[T]     { return col[T]{name: name, s: f} }
func label[T any](name string, f func(*T) *string) col[T]   { return col[T]{name: name, s: f, few: true} }
func num[T any](name string, f func(*T) *int) col[T]        { return col[T]{name: name, i: f} }
func flag[T any](name string, f func(*T) *bool) col[T]      { return col[T]{name: name, b: f} }
func float[T any](name string, f func(*T) *float64) col[T]  { return col[T]{name: name, f: f} }
func when[T any](name string, f func(*T) *time.Time) col[T] { return col[T]{name: name, t: f} }

func (c col[T]) field() arrow.Field {
	var dt arrow.DataType
	switch {
	case c.s != nil:
		dt = arrow.BinaryTypes.String
	case c.i != nil, c.t != nil:
		dt = arrow.PrimitiveTypes.Int64
	case c.b != nil:
		dt = arrow.FixedWidthTypes.Boolean
	default:
		dt = arrow.PrimitiveTypes.Float64
	}
	return arrow.Field{Name: c.name, Type: dt}
}

// kind is how the records of one form are stored: its columns, the
// records' source, and where they are in a record.Checked.
type kind[T any] struct {
	cols   []col[T]
	source func(*T) *record.Source
	get    func(*record.Checked) *[]T
}

// common are the columns of every kind: the record's sheet (name and
// position) and row (the
// rest of its source is the submission's) and its state.
func common[T any](source func(*T) *record.Source, state func(*T) *record.State) []col[T] {
	return []col[T]{
		label("sheet", func(r *T) *string { return &source(r).Sheet }),
		num("sheet_index", func(r *T) *int { return &source(r).SheetIndex }),
		num("row", func(r *T) *int { return &source(r).Row }),
		flag("valid", func(r *T) *bool { return &state(r).Valid }),
		flag("superseded", func(r *T) *bool { return &state(r).Superseded }),
	}
}

var households = kind[record.Household]{
	cols: append(common(func(r *record.Household) *record.Source { return &r.Source }, func(r *record.Household) *record.State { return &r.State }),
		str("household_code", func(r *record.Household) *string { return &r.HouseholdCode }),
		str("head_name", func(r *record.Household) *string { return &r.HeadName }),
		num("birth_year", func(r *record.Household) *int { return &r.BirthYear }),
		label("gender", func(r *record.Household) *string { return &r.Gender }),
		str("citizen_id", func(r *record.Household) *string { return &r.CitizenID }),
		label("ethnicity", func(r *record.Household) *string { return &r.Ethnicity }),
		label("hamlet", func(r *record.Household) *string { return &r.Hamlet }),
		label("class", func(r *record.Household) *string { return &r.Class }),
		num("members", func(r *record.Household) *int { return &r.Members }),
		str("note", func(r *record.Household) *string { return &r.Note }),
		str("household_group", func(r *record.Household) *string { return &r.HouseholdGroup }),
		str("match_reason", func(r *record.Household) *string { return &r.MatchReason }),
		float("match_score", func(r *record.Household) *float64 { return &r.MatchScore }),
	),
	source: func(r *record.Household) *record.Source { return &r.Source },
	get:    func(c *record.Checked) *[]record.Household { return &c.Households },
}

var registrations = kind[record.Registration]{
	cols: append(common(func(r *record.Registration) *record.Source { return &r.Source }, func(r *record.Registration) *record.State { return &r.State }),
		str("rep_name", func(r *record.Registration) *string { return &r.RepName }),
		num("birth_year", func(r *record.Registration) *int { return &r.BirthYear }),
		str("gender", func(r *record.Registration) *string { return &r.Gender }),
		str("citizen_id", func(r *record.Registration) *string { return &r.CitizenID }),
		str("relation", func(r *record.Registration) *string { return &r.Relation }),
		str("head_name", func(r *record.Registration) *string { return &r.HeadName }),
		str("household_code", func(r *record.Registration) *string { return &r.HouseholdCode }),
		str("hamlet", func(r *record.Registration) *string { return &r.Hamlet }),
		str("class", func(r *record.Registration) *string { return &r.Class }),
		str("phone", func(r *record.Registration) *string { return &r.Phone }),
		str("note", func(r *record.Registration) *string { return &r.Note }),
		flag("eligible", func(r *record.Registration) *bool { return &r.Eligible }),
		flag("over_quota", func(r *record.Registration) *bool { return &r.OverQuota }),
		str("household_group", func(r *record.Registration) *string { return &r.HouseholdGroup }),
		str("match_reason", func(r *record.Registration) *string { return &r.MatchReason }),
		float("match_score", func(r *record.Registration) *float64 { return &r.MatchScore }),
	),
	source: func(r *record.Registration) *record.Source { return &r.Source },
	get:    func(c *record.Checked) *[]record.Registration { return &c.Registrations },
}

var delegates = kind[record.Delegate]{
	cols: append(common(func(r *record.Delegate) *record.Source { return &r.Source }, func(r *record.Delegate) *record.State { return &r.State }),
		str("name", func(r *record.Delegate) *string { return &r.Name }),
		str("position", func(r *record.Delegate) *string { return &r.Position }),
		str("component", func(r *record.Delegate) *string { return &r.Component }),
		str("hamlet", func(r *record.Delegate) *string { return &r.Hamlet }),
		str("phone", func(r *record.Delegate) *string { return &r.Phone }),
	),
	source: func(r *record.Delegate) *record.Source { return &r.Source },
	get:    func(c *record.Checked) *[]record.Delegate { return &c.Delegates },
}

var opinions = kind[record.Opinion]{
	cols: append(common(func(r *record.Opinion) *record.Source { return &r.Source }, func(r *record.Opinion) *record.State { return &r.State }),
		str("hamlet", func(r *record.Opinion) *string { return &r.Hamlet }),
		num("cluster", func(r *record.Opinion) *int { return &r.Cluster }),
		str("reporter_name", func(r *record.Opinion) *string { return &r.ReporterName }),
		str("household_code", func(r *record.Opinion) *string { return &r.HouseholdCode }),
		str("topic", func(r *record.Opinion) *string { return &r.Topic }),
		str("agency", func(r *record.Opinion) *string { return &r.Agency }),
		str("content", func(r *record.Opinion) *string { return &r.Content }),
		when("received_on", func(r *record.Opinion) *time.Time { return &r.ReceivedOn }),
		flag("late", func(r *record.Opinion) *bool { return &r.Late }),
	),
	source: func(r *record.Opinion) *record.Source { return &r.Source },
	get:    func(c *record.Checked) *[]record.Opinion { return &c.Opinions },
}

var results = kind[record.Result]{
	cols: append(common(func(r *record.Result) *record.Source { return &r.Source }, func(r *record.Result) *record.State { return &r.State }),
		num("cluster", func(r *record.Result) *int { return &r.Cluster }),
		when("date", func(r *record.Result) *time.Time { return &r.Date }),
		num("district_team", func(r *record.Result) *int { return &r.DistrictTeam }),
		num("commune_delegates", func(r *record.Result) *int { return &r.CommuneDelegates }),
		num("hamlet_heads", func(r *record.Result) *int { return &r.HamletHeads }),
		num("household_reps", func(r *record.Result) *int { return &r.HouseholdReps }),
		num("opinions", func(r *record.Result) *int { return &r.Opinions }),
		num("answered", func(r *record.Result) *int { return &r.Answered }),
		num("forwarded", func(r *record.Result) *int { return &r.Forwarded }),
	),
	source: func(r *record.Result) *record.Source { return &r.Source },
	get:    func(c *record.Checked) *[]record.Result { return &c.Results },
}

// codec is a kind with its type parameter hidden.
type codec interface {
	fields() []arrow.Field
	count(*record.Checked) int
	// encode makes the columns of records lo to hi.
	encode(mem memory.Allocator, chk *record.Checked, lo, hi int, sub record.Submission, commune string, loc *time.Location) ([]arrow.Array, error)
	// drop takes the first n records out of chk.
	drop(chk *record.Checked, n int)
	// reserve makes room for n records (none when n is 0).
	reserve(chk *record.Checked, n int)
	// reuse empties chk's records of the kind, keeping their array when
	// it has room for n (else a new one), so that they are decoded again
	// into the same memory.
	reuse(chk *record.Checked, n int)
	// decode appends the records of a batch. Every field of a record is
	// set (none is left from what its memory held), its few-valued texts
	// taken from few (and added to it) when few is not nil.
	decode(rec arrow.RecordBatch, chk *record.Checked, sub record.Submission, commune string, loc *time.Location, few map[string]string) error
}

// codecOf is the kind of the records of a form; nil for a form without
// records.
func codecOf(f record.Form) codec {
	switch f {
	case record.FormM1:
		return households
	case record.FormM2:
		return registrations
	case record.FormM3:
		return delegates
	case record.FormM4:
		return opinions
	case record.FormM5:
		return results
	}
	return nil
}

func (k kind[T]) fields() []arrow.Field {
	out := make([]arrow.Field, len(k.cols))
	for i, c := range k.cols {
		out[i] = c.field()
	}
	return out
}

func (k kind[T]) count(chk *record.Checked) int { return len(*k.get(chk)) }

// attach sets the part of a record's source that is the submission's.
func attach(src *record.Source, sub record.Submission, commune string) {
	src.SubmissionID, src.Path, src.CommuneCode, src.ReceivedAt, src.Seq = sub.ID, sub.Path, commune, sub.ReceivedAt, sub.Seq
}

func (k kind[T]) drop(chk *record.Checked, n int) {
	p := k.get(chk)
	if n >= len(*p) {
		*p = nil
		return
	}
	*p = append([]T(nil), (*p)[n:]...) // a new array: the old one can go
}

func (k kind[T]) reserve(chk *record.Checked, n int) {
	if n > 0 {
		*k.get(chk) = make([]T, 0, n)
	}
}

func (k kind[T]) encode(mem memory.Allocator, chk *record.Checked, lo, hi int, sub record.Submission, commune string, loc *time.Location) ([]arrow.Array, error) {
	recs := (*k.get(chk))[lo:hi]
	for i := range recs {
		src := *k.source(&recs[i])
		want := src
		attach(&want, sub, commune)
		if src != want {
			return nil, fmt.Errorf("%w: %s: record of row %d has another source", ErrNotExact, sub.Path, src.Row)
		}
	}
	arrs := make([]arrow.Array, 0, len(k.cols))
	release := func() {
		for _, a := range arrs {
			a.Release()
		}
	}
	for _, c := range k.cols {
		var a arrow.Array
		switch {
		case c.s != nil:
			b := array.NewStringBuilder(mem)
			b.Reserve(len(recs))
			for i := range recs {
				b.Append(*c.s(&recs[i]))
			}
			a = b.NewArray()
			b.Release()
		case c.i != nil:
			b := array.NewInt64Builder(mem)
			b.Reserve(len(recs))
			for i := range recs {
				b.Append(int64(*c.i(&recs[i])))
			}
			a = b.NewArray()
			b.Release()
		case c.t != nil:
			b := array.NewInt64Builder(mem)
			b.Reserve(len(recs))
			for i := range recs {
				t := *c.t(&recs[i])
				if t.IsZero() {
					b.Append(noTime)
					continue
				}
				if s := t.Unix(); s == noTime || time.Unix(s, 0).In(loc) != t {
					b.Release()
					release()
					return nil, fmt.Errorf("%w: %s: time %v of row %d", ErrNotExact, sub.Path, t, k.source(&recs[i]).Row)
				}
				b.Append(t.Unix())
			}
			a = b.NewArray()
			b.Release()
		case c.b != nil:
			b := array.NewBooleanBuilder(mem)
			b.Reserve(len(recs))
			for i := range recs {
				b.Append(*c.b(&recs[i]))
			}
			a = b.NewArray()
			b.Release()
		default:
			b := array.NewFloat64Builder(mem)
			b.Reserve(len(recs))
			for i := range recs {
				b.Append(*c.f(&recs[i]))
			}
			a = b.NewArray()
			b.Release()
		}
		arrs = append(arrs, a)
	}
	return arrs, nil
}

func (k kind[T]) reuse(chk *record.Checked, n int) {
	p := k.get(chk)
	if cap(*p) >= n {
		*p = (*p)[:0]
		return
	}
	*p = make([]T, 0, n)
}

// decodeChunk is how many records decode fills column after column
// before going on to the next ones, so that the records being filled
// stay in the cache.
const decodeChunk = 128

func (k kind[T]) decode(rec arrow.RecordBatch, chk *record.Checked, sub record.Submission, commune string, loc *time.Location, few map[string]string) error {
	n := int(rec.NumRows())
	all := *k.get(chk)
	if len(all)+n > cap(all) {
		return errors.New("extract: more records than the metadata counts")
	}
	recs := all[len(all) : len(all)+n]
	if few == nil {
		// The batch's own copies (see col.few).
		few = map[string]string{}
	}
	// fills[j] sets a part of records lo to hi: their source, then each
	// column.
	fills := make([]func(lo, hi int), 0, len(k.cols)+1)
	fills = append(fills, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			attach(k.source(&recs[i]), sub, commune)
		}
	})
	for ci, c := range k.cols {
		col := rec.Column(ci)
		var fill func(lo, hi int)
		switch {
		case c.s != nil && c.few:
			a := col.(*array.String)
			var offs []int32
			var data []byte
			if a.Len() > 0 {
				offs, data = a.ValueOffsets(), a.ValueBytes()
			}
			var last []byte
			lastV, have := "", false
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					b := data[offs[i]:offs[i+1]]
					if !have || !bytes.Equal(b, last) {
						v, ok := few[string(b)]
						if !ok {
							v = string(b)
							few[v] = v
						}
						last, lastV, have = b, v, true
					}
					*c.s(&recs[i]) = lastV
				}
			}
		case c.s != nil:
			a := newTexts(col.(*array.String))
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					*c.s(&recs[i]) = a.at(i)
				}
			}
		case c.i != nil:
			v := col.(*array.Int64).Int64Values()
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					*c.i(&recs[i]) = int(v[i])
				}
			}
		case c.t != nil:
			v := col.(*array.Int64).Int64Values()
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					if v[i] == noTime {
						*c.t(&recs[i]) = time.Time{}
					} else {
						*c.t(&recs[i]) = time.Unix(v[i], 0).In(loc)
					}
				}
			}
		case c.b != nil:
			a := col.(*array.Boolean)
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					*c.b(&recs[i]) = a.Value(i)
				}
			}
		default:
			v := col.(*array.Float64).Float64Values()
			fill = func(lo, hi int) {
				for i := lo; i < hi; i++ {
					*c.f(&recs[i]) = v[i]
				}
			}
		}
		fills = append(fills, fill)
	}
	for lo := 0; lo < n; lo += decodeChunk {
		hi := min(lo+decodeChunk, n)
		for _, fill := range fills {
			fill(lo, hi)
		}
	}
	*k.get(chk) = all[:len(all)+n]
	return nil
}

// SaveChecked stores, beside the extract of wb.Submission, wb without its
// source rows and chk, what validation made of wb alone (validate.Check):
// a later run loads them with LoadChecked instead of reading and
// validating the file again. The records' source must be the submission
// (ID, path, receipt time, sequence) and wb's commune, their dates in the
// store's Location: what LoadChecked attaches again; anything that would
// not come back exactly is refused (ErrNotExact).
func (s *Store) SaveChecked(wb record.Workbook, chk record.Checked) error {
	p := s.CheckedPath(wb.Submission)
	if p == "" {
		return fmt.Errorf("extract: submission %q has no usable content hash", wb.Submission.ID)
	}
	return s.writeFile(p, func(w io.Writer) error { return EncodeChecked(w, s.key, wb, chk, s.loc()) })
}

// EncodeChecked writes the checked file of wb and chk made under key, its
// dates in loc (see Store.SaveChecked), in record batches of BatchRows
// records. On an error, what was written to w is not a checked file.
func EncodeChecked(w io.Writer, key string, wb record.Workbook, chk record.Checked, loc *time.Location) error {
	kd := codecOf(wb.Form)
	total := len(chk.Households) + len(chk.Registrations) + len(chk.Delegates) + len(chk.Opinions) + len(chk.Results)
	if kd == nil && total > 0 || kd != nil && kd.count(&chk) != total {
		return fmt.Errorf("%w: %s: records of another form than %q", ErrNotExact, wb.Submission.Path, wb.Form)
	}
	m := checkedMeta{Workbook: metaOf(&wb), Findings: chk.Findings, Records: total}
	mj, err := exactJSON(&m, wb.Submission.Path)
	if err != nil {
		return err
	}
	var fields []arrow.Field
	if kd != nil {
		fields = kd.fields()
	}
	bw, err := newBatchWriter(w, ident{kindChecked, key, wb.Submission}, fields, metaForm, string(wb.Form))
	if err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	for lo := 0; lo < total; lo += BatchRows {
		hi := min(lo+BatchRows, total)
		cols, err := kd.encode(mem, &chk, lo, hi, wb.Submission, wb.CommuneCode, loc)
		if err == nil {
			err = bw.write(cols, hi-lo)
			for _, c := range cols {
				c.Release()
			}
		}
		if err != nil {
			bw.abort()
			return err
		}
	}
	return bw.close(mj)
}

// LoadChecked returns what SaveChecked stored for sub, with sub attached:
// the workbook without its tables' rows (Rows nil), its number of source
// rows, and its check; false when there is no usable checked file (a
// missing one silently, a damaged or mismatched one logged).
func (s *Store) LoadChecked(sub record.Submission) (wb record.Workbook, rows int, chk record.Checked, ok bool) {
	wb, rows, chk, _, ok = s.LoadCheckedUpTo(sub, -1)
	return wb, rows, chk, ok
}

// LoadCheckedUpTo is LoadChecked leaving in the file the M1 records of a
// roster that has more than maxHouseholds of them (maxHouseholds < 0: no
// limit): they are counted and the file's digest checked as usual, but
// they are not decoded, so the check has no Households and left is their
// number (0 when they were loaded). The caller reads them again with
// EachChecked when it needs them: a roster of a million rows is never
// held whole only to be dropped.
func (s *Store) LoadCheckedUpTo(sub record.Submission, maxHouseholds int) (wb record.Workbook, rows int, chk record.Checked, left int, ok bool) {
	p := s.CheckedPath(sub)
	if p == "" {
		return record.Workbook{}, 0, record.Checked{}, 0, false
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return record.Workbook{}, 0, record.Checked{}, 0, false
	}
	if err == nil {
		// ReadRecords will not hash the file again (see digestMemo).
		wb, rows, chk, left, err = decodeChecked(f, s.key, sub, s.loc(), decodeOpts{maxHouseholds: maxHouseholds, digests: &s.digests})
		f.Close()
		if err == nil {
			return wb, rows, chk, left, true
		}
	}
	s.log.Warn("checked extract not used; the file is checked again", "path", sub.Path, "extract", p, "err", err)
	return record.Workbook{}, 0, record.Checked{}, 0, false
}

// DecodeChecked reads a checked file made under key for sub (see
// LoadChecked); any mismatch or damage is an error.
func DecodeChecked(data []byte, key string, sub record.Submission, loc *time.Location) (record.Workbook, int, record.Checked, error) {
	wb, rows, chk, _, err := decodeChecked(bytes.NewReader(data), key, sub, loc, decodeOpts{maxHouseholds: -1})
	return wb, rows, chk, err
}

// EachChecked reads the records SaveChecked stored for sub one record
// batch at a time (at most BatchRows records), with sub attached: yield
// gets a Checked holding only that batch's records (no findings), valid
// only during the call (its memory is used again for the next batch). So
// a big roster is never held whole. The file's
// digest is checked at its end: an error after some batches (a damaged
// or mismatched file, or yield's own error) means what was yielded must
// not be used. false, nil when there is no checked file.
func (s *Store) EachChecked(sub record.Submission, yield func(chk *record.Checked) error) (bool, error) {
	f, err := openStored(s.CheckedPath(sub))
	if f == nil || err != nil {
		return false, err
	}
	defer f.Close()
	if _, _, _, _, err := decodeChecked(f, s.key, sub, s.loc(), decodeOpts{yield: yield, maxHouseholds: -1, scratch: new(Scratch)}); err != nil {
		return true, fmt.Errorf("extract: checked extract of %s: %w", sub.Path, err)
	}
	return true, nil
}

// Scratch is the memory that reading checked files again (ReadRecords)
// uses from one file to the next: the records' arrays and the few-valued
// texts met so far (a sheet name, a hamlet: each held once, whatever
// the number of records and files). The zero Scratch is ready to use;
// one Scratch serves one read at a time.
type Scratch struct {
	chk record.Checked
	few map[string]string
}

// scratchFew is the most few-valued texts a Scratch holds; beyond, it
// starts again (a cache: the records are the same either way).
const scratchFew = 1 << 16

// start readies sc for the records of one more file: none are left of
// the last one.
func (sc *Scratch) start() {
	c := &sc.chk
	*c = record.Checked{Households: c.Households[:0], Registrations: c.Registrations[:0], Delegates: c.Delegates[:0],
		Opinions: c.Opinions[:0], Results: c.Results[:0]}
	if sc.few == nil || len(sc.few) > scratchFew {
		sc.few = map[string]string{}
	}
}

// ReadRecords reads again the records SaveChecked stored for sub, with
// sub attached, into sc's memory: the check it returns holds them (and no
// findings) and is valid until sc is used again, which decodes the next
// file into the same arrays. So a stage that reads many files' records
// one at a time, many times over, allocates nothing per file once the
// arrays have grown. The file's digest is checked the first time the
// store reads the file (ReadRecords or LoadChecked); read again while it
// is still the same file, unchanged (not replaced, as every write of an
// extract replaces it, nor written over in place since: the same size
// and modification time), it is not hashed again. false when
// there is no usable checked file (a missing one silently, a damaged or
// mismatched one logged), as for LoadChecked.
func (s *Store) ReadRecords(sub record.Submission, sc *Scratch) (*record.Checked, bool) {
	f, err := openStored(s.CheckedPath(sub))
	if f == nil && err == nil {
		return nil, false
	}
	if err == nil {
		_, _, _, _, err = decodeChecked(f, s.key, sub, s.loc(), decodeOpts{maxHouseholds: -1, scratch: sc, digests: &s.digests, trust: true})
		f.Close()
		if err == nil {
			return &sc.chk, true
		}
	}
	s.log.Warn("checked extract not used; the file is checked again", "path", sub.Path, "extract", s.CheckedPath(sub), "err", err)
	return nil, false
}

// decodeChecked is DecodeChecked reading the file from r, one batch at a
// time. With o.yield, each batch's records are handed to it instead of
// being gathered in chk; the M1 records o.maxHouseholds leaves are only
// counted (left).
func decodeChecked(r ipc.ReadAtSeeker, key string, sub record.Submission, loc *time.Location, o decodeOpts) (wb record.Workbook, rows int, chk record.Checked, left int, err error) {
	defer func() {
		if p := recover(); p != nil {
			wb, rows, chk, left, err = record.Workbook{}, 0, record.Checked{}, 0, fmt.Errorf("extract: damaged: %v", p)
		}
	}()
	yield := o.yield
	leave := false // the M1 records are counted, not decoded
	// into is where the records are gathered: the check returned, or the
	// scratch's (without yield).
	into := &chk
	var few map[string]string
	if sc := o.scratch; sc != nil {
		sc.start()
		few = sc.few
		if yield == nil {
			into = &sc.chk
		}
	}
	// The columns depend on the form, named in the schema's metadata:
	// read it first, then check the whole file against that form's
	// columns.
	var m checkedMeta
	var form record.Form
	var kd codec
	fieldsFor := func(meta func(string) string) []arrow.Field {
		form = record.Form(meta(metaForm))
		if kd = codecOf(form); kd != nil {
			return kd.fields()
		}
		return nil
	}
	begin := func(mj string) error {
		if o.scratch != nil {
			// Only the records are wanted: what they need of the
			// metadata.
			var rm recordsMeta
			if err := json.Unmarshal([]byte(mj), &rm); err != nil {
				return fmt.Errorf("extract: checked metadata: %w", err)
			}
			m.Workbook.Form, m.Workbook.CommuneCode, m.Records = rm.Workbook.Form, rm.Workbook.CommuneCode, rm.Records
		} else if err := json.Unmarshal([]byte(mj), &m); err != nil {
			return fmt.Errorf("extract: checked metadata: %w", err)
		}
		if m.Workbook.Form != form {
			return errors.New("extract: checked file of another form")
		}
		if m.Records < 0 || m.Records > 0 && kd == nil {
			return errors.New("extract: checked file with a bad record count")
		}
		var err error
		if wb, err = m.Workbook.header(sub, false); err != nil {
			return err
		}
		leave = yield == nil && form == record.FormM1 && o.maxHouseholds >= 0 && m.Records > o.maxHouseholds
		switch {
		case kd == nil || yield != nil || leave:
		case into != &chk:
			kd.reuse(into, m.Records)
		default:
			kd.reserve(&chk, m.Records)
		}
		return nil
	}
	var batch record.Checked // yield's, used again from batch to batch with a scratch
	yielded := 0             // records handed to yield, or counted when left
	each := func(rec arrow.RecordBatch) error {
		if kd == nil {
			return errors.New("extract: records of a form without records")
		}
		if leave {
			yielded += int(rec.NumRows())
			if yielded > m.Records {
				return errors.New("extract: more records than the metadata counts")
			}
			return nil
		}
		if yield == nil {
			return kd.decode(rec, into, sub, wb.CommuneCode, loc, few)
		}
		n := int(rec.NumRows())
		if yielded+n > m.Records {
			return errors.New("extract: more records than the metadata counts")
		}
		if o.scratch != nil {
			kd.reuse(&batch, n)
		} else {
			batch = record.Checked{}
			kd.reserve(&batch, n)
		}
		if err := kd.decode(rec, &batch, sub, wb.CommuneCode, loc, few); err != nil {
			return err
		}
		yielded += n
		return yield(&batch)
	}
	if err := readBatches(r, ident{kindChecked, key, sub}, fieldsFor, begin, each, o.digests, o.trust); err != nil {
		return record.Workbook{}, 0, record.Checked{}, 0, err
	}
	if yield != nil || leave {
		if yielded != m.Records {
			return record.Workbook{}, 0, record.Checked{}, 0, errors.New("extract: fewer records than the metadata counts")
		}
	} else if kd != nil && kd.count(into) != m.Records {
		return record.Workbook{}, 0, record.Checked{}, 0, errors.New("extract: fewer records than the metadata counts")
	}
	if leave {
		left = yielded
	}
	for _, t := range m.Workbook.Tables {
		rows += t.Rows
	}
	chk.Findings = m.Findings
	return wb, rows, chk, left, nil
}

// decodeOpts say what decodeChecked does with the records: hand them to
// yield a batch at a time (when set), or gather them in the check, but
// for the M1 records of a file with more than maxHouseholds of them
// (maxHouseholds >= 0), only counted.
// With scratch, the records are decoded into its memory (ReadRecords;
// with yield, the batch's records are, from batch to batch) and only
// what they need of the metadata is read: the check returned has
// neither records nor findings.
type decodeOpts struct {
	yield         func(chk *record.Checked) error
	maxHouseholds int
	scratch       *Scratch
	digests       *digestMemo // see readBatches
	trust         bool
}

// recordsMeta is the part of a checked file's metadata its records need.
type recordsMeta struct {
	Workbook struct {
		Form        record.Form
		CommuneCode string
	}
	Records int
}
