package dedupe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
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
			st.priors()
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

// normCodeRef is normCode without its ASCII fast path.
func normCodeRef(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			continue
		case r == '–' || r == '—' || r == '‐' || r == '‑' || r == '−':
			b.WriteByte('-')
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return norm.NFC.String(b.String())
}

// TestNormCodeFastPath: the ASCII fast path of normCode gives what the
// general code gives, for every ASCII byte in a code and a few others.
func TestNormCodeFastPath(t *testing.T) {
	cases := []string{"", "HK-0012", "hk-0012", "HK 0012", " HK0012 ", "HK\t12", "HK–12", "HK\u00a012", "Hộ-1", "\u200bHK", "HK_1/2", "A\x00B", "A\x7fB"}
	for c := 0; c < 0x80; c++ {
		cases = append(cases, "HK"+string(rune(c))+"1", string(rune(c)))
	}
	for _, s := range cases {
		if got, want := normCode(s), normCodeRef(s); got != want {
			t.Errorf("normCode(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestFoldNamesSameAsFold: the names folded into chunk buffers are the
// folds vntext.Fold and FoldKeepTones give one name at a time (the old
// way), on one worker or several, batch after batch.
func TestFoldNamesSameAsFold(t *testing.T) {
	in, _ := Synthesize(20000, 5)
	names := []string{"", " ", "Nguyễn  Văn Hùng", "NGUYEN VAN HUNG", "Ng\u0300uyễn", "Võ-Thị.Mỹ", "Lò Văn\u00a0Páo"}
	for i := range in.Households {
		names = append(names, in.Households[i].HeadName)
	}
	for _, workers := range []int{1, 2, 3} {
		b := newPreparer(Options{Workers: workers}.withDefaults())
		for _, n := range []int{len(names), 5000, 3, 0, 2049, 300, 255, 256} {
			recs := make([]rec, n)
			for i := range recs {
				recs[i].idx = int32(i)
			}
			b.foldNames(recs, func(r *rec) string { return names[r.idx] })
			for i := range n {
				f, tn := vntext.Fold(names[i]), vntext.FoldKeepTones(names[i])
				if b.folded[i] != f || b.toned[i] != tn || recs[i].ascii != isASCII(tn) {
					t.Fatalf("%d workers, %d names: %q folded to %q, %q (ascii %v), want %q, %q", workers, n, names[i], b.folded[i], b.toned[i], recs[i].ascii, f, tn)
				}
			}
		}
	}
}
