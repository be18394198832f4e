// Package uptodate lets a run with nothing new leave the outbox as the
// last run wrote it. A run's outputs are a function of its inputs: the
// submissions received (hash, path, receipt order and time, folder,
// duplicates), the inbox entries skipped, the plan, the reader and its
// limits, the schemas, the program itself (its layouts), full run or light pass
// and a few facts of the run's clock (ClockFacts). Fingerprint hashes
// them; Manifest records, in the state folder, the fingerprint of the
// last run that wrote the outbox and every file the outbox then held
// (path, size, modification time, mode), and every folder's stamp (see
// Manifest.Unchanged). When the fingerprint is the same and the outbox
// still holds exactly those files, the outputs a new run would write are
// the ones already there.
package uptodate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// Version of the fingerprint and the manifest: raise it when either
// changes meaning.
const Version = 2

// Input is everything a run's outputs depend on besides the archived
// bytes (which the submissions' hashes stand for).
type Input struct {
	Full bool // a full run (else a light pass)
	Plan *plan.Plan
	// ExtractKey is the extracts' key (process.StoreKey:
	// the reader's and the validation's versions, the limits, the schemas, the plan).
	ExtractKey string
	// FileTimeout is the budget of reading one file (a too-slow file is
	// rejected under one budget and read again under a larger one).
	FileTimeout time.Duration
	Submissions []record.Submission
	Skipped     []record.Skip
	Now         time.Time // the run's clock, reduced to its ClockFacts
}

// Fingerprint is the hash of in; "" when the program cannot identify
// itself (then no run is ever up to date).
func Fingerprint(in Input) (string, error) {
	prog := Program()
	if prog == "" || in.Plan == nil {
		return "", nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "doithoai outbox %d\nprogram %s\nfull %t\nextract %s\ntimeout %d\n", Version, prog, in.Full, in.ExtractKey, in.FileTimeout)
	src := in.Plan.Source()
	fmt.Fprintf(h, "plan %d\n", len(src))
	h.Write(src)
	// JSON of whole structs: a field added to a submission later is part
	// of the fingerprint without anyone remembering to add it here.
	// Where the state folder keeps the bytes changes nothing shown (the
	// archive is addressed by the hash already in the fingerprint).
	subs := make([]record.Submission, len(in.Submissions))
	for i, s := range in.Submissions {
		s.ArchivePath = ""
		subs[i] = s
	}
	enc := json.NewEncoder(h)
	for _, v := range []any{subs, in.Skipped, Clock(in.Plan, in.Now, in.Full)} {
		if err := enc.Encode(v); err != nil {
			return "", fmt.Errorf("outbox fingerprint: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Program identifies the running executable (path, size, modification
// time): the layouts of every output are in its code, so a new build
// re-renders the outbox once. "" when it cannot be told.
var Program = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%q %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
})
