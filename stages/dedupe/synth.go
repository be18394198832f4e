package dedupe

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// Truth is the ground truth of a synthetic dataset made by Synthesize.
type Truth struct {
	// HouseholdOf is the true household of each Input.Households row.
	HouseholdOf []int32
	// RegHouseholdOf is the true household of each Input.Registrations row.
	RegHouseholdOf []int32
	// Eligible is the expected eligibility of each Input.Registrations row:
	// its household has a valid current roster row in the registering
	// commune.
	Eligible []bool
}

// Noise rates of the generator (probabilities per household or row).
const (
	synthHamletSize     = 200   // households per hamlet, on average
	synthNotOnRoster    = 0.05  // households missing from the roster
	synthRegistered     = 0.40  // roster households that register a representative
	synthRegisteredOff  = 0.60  // off-roster households that register anyway
	synthRosterTwice    = 0.015 // roster rows listed twice
	synthBothSpouses    = 0.04  // husband and wife both registered
	synthNeighbour      = 0.01  // registered (also) by the neighbouring commune
	synthHomonym        = 0.02  // head named and born like a household of another hamlet
	synthCodeTypo       = 0.03  // registration with a mistyped Mã hộ
	synthNoIDRoster     = 0.15  // roster row without CCCD
	synthNoIDReg        = 0.20  // registration without CCCD
	synthInvalid        = 0.01  // rows made invalid (another column broke a rule)
	synthSupersededFile = 0.04  // communes that sent their M2 twice
	synthCMND           = 0.10  // old 9-digit ID instead of a CCCD
	synthNoDiacritics   = 0.05  // registration names typed without diacritics
	synthNFD            = 0.05  // registration names in NFD
	synthUpper          = 0.02  // registration names in capitals
	synthReorder        = 0.01  // words in another order
	synthMiddleDropped  = 0.02  // middle name left out
	synthTypo           = 0.02  // one-letter typo
)

var communeWords1 = strings.Fields("Thường Long Tân Bình Phú An Mỹ Hòa Vĩnh Thạnh Hưng Tân_Hội Thới Phước Lạc Hiệp Mỹ_An Tân_Thành")
var communeWords2 = strings.Fields("Phước Khánh Thuận Lạc Hội Thới Hưng Lợi Điền Thành Bình Long Xuân Trung Đông Tây")
var hamletWords = strings.Fields("Long_Bình Long_Thái Phú_Lợi Phú_Trung Bình_Hòa Thị Trà_Đư Chòm_Xoài Giồng_Bàng Long_Tả Long_Hữu Long_Thạnh Long_Phước Long_Hậu Tân_Hòa Mỹ_Phú An_Thạnh Cái_Sơn Rạch_Giồng Bến_Đò Cây_Dương Xẻo_Mác Kênh_Mới Hòa_Long")

// synthPerson is a head, spouse or child of a synthetic household.
type synthPerson struct {
	name   string // NFC, full diacritics
	year   int
	gender string
	id     string // "" when the person has none recorded
}

// synthHousehold is one true household.
type synthHousehold struct {
	id       int32
	commune  int
	hamlet   string
	code     string
	head     synthPerson
	spouse   *synthPerson
	child    *synthPerson
	onRoster bool
	class    string
	members  int
}

type synthCommune struct {
	code    string
	hamlets []string
	m1      []record.Household
	m1H     []int32
	m2      []record.Registration
	m2H     []int32
}

type synth struct {
	rng        *rand.Rand
	idCount    [4][100]int
	cmndCount  int
	famCum     []float64
	midCum     [2][]float64
	givCum     [2][]float64
	givLists   [2][]string
	midLists   [2][]weighted
	prevHamlet []synthPerson // heads of the previous hamlet (for homonyms)
}

// Synthesize makes a labelled dataset of about n valid-or-not M1 and M2
// rows of synthetic Mekong-delta households with realistic Vietnamese name
// frequencies and the noise of real submissions: rosters listing a
// household twice (same Mã hộ, same CCCD, or by name only), husband and
// wife both registered, a household registered by the neighbouring commune,
// names without diacritics, in NFD, in capitals, reordered, without the
// middle name or with a one-letter typo, mistyped Mã hộ, missing CCCD,
// invalid rows, superseded files, households not on the roster and
// deliberate homonyms (same name and birth year in another hamlet or
// commune). The same seed gives the same dataset.
func Synthesize(n int, seed int64) (Input, Truth) {
	s := &synth{rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}
	s.famCum = cumulative(familyNames)
	s.midLists = [2][]weighted{middleMale, middleFemale}
	s.givLists = [2][]string{givenMale, givenFemale}
	for g := 0; g < 2; g++ {
		s.midCum[g] = cumulative(s.midLists[g])
		s.givCum[g] = cumulative(zipfList(s.givLists[g]))
	}
	var communes []*synthCommune
	var households []*synthHousehold
	records := 0
	for ci := 0; records < n; ci++ {
		c := s.newCommune(ci)
		communes = append(communes, c)
		for _, hm := range c.hamlets {
			size := synthHamletSize/2 + s.rng.IntN(synthHamletSize)
			used := map[string]bool{}
			var heads []synthPerson
			for k := 0; k < size && records < n; k++ {
				h := s.newHousehold(int32(len(households)), ci, c, hm, used)
				households = append(households, h)
				heads = append(heads, h.head)
				records += s.rosterRows(c, h)
			}
			s.prevHamlet = heads
			if records >= n {
				break
			}
		}
	}
	// Registrations, once every commune exists (a neighbour may register).
	for _, h := range households {
		s.registrations(communes, h)
	}
	return s.assemble(communes, households)
}

func cumulative(list []weighted) []float64 {
	out := make([]float64, len(list))
	sum := 0.0
	for i, e := range list {
		sum += e.w
		out[i] = sum
	}
	return out
}

func (s *synth) pick(cum []float64) int {
	x := s.rng.Float64() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

func (s *synth) chance(p float64) bool { return s.rng.Float64() < p }

func (s *synth) newCommune(ci int) *synthCommune {
	c := &synthCommune{code: fmt.Sprintf("%05d", 10000+7*ci)}
	nh := 4 + s.rng.IntN(6)
	town := s.chance(0.15)
	named := s.chance(0.5)
	for k := 1; k <= nh; k++ {
		switch {
		case town:
			c.hamlets = append(c.hamlets, fmt.Sprintf("Khóm %d", k))
		case named:
			w := strings.ReplaceAll(hamletWords[(ci*3+k)%len(hamletWords)], "_", " ")
			c.hamlets = append(c.hamlets, fmt.Sprintf("Ấp %s %d", w, k))
		default:
			c.hamlets = append(c.hamlets, fmt.Sprintf("Ấp %d", k))
		}
	}
	return c
}

// newName draws a full name for a gender (0 male, 1 female).
func (s *synth) newName(g int) (family, given, full string) {
	family = familyNames[s.pick(s.famCum)].name
	mid := s.midLists[g][s.pick(s.midCum[g])].name
	if g == 1 && mid == "Thị" && s.chance(0.08) {
		mid += " " + []string{"Thu", "Ngọc", "Kim", "Mỹ", "Hồng"}[s.rng.IntN(5)]
	}
	given = s.givLists[g][s.pick(s.givCum[g])]
	parts := []string{family}
	if mid != "" {
		parts = append(parts, mid)
	}
	parts = append(parts, given)
	return family, given, strings.Join(parts, " ")
}

func (s *synth) newID(gender string, year int) string {
	if s.chance(synthCMND) {
		s.cmndCount++
		v := (uint64(s.cmndCount)*7919 + 12345) % 100000000
		return fmt.Sprintf("3%08d", v)
	}
	cg := 0
	if gender == "Nữ" {
		cg = 1
	}
	if year >= 2000 {
		cg += 2
	}
	yy := year % 100
	c := s.idCount[cg][yy]
	s.idCount[cg][yy]++
	serial := (uint64(c)*7919 + uint64(cg*100+yy)*104729) % 1000000
	return fmt.Sprintf("087%d%02d%06d", cg, yy, serial)
}

func (s *synth) newPerson(g int, year int) synthPerson {
	_, _, full := s.newName(g)
	gender := "Nam"
	if g == 1 {
		gender = "Nữ"
	}
	return synthPerson{name: full, year: year, gender: gender, id: s.newID(gender, year)}
}

func (s *synth) newHousehold(id int32, ci int, c *synthCommune, hamlet string, used map[string]bool) *synthHousehold {
	h := &synthHousehold{id: id, commune: ci, hamlet: hamlet, onRoster: !s.chance(synthNotOnRoster)}
	h.code = fmt.Sprintf("%s-%04d", c.code, int(id)%10000)
	g := 0
	if s.chance(0.3) {
		g = 1
	}
	for try := 0; ; try++ {
		var p synthPerson
		if try == 0 && len(s.prevHamlet) > 0 && s.chance(synthHomonym) {
			p = s.prevHamlet[s.rng.IntN(len(s.prevHamlet))]
			p.id = s.newID(p.gender, p.year)
		} else {
			year := 1935 + s.rng.IntN(30) + s.rng.IntN(36)
			p = s.newPerson(g, year)
		}
		words := strings.Fields(vntext.Fold(p.name))
		key := fmt.Sprintf("%s|%s|%d", words[0], words[len(words)-1], p.year)
		if !used[key] || try > 50 {
			used[key] = true
			h.head = p
			break
		}
	}
	if s.chance(0.75) {
		sg := 1
		if h.head.gender == "Nữ" {
			sg = 0
		}
		sp := s.newPerson(sg, h.head.year-3+s.rng.IntN(7))
		h.spouse = &sp
	}
	if s.chance(0.5) {
		cy := min(h.head.year+20+s.rng.IntN(15), 2004)
		ch := s.newPerson(s.rng.IntN(2), cy)
		if h.head.gender == "Nam" {
			// children carry the father's family name
			w := strings.Fields(ch.name)
			w[0] = strings.Fields(h.head.name)[0]
			ch.name = strings.Join(w, " ")
		}
		h.child = &ch
	}
	h.class = "Hộ nghèo"
	if s.chance(0.5) {
		h.class = "Hộ cận nghèo"
	}
	h.members = 1 + s.rng.IntN(7)
	return h
}

// rosterRows writes the household's M1 row(s) and returns how many rows
// it expects the household to produce in all (for sizing).
func (s *synth) rosterRows(c *synthCommune, h *synthHousehold) int {
	rows := 0
	if h.onRoster {
		id := h.head.id
		if s.chance(synthNoIDRoster) {
			id = ""
		}
		name := h.head.name
		if s.chance(0.03) {
			name = norm.NFD.String(name)
		}
		s.addM1(c, h, name, h.code, id)
		rows++
		if s.chance(synthRosterTwice) {
			switch x := s.rng.Float64(); {
			case x < 0.5: // the same Mã hộ again
				s.addM1(c, h, h.head.name, h.code, id)
			case x < 0.75: // another Mã hộ, the same CCCD
				s.addM1(c, h, h.head.name, s.freshCode(c, h), h.head.id)
			default: // another Mã hộ, no CCCD, the name typed differently
				s.addM1(c, h, stripDiacritics(h.head.name), s.freshCode(c, h), "")
			}
			rows++
		}
		if s.chance(synthRegistered) {
			rows++
		}
	} else if s.chance(synthRegisteredOff) {
		rows++
	}
	return rows
}

// freshCode is a Mã hộ no household of the commune uses.
func (s *synth) freshCode(c *synthCommune, h *synthHousehold) string {
	return fmt.Sprintf("%s-%05d", c.code, 10000+int(h.id)%90000)
}

func (s *synth) addM1(c *synthCommune, h *synthHousehold, name, code, id string) {
	c.m1 = append(c.m1, record.Household{
		State:         record.State{Valid: !s.chance(synthInvalid)},
		HouseholdCode: code, HeadName: name, BirthYear: h.head.year, Gender: h.head.gender, CitizenID: id,
		Ethnicity: "Kinh", Hamlet: h.hamlet, Class: h.class, Members: h.members,
	})
	c.m1H = append(c.m1H, h.id)
}

// registrations writes the household's M2 rows.
func (s *synth) registrations(communes []*synthCommune, h *synthHousehold) {
	c := communes[h.commune]
	p := synthRegistered
	if !h.onRoster {
		p = synthRegisteredOff
	}
	if !s.chance(p) {
		return
	}
	code := h.code
	if !h.onRoster {
		code = s.freshCode(c, h)
	}
	rel := schemas.RelationHead
	rep := h.head
	switch x := s.rng.Float64(); {
	case x < 0.14 && h.spouse != nil:
		rep, rel = *h.spouse, spouseWord(h.spouse.gender)
	case x >= 0.92 && h.child != nil:
		rep, rel = *h.child, "Con"
	}
	headName := s.noisyName(h.head.name)
	mcode := code
	if s.chance(synthCodeTypo) {
		mcode = mistypeCode(s.rng, code)
	}
	s.addM2(c, h, rep, rel, headName, mcode, h.hamlet)
	if h.spouse != nil && s.chance(synthBothSpouses) {
		other, orel := h.head, schemas.RelationHead
		if rel == schemas.RelationHead {
			other, orel = *h.spouse, spouseWord(h.spouse.gender)
		}
		s.addM2(c, h, other, orel, headName, mcode, h.hamlet)
	}
	if h.onRoster && s.chance(synthNeighbour) && len(communes) > 1 {
		nb := communes[(h.commune+1)%len(communes)]
		name := h.head.name
		if s.chance(0.3) {
			name = stripDiacritics(name)
		}
		head := h.head
		if s.chance(0.25) {
			head.id = ""
		}
		s.addM2(nb, h, head, schemas.RelationHead, name, h.code, nb.hamlets[s.rng.IntN(len(nb.hamlets))])
	}
}

func spouseWord(gender string) string {
	if gender == "Nữ" {
		return schemas.RelationWife
	}
	return schemas.RelationHusband
}

func (s *synth) addM2(c *synthCommune, h *synthHousehold, rep synthPerson, rel, headName, code, hamlet string) {
	repName := rep.name
	if rel == schemas.RelationHead {
		repName = headName
	}
	id := rep.id
	if s.chance(synthNoIDReg) {
		id = ""
	}
	c.m2 = append(c.m2, record.Registration{
		State:   record.State{Valid: !s.chance(synthInvalid)},
		RepName: repName, BirthYear: rep.year, Gender: rep.gender, CitizenID: id, Relation: rel,
		HeadName: headName, HouseholdCode: code, Hamlet: hamlet, Class: h.class,
		Phone: fmt.Sprintf("09%08d", s.rng.IntN(100000000)),
	})
	c.m2H = append(c.m2H, h.id)
}

// noisyName applies the registration noise to a name.
func (s *synth) noisyName(name string) string {
	words := strings.Fields(name)
	switch x := s.rng.Float64(); {
	case x < synthReorder && len(words) >= 2:
		words = append([]string{words[len(words)-1]}, words[:len(words)-1]...)
	case x < synthReorder+synthMiddleDropped && len(words) >= 3:
		words = []string{words[0], words[len(words)-1]}
	case x < synthReorder+synthMiddleDropped+synthTypo:
		k := len(words) - 1
		if s.chance(0.3) {
			k = s.rng.IntN(len(words))
		}
		words[k] = typo(s.rng, words[k])
	}
	name = strings.Join(words, " ")
	switch x := s.rng.Float64(); {
	case x < synthNoDiacritics:
		name = stripDiacritics(name)
	case x < synthNoDiacritics+synthNFD:
		name = norm.NFD.String(name)
	case x < synthNoDiacritics+synthNFD+synthUpper:
		name = strings.ToUpper(name)
	}
	return name
}

// typo changes one letter of a word: substitution, deletion, insertion or
// transposition, so that its folded form changes.
func typo(rng *rand.Rand, w string) string {
	rs := []rune(w)
	for try := 0; try < 20; try++ {
		out := slicesClone(rs)
		k := rng.IntN(len(out))
		letter := rune('a' + rng.IntN(26))
		switch rng.IntN(4) {
		case 0:
			out[k] = letter
		case 1:
			if len(out) > 2 {
				out = append(out[:k], out[k+1:]...)
			}
		case 2:
			out = append(out[:k+1], append([]rune{letter}, out[k+1:]...)...)
		case 3:
			if k+1 < len(out) {
				out[k], out[k+1] = out[k+1], out[k]
			}
		}
		if vntext.Fold(string(out)) != vntext.Fold(w) && damerau1(vntext.Fold(string(out)), vntext.Fold(w)) {
			return string(out)
		}
	}
	return w + "h"
}

func slicesClone(r []rune) []rune { return append([]rune(nil), r...) }

// mistypeCode changes one digit of the serial part of a Mã hộ.
func mistypeCode(rng *rand.Rand, code string) string {
	b := []byte(code)
	i := strings.LastIndexByte(code, '-') + 1 + rng.IntN(len(code)-strings.LastIndexByte(code, '-')-1)
	d := byte('0' + rng.IntN(10))
	if d == b[i] {
		d = '0' + (d-'0'+1)%10
	}
	b[i] = d
	return string(b)
}

// stripDiacritics writes a name as typed without Vietnamese diacritics,
// keeping the case: "Nguyễn Văn Đức" -> "Nguyen Van Duc".
func stripDiacritics(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// assemble lays the communes' rows out as files and fills the truth.
func (s *synth) assemble(communes []*synthCommune, households []*synthHousehold) (Input, Truth) {
	var ds Input
	var tr Truth
	nm1, nm2 := 0, 0
	for _, c := range communes {
		nm1 += len(c.m1)
		nm2 += len(c.m2)
	}
	ds.Households = make([]record.Household, 0, nm1)
	ds.Registrations = make([]record.Registration, 0, nm2+nm2/10)
	tr.HouseholdOf = make([]int32, 0, nm1)
	tr.RegHouseholdOf = make([]int32, 0, nm2+nm2/10)
	base := time.Date(2022, 3, 20, 9, 0, 0, 0, time.FixedZone("+07", 7*3600))
	nc := int64(len(communes))
	// Valid current roster rows by (household, commune), for eligibility.
	onRoster := map[[2]int32]bool{}
	for ci, c := range communes {
		path := c.code + "/DS du kien thoat ngheo " + c.code + ".xlsx"
		src := record.Source{SubmissionID: synthID(path), Path: path, Sheet: "DS thoat ngheo", CommuneCode: c.code,
			ReceivedAt: base.Add(time.Duration(ci) * time.Minute), Seq: int64(ci) + 1}
		for k := range c.m1 {
			h := c.m1[k]
			h.Source = src
			h.Row = 8 + k
			ds.Households = append(ds.Households, h)
			tr.HouseholdOf = append(tr.HouseholdOf, c.m1H[k])
			if h.Valid {
				onRoster[[2]int32{c.m1H[k], int32(ci)}] = true
			}
		}
	}
	for ci, c := range communes {
		cur := c.code + "/M2 dai dien ho " + c.code + ".xlsx"
		files := []string{cur}
		if s.chance(synthSupersededFile) {
			files = []string{c.code + "/M2 (ban cu) " + c.code + ".xlsx", cur}
		}
		for fi, path := range files {
			src := record.Source{SubmissionID: synthID(path), Path: path, Sheet: "M2", CommuneCode: c.code,
				ReceivedAt: base.Add(30*24*time.Hour + time.Duration(ci)*time.Minute), Seq: nc + 2*int64(ci) + int64(fi) + 1}
			old := fi < len(files)-1
			for k := range c.m2 {
				g := c.m2[k]
				g.Source = src
				g.Row = 9 + k
				if old {
					g.Superseded = true
					g.Valid = true
				}
				ds.Registrations = append(ds.Registrations, g)
				tr.RegHouseholdOf = append(tr.RegHouseholdOf, c.m2H[k])
				tr.Eligible = append(tr.Eligible, onRoster[[2]int32{c.m2H[k], int32(ci)}])
			}
		}
	}
	return ds, tr
}

// synthID is a stable fake submission ID (64 hex digits) for a path.
func synthID(path string) string {
	h := finalize(hashStr(fnvOffset, path))
	var b strings.Builder
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&b, "%016x", h)
		h = finalize(h + uint64(i) + 1)
	}
	return b.String()
}

// Metrics compares a resolved synthetic dataset with its truth.
type Metrics struct {
	Records   int     // valid current M1 and M2 rows
	TruePairs int64   // pairs of rows of one true household
	Predicted int64   // pairs of rows in one household_group
	Correct   int64   // pairs in both
	Precision float64 // Correct / Predicted
	Recall    float64 // Correct / TruePairs
	F1        float64
	// Eligibility of valid current registrations.
	EligibleAgree, EligibleTotal int
	// Eligibility of invalid or superseded registrations (information).
	OtherEligibleAgree, OtherEligibleTotal int
}

// String summarizes the metrics on one line.
func (m Metrics) String() string {
	return fmt.Sprintf("%d rows: pairs true %d predicted %d correct %d; precision %.4f recall %.4f F1 %.4f; eligibility %d/%d (other rows %d/%d)",
		m.Records, m.TruePairs, m.Predicted, m.Correct, m.Precision, m.Recall, m.F1,
		m.EligibleAgree, m.EligibleTotal, m.OtherEligibleAgree, m.OtherEligibleTotal)
}

// Evaluate computes pairwise precision and recall of the household groups
// that Resolve gave the synthetic input in (res) against the truth, over
// valid current rows, and how often its eligibility agrees.
func (t Truth) Evaluate(in Input, res Result) Metrics {
	var m Metrics
	type cell struct {
		group string
		hh    int32
	}
	both := map[cell]int64{}
	byGroup := map[string]int64{}
	byHH := map[int32]int64{}
	add := func(st record.State, group string, hh int32) {
		if !st.Valid || st.Superseded {
			return
		}
		m.Records++
		both[cell{group, hh}]++
		byGroup[group]++
		byHH[hh]++
	}
	for i := range in.Households {
		add(in.Households[i].State, res.OfHousehold(i).Group, t.HouseholdOf[i])
	}
	for i := range in.Registrations {
		g := &in.Registrations[i]
		add(g.State, res.OfRegistration(i).Group, t.RegHouseholdOf[i])
		if g.Valid && !g.Superseded {
			m.EligibleTotal++
			if res.Eligible[i] == t.Eligible[i] {
				m.EligibleAgree++
			}
		} else {
			m.OtherEligibleTotal++
			if res.Eligible[i] == t.Eligible[i] {
				m.OtherEligibleAgree++
			}
		}
	}
	pairs := func(k int64) int64 { return k * (k - 1) / 2 }
	for c, k := range both {
		if c.group != "" {
			m.Correct += pairs(k)
		}
	}
	for g, k := range byGroup {
		if g != "" {
			m.Predicted += pairs(k)
		}
	}
	for _, k := range byHH {
		m.TruePairs += pairs(k)
	}
	m.Precision = float64(m.Correct) / float64(max(m.Predicted, 1))
	m.Recall = float64(m.Correct) / float64(max(m.TruePairs, 1))
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}
