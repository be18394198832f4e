package analytics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"doithoai/pipeline/record"
)

// households makes n distinct M1 rows with realistic values.
func households(n int) []record.Household {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng"}
	middle := []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh"}
	given := []string{"Hùng", "Lan", "Mai", "Dũng", "Tâm", "Phước", "Lực", "Đức", "Hạnh", "Nghĩa", "Trinh"}
	hamlets := []string{"Ấp 1", "Ấp 2", "Ấp 3", "Khóm Trung 2", "Ấp Phú Hòa"}
	classes := []string{"Hộ nghèo", "Hộ cận nghèo"}
	out := make([]record.Household, n)
	for i := range out {
		commune := fmt.Sprintf("%05d", 29900+i%97)
		code := fmt.Sprintf("%04d", i%10000)
		h := &out[i]
		h.Source = record.Source{
			SubmissionID: fmt.Sprintf("%064x", i/500),
			Path:         commune + "/M1 danh sach ho.xlsx",
			Sheet:        hamlets[i%len(hamlets)],
			Row:          8 + i%500,
			CommuneCode:  commune,
		}
		h.State = record.State{Valid: i%17 != 0, Superseded: i%41 == 0}
		h.HouseholdCode = code
		h.HeadName = family[i%len(family)] + " " + middle[(i/7)%len(middle)] + " " + given[(i/3)%len(given)]
		h.BirthYear = 1940 + i%60
		h.Gender = [2]string{"Nam", "Nữ"}[i%2]
		if i%5 != 0 {
			h.CitizenID = fmt.Sprintf("087%09d", i)
		}
		h.Ethnicity = "Kinh"
		h.Hamlet = hamlets[i%len(hamlets)]
		h.Class = classes[i%2]
		h.Members = 1 + i%8
		if h.Valid && !h.Superseded {
			h.HouseholdGroup = "G-" + commune + "-" + code
			h.MatchReason = "household_code"
			h.MatchScore = 1
		}
	}
	return out
}

// BenchmarkWriteHouseholds writes one million households (and the other
// tables, empty) to Parquet.
func BenchmarkWriteHouseholds(b *testing.B) {
	ds := &record.Dataset{Households: households(1_000_000)}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(context.Background(), dir, nil, ds); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(filepath.Join(dir, TableHouseholds+".parquet")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	}
	_, groups, rows := readBack(b, filepath.Join(dir, TableHouseholds+".parquet"))
	if len(rows) != len(ds.Households) || groups != (len(rows)+RowGroupRows-1)/RowGroupRows {
		b.Fatalf("%d rows in %d row groups", len(rows), groups)
	}
}
