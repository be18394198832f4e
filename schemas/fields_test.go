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

// TestFieldIDs: every FieldID names its constant and back, NoField and
// out-of-range values name none, and every schema field carries the ID of
// its name.
func TestFieldIDs(t *testing.T) {
	if len(FieldNames) != NumFields-1 {
		t.Fatalf("%d names for %d field IDs", len(FieldNames), NumFields-1)
	}
	for i, name := range FieldNames {
		id := FieldID(i + 1)
		if !id.Valid() || id.String() != name {
			t.Errorf("FieldID(%d) = %q (valid %v), want %q", id, id.String(), id.Valid(), name)
		}
		if got, ok := FieldIDOf(name); !ok || got != id {
			t.Errorf("FieldIDOf(%q) = %d, %v; want %d", name, got, ok, id)
		}
	}
	for _, tt := range []struct {
		id   FieldID
		want string
	}{{IDHouseholdCode, FieldHouseholdCode}, {IDForwarded, FieldForwarded}, {IDSTT, FieldSTT}, {NoField, ""}, {FieldID(NumFields), "field(31)"}} {
		if got := tt.id.String(); got != tt.want {
			t.Errorf("FieldID(%d).String() = %q, want %q", tt.id, got, tt.want)
		}
	}
	if NoField.Valid() || FieldID(NumFields).Valid() {
		t.Error("NoField or one past the last field is valid")
	}
	if _, ok := FieldIDOf("no_such_field"); ok {
		t.Error("FieldIDOf found an unknown name")
	}
	for _, s := range All() {
		for _, f := range s.Fields {
			if want, _ := FieldIDOf(f.Name); f.ID != want || !f.ID.Valid() {
				t.Errorf("%s: field %q has ID %d, want %d", s.Name, f.Name, f.ID, want)
			}
			if s.FieldByID(f.ID).Name != f.Name {
				t.Errorf("%s: FieldByID(%d) is not %q", s.Name, f.ID, f.Name)
			}
		}
		if s.FieldByID(NoField) != nil {
			t.Errorf("%s: FieldByID(NoField) is a field", s.Name)
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
