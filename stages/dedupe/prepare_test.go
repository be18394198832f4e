package dedupe

import (
	"fmt"
	"testing"
	"time"

	"doithoai/pipeline/record"
)

// TestPreparedRowsKept: what the matcher keeps of rows it does not hold
// (each record's Source, the head's name) gives back exactly the rows'
// values, across files, sheets, rows that do not fit the compact form and
// batches whose memory is reused.
func TestPreparedRowsKept(t *testing.T) {
	at := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	var hs []record.Household
	for k := 0; k < 5000; k++ {
		f := k / 1700
		h := record.Household{
			Source: record.Source{
				SubmissionID: fmt.Sprintf("sub-%d", f), Path: fmt.Sprintf("10001/M1 %d.xlsx", f),
				Sheet: []string{"M1", "Tờ 2"}[k/900%2], SheetIndex: k / 900 % 2, Row: k + 2,
				CommuneCode: "10001", ReceivedAt: at.Add(time.Duration(f) * time.Hour), Seq: int64(f),
			},
			State:         record.State{Valid: k%11 != 0},
			HouseholdCode: fmt.Sprint(k),
			HeadName:      []string{"Nguyễn Văn An", "Trần Thị Bích", "", "Lê Hoàng Minh Tuấn"}[k%4] + fmt.Sprint(k%13),
			Hamlet:        "Ấp 1",
		}
		switch k {
		case 7:
			h.Row = -3
		case 8:
			h.Row = 1 << 40
		}
		hs = append(hs, h)
	}
	p := newPreparer(DefaultOptions())
	buf := make([]record.Household, 0, 333)
	for lo := 0; lo < len(hs); lo += 333 {
		buf = append(buf[:0], hs[lo:min(lo+333, len(hs))]...)
		p.addHouseholds(buf)
		clear(buf) // the batch is not kept
	}
	m := p.finish(nil)
	if m.nHouseholds != len(hs) {
		t.Fatalf("%d households, want %d", m.nHouseholds, len(hs))
	}
	n := 0
	for i := range m.recs[:m.nM1] {
		r := &m.recs[i]
		h := &hs[r.idx]
		if !h.Valid {
			t.Fatalf("record %d: invalid row %d prepared", i, r.idx)
		}
		if got := m.source(int32(i)); got != h.Source {
			t.Fatalf("record %d: source %+v, want %+v", i, got, h.Source)
		}
		if got := m.headName(int32(i)); got != h.HeadName {
			t.Fatalf("record %d: name %q, want %q", i, got, h.HeadName)
		}
		if got, want := m.codes.at(r.code), normCode(h.HouseholdCode); got != want {
			t.Fatalf("record %d: code %q, want %q", i, got, want)
		}
		n++
	}
	if want := len(hs) - (len(hs)+10)/11; n != want {
		t.Fatalf("%d records, want %d", n, want)
	}
}
