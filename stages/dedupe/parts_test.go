package dedupe_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/dedupe"
)

// resolveInParts resolves in the way of a roster too big to hold: the
// statistics in one pass over runs of rows, then part by part.
func resolveInParts(t *testing.T, in dedupe.Input, run int) (dedupe.Result, int) {
	t.Helper()
	st := dedupe.NewStats()
	for lo := 0; lo < len(in.Households); lo += run {
		if err := st.AddHouseholds(in.Households[lo:min(lo+run, len(in.Households))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddRegistrations(in.Registrations); err != nil {
		t.Fatal(err)
	}
	res, err := dedupe.ResolveParts(context.Background(), st, len(in.Households), len(in.Registrations), dedupe.InMemory(in), dedupe.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return res, len(st.Parts())
}

// TestPartsEqualWhole: resolving commune by commune (joined by shared
// keys), with the statistics of the whole, gives exactly the Result of
// resolving everything at once.
func TestPartsEqualWhole(t *testing.T) {
	type tc struct {
		name string
		in   func(t *testing.T) dedupe.Input
		run  int
	}
	var cases []tc
	for _, c := range []struct {
		n, seeds int
		run      int
	}{{20000, 1, 500}, {6000, 4, 333}, {9000, 3, 7}} {
		cases = append(cases, tc{name: fmt.Sprintf("synth-%dx%d", c.seeds, c.n), run: c.run, in: func(*testing.T) dedupe.Input {
			return synthDistricts(c.n, c.seeds)
		}})
	}
	cases = append(cases, tc{name: "sample-2022", run: 10, in: func(t *testing.T) dedupe.Input {
		ts, _ := sampleds.Open(t, "2022")
		return inputFromTruth(ts)
	}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in(t)
			whole, err := dedupe.Resolve(context.Background(), in, dedupe.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			parts, n := resolveInParts(t, in, c.run)
			if n < 2 && !strings.HasPrefix(c.name, "synth-1x") {
				t.Fatalf("%d parts: the input should fall into several", n)
			}
			same(t, whole, parts)
			t.Logf("%d households, %d registrations, %d parts, %d groups", len(in.Households), len(in.Registrations), n, len(whole.Groups))
		})
	}
}

// synthDistricts joins seeds synthetic inputs of n rows each, as if from
// as many districts: their communes, files and rows are renamed apart
// (their neighbouring-commune registrations join each input's communes
// into one part, so the whole falls into at least seeds parts).
func synthDistricts(n, seeds int) dedupe.Input {
	var all dedupe.Input
	for k := 1; k <= seeds; k++ {
		in, _ := dedupe.Synthesize(n, int64(k))
		tag := fmt.Sprintf("d%d-", k)
		for i := range in.Households {
			h := &in.Households[i]
			h.CommuneCode, h.Path, h.SubmissionID = tag+h.CommuneCode, tag+h.Path, tag+h.SubmissionID
			h.Seq += int64(k) << 32
			h.HouseholdCode, h.CitizenID = apart(tag, h.HouseholdCode), idApart(k, h.CitizenID)
		}
		for i := range in.Registrations {
			r := &in.Registrations[i]
			r.CommuneCode, r.Path, r.SubmissionID = tag+r.CommuneCode, tag+r.Path, tag+r.SubmissionID
			r.Seq += int64(k) << 32
			r.HouseholdCode, r.CitizenID = apart(tag, r.HouseholdCode), idApart(k, r.CitizenID)
		}
		all.Households = append(all.Households, in.Households...)
		all.Registrations = append(all.Registrations, in.Registrations...)
	}
	return all
}

func apart(tag, code string) string {
	if code == "" {
		return ""
	}
	return tag + code
}

// idApart gives the k-th input's citizen IDs another province (12 digits)
// or first digit (9).
func idApart(k int, id string) string {
	switch {
	case len(id) == 12 && strings.HasPrefix(id, "087"):
		return fmt.Sprintf("0%02d", 10+k) + id[3:]
	case len(id) == 9:
		return fmt.Sprint(k) + id[1:]
	}
	return id
}

// same fails t unless a and b decide the same for every row: the same
// Match and eligibility, groups, borderline pairs and findings (the order
// of Result.Matches, which only the per-row indices point into, may
// differ).
func same(t *testing.T, a, b dedupe.Result) {
	t.Helper()
	if len(a.HouseholdMatch) != len(b.HouseholdMatch) || len(a.RegistrationMatch) != len(b.RegistrationMatch) || a.NumMatches() != b.NumMatches() {
		t.Fatalf("sizes: whole %d/%d/%d, parts %d/%d/%d", len(a.HouseholdMatch), len(a.RegistrationMatch), a.NumMatches(), len(b.HouseholdMatch), len(b.RegistrationMatch), b.NumMatches())
	}
	bad := 0
	for i := range a.HouseholdMatch {
		if a.OfHousehold(i) != b.OfHousehold(i) || (a.HouseholdMatch[i] < 0) != (b.HouseholdMatch[i] < 0) {
			if bad++; bad <= 5 {
				t.Errorf("household %d: whole %+v, parts %+v", i, a.OfHousehold(i), b.OfHousehold(i))
			}
		}
	}
	for i := range a.RegistrationMatch {
		if a.OfRegistration(i) != b.OfRegistration(i) || (a.RegistrationMatch[i] < 0) != (b.RegistrationMatch[i] < 0) || a.Eligible[i] != b.Eligible[i] {
			if bad++; bad <= 10 {
				t.Errorf("registration %d: whole %+v %v, parts %+v %v", i, a.OfRegistration(i), a.Eligible[i], b.OfRegistration(i), b.Eligible[i])
			}
		}
	}
	for _, f := range []struct {
		name string
		a, b any
	}{{"groups", a.Groups, b.Groups}, {"borderline", a.Borderline, b.Borderline}, {"findings", a.Findings, b.Findings}} {
		if !reflect.DeepEqual(f.a, f.b) {
			t.Errorf("%s differ", f.name)
		}
	}
}

// batchLoader is InMemory with the rows of a part given in batches of at
// most batch rows (households and registrations), as a roster read a
// record batch at a time gives them.
func batchLoader(whole dedupe.Input, batch int) dedupe.Loader {
	return func(ctx context.Context, communes []string, rows *dedupe.PartRows) error {
		want := map[string]bool{}
		for _, c := range communes {
			want[c] = true
		}
		var at []int
		var hs []record.Household
		for i := range whole.Households {
			if !want[whole.Households[i].CommuneCode] {
				continue
			}
			at, hs = append(at, i), append(hs, whole.Households[i])
			if len(hs) == batch {
				if err := rows.AddHouseholds(at, hs); err != nil {
					return err
				}
				// A batch is not kept: the next one reuses its memory.
				at, hs = at[:0], hs[:0]
			}
		}
		if err := rows.AddHouseholds(at, hs); err != nil {
			return err
		}
		var rat []int
		var rs []record.Registration
		for i := range whole.Registrations {
			if !want[whole.Registrations[i].CommuneCode] {
				continue
			}
			rat, rs = append(rat, i), append(rs, whole.Registrations[i])
			if len(rs) == batch {
				if err := rows.AddRegistrations(rat, rs); err != nil {
					return err
				}
				rat, rs = nil, nil
			}
		}
		return rows.AddRegistrations(rat, rs)
	}
}

// TestPartRowsBatches: a part's rows given in batches of any size (one
// row, a few, more than a part) decide exactly what resolving the whole at
// once decides, and rows given out of order are refused.
func TestPartRowsBatches(t *testing.T) {
	in := synthDistricts(7000, 2)
	whole, err := dedupe.Resolve(context.Background(), in, dedupe.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 7, 1000, 1 << 20} {
		t.Run(fmt.Sprint(batch), func(t *testing.T) {
			st := dedupe.NewStats()
			if err := st.AddHouseholds(in.Households); err != nil {
				t.Fatal(err)
			}
			if err := st.AddRegistrations(in.Registrations); err != nil {
				t.Fatal(err)
			}
			parts, err := dedupe.ResolveParts(context.Background(), st, len(in.Households), len(in.Registrations), batchLoader(in, batch), dedupe.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			same(t, whole, parts)
		})
	}
	t.Run("households after registrations", func(t *testing.T) {
		st := dedupe.NewStats()
		if err := st.AddHouseholds(in.Households); err != nil {
			t.Fatal(err)
		}
		late := func(ctx context.Context, communes []string, rows *dedupe.PartRows) error {
			if err := rows.AddRegistrations(nil, nil); err != nil {
				return err
			}
			return rows.AddHouseholds([]int{0}, in.Households[:1])
		}
		if _, err := dedupe.ResolveParts(context.Background(), st, len(in.Households), 0, late, dedupe.DefaultOptions()); err == nil {
			t.Fatal("households after registrations were accepted")
		}
	})
}

// TestResolvePartsConcurrent: parts resolved several at once give the
// Result of parts resolved one by one, and a loader's error stops them.
func TestResolvePartsConcurrent(t *testing.T) {
	in := synthDistricts(6000, 4)
	stats := func() *dedupe.Stats {
		st := dedupe.NewStats()
		if err := st.AddHouseholds(in.Households); err != nil {
			t.Fatal(err)
		}
		if err := st.AddRegistrations(in.Registrations); err != nil {
			t.Fatal(err)
		}
		return st
	}
	resolve := func(workers int, load dedupe.Loader) (dedupe.Result, error) {
		opt := dedupe.DefaultOptions()
		opt.Workers = workers
		return dedupe.ResolveParts(context.Background(), stats(), len(in.Households), len(in.Registrations), load, opt)
	}
	serial, err := resolve(1, dedupe.InMemory(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 4} {
		got, err := resolve(workers, dedupe.InMemory(in))
		if err != nil {
			t.Fatal(err)
		}
		same(t, serial, got)
		calls := 0
		var mu sync.Mutex
		failing := func(ctx context.Context, communes []string, rows *dedupe.PartRows) error {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n == 3 {
				return fmt.Errorf("boom")
			}
			return dedupe.InMemory(in)(ctx, communes, rows)
		}
		if _, err := resolve(workers, failing); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("%d workers: error %v, want boom", workers, err)
		}
	}
}
