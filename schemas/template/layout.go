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
		fields:   []string{"head_name", "birth_year", "gender", "citizen_id"},
		children: map[string]string{"head_name": "Họ và tên"},
	}},
	record.FormM2: {{
		parent:   "Người đại diện tham gia đối thoại",
		fields:   []string{"rep_name", "birth_year", "gender", "citizen_id", "relation"},
		children: map[string]string{"rep_name": "Họ và tên"},
	}, {
		parent: "Thông tin hộ",
		fields: []string{"head_name", "household_code", "hamlet", "household_class"},
	}},
	record.FormM5: {{
		parent: "Số người tham dự",
		fields: []string{"district_team", "commune_delegates", "hamlet_heads", "household_reps"},
	}, {
		parent:   "Ý kiến, kiến nghị",
		fields:   []string{"opinions", "answered", "forwarded"},
		children: map[string]string{"opinions": "Tổng số", "answered": "Trả lời tại buổi", "forwarded": "Chuyển cơ quan giải quyết"},
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
	case "stt":
		return 5
	case "content":
		return 50
	case "position":
		return 30
	case "head_name", "rep_name", "name", "reporter_name":
		return 24
	case "topic":
		return 28
	case "note":
		return 16
	}
	switch f.Type {
	case "citizen_id", "phone", "date":
		return 14
	case "hamlet":
		return 16
	case "year", "cluster":
		return 9
	case "integer":
		return 10
	}
	return 13
}

// textField reports whether a field's cells are formatted as text (Excel
// then keeps the leading zeros a clerk types).
func textField(f *schemas.Field) bool {
	switch f.Type {
	case "citizen_id", "phone":
		return true
	}
	return f.Name == "household_code"
}
