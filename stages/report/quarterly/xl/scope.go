package xl

import (
	"doithoai/stages/report/mask"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/wording"
)

// Scope decides which records count in reports, as the aggregate stage
// does (record.Scope).
type Scope = record.Scope

// NewScope reads the submissions' outcomes of a dataset.
func NewScope(ds *record.Dataset) Scope { return record.NewScope(ds) }

// OpinionCluster is the cluster an opinion counts for (plan.RowCluster:
// its own when the plan has it, else its commune's; 0 when neither is
// known).
func OpinionCluster(p *plan.Plan, o *record.Opinion) int {
	id, _ := p.RowCluster(o.Cluster, o.CommuneCode)
	return id
}

// CommuneName is a commune's full name ("xã Thường Phước 1"), or its code
// when the plan does not know it, or "Không xác định" when empty.
func CommuneName(p *plan.Plan, code string) string {
	if c := p.Commune(code); c != nil {
		return c.FullName()
	}
	if code == "" {
		return "Không xác định"
	}
	return code
}

// CommuneTitle is a commune's name with a capital unit word, for headings:
// "Xã Thường Phước 1", "Thị trấn Thường Thới Tiền".
func CommuneTitle(p *plan.Plan, code string) string {
	return wording.Capitalize(CommuneName(p, code))
}

// CommuneIndex gives each plan commune its position in plan order; other
// codes sort last.
func CommuneIndex(p *plan.Plan) func(code string) int {
	pos := map[string]int{}
	for i, c := range p.Communes() {
		pos[c.Code] = i
	}
	return func(code string) int {
		if i, ok := pos[code]; ok {
			return i
		}
		return len(pos)
	}
}

// HamletIndex gives a hamlet its position in its commune's plan list;
// other hamlets sort last, by name.
func HamletIndex(p *plan.Plan, commune, hamlet string) int {
	if c := p.Commune(commune); c != nil {
		for i, h := range c.Hamlets {
			if h == hamlet {
				return i
			}
		}
		return len(c.Hamlets)
	}
	return 1 << 20
}

// Where locates a source row for people: "tệp.xlsx – sheet M2, dòng 17".
func Where(path, sheet string, row int) string {
	var b strings.Builder
	b.WriteString(path)
	if sheet != "" {
		b.WriteString(" – sheet ")
		b.WriteString(sheet)
	}
	if row > 0 {
		b.WriteString(", dòng ")
		b.WriteString(Itoa(row))
	}
	return b.String()
}

// Itoa formats an int.
func Itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// MaskText hides citizen IDs and phone numbers written inside free text:
// see mask.Text.
func MaskText(s string) string { return mask.Text(s) }
