package validate

import (
	"hash/maphash"
	"math"
	"slices"
	"sort"
)

// codeSet is the Mã hộ a roster listed so far, for the within-file
// duplicate check, held compactly: a roster of a million rows costs about
// 40 bytes a code, not a map entry of two strings and an int plus the
// key's own allocation. Each normalised code (codeKey) is hashed to 64
// bits into an open-addressing table of entry numbers; the keys
// themselves are kept end to end in one arena, so that codes with the
// same hash are told apart by comparing the keys, and where each was
// first seen is its table (by runs of entries) and row.
type codeSet struct {
	hash    func(key string) uint64
	slots   []uint32    // entry number + 1, 0 when free; a power of two long
	entries []codeEntry // in the order the codes were first seen
	keys    []byte      // the entries' keys, end to end
	sheets  []sheetRun  // the sheet of each run of entries
	// far holds the codes that do not fit the compact form (a row number
	// or an arena past 4 GiB, which no file within the reader's limits
	// reaches), with where they were first seen.
	far map[string]place
}

// codeEntry is one code of a codeSet.
type codeEntry struct {
	hash uint64
	end  uint32 // end of its key in keys (it starts where the previous one ends)
	row  uint32
}

// sheetRun: the entries from first on were seen on sheet (until the next
// run).
type sheetRun struct {
	first int
	sheet string
}

// maxArena is the most bytes a codeSet's arena holds (tests lower it).
var maxArena int64 = math.MaxUint32

// codeHash is the hash of the codeSets (tests replace it to make codes
// collide).
var codeHash = func() func(string) uint64 {
	seed := maphash.MakeSeed()
	return func(key string) uint64 { return maphash.String(seed, key) }
}()

func newCodeSet() *codeSet { return &codeSet{hash: codeHash} }

// sheet starts a run of codes seen on sheet s.
func (cs *codeSet) sheet(s string) {
	if n := len(cs.sheets); n > 0 && cs.sheets[n-1].first == len(cs.entries) {
		cs.sheets[n-1].sheet = s // a run without codes
		return
	}
	cs.sheets = append(cs.sheets, sheetRun{first: len(cs.entries), sheet: s})
}

// seen returns where key was first seen, when it was; else it adds key as
// seen at row of the current sheet (sheet must have been called).
func (cs *codeSet) seen(key string, row int) (place, bool) {
	if p, ok := cs.far[key]; ok {
		return p, true
	}
	h := cs.hash(key)
	mask := uint64(len(cs.slots) - 1)
	i := h & mask
	if len(cs.slots) > 0 {
		for ; cs.slots[i] != 0; i = (i + 1) & mask {
			e := int(cs.slots[i] - 1)
			if cs.entries[e].hash == h && cs.key(e) == key {
				return cs.place(e), true
			}
		}
	}
	if row < 0 || int64(row) > math.MaxUint32 || int64(len(cs.keys)+len(key)) > maxArena || int64(len(cs.entries)) >= math.MaxUint32-1 {
		if cs.far == nil {
			cs.far = map[string]place{}
		}
		cs.far[key] = place{cs.sheets[len(cs.sheets)-1].sheet, row}
		return place{}, false
	}
	if 4*(len(cs.entries)+1) > 3*len(cs.slots) {
		cs.grow()
		mask = uint64(len(cs.slots) - 1)
		for i = h & mask; cs.slots[i] != 0; i = (i + 1) & mask {
		}
	}
	cs.keys = append(cs.keys, key...)
	cs.entries = append(cs.entries, codeEntry{hash: h, end: uint32(len(cs.keys)), row: uint32(row)})
	cs.slots[i] = uint32(len(cs.entries))
	return place{}, false
}

// reserve makes room for n more codes (a table's rows), so that a big
// roster's entries and table are not grown, and copied, a step at a time.
func (cs *codeSet) reserve(n int) {
	want := len(cs.entries) + n
	if int64(want) > math.MaxUint32-1 {
		return
	}
	cs.entries = slices.Grow(cs.entries, n)
	size := max(64, len(cs.slots))
	for 4*want > 3*size {
		size *= 2
	}
	if size > len(cs.slots) {
		cs.resize(size)
	}
}

// grow doubles the table (at least 64 slots).
func (cs *codeSet) grow() { cs.resize(max(64, 2*len(cs.slots))) }

// resize makes the table size slots long (a power of two) and places
// every entry again.
func (cs *codeSet) resize(size int) {
	slots := make([]uint32, size)
	mask := uint64(len(slots) - 1)
	for e := range cs.entries {
		i := cs.entries[e].hash & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = uint32(e + 1)
	}
	cs.slots = slots
}

// key is entry e's key.
func (cs *codeSet) key(e int) string {
	start := uint32(0)
	if e > 0 {
		start = cs.entries[e-1].end
	}
	return string(cs.keys[start:cs.entries[e].end])
}

// place is where entry e was first seen.
func (cs *codeSet) place(e int) place {
	r := sort.Search(len(cs.sheets), func(i int) bool { return cs.sheets[i].first > e }) - 1
	return place{cs.sheets[r].sheet, int(cs.entries[e].row)}
}
