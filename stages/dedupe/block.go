package dedupe

import (
	"context"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Blocking key namespaces: candidate pairs are only formed inside a block.
const (
	nsGiven      byte = 1 // hamlet + given name, and its one-letter deletions
	nsSorted     byte = 2 // hamlet + the name's words sorted
	nsCode       byte = 3 // commune + Mã hộ (an exact key)
	nsGlobalCode byte = 4 // Mã hộ alone (the same household written by two communes)
	nsID         byte = 5 // citizen ID (an exact key)
)

// Block limits: a block larger than maxBlock (a data error such as one Mã
// hộ on every row, or a huge hamlet of one name) is compared only within a
// window of neighbours in name order, so the cost stays linear.
const (
	maxBlock    = 400
	blockWindow = 24
)

// edge is a scored candidate pair.
type edge struct {
	a, b    int32
	w       float32 // +Inf for an exact key
	reasons uint8
	flags   uint8
}

// Edge flags.
const (
	flVeto      uint8 = 1 << iota // a key matched but the names or heads' IDs disagree
	flAmbiguous                   // the record matches two different households about equally
	flConflict                    // merging would join two households with different heads
)

// FNV-1a with a final mix.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func hashInt(h uint64, v int32) uint64 {
	for i := 0; i < 4; i++ {
		h = hashByte(h, byte(v>>(8*i)))
	}
	return h
}

func hashStr(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = hashByte(h, s[i])
	}
	return h
}

func hashBytes(h uint64, s []byte) uint64 {
	for _, c := range s {
		h = hashByte(h, c)
	}
	return h
}

func finalize(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// keyer packs (key hash, record index) into one uint64: the high bits are
// the hash, the low idxBits the record.
type keyer struct {
	idxBits uint
	mask    uint64
}

func newKeyer(n int) keyer {
	b := uint(bits.Len(uint(n)))
	if b < 1 {
		b = 1
	}
	return keyer{idxBits: b, mask: 1<<b - 1}
}

func (k keyer) pack(h uint64, i int) uint64 { return (h &^ k.mask) | uint64(i) }

// genKeys emits the keys of namespace ns for every record, in parallel,
// into one slice of exactly the right size (a first pass counts them).
func (m *matcher) genKeys(ns byte, k keyer) []uint64 {
	n := len(m.recs)
	chunks := chunkRanges(n, m.opt.Workers*4)
	counts := make([]int, len(chunks)+1)
	m.eachChunk(chunks, func(c, lo, hi int) {
		cnt := 0
		for i := lo; i < hi; i++ {
			m.recKeys(ns, i, func(uint64) { cnt++ })
		}
		counts[c+1] = cnt
	})
	for c := 1; c < len(counts); c++ {
		counts[c] += counts[c-1]
	}
	keys := make([]uint64, counts[len(chunks)])
	m.eachChunk(chunks, func(c, lo, hi int) {
		pos := counts[c]
		for i := lo; i < hi; i++ {
			m.recKeys(ns, i, func(h uint64) {
				keys[pos] = k.pack(finalize(h), i)
				pos++
			})
		}
	})
	return keys
}

// eachChunk runs fn on every chunk on up to Workers goroutines.
func (m *matcher) eachChunk(chunks [][2]int, fn func(c, lo, hi int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, m.opt.Workers))
	for c, rg := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(c, rg[0], rg[1])
		}()
	}
	wg.Wait()
}

// recKeys calls emit with the hash of every key of namespace ns of record i.
func (m *matcher) recKeys(ns byte, i int, emit func(uint64)) {
	r := &m.recs[i]
	base := hashByte(fnvOffset, ns)
	switch ns {
	case nsCode:
		if r.code >= 0 {
			emit(hashInt(hashInt(base, r.commune), r.code))
		}
	case nsGlobalCode:
		if r.code >= 0 {
			emit(hashInt(base, r.code))
		}
	case nsID:
		if r.personID != 0 {
			h := base
			for s := 0; s < 8; s++ {
				h = hashByte(h, byte(r.personID>>(8*s)))
			}
			emit(h)
		}
	case nsGiven:
		if r.hamlet < 0 || r.nTok == 0 {
			return
		}
		f, _ := m.tokens(r)
		given := m.foldStr[f[len(f)-1]]
		hb := hashInt(base, r.hamlet)
		emit(hashStr(hb, given))
		deletes(given, func(d []byte) { emit(hashBytes(hb, d)) })
	case nsSorted:
		if r.hamlet < 0 || r.nTok < 2 {
			return
		}
		f, _ := m.tokens(r)
		var buf [maxTokens]string
		words := buf[:len(f)]
		for j, t := range f {
			words[j] = m.foldStr[t]
		}
		slices.Sort(words)
		h := hashInt(base, r.hamlet)
		for _, w := range words {
			h = hashByte(hashStr(h, w), ' ')
		}
		emit(h)
	}
}

// chunkRanges splits [0,n) into at most parts contiguous ranges.
func chunkRanges(n, parts int) [][2]int {
	if parts < 1 {
		parts = 1
	}
	size := (n + parts - 1) / parts
	if size < 1024 {
		size = 1024
	}
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}

// radixSort sorts keys in place. A large slice is split in place by its
// top byte (American flag sort: the keys are hashes, so the 256 buckets
// are about equal), then each bucket is sorted on its other bits with LSD
// passes of 8 bits, using *buf (grown to the largest bucket and kept for
// the next call) as scratch space: the scratch is a bucket's size, not
// the keys'. A small slice is sorted with LSD passes of 8 bits alone.
func radixSort(keys []uint64, buf *[]uint64) {
	if len(keys) < 1<<16 {
		lowSort(keys, buf, 64)
		return
	}
	const shift = 56
	var start [257]int
	var next [256]int
	for _, k := range keys {
		next[k>>shift]++
	}
	sum := 0
	for d := range next {
		start[d] = sum
		sum += next[d]
		next[d] = start[d]
	}
	start[256] = sum
	for d := range next {
		for next[d] < start[d+1] {
			v := keys[next[d]]
			for e := int(v >> shift); e != d; e = int(v >> shift) {
				keys[next[e]], v = v, keys[next[e]]
				next[e]++
			}
			keys[next[d]] = v
			next[d]++
		}
	}
	for d := range next {
		lowSort(keys[start[d]:start[d+1]], buf, shift)
	}
}

// lowSort sorts keys that differ only in their low bits, 8 bits a pass,
// using *buf as scratch space.
func lowSort(keys []uint64, buf *[]uint64, bits uint) {
	if len(keys) < 256 {
		slices.Sort(keys)
		return
	}
	if cap(*buf) < len(keys) {
		*buf = make([]uint64, len(keys))
	}
	src, dst := keys, (*buf)[:len(keys)]
	var count [256]int
	for shift := uint(0); shift < bits; shift += 8 {
		clear(count[:])
		for _, k := range src {
			count[(k>>shift)&0xff]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> shift) & 0xff
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// pairFunc handles one candidate pair (i < j) and may append to out.
type pairFunc func(i, j int32, out *[]edge)

// forBlocks sorts the keys and calls pair for the candidate pairs of every
// block, in parallel; accept, when not nil, may veto a whole block. The
// edges come back in parts, in a deterministic order.
func (m *matcher) forBlocks(ctx context.Context, keys []uint64, k keyer, accept func([]int32) bool, pair pairFunc) ([][]edge, error) {
	radixSort(keys, &m.sortBuf)
	n := len(keys)
	// Segments of about equal size, cut at block starts.
	bounds := []int{0}
	for _, rg := range chunkRanges(n, m.opt.Workers*8) {
		hi := rg[1]
		for hi < n && keys[hi]>>k.idxBits == keys[hi-1]>>k.idxBits {
			hi++
		}
		if hi > bounds[len(bounds)-1] {
			bounds = append(bounds, hi)
		}
	}
	segs := make([][2]int, len(bounds)-1)
	for s := range segs {
		segs[s] = [2]int{bounds[s], bounds[s+1]}
	}
	parts := make([][]edge, len(segs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, m.opt.Workers))
	for s, rg := range segs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var out []edge
			var members []int32
			for lo := rg[0]; lo < rg[1]; {
				if ctx.Err() != nil {
					return
				}
				hi := lo + 1
				for hi < rg[1] && keys[hi]>>k.idxBits == keys[lo]>>k.idxBits {
					hi++
				}
				if hi-lo >= 2 {
					members = members[:0]
					for x := lo; x < hi; x++ {
						members = append(members, int32(keys[x]&k.mask))
					}
					members = slices.Compact(members)
					if len(members) >= 2 && (accept == nil || accept(members)) {
						m.pairsOf(members, pair, &out)
					}
				}
				lo = hi
			}
			parts[s] = out
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return parts, nil
}

// concatEdges joins edge parts into one slice.
func concatEdges(parts [][]edge) []edge {
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	all := make([]edge, 0, total)
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// pairsOf calls pair for the pairs of one block: all of them, or for a
// block above maxBlock the neighbours within blockWindow in name order.
func (m *matcher) pairsOf(members []int32, pair pairFunc, out *[]edge) {
	if len(members) <= maxBlock {
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				pair(members[x], members[y], out)
			}
		}
		return
	}
	sorted := slices.Clone(members)
	slices.SortFunc(sorted, func(a, b int32) int {
		if c := strings.Compare(m.nameKey(a), m.nameKey(b)); c != 0 {
			return c
		}
		return int(a - b)
	})
	for x := 0; x < len(sorted); x++ {
		for y := x + 1; y < len(sorted) && y <= x+blockWindow; y++ {
			i, j := sorted[x], sorted[y]
			if i > j {
				i, j = j, i
			}
			pair(i, j, out)
		}
	}
}

// nameKey is the folded head name of record i (for ordering big blocks).
func (m *matcher) nameKey(i int32) string {
	f, _ := m.tokens(&m.recs[i])
	var b strings.Builder
	for _, t := range f {
		b.WriteString(m.foldStr[t])
		b.WriteByte(' ')
	}
	return b.String()
}
