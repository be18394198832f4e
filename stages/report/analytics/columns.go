package analytics

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// doc describes a table or column for people, in English and Vietnamese.
type doc struct{ en, vi string }

// col is one column of a table of rows of type T: its Arrow field, its
// description and how a row fills the column's builder.
type col[T any] struct {
	field arrow.Field
	doc   doc
	// bind returns the function that appends row r's value to b, where b
	// is the builder Arrow made for field (type-asserted once per chunk).
	bind func(b array.Builder) func(r *T)
	// plain turns Parquet dictionary encoding off for the column: for
	// values that rarely repeat (names, IDs, free text) a dictionary
	// saves little and costs an allocation per value in the encoder.
	plain bool
	// reserve, when set, reserves room in b for the values of the n rows
	// at(0)..at(n-1) (the string data, which would otherwise grow by
	// doubling).
	reserve func(b array.Builder, n int, at func(int) *T)
	// str, set on string columns, is the row's value and whether it is
	// not null; the Hive-partitioned copy splits rows by it.
	str func(*T) (string, bool)
}

// unique marks c as a column whose values rarely repeat (see col.plain).
func unique[T any](c col[T]) col[T] {
	c.plain = true
	return c
}

// typeName is the column type as dataset.json names it.
func (c col[T]) typeName() string { return c.field.Type.String() }

// reserveText returns the reserve function of a string column. Room for
// the rows of a whole row group is reserved exactly; rows added a few at a
// time (a roster's runs, a partition's rows) grow the data at least
// twofold each time it is full, not by as little as they need.
func reserveText[T any](get func(*T) string) func(array.Builder, int, func(int) *T) {
	return func(b array.Builder, n int, at func(int) *T) {
		size := 0
		for i := range n {
			size += len(get(at(i)))
		}
		sb := b.(*array.StringBuilder)
		if used := sb.DataLen(); used+size > sb.DataCap() {
			sb.ReserveData(max(size, used))
		}
	}
}

// textOr is a nullable string column: null when get reports !ok.
func textOr[T any](name string, get func(*T) (string, bool), d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true},
		doc:   d,
		str:   get,
		reserve: reserveText(func(r *T) string {
			s, _ := get(r)
			return s
		}),
		bind: func(b array.Builder) func(*T) {
			sb := b.(*array.StringBuilder)
			return func(r *T) {
				if s, ok := get(r); ok {
					sb.Append(s)
				} else {
					sb.AppendNull()
				}
			}
		},
	}
}

// text is a required string column (an empty string stays "").
func text[T any](name string, get func(*T) string, d doc) col[T] {
	return col[T]{
		field:   arrow.Field{Name: name, Type: arrow.BinaryTypes.String},
		doc:     d,
		str:     func(r *T) (string, bool) { return get(r), true },
		reserve: reserveText(get),
		bind: func(b array.Builder) func(*T) {
			sb := b.(*array.StringBuilder)
			return func(r *T) { sb.Append(get(r)) }
		},
	}
}

// optText is a string column that is null where the value is "".
func optText[T any](name string, get func(*T) string, d doc) col[T] {
	return textOr(name, func(r *T) (string, bool) {
		s := get(r)
		return s, s != ""
	}, d)
}

// integer is a required int32 column.
func integer[T any](name string, get func(*T) int, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int32},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			ib := b.(*array.Int32Builder)
			return func(r *T) { ib.Append(int32(get(r))) }
		},
	}
}

// optInteger is an int32 column that is null where the value is 0
// (missing or not applicable).
func optInteger[T any](name string, get func(*T) int, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			ib := b.(*array.Int32Builder)
			return func(r *T) {
				if v := get(r); v != 0 {
					ib.Append(int32(v))
				} else {
					ib.AppendNull()
				}
			}
		},
	}
}

// bigInteger is a required int64 column.
func bigInteger[T any](name string, get func(*T) int64, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			ib := b.(*array.Int64Builder)
			return func(r *T) { ib.Append(get(r)) }
		},
	}
}

// flag is a required boolean column.
func flag[T any](name string, get func(*T) bool, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Boolean},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			bb := b.(*array.BooleanBuilder)
			return func(r *T) { bb.Append(get(r)) }
		},
	}
}

// number is a required float64 column.
func number[T any](name string, get func(*T) float64, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			fb := b.(*array.Float64Builder)
			return func(r *T) { fb.Append(get(r)) }
		},
	}
}

// numberOr is a nullable float64 column: null when get reports !ok.
func numberOr[T any](name string, get func(*T) (float64, bool), d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			fb := b.(*array.Float64Builder)
			return func(r *T) {
				if v, ok := get(r); ok {
					fb.Append(v)
				} else {
					fb.AppendNull()
				}
			}
		},
	}
}

// instant is a timestamp[ms, tz=UTC] column, null where the time is zero.
func instant[T any](name string, get func(*T) time.Time, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			tb := b.(*array.TimestampBuilder)
			return func(r *T) {
				if t := get(r); !t.IsZero() {
					tb.Append(arrow.Timestamp(t.UnixMilli()))
				} else {
					tb.AppendNull()
				}
			}
		},
	}
}

// day is a date32 column (days since 1970-01-01), null where the time is
// zero. The calendar day is taken in loc (the plan's zone) when loc is not
// nil, else in the time's own zone.
func day[T any](name string, loc *time.Location, get func(*T) time.Time, d doc) col[T] {
	return col[T]{
		field: arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		doc:   d,
		bind: func(b array.Builder) func(*T) {
			db := b.(*array.Date32Builder)
			return func(r *T) {
				t := get(r)
				if t.IsZero() {
					db.AppendNull()
					return
				}
				db.Append(date32(t, loc))
			}
		},
	}
}

// date32 is the calendar day of t (in loc when given) as days since the
// Unix epoch.
func date32(t time.Time, loc *time.Location) arrow.Date32 {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, dd := t.Date()
	return arrow.Date32(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
