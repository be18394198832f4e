package dedupe

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/record"
)

func TestToneSig(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"thủy", "thuỷ", true}, // old and new tone placement
		{"hòa", "hoà", true},
		{"hùng", norm.NFD.String("hùng"), true},
		{"hùng", "hưng", false},
		{"hùng", "hung", false},
		{"lan", "lan", true},
	}
	for _, tt := range tests {
		if got := toneSig(norm.NFC.String(tt.a)) == toneSig(norm.NFC.String(tt.b)); got != tt.same {
			t.Errorf("toneSig(%q) == toneSig(%q): %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"087056713271", 87056713271},
		{"087 056.713.271", 87056713271},
		{"87056713271", 87056713271}, // lost its leading zero
		{"343241714", 343241714 | 1<<60},
		{"0871661406", 0}, // 10 digits
		{"8.70707E+10", 0},
		{"", 0},
		{"1234567890123", 0},
	}
	for _, tt := range tests {
		if got := parseID(tt.in); got != tt.want {
			t.Errorf("parseID(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestNormCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 29956-0842 ", "29956-0842"},
		{"29956 – 0842", "29956-0842"},
		{"hn 01", "HN01"},
	}
	for _, tt := range tests {
		if got := normCode(tt.in); got != tt.want {
			t.Errorf("normCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDamerau1(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"hung", "hunh", true}, {"hung", "hugn", true}, {"hung", "hun", true}, {"hung", "hungg", true},
		{"hung", "hung", false}, {"hung", "dung", true}, {"hung", "tuan", false}, {"hai", "khai", true},
		{"an", "na", true}, {"a", "", true}, {"abc", "cab", false},
	}
	for _, tt := range tests {
		if got := damerau1(tt.a, tt.b); got != tt.want {
			t.Errorf("damerau1(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := damerau1(tt.b, tt.a); got != tt.want {
			t.Errorf("damerau1(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// builder makes small inputs for behaviour tests.
type builder struct {
	in  Input
	row int
}

func newBuilder() *builder { return &builder{} }

// resolved is an input and what Resolve decided of it.
type resolved struct {
	in  Input
	res Result
}

func src(commune, file string, seq int64, row int) record.Source {
	return record.Source{SubmissionID: "sha-" + file, Path: file, Sheet: "S", Row: row, CommuneCode: commune, Seq: seq}
}

// m1 adds a roster row: commune, hamlet, code, head, year, CCCD.
func (b *builder) m1(commune, hamlet, code, head string, year int, id string) int {
	b.row++
	b.in.Households = append(b.in.Households, record.Household{Source: src(commune, commune+"/M1.xlsx", 1, b.row),
		State: record.State{Valid: true}, HouseholdCode: code, HeadName: head, BirthYear: year, CitizenID: id, Hamlet: hamlet})
	return len(b.in.Households) - 1
}

// m2 adds a registration: commune, hamlet, code, head, representative,
// relation, the representative's year and CCCD.
func (b *builder) m2(commune, hamlet, code, head, rep, rel string, year int, id string) int {
	b.row++
	b.in.Registrations = append(b.in.Registrations, record.Registration{Source: src(commune, commune+"/M2.xlsx", 2, b.row),
		State: record.State{Valid: true}, HouseholdCode: code, HeadName: head, RepName: rep, Relation: rel,
		BirthYear: year, CitizenID: id, Hamlet: hamlet})
	return len(b.in.Registrations) - 1
}

func (b *builder) resolve(t *testing.T) resolved {
	t.Helper()
	res, err := Resolve(context.Background(), b.in, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.HouseholdMatch) != len(b.in.Households) || len(res.RegistrationMatch) != len(b.in.Registrations) ||
		len(res.Eligible) != len(b.in.Registrations) {
		t.Fatalf("result not parallel to the input: %d/%d households, %d/%d/%d registrations",
			len(res.HouseholdMatch), len(b.in.Households), len(res.RegistrationMatch), len(res.Eligible), len(b.in.Registrations))
	}
	return resolved{b.in, res}
}

func findings(r resolved, code string) []record.Finding {
	var out []record.Finding
	for _, f := range r.res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// TestResolveCases checks the rules of SPEC §6 and §9 on small datasets.
func TestResolveCases(t *testing.T) {
	type check func(t *testing.T, ds resolved)
	same := func(a, b string) check {
		return func(t *testing.T, ds resolved) {
			t.Helper()
			ga, gb := groupOf(ds, a), groupOf(ds, b)
			if ga == "" || ga != gb {
				t.Errorf("%s (%q) and %s (%q) should be one household", a, ga, b, gb)
			}
		}
	}
	apart := func(a, b string) check {
		return func(t *testing.T, ds resolved) {
			t.Helper()
			if ga, gb := groupOf(ds, a), groupOf(ds, b); ga == gb {
				t.Errorf("%s and %s should be different households (both %q)", a, b, ga)
			}
		}
	}
	eligible := func(reg int, want bool) check {
		return func(t *testing.T, ds resolved) {
			t.Helper()
			if got := ds.res.Eligible[reg]; got != want {
				t.Errorf("registration %d eligible = %v, want %v", reg, got, want)
			}
		}
	}
	nFindings := func(code string, want int) check {
		return func(t *testing.T, ds resolved) {
			t.Helper()
			if got := len(findings(ds, code)); got != want {
				t.Errorf("%d %s findings, want %d: %v", got, code, want, findings(ds, code))
			}
		}
	}
	reason := func(ref, want string) check {
		return func(t *testing.T, ds resolved) {
			t.Helper()
			if got := reasonOf(ds, ref); got != want {
				t.Errorf("match_reason of %s = %q, want %q", ref, got, want)
			}
		}
	}
	tests := []struct {
		name   string
		build  func(b *builder)
		checks []check
	}{
		{"registration matches roster by Mã hộ and CCCD", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Trí", 1979, "087079105129")
			b.m2("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Trí", "Nguyễn Văn Trí", "Chủ hộ", 1979, "087079105129")
		}, []check{same("h0", "r0"), eligible(0, true), reason("h0", "household_code,citizen_id"), nFindings(CodeNotOnRoster, 0)}},

		{"homonyms in two hamlets are two households", func(b *builder) {
			b.m1("10001", "Ấp Phú Lợi A", "10001-0553", "Trần Thị Lan", 1971, "")
			b.m1("10001", "Ấp Phú Trung", "10001-0324", "Trần Thị Lan", 1971, "")
			b.m2("10001", "Ấp Phú Lợi A", "10001-0553", "Trần Thị Lan", "Trần Thị Lan", "Chủ hộ", 1971, "")
			b.m2("10001", "Ấp Phú Trung", "10001-0324", "Trần Thị Lan", "Trần Thị Lan", "Chủ hộ", 1971, "")
		}, []check{apart("h0", "h1"), same("h0", "r0"), same("h1", "r1"), apart("r0", "r1")}},

		{"homonyms in two communes are two households", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0400", "Nguyễn Văn Hùng", 1956, "087056713271")
			b.m1("10002", "Ấp 1", "10002-0131", "Nguyễn Văn Hùng", 1956, "087056469267")
		}, []check{apart("h0", "h1")}},

		{"typo, no diacritics and mistyped Mã hộ: one household", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0702", "Nguyễn Văn Hùng", 1971, "087071614323")
			b.m1("10001", "Ấp 1", "10001-0703", "Nguyễn Văn Tâm", 1971, "")
			b.m2("10001", "Ấp 1", "10001-0702", "Nguyễn Văn Hùng", "Nguyễn Văn Hùng", "Chủ hộ", 1971, "087071614323")
			b.m2("10001", "Ấp 1", "10001-0720", "Nguyễn Văn Hùnh", "Nguyễn Văn Hùnh", "Chủ hộ", 1971, "")
			b.m2("10001", "Ấp 1", "10001-0702", "Nguyen Van Hung", "Nguyen Van Hung", "Chủ hộ", 1971, "087071614323")
		}, []check{same("h0", "r0"), same("h0", "r1"), same("h0", "r2"), apart("h0", "h1"), eligible(1, true),
			nFindings(CodeDuplicateRegistration, 2), reason("r1", "household_code,citizen_id,name_fuzzy")}},

		{"husband and wife registered: one household, a duplicate registration", func(b *builder) {
			b.m1("10001", "Ấp Thị", "10001-0461", "Nguyễn Văn Hải", 1959, "087059518517")
			b.m2("10001", "Ấp Thị", "10001-0461", "Nguyễn Văn Hải", "Nguyễn Văn Hải", "Chủ hộ", 1959, "087059518517")
			b.m2("10001", "Ấp Thị", "10001-0461", "Nguyễn Văn Hải", "Hoàng Thị Bé", "Vợ", 1965, "343241714")
		}, []check{same("h0", "r1"), same("r0", "r1"), eligible(1, true), nFindings(CodeDuplicateRegistration, 1),
			reason("r1", "household_code,citizen_id,spouse")}},

		{"registered by another commune: grouped, not eligible there", func(b *builder) {
			b.m1("10001", "Ấp 2", "10001-0842", "Phan Văn Toàn", 1958, "087058553280")
			b.m2("10002", "Ấp 2", "10001-0842", "Phan Văn Toàn", "Phan Văn Toàn", "Chủ hộ", 1958, "087058553280")
		}, []check{same("h0", "r0"), eligible(0, false), nFindings(CodeNotOnRoster, 1)}},

		{"registered by another commune without CCCD: the Mã hộ and name", func(b *builder) {
			b.m1("10001", "Ấp 2", "10001-0842", "Phan Văn Toàn", 1958, "087058553280")
			b.m2("10002", "Ấp 5", "10001-0842", "Phan Van Toan", "Phan Van Toan", "Chủ hộ", 1958, "")
		}, []check{same("h0", "r0"), eligible(0, false)}},

		{"not on the roster", func(b *builder) {
			b.m1("10001", "Ấp 2", "10001-0001", "Lê Văn Bé", 1959, "")
			b.m2("10001", "Ấp 2", "10001-0156", "Nguyễn Thị Ánh", "Nguyễn Thị Ánh", "Chủ hộ", 1984, "087184424152")
		}, []check{apart("h0", "r0"), eligible(0, false), nFindings(CodeNotOnRoster, 1)}},

		{"roster listed twice: same code, same CCCD, by name", func(b *builder) {
			b.m1("10001", "Ấp 3", "10001-0184", "Nguyễn Thanh Tâm", 1978, "087078162839")
			b.m1("10001", "Ấp 3", "10001-0184", norm.NFD.String("Nguyễn Thanh Tâm"), 1978, "087078162839")
			b.m1("10001", "Ấp 3", "10001-0406", "Huỳnh Thanh Mười", 1948, "087048164859")
			b.m1("10001", "Ấp 3", "10001-0424", "Huỳnh Thanh Mười", 1948, "087048164859")
			b.m1("10001", "Ấp 3", "10001-0206", "Nguyễn Văn Nam", 1989, "087089449248")
			b.m1("10001", "Ấp 3", "10001-0262", "Nguyen Van Nam", 1989, "")
		}, []check{same("h0", "h1"), same("h2", "h3"), same("h4", "h5"), apart("h0", "h2"), apart("h2", "h4"),
			reason("h4", "name")}},

		{"same name, year and hamlet but different CCCDs: two households", func(b *builder) {
			b.m1("10001", "Ấp 3", "10001-0001", "Nguyễn Văn Nam", 1989, "087089449248")
			b.m1("10001", "Ấp 3", "10001-0002", "Nguyễn Văn Nam", 1989, "087089449249")
		}, []check{apart("h0", "h1")}},

		{"middle name dropped and words reordered", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0010", "Trương Văn Lộc", 1957, "")
			b.m1("10001", "Ấp 1", "10001-0011", "Đặng Thị Diễm Kiều", 1960, "")
			b.m2("10001", "Ấp 1", "10001-9010", "Trương Lộc", "Trương Lộc", "Chủ hộ", 1957, "")
			b.m2("10001", "Ấp 1", "10001-9011", "Kiều Đặng Thị Diễm", "Kiều Đặng Thị Diễm", "Chủ hộ", 1960, "")
		}, []check{same("h0", "r0"), same("h1", "r1"), reason("r0", "name_fuzzy")}},

		{"mistyped Mã hộ hitting another household is not a match", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-8352", "Nguyễn Văn Sính", 1951, "087051109322")
			b.m1("10001", "Ấp 1", "10001-8354", "Cao Văn Sính", 1958, "")
			b.m2("10001", "Ấp 1", "10001-8354", "Nguyễn Văn Sính", "Nguyễn Văn Sính", "Chủ hộ", 1951, "087051109322")
		}, []check{same("h0", "r0"), apart("h1", "r0")}},

		{"two real names one letter apart are not a typo", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Hải", 1970, "")
			b.m2("10001", "Ấp 1", "10001-0099", "Nguyễn Văn Khải", "Nguyễn Văn Khải", "Chủ hộ", 1970, "")
			b.m1("10001", "Ấp 1", "10001-0002", "Lê Văn Hùng", 1965, "")
			b.m2("10001", "Ấp 1", "10001-0098", "Lê Văn Hưng", "Lê Văn Hưng", "Chủ hộ", 1965, "")
		}, []check{apart("h0", "r0"), apart("h1", "r1")}},

		{"a spouse's registration matching two same-name heads is left for a person", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Út", 1950, "")
			b.m1("10001", "Ấp 1", "10001-0002", "Nguyễn Văn Út", 1975, "")
			b.m2("10001", "Ấp 1", "10001-0777", "Nguyễn Văn Út", "Trần Thị Lụa", "Vợ", 1952, "")
		}, []check{apart("h0", "r0"), apart("h1", "r0"), apart("h0", "h1"), eligible(0, false)}},

		{"invalid and superseded rows get no group", func(b *builder) {
			b.m1("10001", "Ấp 1", "10001-0001", "Võ Thị Liên", 1971, "")
			b.m1("10001", "Ấp 1", "10001-0001", "Võ Thị Liên", 1971, "")
			b.m2("10001", "Ấp 1", "10001-0001", "Võ Thị Liên", "Võ Thị Liên", "Chủ hộ", 1971, "")
			b.m2("10001", "Ấp 1", "10001-0001", "Võ Thị Liên", "Võ Thị Liên", "Chủ hộ", 1971, "")
			b.in.Households[1].Valid = false
			b.in.Registrations[1].Superseded = true
		}, []check{func(t *testing.T, ds resolved) {
			if g1, g2 := ds.res.OfHousehold(1).Group, ds.res.OfRegistration(1).Group; g1 != "" || g2 != "" {
				t.Errorf("invalid/superseded rows grouped: %q %q", g1, g2)
			}
			if !ds.res.Eligible[1] {
				t.Error("a superseded registration of a household on the roster should still say eligible")
			}
		}, same("h0", "r0"), nFindings(CodeDuplicateRegistration, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder()
			tt.build(b)
			ds := b.resolve(t)
			for _, c := range tt.checks {
				c(t, ds)
			}
			if t.Failed() {
				for _, p := range ds.res.Borderline {
					t.Logf("borderline %.2f %s: %q ~ %q", p.Score, p.Reason, p.NameA, p.NameB)
				}
			}
		})
	}
}

// matchOf reads the Match of "h<i>" (Input.Households[i]) or "r<i>".
func matchOf(r resolved, ref string) Match {
	var i int
	fmt.Sscanf(ref[1:], "%d", &i)
	if ref[0] == 'h' {
		return r.res.OfHousehold(i)
	}
	return r.res.OfRegistration(i)
}

func groupOf(r resolved, ref string) string { return matchOf(r, ref).Group }

func reasonOf(r resolved, ref string) string { return matchOf(r, ref).Reason }

// TestDeterministic: the result does not depend on the number of workers,
// Resolve leaves its input as it was, and a second run on the same input
// gives the same result (no findings are added twice).
func TestDeterministic(t *testing.T) {
	snapshot := func(in Input, res Result) string {
		var b strings.Builder
		for i := range in.Households {
			m := res.OfHousehold(i)
			fmt.Fprintf(&b, "%s|%s|%.6f\n", m.Group, m.Reason, m.Score)
		}
		for i := range in.Registrations {
			m := res.OfRegistration(i)
			fmt.Fprintf(&b, "%s|%s|%.6f|%v\n", m.Group, m.Reason, m.Score, res.Eligible[i])
		}
		fmt.Fprintf(&b, "%d groups %d borderline %d findings\n", len(res.Groups), len(res.Borderline), len(res.Findings))
		for _, f := range res.Findings {
			b.WriteString(f.Message + "\n")
		}
		return b.String()
	}
	var want string
	for _, workers := range []int{1, 2, 7} {
		in, _ := Synthesize(30000, 7)
		before := Input{Households: slices.Clone(in.Households), Registrations: slices.Clone(in.Registrations)}
		opt := DefaultOptions()
		opt.Workers = workers
		res, err := Resolve(context.Background(), in, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, in) {
			t.Errorf("workers %d: Resolve changed its input", workers)
		}
		got := snapshot(in, res)
		res2, err := Resolve(context.Background(), in, opt)
		if err != nil {
			t.Fatal(err)
		}
		if again := snapshot(in, res2); again != got {
			t.Errorf("workers %d: a second run differs", workers)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("workers %d: result differs from 1 worker", workers)
		}
	}
}

// TestGroupIDStable: adding another commune's files does not rename the
// groups already there; group IDs are unique.
func TestGroupIDStable(t *testing.T) {
	b := newBuilder()
	b.m1("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Trí", 1979, "")
	b.m2("10001", "Ấp 1", "10001-0001", "Nguyễn Văn Trí", "Nguyễn Văn Trí", "Chủ hộ", 1979, "")
	b.m1("10001", "Ấp 1", "10001-0002", "Võ Tuấn", 1952, "")
	ds := b.resolve(t)
	before := []string{groupOf(ds, "h0"), groupOf(ds, "h1")}
	if before[0] != "G-10001-0001" || before[1] != "G-10001-0002" {
		t.Errorf("group IDs %v", before)
	}
	b.m1("10002", "Ấp 1", "0001", "Lê Văn Bé", 1959, "")
	b.m1("10002", "Ấp 2", "0001", "Trần Văn Tư", 1960, "") // the same Mã hộ for another household
	ds = b.resolve(t)
	after := []string{groupOf(ds, "h0"), groupOf(ds, "h1")}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("group IDs changed: %v -> %v", before, after)
	}
	seen := map[string]bool{}
	for i, h := range ds.in.Households {
		g := ds.res.OfHousehold(i).Group
		if h.Row != ds.in.Registrations[0].Row && seen[g] {
			t.Errorf("group ID %s used twice", g)
		}
		seen[g] = true
	}
	if g := groupOf(ds, "h3"); !strings.HasPrefix(g, "G-10002-0001~") {
		t.Errorf("colliding group got %q", g)
	}
}

// TestMessyInput: rows without names, codes, hamlets or with odd values
// and a pathological block (every row the same Mã hộ) neither panic nor
// take long.
func TestMessyInput(t *testing.T) {
	for _, opt := range []Options{DefaultOptions(), {}} {
		res, err := Resolve(context.Background(), Input{}, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Matches)+len(res.Groups)+len(res.Borderline)+len(res.Findings) != 0 {
			t.Errorf("empty input: %+v", res)
		}
	}
	b := newBuilder()
	b.m1("", "", "", "", 0, "")
	b.m1("10001", "", "  ", "   ", -5, "abc")
	b.m1("10001", "Ấp 1", "x", strings.Repeat("Nguyễn ", 40), 99999, "12345678901234567890")
	b.m2("10001", "Ấp 1", "x", "", "", "??", 0, "")
	b.m2("10001", "Ấp 1", "x", "😀 🙂", "😀", "Chủ hộ", 1970, "087070000001")
	for i := 0; i < 3000; i++ {
		b.m1("10002", "Ấp 9", "0", fmt.Sprintf("Nguyễn Văn Tên%d", i%700), 1950+i%50, "")
	}
	ds := b.resolve(t)
	for i, h := range ds.in.Households {
		if h.Valid && ds.res.OfHousehold(i).Group == "" {
			t.Fatalf("valid row %d without a group", i)
		}
	}
}

// TestCancelled: a cancelled context stops Resolve with its error.
func TestCancelled(t *testing.T) {
	in, _ := Synthesize(5000, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Resolve(ctx, in, DefaultOptions()); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
