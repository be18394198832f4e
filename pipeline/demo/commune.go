package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/schemas/template"
)

// person is a head of household, a spouse, a child or a delegate.
type person struct {
	name   string
	year   int
	gender string
	id     string // CCCD (12 digits), CMND (9) or ""
	phone  string
}

// household is one household on a commune's roster (M1).
type household struct {
	code      string
	hamlet    string
	head      person
	spouse    *person
	child     *person
	class     string
	ethnicity string
	members   int
	note      string

	idAsNumber bool // mistake: the CCCD typed into a General cell (leading 0 lost)
}

// registration is one M2 row.
type registration struct {
	h        *household
	rep      person
	relation string
	hamlet   string // as the registering commune writes it
	phone    string
	note     string

	asciiNames bool // mistake: names typed without diacritics
	planted    bool // a mistake uses this row
}

// delegate is one M3 row.
type delegate struct {
	name, position, component, hamlet, phone string
	planted                                  bool
}

// opinion is one M4 row.
type opinion struct {
	hamlet, reporter, code, topic, content string
	on                                     time.Time
}

// commune is the generated data of one commune.
type commune struct {
	ws     *workspace
	c      *plan.Commune
	index  int
	rng    *rand.Rand
	folder string
	abbr   string

	households []*household
	regs       []*registration
	delegates  []*delegate
	opinions   []opinion

	// signing days of the documents
	khDay, m1Day, m2Day, m3Day, m4Day time.Time
}

// path is a file's path in the inbox.
func (cm *commune) path(name string) string { return cm.folder + "/" + name }

// generate draws the commune's households, registrations, delegates and
// opinions.
func (cm *commune) generate() {
	ws, rng := cm.ws, cm.rng
	q := ws.p.Quotas
	codes := map[string]bool{}
	for _, h := range cm.c.Hamlets {
		n := q.HouseholdReps + 2 + rng.IntN(5)
		if n < 6 {
			n = 6
		}
		names := map[string]bool{}
		years := rng.Perm(1992 - 1940 + 1)
		var hs []*household
		for k := 0; k < n; k++ {
			hh := cm.household(h, 1940+years[k%len(years)], names, codes)
			hs = append(hs, hh)
			cm.households = append(cm.households, hh)
		}
		cm.register(h, hs)
		cm.collectOpinions(h, hs)
	}
	cm.delegates = cm.makeDelegates()
	cm.dates()
}

// household draws one household of a hamlet; names are distinct within
// the hamlet and codes within the commune.
func (cm *commune) household(hamlet string, year int, names, codes map[string]bool) *household {
	ws, rng := cm.ws, cm.rng
	h := &household{hamlet: hamlet}
	for h.code == "" || codes[h.code] {
		h.code = fmt.Sprintf("%s-%04d", cm.c.Code, 1+rng.IntN(9999))
	}
	codes[h.code] = true
	gender := "Nam"
	if rng.Float64() < 0.45 {
		gender = "Nữ"
	}
	name := ws.names.name(rng, gender)
	for names[vntext.Fold(name)] {
		name = ws.names.name(rng, gender)
	}
	names[vntext.Fold(name)] = true
	h.head = person{name: name, year: year, gender: gender}
	switch r := rng.Float64(); {
	case r < 0.75:
		h.head.id = ws.ids.cccd(rng, gender, year)
	case r < 0.87:
		h.head.id = ws.ids.cmnd(rng)
	}
	other := "Nữ"
	if gender == "Nữ" {
		other = "Nam"
	}
	if (gender == "Nam" && rng.Float64() < 0.85) || (gender == "Nữ" && rng.Float64() < 0.4) {
		sy := year - 3 + rng.IntN(7)
		sp := person{name: ws.names.name(rng, other), year: sy, gender: other}
		if rng.Float64() < 0.7 {
			sp.id = ws.ids.cccd(rng, other, sy)
		}
		h.spouse = &sp
	}
	if cy := year + 20 + rng.IntN(10); cy <= ws.year-18 && rng.Float64() < 0.5 {
		cg := "Nam"
		if rng.IntN(2) == 0 {
			cg = "Nữ"
		}
		ch := person{name: ws.names.name(rng, cg), year: cy, gender: cg}
		ch.name = strings.Fields(h.head.name)[0] + " " + strings.Join(strings.Fields(ch.name)[1:], " ")
		if h.head.gender == "Nữ" && h.spouse != nil {
			ch.name = strings.Fields(h.spouse.name)[0] + " " + strings.Join(strings.Fields(ch.name)[1:], " ")
		}
		if rng.Float64() < 0.8 {
			ch.id = ws.ids.cccd(rng, cg, cy)
		}
		h.child = &ch
	}
	h.class = "Hộ cận nghèo"
	if rng.Float64() < 0.4 {
		h.class = "Hộ nghèo"
	}
	switch r := rng.Float64(); {
	case r < 0.02:
		h.ethnicity = "Hoa"
	case r < 0.04:
		h.ethnicity = "Khmer"
	default:
		h.ethnicity = "Kinh"
	}
	h.members = 1 + rng.IntN(6)
	if h.spouse != nil && h.members < 2 {
		h.members = 2
	}
	if h.child != nil && h.members < 3 {
		h.members = 3
	}
	if rng.Float64() < 0.15 {
		notes := []string{"Hộ neo đơn", "Chủ hộ cao tuổi", "Có người khuyết tật", "Có người ốm đau thường xuyên", "Đang vay vốn hộ cận nghèo"}
		h.note = notes[rng.IntN(len(notes))]
	}
	return h
}

// register picks the households of a hamlet that send a representative
// (at most the quota) and who goes.
func (cm *commune) register(hamlet string, hs []*household) {
	rng := cm.rng
	quota := cm.ws.p.Quotas.HouseholdReps
	if quota <= 0 {
		return
	}
	k := quota - rng.IntN(3)
	k = max(1, min(k, len(hs)))
	chosen := rng.Perm(len(hs))[:k]
	in := map[int]bool{}
	for _, i := range chosen {
		in[i] = true
	}
	for i, h := range hs {
		if !in[i] {
			continue
		}
		r := &registration{h: h, rep: h.head, relation: "Chủ hộ", hamlet: hamlet}
		switch x := rng.Float64(); {
		case x < 0.25 && h.spouse != nil:
			r.rep = *h.spouse
			r.relation = "Vợ"
			if h.spouse.gender == "Nam" {
				r.relation = "Chồng"
			}
		case x >= 0.85 && h.child != nil:
			r.rep = *h.child
			r.relation = "Con"
		}
		if rng.Float64() < 0.85 {
			r.phone = cm.ws.ids.phone(rng)
		}
		cm.regs = append(cm.regs, r)
	}
}

// topicWeights make livelihoods, credit, health and housing the usual
// subjects (keys are folded topic words).
var topicWeights = map[string]float64{"sinh ke": 3, "tin dung": 3, "y te": 2, "nha o": 2}

// contents are typical opinions by topic (folded key words of the topic;
// the first entry whose key is in the topic's name is used, so a topic such
// as "Việc làm, giáo dục nghề nghiệp" gets vocational texts, not schooling).
var contents = []struct {
	key   string
	texts []string
}{
	{"giam ngheo", []string{
		"Đề nghị công khai danh sách hộ được hỗ trợ từ Chương trình mục tiêu quốc gia giảm nghèo bền vững tại ấp.",
		"Đề nghị hướng dẫn cụ thể tiêu chí rà soát hộ nghèo, hộ cận nghèo để người dân nắm rõ.",
		"Đề nghị tiếp tục hỗ trợ hộ mới thoát nghèo thêm một thời gian để tránh tái nghèo.",
	}},
	{"sinh ke", []string{
		"Đề nghị hỗ trợ con giống (bò, heo) và hướng dẫn kỹ thuật chăn nuôi cho hộ cận nghèo.",
		"Đề nghị mở lớp dạy nghề may công nghiệp, sửa chữa máy nông nghiệp tại xã cho lao động nông thôn.",
		"Đề nghị giới thiệu việc làm tại các khu công nghiệp cho con em hộ nghèo.",
		"Đề nghị hỗ trợ cây giống, phân bón để chuyển đổi cây trồng trên đất lúa kém hiệu quả.",
	}},
	{"viec lam", []string{
		"Đề nghị mở lớp đào tạo nghề ngắn hạn (may công nghiệp, sửa chữa xe máy) tại xã cho lao động hộ cận nghèo.",
		"Đề nghị giới thiệu việc làm tại các khu công nghiệp cho con em hộ nghèo.",
		"Đề nghị hỗ trợ tiền ăn, tiền đi lại cho người thuộc hộ nghèo tham gia học nghề.",
	}},
	{"y te", []string{
		"Đề nghị cấp thẻ bảo hiểm y tế kịp thời cho hộ cận nghèo, năm trước nhận thẻ trễ.",
		"Thẻ bảo hiểm y tế của hộ bị sai năm sinh, đề nghị điều chỉnh.",
		"Đề nghị trạm y tế xã tổ chức khám bệnh lưu động tại ấp cho người cao tuổi.",
	}},
	{"giao duc", []string{
		"Đề nghị miễn, giảm học phí và hỗ trợ chi phí học tập cho con hộ cận nghèo đúng hạn.",
		"Đề nghị hỗ trợ tập vở, xe đạp cho học sinh hộ nghèo ở xa trường.",
	}},
	{"nuoc sach", []string{
		"Đề nghị kéo đường ống nước sạch đến cuối ấp, nhiều hộ còn dùng nước sông.",
		"Đề nghị hỗ trợ xây nhà tiêu hợp vệ sinh cho hộ nghèo.",
	}},
	{"tin dung", []string{
		"Đề nghị tăng mức cho vay và kéo dài thời hạn vay vốn hộ cận nghèo.",
		"Thủ tục vay vốn cho hộ mới thoát nghèo còn rườm rà, đề nghị đơn giản hóa.",
		"Đề nghị cho gia hạn nợ vay do thiệt hại mùa vụ.",
	}},
	{"nha o", []string{
		"Đề nghị hỗ trợ sửa chữa nhà ở bị hư hỏng, dột nát sau mùa mưa.",
		"Đề nghị hỗ trợ xây dựng nhà đại đoàn kết cho hộ chưa có nhà ở ổn định.",
	}},
	{"thong tin", []string{
		"Đề nghị lắp loa truyền thanh ở cuối ấp để người dân nắm thông tin chính sách.",
		"Đề nghị phát tờ rơi hướng dẫn chính sách giảm nghèo dễ hiểu cho người dân.",
	}},
	{"phap ly", []string{
		"Đề nghị tổ chức trợ giúp pháp lý miễn phí tại ấp về thủ tục đất đai, thừa kế.",
		"Đề nghị hướng dẫn thủ tục cấp giấy chứng nhận quyền sử dụng đất cho hộ nghèo.",
	}},
	{"khac", []string{
		"Đề nghị lắp đèn chiếu sáng tuyến đê bao cuối ấp.",
		"Đề nghị sửa chữa cầu giao thông nông thôn bị xuống cấp.",
	}},
}

// contentFor draws a typical opinion of a topic.
func contentFor(rng *rand.Rand, topic string) string {
	f := " " + vntext.Fold(topic) + " "
	for _, c := range contents {
		if strings.Contains(f, " "+c.key+" ") {
			return c.texts[rng.IntN(len(c.texts))]
		}
	}
	return "Đề nghị các cơ quan hướng dẫn cụ thể về " + strings.ToLower(topic) + "."
}

// collectOpinions draws the opinions gathered in a hamlet's meeting.
func (cm *commune) collectOpinions(hamlet string, hs []*household) {
	rng, p := cm.rng, cm.ws.p
	var ws []weighted
	for _, t := range p.Topics {
		w := 1.0
		f := " " + vntext.Fold(t.Name) + " "
		for k, v := range topicWeights {
			if strings.Contains(f, " "+k+" ") {
				w = v
			}
		}
		ws = append(ws, weighted{t.Name, w})
	}
	n := 1 + rng.IntN(3)
	for k := 0; k < n; k++ {
		o := opinion{hamlet: hamlet, topic: pick(rng, ws)}
		o.content = contentFor(rng, o.topic)
		if rng.Float64() < 0.75 {
			h := hs[rng.IntN(len(hs))]
			o.reporter, o.code = h.head.name, h.code
		}
		cm.opinions = append(cm.opinions, o)
	}
}

// commune positions of the delegates (Ban giảm nghèo and the unions).
var positions = []struct{ position, component string }{
	{"Phó Chủ tịch UBND %s, Trưởng Ban giảm nghèo", "Ban giảm nghèo"},
	{"Công chức Lao động - Thương binh và Xã hội", "Ban giảm nghèo"},
	{"Chủ tịch Ủy ban MTTQ Việt Nam %s", "Hội đoàn thể"},
	{"Chủ tịch Hội Liên hiệp Phụ nữ %s", "Hội đoàn thể"},
	{"Chủ tịch Hội Nông dân %s", "Hội đoàn thể"},
	{"Bí thư Đoàn Thanh niên %s", "Hội đoàn thể"},
	{"Chủ tịch Hội Cựu chiến binh %s", "Hội đoàn thể"},
	{"Công chức Văn hóa - Xã hội", "Ban giảm nghèo"},
}

func (cm *commune) makeDelegates() []*delegate {
	ws, rng := cm.ws, cm.rng
	kind := cm.c.Kind
	if kind == "" {
		kind = "xã"
	}
	var out []*delegate
	for k := 0; k < ws.p.Quotas.CommuneDelegates; k++ {
		pos := positions[k%len(positions)]
		text := pos.position
		if strings.Contains(text, "%s") {
			text = fmt.Sprintf(text, kind)
		}
		g := "Nam"
		if strings.Contains(text, "Phụ nữ") || rng.Float64() < 0.3 {
			g = "Nữ"
		}
		out = append(out, &delegate{name: ws.names.name(rng, g), position: text, component: pos.component, phone: ws.ids.phone(rng)})
	}
	for _, h := range cm.c.Hamlets {
		for k := 0; k < ws.p.Quotas.HamletHeads; k++ {
			g := "Nam"
			if rng.Float64() < 0.2 {
				g = "Nữ"
			}
			pos := "Trưởng " + hamletWord(h)
			if k > 0 {
				pos = "Phó Trưởng " + hamletWord(h)
			}
			out = append(out, &delegate{name: ws.names.name(rng, g), position: pos, component: "Trưởng khóm/ấp", hamlet: h, phone: ws.ids.phone(rng)})
		}
	}
	return out
}

// dates sets the signing days: the plan before its deadline, the roster a
// few days later, the lists and opinions before the cluster's deadline
// for opinions (and never after the demo's moment).
func (cm *commune) dates() {
	ws, rng := cm.ws, cm.rng
	p := ws.p
	due := ws.quarterStart().AddDate(0, 0, -20)
	if p.Deadlines.CommunePlan.Set {
		due = time.Date(ws.year, p.Deadlines.CommunePlan.M, p.Deadlines.CommunePlan.D, 0, 0, 0, 0, p.Location())
	}
	today := ws.today()
	cm.khDay = minTime(due.AddDate(0, 0, -3-rng.IntN(10)), today.AddDate(0, 0, -1))
	cm.m1Day = minTime(cm.khDay.AddDate(0, 0, 2+rng.IntN(5)), today.AddDate(0, 0, -1))
	prep := today.AddDate(0, 0, -1)
	if d, ok := ws.dates[cm.c.Cluster]; ok {
		prep = minTime(prep, d.AddDate(0, 0, -p.Deadlines.OpinionsDaysBeforeDialogue-1))
	}
	prep = maxTime(prep, cm.m1Day)
	cm.m2Day = maxTime(prep.AddDate(0, 0, -rng.IntN(6)), cm.m1Day)
	cm.m3Day = maxTime(prep.AddDate(0, 0, -rng.IntN(6)), cm.m1Day)
	cm.m4Day = maxTime(prep.AddDate(0, 0, -rng.IntN(3)), cm.m1Day)
	from := cm.m1Day
	span := int(cm.m4Day.Sub(from).Hours()/24) + 1
	for i := range cm.opinions {
		cm.opinions[i].on = from.AddDate(0, 0, rng.IntN(span))
	}
}

// signer draws the chairman's and the clerk's names of a document.
func (cm *commune) signers() (preparer, chairman string) {
	rng := rand.New(rand.NewPCG(uint64(cm.ws.seed), uint64(cm.index+1)*0x632be59bd9b4e019))
	return cm.ws.names.name(rng, "Nữ"), cm.ws.names.name(rng, "Nam")
}

// fileNames are the clerks' ways of naming each form's file (%[1]s the
// commune's abbreviation, %[2]d the year).
var fileNames = map[string][]string{
	"KH": {"KH doi thoai giam ngheo %[1]s %[2]d.docx", "Ke hoach doi thoai %[2]d - %[1]s.docx"},
	"M1": {"DS du kien thoat ngheo %[2]d - %[1]s.xlsx", "M1 %[1]s.xlsx"},
	"M2": {"M2 dai dien ho %[1]s.xlsx", "DS dai dien ho tham gia doi thoai - %[1]s.xlsx"},
	"M3": {"M3 thanh phan cap xa %[1]s.xlsx", "Thanh phan tham du - %[1]s.xlsx"},
	"M4": {"Tong hop y kien %[1]s.xlsx", "M4 y kien kien nghi %[1]s.xlsx"},
}

func (cm *commune) fileName(kind string) string {
	names := fileNames[kind]
	return fmt.Sprintf(names[cm.index%len(names)], cm.abbr, cm.ws.year)
}

// addFiles lists the commune's files (KH, M1..M4).
func (cm *commune) addFiles() {
	ws := cm.ws
	preparer, chairman := cm.signers()
	number := fmt.Sprintf("%d/KH-UBND", 10+cm.rng.IntN(80))
	ws.files = append(ws.files, file{path: cm.path(cm.fileName("KH")), write: func(abs string) error {
		return template.WritePlanDocument(abs, ws.p, template.PlanDocument{
			Commune: cm.c.Code, Year: ws.year, Date: cm.khDay, Signer: chairman,
			Number: number,
		})
	}})
	base := template.Options{Commune: cm.c.Code, Year: ws.year, Preparer: preparer, Signer: chairman}

	m1 := base
	m1.Form, m1.Date, m1.FlatHeader = record.FormM1, cm.m1Day, cm.index%2 == 1
	if cm.index%3 == 0 {
		for _, h := range cm.c.Hamlets {
			m1.Sheets = append(m1.Sheets, template.Sheet{Hamlet: h, Rows: cm.m1Rows(h)})
		}
	} else {
		m1.Sheets = []template.Sheet{{Rows: cm.m1Rows("")}}
		m1.Reference = fmt.Sprintf("(Kèm theo Kế hoạch tổ chức đối thoại chính sách giảm nghèo năm %d của UBND %s)", ws.year, cm.c.FullName())
	}
	ws.addForm(cm.path(cm.fileName("M1")), m1)

	if len(cm.regs) > 0 {
		m2 := base
		m2.Form, m2.Date, m2.FlatHeader = record.FormM2, cm.m2Day, cm.index%3 == 2
		m2.Sheets = []template.Sheet{{Rows: cm.m2Rows()}}
		ws.addForm(cm.path(cm.fileName("M2")), m2)
	}
	if len(cm.delegates) > 0 {
		m3 := base
		m3.Form, m3.Date = record.FormM3, cm.m3Day
		m3.Sheets = []template.Sheet{{Rows: cm.m3Rows()}}
		ws.addForm(cm.path(cm.fileName("M3")), m3)
	}
	if len(cm.opinions) > 0 {
		m4 := base
		m4.Form, m4.Date = record.FormM4, cm.m4Day
		m4.Sheets = []template.Sheet{{Rows: cm.m4Rows()}}
		ws.addForm(cm.path(cm.fileName("M4")), m4)
	}
}

func (ws *workspace) addForm(path string, opt template.Options) {
	ws.files = append(ws.files, file{path: path, write: func(abs string) error {
		return template.Write(abs, ws.p, opt)
	}})
}

// m1Rows are the roster rows of a hamlet ("" for all).
func (cm *commune) m1Rows(hamlet string) []template.Row {
	var out []template.Row
	for _, h := range cm.households {
		if hamlet != "" && h.hamlet != hamlet {
			continue
		}
		r := template.Row{schemas.FieldHouseholdCode: h.code, schemas.FieldHeadName: h.head.name, schemas.FieldBirthYear: h.head.year, schemas.FieldGender: h.head.gender,
			schemas.FieldEthnicity: h.ethnicity, schemas.FieldHamlet: h.hamlet, schemas.FieldHouseholdClass: h.class, schemas.FieldMembers: h.members}
		if h.head.id != "" {
			r[schemas.FieldCitizenID] = h.head.id
			if h.idAsNumber {
				n, _ := strconv.ParseInt(h.head.id, 10, 64)
				r[schemas.FieldCitizenID] = n
			}
		}
		if h.note != "" {
			r[schemas.FieldNote] = h.note
		}
		out = append(out, r)
	}
	return out
}

func (cm *commune) m2Rows() []template.Row {
	var out []template.Row
	for _, g := range cm.regs {
		rep, head := g.rep.name, g.h.head.name
		if g.asciiNames {
			rep, head = stripDiacritics(rep), stripDiacritics(head)
		}
		r := template.Row{schemas.FieldRepName: rep, schemas.FieldBirthYear: g.rep.year, schemas.FieldGender: g.rep.gender, schemas.FieldRelation: g.relation,
			schemas.FieldHeadName: head, schemas.FieldHouseholdCode: g.h.code, schemas.FieldHamlet: g.hamlet, schemas.FieldHouseholdClass: g.h.class}
		if g.rep.id != "" {
			r[schemas.FieldCitizenID] = g.rep.id
		}
		if g.phone != "" {
			r[schemas.FieldPhone] = g.phone
		}
		if g.note != "" {
			r[schemas.FieldNote] = g.note
		}
		out = append(out, r)
	}
	return out
}

func (cm *commune) m3Rows() []template.Row {
	var out []template.Row
	for _, d := range cm.delegates {
		r := template.Row{schemas.FieldName: d.name, schemas.FieldPosition: d.position, schemas.FieldComponent: d.component, schemas.FieldPhone: d.phone}
		if d.hamlet != "" {
			r[schemas.FieldHamlet] = d.hamlet
		}
		out = append(out, r)
	}
	return out
}

func (cm *commune) m4Rows() []template.Row {
	var out []template.Row
	for _, o := range cm.opinions {
		r := template.Row{schemas.FieldHamlet: o.hamlet, schemas.FieldTopic: o.topic, schemas.FieldContent: o.content, schemas.FieldReceivedOn: o.on}
		if o.reporter != "" {
			r[schemas.FieldReporterName], r[schemas.FieldHouseholdCode] = o.reporter, o.code
		}
		out = append(out, r)
	}
	return out
}
