// Package gen makes the synthetic, national-scale workspace the benchmark
// measures: a dialogue plan of N communes in clusters (YAML loadable by
// doithoai/pipeline/plan) and an inbox with, per commune, its M1 roster,
// M2 representatives, M3 delegates and M4 opinions, written by the
// project's own form writer (doithoai/schemas/template). Every person,
// code and number is synthetic; the same options give the same files.
package gen

import (
	"fmt"
	"strings"
	"time"

	"doithoai/pipeline/vntext"
)

// Plan facts of the synthetic season. The run's clock (Now) is before every
// cluster's dialogue day, so no results (M5) are due yet.
const (
	Year         = 2024
	quarter      = 2
	provinceCode = "87"
	// DefaultClusterSize is the communes per cluster unless Options say.
	DefaultClusterSize = 3
)

// Now is the moment the benchmark runs the pipeline at (`--now`).
var Now = time.Date(Year, time.April, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// signed is the day written on every form's signature line; opinions are
// received in the days before it.
var signed = time.Date(Year, time.April, 2, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// topics are the plan's Lĩnh vực and the agencies answering them.
var topics = []struct{ name, agency string }{
	{"Quản lý, điều hành Chương trình MTQG giảm nghèo bền vững", "Phòng Lao động - Thương binh và Xã hội"},
	{"Hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế", "Phòng Nông nghiệp và Phát triển nông thôn"},
	{"Việc làm, giáo dục nghề nghiệp", "Phòng Lao động - Thương binh và Xã hội"},
	{"Y tế, bảo hiểm y tế", "Trung tâm Y tế huyện"},
	{"Nhà ở, đất ở", "Phòng Kinh tế - Hạ tầng"},
	{"Tín dụng chính sách", "Phòng giao dịch Ngân hàng Chính sách xã hội huyện"},
	{"Khác", "Văn phòng HĐND và UBND huyện"},
}

// Name parts of the synthetic communes: 40 × 40 distinct names, then the
// same names with a number ("Tân Phú 2").
var (
	nameFirst = strings.Fields("Tân Bình An Phú Long Thạnh Hòa Mỹ Hưng Thới Vĩnh Phước Thuận Lộc Đông Tây Nam Bắc Trung Hiệp " +
		"Khánh Lợi Định Hải Thành Quang Minh Hậu Sơn Xuân Thắng Đức Nhơn Tường Điền Thủy Lạc Kiến Hội Gia")
	nameSecond = strings.Fields("Phú Hòa Thạnh Lợi Hưng Bình An Long Thuận Mỹ Phước Đông Tây Lộc Điền Hiệp Thành Khánh Tiến Quới " +
		"Xuân Hải Nghĩa Tân Trung Hậu Vinh Định Thắng Hội Quang Sơn Lạc Nhuận Thới Kiệt Hà Ninh Tường Cường")
)

// Commune is one synthetic commune of the plan.
type Commune struct {
	Index   int
	Code    string
	Name    string
	Kind    string
	Hamlets []string
	Cluster int
}

// communeNames gives n names that stay distinct when folded (case and
// diacritics ignored, as the plan's matcher compares them: "Thạnh Phú"
// and "Thành Phú" are one name to it), numbered ("Tân Phú 2") once the
// combinations run out.
func communeNames(n int) []string {
	out := make([]string, 0, n)
	seen := map[string]bool{}
	for round := 1; len(out) < n; round++ {
		for j := 0; j < len(nameFirst)*len(nameSecond) && len(out) < n; j++ {
			a, b := nameFirst[j%len(nameFirst)], nameSecond[j/len(nameFirst)]
			name := a + " " + b
			if round > 1 {
				name += fmt.Sprintf(" %d", round)
			}
			if k := vntext.Fold(name); !seen[k] && vntext.Fold(a) != vntext.Fold(b) {
				seen[k] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// communes lays out n communes, perCluster to a cluster, with 3 to 6
// hamlets each (some communes count khóm, most count ấp).
func communes(n, perCluster int) []Commune {
	out := make([]Commune, n)
	names := communeNames(n)
	for i := range out {
		name := names[i]
		kind, unit := "xã", "Ấp"
		if i%25 == 0 {
			kind, unit = "thị trấn", "Khóm"
		}
		hamlets := make([]string, 3+i%4)
		for h := range hamlets {
			hamlets[h] = fmt.Sprintf("%s %d", unit, h+1)
		}
		out[i] = Commune{Index: i, Code: fmt.Sprintf("%05d", 10001+i), Name: name, Kind: kind, Hamlets: hamlets, Cluster: i/perCluster + 1}
	}
	return out
}

// dialogueDay spreads the clusters' dialogues over working days of the
// quarter, all after Now.
func dialogueDay(cluster, clusters int) time.Time {
	start := time.Date(Year, time.April, 15, 0, 0, 0, 0, time.UTC)
	off := 0
	if clusters > 1 {
		off = (cluster - 1) * 70 / (clusters - 1)
	}
	d := start.AddDate(0, 0, off)
	switch d.Weekday() {
	case time.Saturday:
		d = d.AddDate(0, 0, 2)
	case time.Sunday:
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// PlanYAML is the plan of n synthetic communes in clusters of perCluster,
// as Generate writes it.
func PlanYAML(n, perCluster int) []byte { return planYAML(communes(n, perCluster)) }

// planYAML writes the plan of the communes in the format of
// pipeline/plan (see pipeline/testdata/plan-2023-q3.yaml).
func planYAML(cs []Commune) []byte {
	perCluster := 0
	for _, c := range cs {
		if c.Cluster == 1 {
			perCluster++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# A SYNTHETIC plan made by bench/gen for the benchmark: %d communes in
# clusters of %d. Names, codes and hamlets are invented.
version: 1
district:
  name: Huyện Thử Nghiệm
  code: "999"
  province: Tỉnh Đồng Tháp
  province_code: "%s"
  office: Phòng Lao động - Thương binh và Xã hội
  report_to: Sở Lao động - Thương binh và Xã hội tỉnh Đồng Tháp
year: %d
dialogue_quarter: %d
timezone: Asia/Ho_Chi_Minh
hamlets_verified: true
quotas:
  district_team: 9
  commune_delegates: 6
  hamlet_heads: 1
  household_reps: 4
deadlines:
  commune_plan: %d-03-25
  opinions_days_before_dialogue: 7
clusters:
`, len(cs), perCluster, provinceCode, Year, quarter, Year)
	clusters := 0
	if len(cs) > 0 {
		clusters = cs[len(cs)-1].Cluster
	}
	for i, c := range cs {
		if i == 0 || cs[i-1].Cluster != c.Cluster {
			fmt.Fprintf(&b, "  - id: %d\n    name: Cụm %d\n    venue: Hội trường UBND %s %s\n    host: %q\n    dialogue_date: %s\n    communes:\n",
				c.Cluster, c.Cluster, c.Kind, c.Name, c.Code, dialogueDay(c.Cluster, clusters).Format("2006-01-02"))
		}
		fmt.Fprintf(&b, "      - code: %q\n        name: %s\n        kind: %s\n        hamlets: [%s]\n", c.Code, c.Name, c.Kind, strings.Join(c.Hamlets, ", "))
	}
	b.WriteString("topics:\n")
	for _, t := range topics {
		fmt.Fprintf(&b, "  - name: %s\n    agency: %s\n", t.name, t.agency)
	}
	return []byte(b.String())
}
