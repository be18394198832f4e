package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// outcomesSQL is the verdict of the last completed processing on every
// received file, so that `doithoai status` prints what was received from
// whom from the ledger alone, without reading a file.
const outcomesSQL = `
CREATE TABLE IF NOT EXISTS outcomes (
	seq           INTEGER PRIMARY KEY,  -- submissions.seq
	sha256        TEXT NOT NULL,
	path          TEXT NOT NULL,
	run_id        INTEGER NOT NULL,     -- the run that recorded it
	form          TEXT NOT NULL,
	commune       TEXT NOT NULL,        -- plan code; '' when unknown
	status        TEXT NOT NULL,        -- accepted, rejected, duplicate
	reason        TEXT NOT NULL,
	format        TEXT NOT NULL,
	superseded_by TEXT NOT NULL         -- sha256 of the newer file of the same commune and form
);
`

// Outcome is the verdict on one received file.
type Outcome struct {
	Seq          int64 // the submission's receipt sequence
	SHA256       string
	Path         string
	RunID        int64 // set by Outcomes: the run that recorded it
	Form         string
	Commune      string
	Status       string
	Reason       string
	Format       string
	SupersededBy string
	ReceivedAt   time.Time // set by Outcomes, from the submission
}

// RecordOutcomes replaces the recorded outcomes with outs, in one
// transaction, on behalf of run runID. When they equal the recorded ones
// (a run with nothing new) nothing is written.
func (l *Ledger) RecordOutcomes(ctx context.Context, runID int64, outs []Outcome) error {
	held, err := l.Outcomes(ctx)
	if err != nil {
		return err
	}
	norm := func(o Outcome) Outcome { o.RunID, o.ReceivedAt = 0, time.Time{}; return o }
	want := make([]Outcome, len(outs))
	for i, o := range outs {
		want[i] = norm(o)
	}
	slices.SortStableFunc(want, func(a, b Outcome) int { return cmp.Compare(a.Seq, b.Seq) })
	if len(held) == len(want) {
		same := true
		for i := range held {
			if norm(held[i]) != want[i] {
				same = false
				break
			}
		}
		if same {
			return nil
		}
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ledger: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcomes`); err != nil {
		return fmt.Errorf("ledger: clear outcomes: %w", err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO outcomes(seq,sha256,path,run_id,form,commune,status,reason,format,superseded_by) VALUES(?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("ledger: record outcomes: %w", err)
	}
	defer st.Close()
	for _, o := range want {
		if _, err := st.ExecContext(ctx, o.Seq, o.SHA256, o.Path, runID, o.Form, o.Commune, o.Status, o.Reason, o.Format, o.SupersededBy); err != nil {
			return fmt.Errorf("ledger: record the outcome of %s: %w", o.Path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ledger: commit outcomes: %w", err)
	}
	return nil
}

// Outcomes returns the recorded outcomes in receipt order, each with its
// submission's receipt time.
func (l *Ledger) Outcomes(ctx context.Context) ([]Outcome, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT o.seq,o.sha256,o.path,o.run_id,o.form,o.commune,o.status,o.reason,o.format,o.superseded_by,COALESCE(s.received_at,'')
		FROM outcomes o LEFT JOIN submissions s ON s.seq=o.seq ORDER BY o.seq`)
	if err != nil {
		return nil, fmt.Errorf("ledger: list outcomes: %w", err)
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		var rec string
		if err := rows.Scan(&o.Seq, &o.SHA256, &o.Path, &o.RunID, &o.Form, &o.Commune, &o.Status, &o.Reason, &o.Format, &o.SupersededBy, &rec); err != nil {
			return nil, fmt.Errorf("ledger: read outcome: %w", err)
		}
		o.ReceivedAt, _ = time.Parse(time.RFC3339Nano, rec)
		out = append(out, o)
	}
	return out, rows.Err()
}

// OutcomeCounts is how many outcomes are recorded, by status, in one
// query that reads no row into Go: what a run with nothing new reports.
func (l *Ledger) OutcomeCounts(ctx context.Context) (map[string]int, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT status, count(*) FROM outcomes GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("ledger: count outcomes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("ledger: count outcomes: %w", err)
		}
		out[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: count outcomes: %w", err)
	}
	return out, nil
}
