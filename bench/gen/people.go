package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/schemas/template"
)

// Name parts of the synthetic people.
var (
	families     = strings.Fields("Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Vũ Phan Trương Bùi Đặng Đỗ Ngô Hồ Dương Lý Đinh Lâm Châu")
	maleMiddle   = strings.Fields("Văn Minh Hữu Thanh Quốc Đức Công Ngọc")
	femaleMiddle = strings.Fields("Thị Ngọc Thanh Kim Mỹ Bích Thu Hồng")
	maleGiven    = strings.Fields("Hùng Dũng Tuấn Phúc Sơn Hải Long Nam Bình Tài Lộc Thành Trung Hiếu Nghĩa Tâm Khang Vinh Quang Phong Tùng Đạt Kiên Toàn Thắng Hòa Lợi Tín Nhân Hậu")
	femaleGiven  = strings.Fields("Lan Mai Hoa Hạnh Thảo Hương Trang Linh Nga Yến Tuyết Loan Nhung Hằng Thủy Phượng Diệu Hiền Xuân Cúc Đào Liên Ngân Vân Trinh Tâm Thơm Huệ Dung Oanh")
	mobile       = strings.Fields("090 091 093 094 096 097 098 032 033 034 035 036 037 038 039 070 076 077 078 079 081 083 084 085 086 088 089")
)

// personName draws a full name of a gender ("Nam" or "Nữ").
func personName(rng *rand.Rand, gender string) string {
	mid, given := maleMiddle, maleGiven
	if gender == "Nữ" {
		mid, given = femaleMiddle, femaleGiven
	}
	return families[rng.IntN(len(families))] + " " + mid[rng.IntN(len(mid))] + " " + given[rng.IntN(len(given))]
}

func phone(rng *rand.Rand) string {
	return fmt.Sprintf("%s%07d", mobile[rng.IntN(len(mobile))], rng.IntN(10_000_000))
}

// drawn are a commune's rows of each form.
type drawn struct {
	m1, m2, m3, m4 []template.Row
}

// draw makes a commune's households (M1), the quota of representatives of
// each hamlet (M2, the heads of households of the roster), its delegates
// and hamlet heads (M3) and one to three opinions per hamlet (M4).
//
// Citizen IDs are unique across the district: the six last digits are
// the household's district-wide index and the birth year's residue mod 3
// says which million it is in (unique up to 3,000,000 households).
func draw(rng *rand.Rand, c Commune, households int, q plan.Quotas) drawn {
	var d drawn
	byHamlet := make([][]template.Row, len(c.Hamlets))
	for k := 0; k < households; k++ {
		hamlet := k % len(c.Hamlets) // every hamlet has households
		if k >= len(c.Hamlets) {
			hamlet = rng.IntN(len(c.Hamlets))
		}
		gender := "Nam"
		if rng.Float64() < 0.4 {
			gender = "Nữ"
		}
		index := c.Index*households + k
		year := 1940 + 3*rng.IntN(20) + (index/1_000_000)%3
		g := 0
		if gender == "Nữ" {
			g = 1
		}
		class := "Hộ nghèo"
		if rng.IntN(3) > 0 {
			class = "Hộ cận nghèo"
		}
		r := template.Row{
			"household_code":  fmt.Sprintf("%s-%05d", c.Code, k+1),
			"head_name":       personName(rng, gender),
			"birth_year":      year,
			"gender":          gender,
			"citizen_id":      fmt.Sprintf("0%s%d%02d%06d", provinceCode, g, year%100, index%1_000_000),
			"ethnicity":       "Kinh",
			"hamlet":          c.Hamlets[hamlet],
			"household_class": class,
			"members":         1 + rng.IntN(7),
		}
		if rng.IntN(20) == 0 {
			r["note"] = "Hộ có người khuyết tật"
		}
		d.m1 = append(d.m1, r)
		byHamlet[hamlet] = append(byHamlet[hamlet], r)
	}
	for h, rows := range byHamlet {
		for _, i := range rng.Perm(len(rows))[:min(q.HouseholdReps, len(rows))] {
			hh := rows[i]
			d.m2 = append(d.m2, template.Row{
				"rep_name": hh["head_name"], "birth_year": hh["birth_year"], "gender": hh["gender"],
				"citizen_id": hh["citizen_id"], "relation": "Chủ hộ", "head_name": hh["head_name"],
				"household_code": hh["household_code"], "hamlet": c.Hamlets[h], "household_class": hh["household_class"],
				"phone": phone(rng),
			})
		}
		for k := 0; k < 1+rng.IntN(3); k++ {
			t := topics[rng.IntN(len(topics))]
			hh := rows[rng.IntN(len(rows))]
			d.m4 = append(d.m4, template.Row{
				"hamlet": c.Hamlets[h], "reporter_name": hh["head_name"], "household_code": hh["household_code"],
				"topic": t.name, "content": "Đề nghị các cơ quan hướng dẫn, hỗ trợ cụ thể về " + strings.ToLower(t.name) + " cho hộ nghèo, hộ cận nghèo.",
				"received_on": signed.AddDate(0, 0, -1-rng.IntN(10)),
			})
		}
	}
	positions := []struct{ position, component string }{
		{"Phó Chủ tịch UBND " + c.Kind + ", Trưởng Ban giảm nghèo", "Ban giảm nghèo"},
		{"Công chức Lao động - Thương binh và Xã hội", "Ban giảm nghèo"},
		{"Chủ tịch Ủy ban MTTQ Việt Nam " + c.Kind, "Hội đoàn thể"},
		{"Chủ tịch Hội Liên hiệp Phụ nữ " + c.Kind, "Hội đoàn thể"},
		{"Chủ tịch Hội Nông dân " + c.Kind, "Hội đoàn thể"},
		{"Bí thư Đoàn Thanh niên " + c.Kind, "Hội đoàn thể"},
		{"Chủ tịch Hội Cựu chiến binh " + c.Kind, "Hội đoàn thể"},
	}
	for k := 0; k < q.CommuneDelegates; k++ {
		p := positions[k%len(positions)]
		g := "Nam"
		if k == 3 {
			g = "Nữ"
		}
		d.m3 = append(d.m3, template.Row{"name": personName(rng, g), "position": p.position, "component": p.component, "phone": phone(rng)})
	}
	for _, h := range c.Hamlets {
		for k := 0; k < q.HamletHeads; k++ {
			d.m3 = append(d.m3, template.Row{"name": personName(rng, "Nam"), "position": "Trưởng " + strings.ToLower(h[:strings.IndexByte(h, ' ')]),
				"component": "Trưởng khóm/ấp", "hamlet": h, "phone": phone(rng)})
		}
	}
	return d
}
