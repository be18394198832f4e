package schemas

import (
	"slices"
	"testing"
)

// TestFieldConstants: every named field constant is a field of some
// embedded schema, and every schema field has a constant; the same for
// the types.
func TestFieldConstants(t *testing.T) {
	inSchemas := map[string][]string{}
	typesUsed := map[string]bool{}
	for _, s := range All() {
		for _, f := range s.Fields {
			inSchemas[f.Name] = append(inSchemas[f.Name], s.Name)
			typesUsed[f.Type] = true
		}
	}
	seen := map[string]bool{}
	for _, name := range FieldNames {
		if seen[name] {
			t.Errorf("constant %q listed twice in FieldNames", name)
		}
		seen[name] = true
		if len(inSchemas[name]) == 0 {
			t.Errorf("constant %q is not a field of any schema", name)
		}
	}
	for name, forms := range inSchemas {
		if !seen[name] {
			t.Errorf("field %q of %v has no constant in fields.go", name, forms)
		}
	}
	for typ := range typesUsed {
		if !slices.Contains(TypeNames, typ) {
			t.Errorf("type %q of a schema has no constant in fields.go", typ)
		}
	}
	for _, typ := range TypeNames {
		if !typesUsed[typ] {
			t.Errorf("type constant %q is used by no schema", typ)
		}
	}
}

// TestIdentifyAndRulesUseFields: the identifying columns and row rules of
// the schemas name fields that have constants.
func TestIdentifyAndRulesUseFields(t *testing.T) {
	for _, s := range All() {
		for _, g := range s.Identify {
			for _, name := range g {
				if !slices.Contains(FieldNames, name) {
					t.Errorf("%s: x-identify names %q, which has no constant", s.Name, name)
				}
			}
		}
		for _, r := range s.Rules {
			for _, name := range append(append([]string(nil), r.Sum...), r.Max) {
				if s.Field(name) == nil {
					t.Errorf("%s: rule %s names %q, which is not a field of the form", s.Name, r.Code, name)
				}
			}
		}
	}
}

func TestTitle(t *testing.T) {
	for _, tt := range []struct{ form, field, want string }{
		{"M1", FieldHouseholdCode, "Mã hộ"},
		{"M2", FieldHamlet, "Khóm/Ấp"},
		{"M2", FieldHouseholdCode, "Mã hộ"},
		{"M3", FieldHouseholdCode, ""},
		{"M9", FieldHamlet, ""},
	} {
		if got := Title(tt.form, tt.field); got != tt.want {
			t.Errorf("Title(%s, %s) = %q, want %q", tt.form, tt.field, got, tt.want)
		}
	}
}
