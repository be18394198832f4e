package schemas

import (
	"slices"
	"testing"
)

// TestValuesAreTheEnumerations: the values code decides on are exactly the
// enumerations of the schema files, which validation normalizes to; a value
// renamed in one place and not the other would silently count nobody.
func TestValuesAreTheEnumerations(t *testing.T) {
	tests := []struct {
		form, field string
		values      []string
	}{
		{"M3", FieldComponent, []string{ComponentPovertyBoard, ComponentUnions, ComponentHamletHead}},
		{"M2", FieldRelation, []string{RelationHead, RelationWife, RelationHusband, RelationChild, RelationOther}},
	}
	for _, tt := range tests {
		f := Get(tt.form).Field(tt.field)
		if f == nil {
			t.Fatalf("%s has no field %s", tt.form, tt.field)
		}
		got, want := slices.Sorted(slices.Values(tt.values)), slices.Sorted(slices.Values(f.Constraints.Enum))
		if !slices.Equal(got, want) {
			t.Errorf("%s %s: constants %q, the schema's enumeration %q", tt.form, tt.field, got, want)
		}
	}
}

// TestParseRelation: the one reading of Quan hệ với chủ hộ, for the
// schema's values and raw text alike.
func TestParseRelation(t *testing.T) {
	tests := []struct {
		in   string
		want Relation
	}{
		{RelationHead, RelHead},
		{RelationWife, RelSpouse},
		{RelationHusband, RelSpouse},
		{RelationChild, RelChild},
		{RelationOther, RelOther},
		{"", RelUnknown},
		{"  ", RelUnknown},
		{"CHỦ HỘ", RelHead},
		{"chu ho", RelHead},
		{"Chủ hộ (đi thay)", RelHead},
		{"bản thân", RelHead},
		{"ch", RelHead},
		{"chồng", RelSpouse},
		{"con gái", RelChild},
		{"con rể", RelChild},
		{"cháu", RelOther},
		{"Hàng xóm", RelOther},
	}
	for _, tt := range tests {
		if got := ParseRelation(tt.in); got != tt.want {
			t.Errorf("ParseRelation(%q) = %d, want %d", tt.in, got, tt.want)
		}
		if got, want := IsHead(tt.in), tt.want == RelHead; got != want {
			t.Errorf("IsHead(%q) = %v, want %v", tt.in, got, want)
		}
	}
}
