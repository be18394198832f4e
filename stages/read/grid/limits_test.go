package grid

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func TestBudget(t *testing.T) {
	lim := Limits{MaxCellBytes: 10, MaxSheetBytes: 100, MaxWorkbookBytes: 150}.WithDefaults()
	excess := func(err error) Limit {
		var p *Problem
		if !errors.As(err, &p) || p.Code != CodeTooLarge || p.Excess == nil {
			t.Fatalf("want a too_large Problem with an Excess, got %v", err)
		}
		return p.Excess.Limit
	}
	b := NewBudget(lim)
	b.Sheet("A")
	if err := b.Cell(10, 1, 1); err != nil {
		t.Fatal(err)
	}
	if l := excess(b.Cell(11, 2, 3)); l != LimitCellBytes {
		t.Errorf("cell: %s", l)
	}
	if err := b.Charge(10, 10, 1, 1); err != nil { // exactly the sheet limit
		t.Fatal(err)
	}
	if l := excess(b.Charge(1, 1, 2, 1)); l != LimitSheetBytes {
		t.Errorf("sheet: %s", l)
	}
	b.Sheet("B")
	if l := excess(b.Charge(7, math.MaxInt64, 1, 1)); l != LimitSheetBytes {
		t.Errorf("a repeat that would overflow: %s", l)
	}
	if err := b.Charge(50, 1, 1, 1); err != nil {
		t.Fatal(err)
	}
	if l := excess(b.Charge(1, 1, 1, 1)); l != LimitWorkbookBytes {
		t.Errorf("workbook: %s", l)
	}
	if l := excess(NewBudget(lim).Shared(151)); l != LimitWorkbookBytes {
		t.Errorf("shared: %s", l)
	}
	if err := NewBudget(lim).Charge(0, math.MaxInt64, 1, 1); err != nil {
		t.Errorf("empty text repeated: %v", err)
	}
}

func TestXMLGuard(t *testing.T) {
	lim := Limits{}.WithDefaults()
	max := XMLRunMax(lim)
	ok := strings.Repeat("<a>"+strings.Repeat("x", max-3), 3)
	if _, err := io.ReadAll(NewXMLGuard(context.Background(), strings.NewReader(ok), lim)); err != nil {
		t.Fatalf("runs of the limit: %v", err)
	}
	long := "<a>" + strings.Repeat("x", max+1)
	_, err := io.ReadAll(NewXMLGuard(context.Background(), strings.NewReader(long), lim))
	var p *Problem
	if !errors.As(err, &p) || p.Excess == nil || p.Excess.Limit != LimitCellBytes || p.Excess.Max != int64(lim.MaxCellBytes) {
		t.Fatalf("a run over the limit: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := io.ReadAll(NewXMLGuard(ctx, strings.NewReader(ok), lim)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
