// Package analytics writes the analysts' data of SPEC §8: one Parquet file
// per table in outbox/data (submissions, findings, households,
// registrations, delegates, opinions, results, figures), rewritten by every
// run as the current state, plus dataset.json describing every table and
// column in English and Vietnamese.
//
// Every record table starts with submission_id, path, sheet, row and
// commune_code, so each row is traceable to its source file, sheet and row.
// Empty optional values are nulls; every table is written even when empty
// (zero rows, full schema). Unlike every other output, this data keeps
// citizen IDs and phone numbers unmasked. Files are written with the pure-Go
// Apache Arrow Parquet writer (Snappy), RowGroupRows rows per row group,
// each to a temporary name and renamed, so a reader never sees half a file.
package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// DescriptionFile is the name of the file describing the tables.
const DescriptionFile = "dataset.json"

// The data keeps personal numbers unmasked, so its folder and files are
// the owner's only on Unix (an older version's looser folder is tightened
// by each write).
const (
	DirMode  = atomicfile.PrivateDir
	FileMode = atomicfile.Private
)

// Write writes the analysts' tables of ds into dir (outbox/data) and
// returns the paths written (dir joined with each file name): the eight
// <table>.parquet files in the order of Tables, then dataset.json. p gives
// the zone of calendar dates (nil: each time's own zone). ctx is checked
// between tables and row groups.
func Write(ctx context.Context, dir string, p *plan.Plan, ds *record.Dataset) ([]string, error) {
	if ds == nil {
		ds = &record.Dataset{}
	}
	var loc *time.Location
	if p != nil {
		loc = p.Location()
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("analysts' data: %w", err)
	}
	if err := atomicfile.MakePrivate(dir); err != nil {
		slog.Warn("analysts' data: cannot make the folder owner-only", "dir", dir, "err", err)
	}
	tables := newTables(ds, loc)
	paths := make([]string, 0, len(tables)+1)
	desc := description{
		Format:      "parquet",
		Compression: compression.String(),
		NoteEN:      "Current state of all submissions, rewritten by every run. Record tables join submissions on submission_id; sheet and row locate the source row. Citizen IDs and phone numbers are NOT masked here: personal data, handle accordingly.",
		NoteVI:      "Trạng thái hiện tại của mọi tệp đã nhận, được ghi lại sau mỗi lần chạy. Các bảng dữ liệu nối với submissions qua submission_id; sheet và row chỉ đúng dòng trong tệp gốc. Số CCCD/CMND và số điện thoại KHÔNG được che ở đây: đây là dữ liệu cá nhân, cần bảo mật.",
	}
	if p != nil {
		desc.Period = p.DialoguePeriod()
	}
	for _, t := range tables {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("analysts' data: %w", err)
		}
		path := filepath.Join(dir, t.name()+".parquet")
		start := time.Now()
		if err := t.write(ctx, path); err != nil {
			return nil, fmt.Errorf("analysts' data: table %s: %w", t.name(), err)
		}
		td := t.describe()
		slog.Debug("parquet table written", "table", t.name(), "rows", td.Rows, "took", time.Since(start))
		desc.Tables = append(desc.Tables, td)
		paths = append(paths, path)
	}
	b, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("analysts' data: %s: %w", DescriptionFile, err)
	}
	path := filepath.Join(dir, DescriptionFile)
	if err := atomicfile.WriteBytesMode(path, FileMode, append(b, '\n')); err != nil {
		return nil, fmt.Errorf("analysts' data: %w", err)
	}
	return append(paths, path), nil
}

// description is the content of dataset.json.
type description struct {
	Format      string     `json:"format"`
	Compression string     `json:"compression"`
	Period      string     `json:"period,omitempty"`
	NoteEN      string     `json:"note_en"`
	NoteVI      string     `json:"note_vi"`
	Tables      []tableDoc `json:"tables"`
}

// tableDoc describes one table in dataset.json.
type tableDoc struct {
	Name          string      `json:"name"`
	File          string      `json:"file"`
	Rows          int         `json:"rows"`
	DescriptionEN string      `json:"description_en"`
	DescriptionVI string      `json:"description_vi"`
	Columns       []columnDoc `json:"columns"`
}

// columnDoc describes one column in dataset.json.
type columnDoc struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Nullable      bool   `json:"nullable"`
	DescriptionEN string `json:"description_en"`
	DescriptionVI string `json:"description_vi"`
}
