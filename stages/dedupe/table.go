package dedupe

import (
	"sort"
	"strings"
)

// matchTable holds the Matches of a merged Result (ResolveParts) in about
// a third of the memory of a []Match: the group IDs side by side in large
// strings, and the reason and score only for the households of two or
// more rows (one row's Match has neither). At national scale (2.5 M
// households) that is ~60 MB instead of ~160 MB.
type matchTable struct {
	chunks []string         // finished runs of IDs
	first  []int32          // first[c]: the index of chunk c's first ID
	ends   []uint32         // ends[k]: where ID k ends in its chunk
	cur    *strings.Builder // the chunk being filled (nil once done)

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

// idChunk is the size of a run of IDs: small enough that a new run costs
// little, large enough that the runs are few.
const idChunk = 1 << 20

func newMatchTable(capacity int) *matchTable {
	return &matchTable{ends: make([]uint32, 0, capacity), reasonN: map[string]uint16{}}
}

// len is the number of Matches.
func (t *matchTable) len() int { return len(t.ends) }

// add appends m.
func (t *matchTable) add(m Match) {
	if t.cur != nil && t.cur.Len() > 0 && t.cur.Len()+len(m.Group) > idChunk {
		t.flush()
	}
	if t.cur == nil {
		t.cur = &strings.Builder{}
		t.cur.Grow(max(idChunk, len(m.Group)))
		t.first = append(t.first, int32(len(t.ends)))
	}
	k := int32(len(t.ends))
	t.cur.WriteString(m.Group)
	t.ends = append(t.ends, uint32(t.cur.Len()))
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
func (t *matchTable) flush() {
	if t.cur != nil {
		t.chunks = append(t.chunks, t.cur.String())
		t.cur = nil
	}
}

// at is Match k; the table must be flushed.
func (t *matchTable) at(k int32) Match {
	c := sort.Search(len(t.first), func(c int) bool { return t.first[c] > k }) - 1
	start := uint32(0)
	if k > t.first[c] {
		start = t.ends[k-1]
	}
	m := Match{Group: t.chunks[c][start:t.ends[k]]}
	if x := sort.Search(len(t.extra), func(x int) bool { return t.extra[x].k >= k }); x < len(t.extra) && t.extra[x].k == k {
		m.Reason, m.Score = t.reasons[t.extra[x].reason], t.extra[x].score
	}
	return m
}
