package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/demo"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/ingest"
	"doithoai/stages/report/analytics/parquettest"
)

// duckdbScript runs the SQL of the file argv[2] with DuckDB's Node.js
// package and prints {"columns": [...], "rows": [...]} (DuckDB's JSON
// values: BIGINT as a string, DOUBLE as a number, NULL as null). With
// "--probe" it prints DuckDB's version. The package is looked up in the
// folder $DOITHOAI_DUCKDB (where `npm install @duckdb/node-api` ran) when
// set, else where Node finds it (NODE_PATH).
const duckdbScript = `
const path = require('path');
const dir = process.env.DOITHOAI_DUCKDB;
const api = require(dir ? path.join(path.resolve(dir), 'node_modules', '@duckdb', 'node-api') : '@duckdb/node-api');
(async () => {
  const inst = await api.DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const sql = process.argv[2] === '--probe' ? 'SELECT version() AS v' : require('fs').readFileSync(process.argv[2], 'utf8');
  const r = await con.runAndReadAll(sql);
  process.stdout.write(JSON.stringify({columns: r.columnNames(), rows: r.getRowObjectsJson()}));
})().catch(e => { process.stderr.write(String(e && e.message || e)); process.exit(1); });
`

// duckdb returns a function running one SQL text with DuckDB in the folder
// cwd, or skips t when Node.js or DuckDB's Node.js package is not at hand.
func duckdb(t *testing.T) func(cwd, sql string) (columns []string, rows []map[string]any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: DuckDB check skipped (see README, For analysts)")
	}
	script := filepath.Join(t.TempDir(), "duckdb.cjs")
	if err := os.WriteFile(script, []byte(duckdbScript), 0o600); err != nil {
		t.Fatal(err)
	}
	// Read here, not only by the child, so that go test's cache knows it.
	dir := os.Getenv("DOITHOAI_DUCKDB")
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		dir = abs
	}
	run := func(cwd string, args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
		cmd.Dir = cwd
		cmd.Env = append(os.Environ(), "DOITHOAI_DUCKDB="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, stderr.String())
		}
		return out, nil
	}
	out, err := run(t.TempDir(), "--probe")
	switch {
	case err != nil && dir != "":
		t.Fatalf("DOITHOAI_DUCKDB=%s: DuckDB does not run: %v", dir, err)
	case err != nil:
		t.Skip("DuckDB's Node.js package is not at hand: npm install @duckdb/node-api in a folder outside the repository, then DOITHOAI_DUCKDB=<folder>")
	}
	t.Logf("DuckDB %s", strings.TrimSpace(string(out)))
	return func(cwd, sql string) ([]string, []map[string]any) {
		t.Helper()
		f := filepath.Join(t.TempDir(), "query.sql")
		if err := os.WriteFile(f, []byte(sql), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(cwd, f)
		if err != nil {
			t.Fatalf("DuckDB: %v\n%s", err, sql)
		}
		var res struct {
			Columns []string         `json:"columns"`
			Rows    []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("DuckDB output: %v: %s", err, out)
		}
		return res.Columns, res.Rows
	}
}

// readmeQueries returns the SQL blocks of the README's "For analysts"
// section.
func readmeQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n### For analysts\n")
	if i < 0 {
		t.Fatal(`README.md has no "### For analysts" section`)
	}
	s = s[i+1:]
	if j := strings.Index(s[4:], "\n#"); j >= 0 {
		s = s[:j+4]
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("no ```sql block in the README's For analysts section")
	}
	return out
}

// demoOutbox generates the demo inbox of plan p (the project's generator),
// passes it through the real stages as one run at the demo's moment and
// writes the analysts' data to outbox/data. It returns the dataset.
func demoOutbox(t *testing.T, p *plan.Plan, outbox string) *record.Dataset {
	t.Helper()
	dir := t.TempDir()
	files, err := demo.Generate(p, dir, demo.Options{Seed: 11, Year: p.Year})
	if err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(dir, "inbox")
	now := demo.Moment(p)
	var entries []ledger.Entry
	for _, f := range files {
		rel, err := filepath.Rel(inbox, f)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		if ingest.Ignored(rel) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		entries = append(entries, ledger.Entry{Seq: int64(len(entries) + 1), SHA256: hex.EncodeToString(sum[:]), Path: rel,
			Size: int64(len(data)), ReceivedAt: now, Archive: rel})
	}
	ctx := context.Background()
	wbs, err := sampleds.Read(ctx, p, ingest.Submissions(inbox, entries))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := sampleds.Stages(ctx, p, wbs, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(ctx, filepath.Join(outbox, "data"), p, ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

// keyColumns are the columns a roll-up groups by; a null one in a result
// row is a total over it (ROLLUP).
var keyColumns = []string{KeyYear, KeyQuarter, KeyProvince, KeyDistrict, PartitionColumn}

// TestDuckDBRollup runs the README's queries with DuckDB over two
// districts' outboxes (the embedded 2022 plan and the 2023 test plan: other
// district, year and quarter) and checks every figure they give against
// the flat files: a measure column is the sum of that measure's figures
// over the rows that share the result row's keys (a null key: all), and
// an "opinions" column of a query reading the opinions table counts its
// valid, current rows. Every district (and, for a query by commune, every
// commune) must appear. Skips without Node.js and DuckDB's Node.js package.
func TestDuckDBRollup(t *testing.T) {
	query := duckdb(t)
	root := t.TempDir()
	type fact struct {
		keys    map[string]string
		measure string
		value   float64
	}
	var figures, opinions []fact
	districts := map[string]bool{}
	communes := map[string]bool{}
	for i, p := range []*plan.Plan{defaultPlan(t), otherPlan(t)} {
		outbox := filepath.Join(root, "districts", fmt.Sprintf("d%d", i+1), "outbox")
		demoOutbox(t, p, outbox)
		fixed := map[string]string{}
		for _, k := range planPartitions(p) {
			fixed[k.key] = k.value
		}
		districts[fixed[KeyDistrict]] = true
		tag := func(r map[string]any) map[string]string {
			keys := map[string]string{}
			for k, v := range fixed {
				keys[k] = v
			}
			if c, ok := r[PartitionColumn].(string); ok {
				keys[PartitionColumn] = c
			}
			return keys
		}
		_, _, figs := parquettest.ReadBack(t, filepath.Join(outbox, "data", TableFigures+".parquet"))
		for _, r := range figs {
			f := fact{keys: tag(r), measure: r["measure"].(string), value: r["value"].(float64)}
			figures = append(figures, f)
			if f.measure == "reps_eligible" && f.keys[PartitionColumn] != "" {
				communes[f.keys[PartitionColumn]] = true
			}
		}
		_, _, ops := parquettest.ReadBack(t, filepath.Join(outbox, "data", TableOpinions+".parquet"))
		for _, r := range ops {
			if r["valid"] == true && r["superseded"] == false {
				opinions = append(opinions, fact{keys: tag(r), measure: "opinions", value: 1})
			}
		}
	}
	if len(districts) != 2 || len(figures) == 0 || len(opinions) == 0 {
		t.Fatalf("demo outboxes: districts %v, %d figures, %d opinions", districts, len(figures), len(opinions))
	}

	measures := map[string]bool{}
	for _, f := range figures {
		measures[f.measure] = true
	}
	num := func(v any) (float64, bool) {
		switch v := v.(type) {
		case nil:
			return 0, true // a sum over no row
		case float64:
			return v, true
		case string:
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
		return 0, false
	}
	for qi, sql := range readmeQueries(t) {
		t.Run(fmt.Sprintf("query %d", qi+1), func(t *testing.T) {
			cols, rows := query(root, sql)
			if len(rows) == 0 {
				t.Fatalf("no rows:\n%s", sql)
			}
			countsOpinions := strings.Contains(sql, "/data/"+TableOpinions+"/")
			var keys, values []string
			for _, c := range cols {
				switch {
				case contains(keyColumns, c):
					keys = append(keys, c)
				case measures[c] || c == "opinions":
					values = append(values, c)
				}
			}
			if len(values) == 0 || !contains(keys, KeyDistrict) {
				t.Fatalf("columns %v: no measure or no district", cols)
			}
			seenD, seenC := map[string]bool{}, map[string]bool{}
			checked := 0
			for _, row := range rows {
				match := func(f fact) bool {
					for _, k := range keys {
						if v, ok := row[k].(string); ok && f.keys[k] != v {
							return false
						}
					}
					return true
				}
				if d, ok := row[KeyDistrict].(string); ok {
					seenD[d] = true
				}
				if c, ok := row[PartitionColumn].(string); ok {
					seenC[c] = true
				}
				for _, c := range values {
					got, ok := num(row[c])
					if !ok {
						t.Fatalf("row %v: %s = %#v is not a number", row, c, row[c])
					}
					want := 0.0
					src := figures
					if c == "opinions" && countsOpinions {
						src = opinions
					}
					for _, f := range src {
						if f.measure == c && match(f) {
							want += f.value
						}
					}
					if math.Abs(got-want) > 1e-9 {
						t.Errorf("row %v: %s = %v, the flat files give %v", row, c, got, want)
					}
					checked++
				}
			}
			if len(seenD) != len(districts) {
				t.Errorf("districts in the result %v, want %v", keysOf(seenD), keysOf(districts))
			}
			if contains(keys, PartitionColumn) {
				for c := range communes {
					if !seenC[c] {
						t.Errorf("commune %s missing from the result", c)
					}
				}
			}
			t.Logf("%d rows, %d totals checked against the flat files", len(rows), checked)
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
