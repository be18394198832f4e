package process_test

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
)

// TestRosterPassesReuseMemory: the roster reads every file's rows into
// memory it uses again for the next files (extract.Scratch), yet each
// pass over it — one alone, and two at once, as the reports make —
// yields exactly the rows (with their source, state and household) of a
// run that holds them all, in dataset order, none left of a file read
// before into the same memory.
func TestRosterPassesReuseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads a 5-commune inbox")
	}
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 5, Households: 900, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	p, subs := benchSubs(t, dir)
	state := t.TempDir()
	run := func(held int) *record.Dataset {
		st, err := process.NewStore(state, process.Config{}.Limits, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler), HeldRows: held, Workers: 2}
		ds, _, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	want := run(-1)
	if want.Roster != nil || len(want.Households) != 5*900 {
		t.Fatalf("the whole run holds %d rows (roster %v)", len(want.Households), want.Roster != nil)
	}
	ds := run(1)
	if ds.Roster == nil {
		t.Fatal("the roster is held in memory")
	}
	pass := func() ([]record.Household, error) {
		var rows []record.Household
		err := ds.EachHousehold(context.Background(), func(first int, hs []record.Household) error {
			if first != len(rows) {
				t.Errorf("a run of rows starts at %d after %d rows", first, len(rows))
			}
			if !reflect.DeepEqual(hs, want.Households[first:first+len(hs)]) {
				t.Errorf("rows %d to %d differ from the whole run's", first, first+len(hs))
			}
			rows = append(rows, hs...) // a consumer that keeps rows copies them
			return nil
		})
		return rows, err
	}
	got, err := pass()
	if err != nil || !reflect.DeepEqual(got, want.Households) {
		t.Fatalf("one pass: %d rows, %v; want the whole run's %d", len(got), err, len(want.Households))
	}
	var wg sync.WaitGroup
	res := make([][]record.Household, 2)
	errs := make([]error, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = pass()
		}()
	}
	wg.Wait()
	for i := range res {
		if errs[i] != nil || !reflect.DeepEqual(res[i], want.Households) {
			t.Errorf("pass %d of two at once: %d rows, %v", i, len(res[i]), errs[i])
		}
	}
	if !reflect.DeepEqual(ds.Groups, want.Groups) || !reflect.DeepEqual(ds.Figures, want.Figures) {
		t.Error("the groups or figures differ from the whole run's")
	}
}
