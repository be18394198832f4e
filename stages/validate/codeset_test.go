package validate

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// collidingHashes are hashes that make codes collide: every code the
// same, or one of two values.
var collidingHashes = []struct {
	name string
	hash func(string) uint64
}{
	{"maphash", codeHash},
	{"every code the same hash", func(string) uint64 { return 42 }},
	{"two hashes", func(s string) uint64 { return uint64(len(s) % 2) }},
	{"hashes that fill the table's low bits", func(s string) uint64 { return uint64(len(s)) << 40 }},
}

// TestCodeSetAsMap: a codeSet answers as the map of first places it
// replaces, whatever the hash (colliding codes are told apart by their
// keys), across sheets, for codes kept outside the compact form (a row
// past 2^32, an arena full) and with the room reserved or not.
func TestCodeSetAsMap(t *testing.T) {
	keepArena := maxArena
	defer func() { maxArena = keepArena }()
	for _, h := range collidingHashes {
		for _, arena := range []int64{keepArena, 64} {
			for _, reserve := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/arena %d/reserve %v", h.name, arena, reserve), func(t *testing.T) {
					maxArena = arena
					cs := &codeSet{hash: h.hash}
					ref := map[string]place{}
					for sheet, name := range []string{"DS", "DS (2)", "Trống", "DS cuối"} {
						cs.sheet(name)
						if sheet == 2 {
							continue // a sheet without codes
						}
						if reserve {
							cs.reserve(300)
						}
						for i := 0; i < 300; i++ {
							key := fmt.Sprintf("29956-%d", (i*7+sheet*50)%220)
							if i%37 == 0 {
								key = strings.Repeat("X", i%5) // "" included
							}
							row := 10 + i
							if i == 101 && math.MaxInt > math.MaxUint32 {
								past := int64(math.MaxUint32) + 5
								row = int(past)
							}
							got, gotSeen := cs.seen(key, row)
							want, wantSeen := ref[key]
							if !wantSeen {
								ref[key] = place{name, row}
							}
							if got != want || gotSeen != wantSeen {
								t.Fatalf("sheet %q row %d, code %q: %+v %v, want %+v %v", name, row, key, got, gotSeen, want, wantSeen)
							}
						}
					}
					if arena < keepArena && len(cs.far) == 0 {
						t.Error("no code kept outside the arena")
					}
					if len(cs.entries)+len(cs.far) != len(ref) {
						t.Errorf("%d codes kept, %d distinct", len(cs.entries)+len(cs.far), len(ref))
					}
				})
			}
		}
	}
}

// TestDuplicateCodeCollisions: the within-file Mã hộ check finds the same
// duplicates, naming the same earlier rows and sheets, when every code
// has the same hash as when the hash tells them apart.
func TestDuplicateCodeCollisions(t *testing.T) {
	p := testPlan(t)
	var rows []fields
	for i := 0; i < 120; i++ {
		code := fmt.Sprintf("29956-%04d", i%90)
		switch i % 11 {
		case 3:
			code = " " + strings.ToLower(code) + " " // the same code written otherwise
		case 7:
			code = fmt.Sprintf("29956-%04d", 500+i) // never repeated
		}
		rows = append(rows, with(baseM1, changes{schemas.IDHouseholdCode: cp(txt(code))}))
	}
	wb := book(record.FormM1, "29956", "29956/m1.xlsx", 1, at("2022-03-20T09:00:00+07:00"), rows...)
	second := wb.Tables[0]
	second.Sheet = "DS (2)"
	wb.Tables = append(wb.Tables, second)
	keep := codeHash
	defer func() { codeHash = keep }()
	var want []record.Finding
	for _, h := range collidingHashes {
		codeHash = h.hash
		chk := Check(p, &wb)
		var dup []record.Finding
		for _, f := range chk.Findings {
			if f.Code == CodeDuplicateCode {
				dup = append(dup, f)
			}
		}
		if want == nil {
			want = dup
			// 120 rows, 90 codes less the ones replaced by unique codes,
			// then the second sheet's rows all repeat the first's.
			if len(dup) < 120 || !strings.Contains(dup[len(dup)-1].Message, "của sheet “DS”") {
				t.Fatalf("%d duplicates, last %+v", len(dup), dup[len(dup)-1])
			}
			continue
		}
		if !reflect.DeepEqual(dup, want) {
			t.Errorf("%s: the duplicates differ:\n%+v\nwant\n%+v", h.name, dup, want)
		}
	}
}
