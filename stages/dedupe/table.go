package dedupe

import (
	"sort"
	"strings"
)

// strTable holds strings side by side in large chunks: four bytes a
// string besides its bytes, instead of a 16-byte header and an allocation
// of its own. It serves the group IDs of a merged Result (matchTable), and
// the head names and Mã hộ a matcher keeps of rows it no longer holds.
type strTable struct {
	chunks []string         // finished runs of strings
	first  []int32          // first[c]: the index of chunk c's first string
	ends   []uint32         // ends[k]: where string k ends in its chunk
	cur    *strings.Builder // the chunk being filled (its bytes never move: it is grown once)
}

// strChunk is the largest size of a run of strings: small enough that a
// new run costs little, large enough that the runs are few. The first
// runs are smaller (from minStrChunk, doubling), so that a small table
// stays small.
const (
	strChunk    = 1 << 20
	minStrChunk = 4 << 10
)

// len is the number of strings.
func (t *strTable) len() int { return len(t.ends) }

// add appends s and returns its index.
func (t *strTable) add(s string) int32 {
	t.room(len(s))
	t.cur.WriteString(s)
	return t.end()
}

// addBytes appends s and returns its index.
func (t *strTable) addBytes(s []byte) int32 {
	t.room(len(s))
	t.cur.Write(s)
	return t.end()
}

// room makes sure the chunk being filled has room for n more bytes
// without moving the bytes it holds: else it starts another.
func (t *strTable) room(n int) {
	if t.cur != nil && t.cur.Len() > 0 && t.cur.Len()+n > t.cur.Cap() {
		t.flush()
	}
	if t.cur == nil {
		size := minStrChunk << min(len(t.chunks), 8)
		t.cur = &strings.Builder{}
		t.cur.Grow(max(min(size, strChunk), n))
		t.first = append(t.first, int32(len(t.ends)))
	}
}

// end ends the string just written and returns its index.
func (t *strTable) end() int32 {
	t.ends = append(t.ends, uint32(t.cur.Len()))
	return int32(len(t.ends) - 1)
}

// flush finishes the chunk being filled.
func (t *strTable) flush() {
	if t.cur != nil {
		t.chunks = append(t.chunks, t.cur.String())
		t.cur = nil
	}
}

// done finishes the table (flush) and fits its ends to their number;
// strings may still be added.
func (t *strTable) done() {
	t.flush()
	t.ends = fit(t.ends)
}

// at is string k. It shares the chunk's memory: a string kept beyond the
// table's life should be cloned.
func (t *strTable) at(k int32) string {
	c := sort.Search(len(t.first), func(c int) bool { return t.first[c] > k }) - 1
	start := uint32(0)
	if k > t.first[c] {
		start = t.ends[k-1]
	}
	var chunk string
	if c < len(t.chunks) {
		chunk = t.chunks[c]
	} else {
		chunk = t.cur.String() // the chunk being filled
	}
	return chunk[start:t.ends[k]]
}

// matchTable holds the Matches of a merged Result (ResolveParts) in about
// a third of the memory of a []Match: the group IDs side by side in large
// strings, and the reason and score only for the households of two or
// more rows (one row's Match has neither). At national scale (2.5 M
// households) that is ~60 MB instead of ~160 MB.
type matchTable struct {
	ids strTable

	extra   []matchExtra // by k, increasing
	reasons []string     // reasons of extra, interned
	reasonN map[string]uint16
}

// matchExtra is the reason and score of Match k.
type matchExtra struct {
	k      int32
	reason uint16
	score  float64
}

// idChunk is the size of a run of IDs (see strChunk).
const idChunk = strChunk

func newMatchTable(capacity int) *matchTable {
	return &matchTable{ids: strTable{ends: make([]uint32, 0, capacity)}, reasonN: map[string]uint16{}}
}

// len is the number of Matches.
func (t *matchTable) len() int { return t.ids.len() }

// add appends m.
func (t *matchTable) add(m Match) { t.addExtra(t.ids.add(m.Group), m) }

// addBytes appends m with the group ID id instead of m.Group.
func (t *matchTable) addBytes(id []byte, m Match) { t.addExtra(t.ids.addBytes(id), m) }

// addExtra keeps Match k's reason and score.
func (t *matchTable) addExtra(k int32, m Match) {
	if m.Reason != "" || m.Score != 0 {
		r, ok := t.reasonN[m.Reason]
		if !ok {
			r = uint16(len(t.reasons))
			t.reasons = append(t.reasons, m.Reason)
			t.reasonN[m.Reason] = r
		}
		t.extra = append(t.extra, matchExtra{k: k, reason: r, score: m.Score})
	}
}

// flush finishes the chunk being filled.
func (t *matchTable) flush() { t.ids.done() }

// at is Match k.
func (t *matchTable) at(k int32) Match {
	m := Match{Group: t.ids.at(k)}
	if x := sort.Search(len(t.extra), func(x int) bool { return t.extra[x].k >= k }); x < len(t.extra) && t.extra[x].k == k {
		m.Reason, m.Score = t.reasons[t.extra[x].reason], t.extra[x].score
	}
	return m
}
