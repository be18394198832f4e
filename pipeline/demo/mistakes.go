package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/schemas/template"
)

// Kinds of planted mistakes.
const (
	mistakeZeroLost      = "id-leading-zero-lost"    // M1: an 11-digit CCCD (Excel dropped the 0)
	mistakePhone9        = "phone-9-digits"          // M2: a phone number with 9 digits
	mistakeUnknownHamlet = "unknown-hamlet"          // M3: a hamlet head of a hamlet the commune does not have
	mistakeHusbandWife   = "husband-and-wife"        // M2: husband and wife of one household both registered
	mistakeNeighbour     = "neighbouring-commune"    // M2: a household registered again by the neighbouring commune
	mistakeNoDiacritics  = "name-without-diacritics" // M2: names typed without diacritics (still the same household)
)

// mistake is one planted error: what it is, for people, and the findings
// the pipeline should give for it.
type mistake struct {
	kind   string
	text   string // Vietnamese, for the README
	expect []expected
	// for mistakeNoDiacritics: the registration, to check it still joins
	// its household
	commune, code string
}

// expected is one finding a planted mistake should produce.
type expected struct {
	path, code, value string
	severity          record.Severity
}

// plant makes the realistic mistakes, each in its own commune when the
// plan has enough communes.
func (ws *workspace) plant() error {
	n := len(ws.communes)
	if n == 0 {
		return fmt.Errorf("the plan has no commune")
	}
	rng := rand.New(rand.NewPCG(uint64(ws.seed), 0x2545f4914f6cdd1d))
	at := func(i int) *commune { return ws.communes[i%n] }
	ws.plantZeroLost(at(0))
	ws.plantPhone9(at(1), rng)
	ws.plantUnknownHamlet(at(2))
	ws.plantHusbandWife(at(3), rng)
	a, b := ws.neighbours()
	if a != nil {
		ws.plantNeighbour(a, b, rng)
	}
	ws.plantNoDiacritics(at(5))
	return nil
}

func (cm *commune) m2Path() string { return cm.path(cm.fileName("M2")) }

func (ws *workspace) plantZeroLost(cm *commune) {
	for _, h := range cm.households {
		if len(h.head.id) == 12 && h.head.id[0] == '0' {
			h.idAsNumber = true
			ws.mistakes = append(ws.mistakes, mistake{kind: mistakeZeroLost,
				text: fmt.Sprintf("%s: số CCCD của chủ hộ %s (%s, mã hộ %s) được gõ vào ô dạng số nên Excel làm mất số 0 ở đầu (còn 11 chữ số); chương trình tự bổ sung và nhắc xã.",
					cm.path(cm.fileName("M1")), h.head.name, h.hamlet, h.code),
				expect: []expected{{path: cm.path(cm.fileName("M1")), code: "id-leading-zero-restored", value: h.head.id[1:], severity: record.Warning}},
			})
			return
		}
	}
}

// plain returns the registrations no other mistake uses.
func (cm *commune) plain(ok func(*registration) bool) *registration {
	for _, r := range cm.regs {
		if !r.planted && ok(r) {
			return r
		}
	}
	return nil
}

func (ws *workspace) plantPhone9(cm *commune, rng *rand.Rand) {
	r := cm.plain(func(*registration) bool { return true })
	if r == nil {
		return
	}
	r.planted = true
	r.phone = ws.ids.phone(rng)[:9] // one digit forgotten
	ws.mistakes = append(ws.mistakes, mistake{kind: mistakePhone9,
		text: fmt.Sprintf("%s: số điện thoại của %s chỉ có 9 chữ số (%s) — dòng này không hợp lệ cho đến khi xã sửa.",
			cm.m2Path(), r.rep.name, r.phone),
		expect: []expected{{path: cm.m2Path(), code: "invalid-phone", value: r.phone, severity: record.Error}},
	})
}

func (ws *workspace) plantUnknownHamlet(cm *commune) {
	var d *delegate
	for _, x := range cm.delegates {
		if x.hamlet != "" && !x.planted {
			d = x // the last hamlet head
		}
	}
	if d == nil {
		return
	}
	wrong := unknownHamlet(ws.p, cm.c, d.hamlet)
	if wrong == "" {
		return
	}
	right := d.hamlet
	d.hamlet, d.planted = wrong, true
	path := cm.path(cm.fileName("M3"))
	ws.mistakes = append(ws.mistakes, mistake{kind: mistakeUnknownHamlet,
		text: fmt.Sprintf("%s: trưởng %s %s được ghi là của %q, một khóm/ấp không có trong %s (đúng ra là %s).",
			path, hamletWord(right), d.name, wrong, cm.c.FullName(), right),
		expect: []expected{{path: path, code: "unknown-hamlet", value: wrong, severity: record.Error}},
	})
}

// unknownHamlet is a plausible hamlet name that is not one of the
// commune's: the next number ("Ấp 4" where there are Ấp 1–3).
func unknownHamlet(p *plan.Plan, c *plan.Commune, like string) string {
	word := upperFirst(hamletWord(like))
	for k := len(c.Hamlets) + 1; k < len(c.Hamlets)+100; k++ {
		cand := fmt.Sprintf("%s %d", word, k)
		if _, ok := p.Matcher().Hamlet(c.Code, cand); !ok {
			return cand
		}
	}
	return ""
}

// insertAfter puts r into the commune's registrations after prev (or at
// the end of its hamlet's rows when prev is nil).
func (cm *commune) insertAfter(prev, r *registration) {
	at := len(cm.regs)
	for i, x := range cm.regs {
		if (prev != nil && x == prev) || (prev == nil && x.hamlet == r.hamlet) {
			at = i + 1
		}
	}
	cm.regs = append(cm.regs[:at], append([]*registration{r}, cm.regs[at:]...)...)
}

func spouseRelation(sp *person) string {
	if sp.gender == "Nam" {
		return "Chồng"
	}
	return "Vợ"
}

func (ws *workspace) plantHusbandWife(cm *commune, rng *rand.Rand) {
	r := cm.plain(func(r *registration) bool { return r.relation == "Chủ hộ" && r.h.spouse != nil })
	if r == nil {
		r = cm.plain(func(r *registration) bool { return r.h.spouse != nil })
		if r == nil {
			return
		}
		r.rep, r.relation = r.h.head, "Chủ hộ"
	}
	sp := *r.h.spouse
	w := &registration{h: r.h, rep: sp, relation: spouseRelation(&sp), hamlet: r.hamlet, phone: ws.ids.phone(rng), planted: true}
	r.planted = true
	cm.insertAfter(r, w)
	ws.mistakes = append(ws.mistakes, mistake{kind: mistakeHusbandWife,
		text: fmt.Sprintf("%s: %s và %s (%s) cùng đăng ký cho một hộ (mã hộ %s); hộ chỉ được cử một người, dòng sau bị đánh dấu trùng.",
			cm.m2Path(), r.rep.name, sp.name, lowerFirst(w.relation), r.h.code),
		expect: []expected{{path: cm.m2Path(), code: "duplicate-registration", value: r.h.code, severity: record.Warning}},
	})
}

// neighbours are two communes of one cluster (the last cluster that has
// two), or of the plan when no cluster has.
func (ws *workspace) neighbours() (*commune, *commune) {
	byCode := map[string]*commune{}
	for _, cm := range ws.communes {
		byCode[cm.c.Code] = cm
	}
	for i := len(ws.p.Clusters) - 1; i >= 0; i-- {
		cl := ws.p.Clusters[i]
		if len(cl.Communes) >= 2 {
			return byCode[cl.Communes[0].Code], byCode[cl.Communes[1].Code]
		}
	}
	if len(ws.communes) >= 2 {
		return ws.communes[len(ws.communes)-2], ws.communes[len(ws.communes)-1]
	}
	return nil, nil
}

func (ws *workspace) plantNeighbour(a, b *commune, rng *rand.Rand) {
	if len(b.c.Hamlets) == 0 || len(a.regs) == 0 {
		return
	}
	r := a.plain(func(r *registration) bool { return r.relation == "Chủ hộ" && len(r.h.head.id) == 12 })
	if r == nil {
		r = a.plain(func(*registration) bool { return true })
		if r == nil {
			return
		}
		r.rep, r.relation = r.h.head, "Chủ hộ"
		if len(r.h.head.id) != 12 {
			r.h.head.id = ws.ids.cccd(rng, r.h.head.gender, r.h.head.year)
			r.rep.id = r.h.head.id
		}
	}
	r.planted = true
	g := &registration{h: r.h, rep: r.h.head, relation: "Chủ hộ", hamlet: b.c.Hamlets[0], phone: ws.ids.phone(rng), note: "Mới chuyển đến", planted: true}
	b.insertAfter(nil, g)
	later := a.m2Path()
	if b.m2Path() > later {
		later = b.m2Path()
	}
	ws.mistakes = append(ws.mistakes, mistake{kind: mistakeNeighbour,
		text: fmt.Sprintf("%s: hộ %s (mã hộ %s) thuộc danh sách M1 của %s nhưng được %s đăng ký thêm (ghi ở %s); hộ không đủ điều kiện ở %s và là đăng ký trùng.",
			b.m2Path(), r.h.head.name, r.h.code, a.c.FullName(), b.c.FullName(), g.hamlet, b.c.FullName()),
		expect: []expected{
			{path: b.m2Path(), code: "not-on-roster", value: r.h.code, severity: record.Warning},
			{path: later, code: "duplicate-registration", value: r.h.code, severity: record.Warning},
		},
	})
}

func (ws *workspace) plantNoDiacritics(cm *commune) {
	r := cm.plain(func(r *registration) bool {
		return r.relation == "Chủ hộ" && stripDiacritics(r.rep.name) != r.rep.name
	})
	if r == nil {
		return
	}
	r.asciiNames, r.planted = true, true
	ws.mistakes = append(ws.mistakes, mistake{kind: mistakeNoDiacritics,
		text: fmt.Sprintf("%s: tên chủ hộ %s được gõ không dấu (%q); chương trình vẫn nhận ra đúng hộ trong danh sách M1, không báo lỗi.",
			cm.m2Path(), r.rep.name, stripDiacritics(r.rep.name)),
		commune: cm.c.Code, code: r.h.code,
	})
}

// lowerFirst lowers the first letter.
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// addResults lists the M5 file of the host commune of every cluster whose
// dialogue is over.
func (ws *workspace) addResults() {
	byCode := map[string]*commune{}
	for _, cm := range ws.communes {
		byCode[cm.c.Code] = cm
	}
	for _, cl := range ws.p.Clusters {
		if !ws.held(cl.ID) || len(cl.Communes) == 0 {
			continue
		}
		host := byCode[cl.Host]
		if host == nil {
			host = byCode[cl.Communes[0].Code]
		}
		rng := rand.New(rand.NewPCG(uint64(ws.seed), 0x5851f42d4c957f2d+uint64(cl.ID)))
		var delegates, heads, reps, opinions int
		for _, m := range cl.Communes {
			cm := byCode[m.Code]
			seen := map[string]bool{}
			for _, d := range cm.delegates {
				if d.hamlet == "" {
					delegates++
				} else {
					heads++
				}
			}
			for _, g := range cm.regs {
				if strings.HasPrefix(g.h.code, m.Code+"-") && !seen[g.h.code] {
					seen[g.h.code] = true
					reps++
				}
			}
			opinions += len(cm.opinions)
		}
		absent := func(n, most int) int { return max(0, n-rng.IntN(most+1)) }
		row := template.Row{
			schemas.FieldCluster: cl.Name, schemas.FieldDate: ws.dates[cl.ID], schemas.FieldDistrictTeam: ws.p.Quotas.DistrictTeam,
			schemas.FieldCommuneDelegates: absent(delegates, 2), schemas.FieldHamletHeads: absent(heads, 1), schemas.FieldHouseholdReps: absent(reps, 3),
		}
		total := opinions + rng.IntN(5)
		answered := total * (50 + rng.IntN(21)) / 100
		forwarded := max(0, total-answered-rng.IntN(2))
		row[schemas.FieldOpinions], row[schemas.FieldAnswered], row[schemas.FieldForwarded] = total, answered, forwarded
		preparer, chairman := host.signers()
		day := minTime(ws.dates[cl.ID].AddDate(0, 0, 1+rng.IntN(3)), ws.today())
		opt := template.Options{Form: record.FormM5, Commune: host.c.Code, Year: ws.year, Date: day,
			Preparer: preparer, Signer: chairman, Sheets: []template.Sheet{{Rows: []template.Row{row}}}}
		ws.addForm(host.path("Ket qua doi thoai cum "+strconv.Itoa(cl.ID)+".xlsx"), opt)
	}
}
