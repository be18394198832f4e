package read

import (
	"strings"
	"sync"
	"sync/atomic"

	"doithoai/pipeline/vntext"
)

// foldCache remembers vntext.Fold of header label candidates: every file
// of a form repeats the same header texts, and every sheet's header search
// folds each of them for several candidate blocks. It stops growing at
// maxFoldCache texts; texts longer than maxFoldKey bytes are not kept.
var (
	foldCache    sync.Map // string -> string
	foldCacheLen atomic.Int64
)

const (
	maxFoldCache = 1 << 13
	maxFoldKey   = 160
)

// foldLabel is vntext.Fold(s), remembered.
func foldLabel(s string) string {
	if len(s) > maxFoldKey {
		return vntext.Fold(s)
	}
	if v, ok := foldCache.Load(s); ok {
		return v.(string)
	}
	f := vntext.Fold(s)
	if foldCacheLen.Load() < maxFoldCache {
		// Neither the key nor the value may keep the caller's text alive.
		k := strings.Clone(s)
		v := strings.Clone(f)
		if f == s {
			v = k
		}
		if _, loaded := foldCache.LoadOrStore(k, v); !loaded {
			foldCacheLen.Add(1)
		}
	}
	return f
}
