package dedupe

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"doithoai/pipeline/record"
)

// oldStats is Stats as it was before its preparer was kept from batch to
// batch: each batch prepared by a matcher of its own, its counts added to
// maps by word. TestStatsSameAsOld checks the streaming Stats against it.
type oldStats struct {
	fold, tone [3]map[string]int32
	nRole      [3]float64
	communes   map[string]int32
	codes      []string
	links      []uint64
}

func newOldStats() *oldStats {
	st := &oldStats{communes: map[string]int32{}}
	for ro := 0; ro < 3; ro++ {
		st.fold[ro] = map[string]int32{}
		st.tone[ro] = map[string]int32{}
	}
	return st
}

func (st *oldStats) add(in Input) {
	if len(in.Households)+len(in.Registrations) == 0 {
		return
	}
	m := prepare(in, Options{Workers: 1}.withDefaults())
	for ro := 0; ro < 3; ro++ {
		for id, c := range m.cntF[ro] {
			if c != 0 {
				st.fold[ro][m.foldStr[id]] += c
			}
		}
		for id, c := range m.cntT[ro] {
			if c != 0 {
				st.tone[ro][m.toneStr[id]] += c
			}
		}
		st.nRole[ro] += m.rawRole[ro]
	}
	local := make([]int32, len(m.communes))
	for i, c := range m.communes {
		id, ok := st.communes[c]
		if !ok {
			id = int32(len(st.codes))
			st.communes[c] = id
			st.codes = append(st.codes, c)
		}
		local[i] = id
	}
	for i := range m.recs {
		r := &m.recs[i]
		c := uint64(local[r.commune])
		link := func(h uint64) { st.links = append(st.links, finalize(h)&^(1<<linkBits-1)|c) }
		if r.code >= 0 {
			link(hashStr(hashByte(fnvOffset, nsGlobalCode), m.codes.at(r.code)))
		}
		m.recKeys(nsID, i, link)
	}
}

// TestStatsSameAsOld: the streaming Stats counts every word, role and
// link as preparing each batch on its own did, whatever the batches
// (households after registrations included), and gives its counts to a
// part's matcher as the maps did.
func TestStatsSameAsOld(t *testing.T) {
	in, _ := Synthesize(30000, 3)
	// Some rows invalid or superseded: counted apart (probes), linked.
	for i := range in.Households {
		h := &in.Households[i]
		h.Valid, h.Superseded = h.Valid && i%17 != 0, h.Superseded || i%23 == 0
	}
	for i := range in.Registrations {
		r := &in.Registrations[i]
		r.Valid, r.Superseded = r.Valid && i%13 != 0, r.Superseded || i%19 == 0
	}
	for _, run := range []int{1, 97, 5000, 1 << 20} {
		t.Run(fmt.Sprint(run), func(t *testing.T) {
			old, st := newOldStats(), NewStats()
			half := len(in.Households) / 2
			feed := func(hs []record.Household) {
				for lo := 0; lo < len(hs); lo += run {
					batch := hs[lo:min(lo+run, len(hs))]
					old.add(Input{Households: batch})
					if err := st.AddHouseholds(batch); err != nil {
						t.Fatal(err)
					}
				}
			}
			feed(in.Households[:half])
			old.add(Input{Registrations: in.Registrations})
			if err := st.AddRegistrations(in.Registrations); err != nil {
				t.Fatal(err)
			}
			feed(in.Households[half:])
			if st.nRole != old.nRole {
				t.Fatalf("roles: %v, want %v", st.nRole, old.nRole)
			}
			if !slices.Equal(st.codes, old.codes) {
				t.Fatalf("communes: %v, want %v", st.codes, old.codes)
			}
			if !slices.Equal(slices.Sorted(slices.Values(st.links)), slices.Sorted(slices.Values(old.links))) {
				t.Fatal("links differ")
			}
			for ro := 0; ro < 3; ro++ {
				got := func(ids map[string]int32, cnt []int32) map[string]int32 {
					out := map[string]int32{}
					for s, id := range ids {
						if int(id) < len(cnt) && cnt[id] != 0 {
							out[s] = cnt[id]
						}
					}
					return out
				}
				if g := got(st.p.internF.ids, st.cntF[ro]); !maps.Equal(g, old.fold[ro]) {
					t.Fatalf("role %d: %d folded words counted, want %d", ro, len(g), len(old.fold[ro]))
				}
				if g := got(st.p.internT.ids, st.cntT[ro]); !maps.Equal(g, old.tone[ro]) {
					t.Fatalf("role %d: %d toned words counted, want %d", ro, len(g), len(old.tone[ro]))
				}
			}
			// A part's matcher reads the counts of the whole.
			m := prepare(Input{Households: in.Households[:3000], Registrations: in.Registrations[:1000]}, DefaultOptions())
			st.compact()
			m.countOf(st)
			for ro := 0; ro < 3; ro++ {
				for id, s := range m.foldStr {
					if m.cntF[ro][id] != old.fold[ro][s] {
						t.Fatalf("role %d, %q: %d, want %d", ro, s, m.cntF[ro][id], old.fold[ro][s])
					}
				}
				for id, s := range m.toneStr {
					if m.cntT[ro][id] != old.tone[ro][s] {
						t.Fatalf("role %d, %q: %d, want %d", ro, s, m.cntT[ro][id], old.tone[ro][s])
					}
				}
			}
		})
	}
}
