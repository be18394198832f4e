// Package analytics writes the analysts' data of SPEC §8: one Parquet file
// per table in outbox/data (submissions, findings, households,
// registrations, delegates, opinions, results, figures), rewritten by every
// run as the current state, plus dataset.json describing every table and
// column in English and Vietnamese, and the same rows again as a
// Hive-partitioned dataset for roll-ups over many districts' outboxes:
// <table>/province=…/district=…/year=…/quarter=…/commune_code=…/part-0.parquet
// (see hive.go).
//
// Every record table starts with submission_id, path, sheet, row and
// commune_code, so each row is traceable to its source file, sheet and row.
// Empty optional values are nulls; every table is written even when empty
// (zero rows, full schema). Unlike every other output, this data keeps
// citizen IDs and phone numbers unmasked. Files are written with the pure-Go
// Apache Arrow Parquet writer (Snappy), RowGroupRows rows per row group,
// each to a temporary name (that no "*.parquet" glob matches) and renamed,
// so a reader never sees half a file; a file whose bytes would not change
// is left as it is; partitions left without rows are removed. The M1
// roster, which may be too big to hold (record.Roster), is read in runs
// (Dataset.EachHousehold): once for the flat file, usually once more for
// its partitions, holding a bounded number of rows whatever its size.
package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
// <table>.parquet files in the order of Tables, then the partition files of
// each table's Hive tree dir/<table>/ (tables in the order of Tables,
// partitions in order of commune code), then dataset.json. p gives the
// zone of calendar dates and the partitions' province, district, year and
// quarter (nil: each time's own zone, null partitions). Files of a
// table's tree that this write did not produce are removed. ctx is checked
// between tables, partitions and row groups.
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
	fixed := planPartitions(p)
	paths := make([]string, 0, len(tables)+1)
	var parts []string
	desc := description{
		Format:      "parquet",
		Compression: compression.String(),
		NoteEN:      "Current state of all submissions, rewritten by every run. Record tables join submissions on submission_id; sheet and row locate the source row. Citizen IDs and phone numbers are NOT masked here: personal data, handle accordingly.",
		NoteVI:      "Trạng thái hiện tại của mọi tệp đã nhận, được ghi lại sau mỗi lần chạy. Các bảng dữ liệu nối với submissions qua submission_id; sheet và row chỉ đúng dòng trong tệp gốc. Số CCCD/CMND và số điện thoại KHÔNG được che ở đây: đây là dữ liệu cá nhân, cần bảo mật.",
	}
	if p != nil {
		desc.Period = p.DialoguePeriod()
	}
	desc.Hive = hiveDescription(fixed)
	for _, t := range tables {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("analysts' data: %w", err)
		}
		path := filepath.Join(dir, t.name()+".parquet")
		start := time.Now()
		if err := t.write(ctx, path); err != nil {
			return nil, fmt.Errorf("analysts' data: table %s: %w", t.name(), err)
		}
		tableDir := filepath.Join(dir, t.name())
		if err := os.MkdirAll(tableDir, DirMode); err != nil {
			return nil, fmt.Errorf("analysts' data: %w", err)
		}
		written, err := t.writeParts(ctx, tableDir, fixed)
		if err != nil {
			return nil, fmt.Errorf("analysts' data: table %s, Hive tree: %w", t.name(), err)
		}
		if err := prune(tableDir, written); err != nil {
			return nil, fmt.Errorf("analysts' data: table %s, Hive tree: %w", t.name(), err)
		}
		td := t.describe()
		td.HiveDir = t.name()
		td.HivePartitions = len(written)
		slog.Debug("parquet table written", "table", t.name(), "rows", td.Rows, "partitions", len(written), "took", time.Since(start))
		desc.Tables = append(desc.Tables, td)
		paths = append(paths, path)
		parts = append(parts, written...)
	}
	paths = append(paths, parts...)
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
	Hive        hiveDoc    `json:"hive"`
	Tables      []tableDoc `json:"tables"`
}

// hiveDoc describes the Hive-partitioned copy in dataset.json.
type hiveDoc struct {
	Layout  string         `json:"layout"`
	Default string         `json:"null_partition"`
	NoteEN  string         `json:"note_en"`
	NoteVI  string         `json:"note_vi"`
	Keys    []partitionDoc `json:"keys"`
}

// partitionDoc describes one partition key; Value is set for the keys the
// plan fixes (the folder name's value, DefaultPartition for a null).
type partitionDoc struct {
	Name          string `json:"name"`
	Value         string `json:"value,omitempty"`
	DescriptionEN string `json:"description_en"`
	DescriptionVI string `json:"description_vi"`
}

// hiveDescription documents the partition keys; fixed are the plan's.
func hiveDescription(fixed []partKey) hiveDoc {
	docs := map[string]doc{
		KeyProvince:     {"province code of the plan (district.province_code)", "mã tỉnh theo kế hoạch (district.province_code)"},
		KeyDistrict:     {"district code of the plan (district.code); null when the plan has none (after the 2025 reform)", "mã huyện theo kế hoạch (district.code); rỗng khi kế hoạch không có cấp huyện (sau sắp xếp năm 2025)"},
		KeyYear:         {"year of the plan", "năm của kế hoạch"},
		KeyQuarter:      {"quarter of the dialogues (1..4)", "quý tổ chức đối thoại (1..4)"},
		PartitionColumn: {"the rows' commune_code; null (" + DefaultPartition + ") for rows of no commune: a file of unknown commune, cluster-level figures", "commune_code của các dòng; rỗng (" + DefaultPartition + ") với dòng không thuộc xã nào: tệp không rõ xã, số liệu cấp cụm"},
	}
	values := map[string]string{}
	for _, k := range fixed {
		values[k.key] = EscapeValue(k.value)
	}
	h := hiveDoc{
		Layout:  "<table>/" + strings.Join(mapKeys(PartitionKeys, func(k string) string { return k + "=<" + k + ">" }), "/") + "/" + PartFile,
		Default: DefaultPartition,
		NoteEN:  "The same rows as <table>.parquet, one file per commune. The partition columns are in the folder names only, not in the files: read with hive_partitioning (DuckDB: read_parquet('…/data/figures/**/*.parquet', hive_partitioning = true, hive_types = {'province': VARCHAR, 'district': VARCHAR, 'commune_code': VARCHAR})). Values are %XX-escaped; " + DefaultPartition + " is null. A table without rows has no partition file.",
		NoteVI:  "Cùng các dòng như <table>.parquet, mỗi xã một tệp. Các cột phân vùng chỉ nằm trong tên thư mục, không có trong tệp: đọc với hive_partitioning (DuckDB: read_parquet('…/data/figures/**/*.parquet', hive_partitioning = true, hive_types = {'province': VARCHAR, 'district': VARCHAR, 'commune_code': VARCHAR})). Giá trị được mã hóa %XX; " + DefaultPartition + " là rỗng (null). Bảng không có dòng nào thì không có tệp phân vùng.",
	}
	for _, k := range PartitionKeys {
		d := docs[k]
		h.Keys = append(h.Keys, partitionDoc{Name: k, Value: values[k], DescriptionEN: d.en, DescriptionVI: d.vi})
	}
	return h
}

// mapKeys applies f to every element of ss.
func mapKeys(ss []string, f func(string) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// tableDoc describes one table in dataset.json.
type tableDoc struct {
	Name          string `json:"name"`
	File          string `json:"file"`
	Rows          int    `json:"rows"`
	DescriptionEN string `json:"description_en"`
	DescriptionVI string `json:"description_vi"`
	// HiveDir is the folder of the table's Hive tree, relative to
	// dataset.json; HivePartitions the number of its partition files.
	HiveDir        string      `json:"hive_dir"`
	HivePartitions int         `json:"hive_partitions"`
	Columns        []columnDoc `json:"columns"`
}

// columnDoc describes one column in dataset.json.
type columnDoc struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Nullable      bool   `json:"nullable"`
	DescriptionEN string `json:"description_en"`
	DescriptionVI string `json:"description_vi"`
}
