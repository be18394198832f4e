package process

import (
	"context"
	"fmt"
	"sync/atomic"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
)

// sources is the record.Sources of a Process call: each submission's
// workbook as ReadAll got it; a workbook whose rows were stored in its
// extract is loaded from there again when asked for (or, should the
// extract have gone, read again from the archived copy).
type sources struct {
	fr    *fileReader
	items map[string]*Item
	loads atomic.Int64 // workbooks whose rows were loaded (Loaded)
}

func sourceKey(id, path string) string { return id + "\x00" + path }

// newSources keeps the workbooks of items (not their checks). Loading on
// demand goes through a reader without the ledger: a run may have closed
// it when its reports ask for a workbook.
func newSources(cfg Config, items []Item) *sources {
	s := &sources{fr: newFileReader(cfg, (*ledger.Ledger)(nil)), items: make(map[string]*Item, len(items))}
	for i := range items {
		it := &Item{Workbook: items[i].Workbook, Rows: items[i].Rows, Whole: items[i].Whole}
		k := sourceKey(it.Workbook.Submission.ID, it.Workbook.Submission.Path)
		if _, ok := s.items[k]; !ok {
			s.items[k] = it
		}
	}
	return s
}

// Header returns the workbook of the submission without its rows when
// they are stored (else whole).
func (s *sources) Header(id, path string) (record.Workbook, bool) {
	it, ok := s.items[sourceKey(id, path)]
	if !ok {
		return record.Workbook{}, false
	}
	return it.Workbook, true
}

// Workbook returns the submission's whole workbook, loading its rows
// from the extract when they are not held.
func (s *sources) Workbook(ctx context.Context, id, path string) (record.Workbook, bool, error) {
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, false, err
	}
	it, ok := s.items[sourceKey(id, path)]
	if !ok {
		return record.Workbook{}, false, nil
	}
	if it.Whole {
		return it.Workbook, true, nil
	}
	s.loads.Add(1)
	wb, how, _, err := s.fr.source(ctx, it.Workbook.Submission)
	if err != nil {
		return record.Workbook{}, false, fmt.Errorf("workbook of %s: %w", path, err)
	}
	if how == gotDecoded {
		s.fr.log.Info("extract gone since the read stage; the file was read again", "path", path)
	}
	return wb, true, nil
}

// Identity names the submission's whole workbook without loading it
// (record.Identities): the extract it is stored in (extract.Store's
// Identity: the content hash, the store's key, the inbox path and
// folder). A workbook held whole (no extract: no store, a file the
// ledger remembers as too slow, an extract that could not be stored) has
// none.
func (s *sources) Identity(id, path string) (string, bool) {
	it, ok := s.items[sourceKey(id, path)]
	if !ok || it.Whole || s.fr.cfg.Extracts == nil {
		return "", false
	}
	name := s.fr.cfg.Extracts.Identity(it.Workbook.Submission)
	return "extract " + name, name != ""
}

// Loaded is how many workbooks Workbook has loaded from their extracts
// (or read again) since the dataset was made: what a run with one new
// file must keep to that file (the tests count it).
func (s *sources) Loaded() int { return int(s.loads.Load()) }

// StreamRows returns the number of source rows of the submission and
// whether EachRows yields them (record.RowStreams): only a workbook whose
// rows are in its extract.
func (s *sources) StreamRows(id, path string) (int, bool) {
	it, ok := s.items[sourceKey(id, path)]
	if !ok || it.Whole || s.fr.cfg.Extracts == nil {
		return 0, false
	}
	return it.Rows, true
}

// EachRows yields the submission's source rows of table (-1: every
// table) from its extract a record batch at a time (extract.Store's
// EachRows), checking ctx between batches; false, nil when they are in no
// extract (Workbook then reads the file again, as it does for a missing
// extract).
func (s *sources) EachRows(ctx context.Context, id, path string, table int, yield func(table int, rows []record.SourceRow) error) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	it, ok := s.items[sourceKey(id, path)]
	if !ok || it.Whole || s.fr.cfg.Extracts == nil {
		return false, nil
	}
	return s.fr.cfg.Extracts.EachRows(it.Workbook.Submission, table, func(ti int, rows []record.SourceRow) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return yield(ti, rows)
	})
}

var (
	_ record.Identities = (*sources)(nil)
	_ record.RowStreams = (*sources)(nil)
)
