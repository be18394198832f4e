package template

import (
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// group is a parent heading over consecutive columns, as the official form
// prints it; children maps a field to the shorter text printed under the
// parent (the schema title otherwise). Every "parent child" text is one of
// the schema's header variants or ends in one, so the read stage maps it.
type group struct {
	parent   string
	fields   []string
	children map[string]string
}

// groups are the grouped headers of the official forms.
var groups = map[record.Form][]group{
	record.FormM1: {{
		parent:   "Thông tin chủ hộ",
		fields:   []string{schemas.FieldHeadName, schemas.FieldBirthYear, schemas.FieldGender, schemas.FieldCitizenID},
		children: map[string]string{schemas.FieldHeadName: "Họ và tên"},
	}},
	record.FormM2: {{
		parent:   "Người đại diện tham gia đối thoại",
		fields:   []string{schemas.FieldRepName, schemas.FieldBirthYear, schemas.FieldGender, schemas.FieldCitizenID, schemas.FieldRelation},
		children: map[string]string{schemas.FieldRepName: "Họ và tên"},
	}, {
		parent: "Thông tin hộ",
		fields: []string{schemas.FieldHeadName, schemas.FieldHouseholdCode, schemas.FieldHamlet, schemas.FieldHouseholdClass},
	}},
	record.FormM5: {{
		parent: "Số người tham dự",
		fields: []string{schemas.FieldDistrictTeam, schemas.FieldCommuneDelegates, schemas.FieldHamletHeads, schemas.FieldHouseholdReps},
	}, {
		parent:   "Ý kiến, kiến nghị",
		fields:   []string{schemas.FieldOpinions, schemas.FieldAnswered, schemas.FieldForwarded},
		children: map[string]string{schemas.FieldOpinions: "Tổng số", schemas.FieldAnswered: "Trả lời tại buổi", schemas.FieldForwarded: "Chuyển cơ quan giải quyết"},
	}},
}

// columns lays out the schema's fields, with their grouped headings unless
// flat is set.
func columns(sc *schemas.Schema, flat bool) []column {
	parent := map[string]string{}
	child := map[string]string{}
	if !flat {
		for _, g := range groups[record.Form(sc.Name)] {
			for _, f := range g.fields {
				parent[f] = g.parent
				if t, ok := g.children[f]; ok {
					child[f] = t
				}
			}
		}
	}
	out := make([]column, 0, len(sc.Fields))
	for i := range sc.Fields {
		f := &sc.Fields[i]
		c := column{field: f, title: f.Title, parent: parent[f.Name]}
		if t, ok := child[f.Name]; ok {
			c.title = t
		}
		out = append(out, c)
	}
	return out
}

// width is a column's width in characters, by what it holds.
func width(f *schemas.Field) float64 {
	switch f.Name {
	case schemas.FieldSTT:
		return 5
	case schemas.FieldContent:
		return 50
	case schemas.FieldPosition:
		return 30
	case schemas.FieldHeadName, schemas.FieldRepName, schemas.FieldName, schemas.FieldReporterName:
		return 24
	case schemas.FieldTopic:
		return 28
	case schemas.FieldNote:
		return 16
	}
	switch f.Type {
	case schemas.TypeCitizenID, schemas.TypePhone, schemas.TypeDate:
		return 14
	case schemas.TypeHamlet:
		return 16
	case schemas.TypeYear, schemas.TypeCluster:
		return 9
	case schemas.TypeInteger:
		return 10
	}
	return 13
}

// textField reports whether a field's cells are formatted as text (Excel
// then keeps the leading zeros a clerk types).
func textField(f *schemas.Field) bool {
	switch f.Type {
	case schemas.TypeCitizenID, schemas.TypePhone:
		return true
	}
	return f.Name == schemas.FieldHouseholdCode
}
