package schemas

import (
	"strings"

	"doithoai/pipeline/vntext"
)

// Values of the enumerated fields that code decides on, as the schema
// files spell them (the "enum" of m2.json and m3.json); values_test.go
// checks that the two agree. Validation normalizes every variant to one of
// these, so code compares with them, never with a literal.
const (
	// Thành phần (M3 component).
	ComponentPovertyBoard = "Ban giảm nghèo"
	ComponentUnions       = "Hội đoàn thể"
	ComponentHamletHead   = "Trưởng khóm/ấp"

	// Quan hệ với chủ hộ (M2 relation).
	RelationHead    = "Chủ hộ"
	RelationWife    = "Vợ"
	RelationHusband = "Chồng"
	RelationChild   = "Con"
	RelationOther   = "Khác"
)

// Relation is how an M2 representative is related to the head of the
// household, as ParseRelation reads it.
type Relation uint8

// The relations.
const (
	RelUnknown Relation = iota // no value
	RelHead                    // the head himself (Chủ hộ)
	RelSpouse                  // Vợ, Chồng
	RelChild                   // Con
	RelOther                   // anyone else (Khác, …)
)

// ParseRelation is the one reading of a Quan hệ với chủ hộ value, for
// validated values (the schema's) and raw ones alike: case, diacritics and
// spacing aside, "Chủ hộ", "ch", "bản thân" (and any text starting with
// "chủ hộ") are the head; "Vợ", "Chồng" the spouse; "Con", "con trai",
// "con gái", "con dâu", "con rể" a child; an empty value unknown; anything
// else another relation.
func ParseRelation(s string) Relation {
	switch f := vntext.Fold(s); f {
	case "":
		return RelUnknown
	case "chu ho", "chuho", "ch", "ban than", "chu":
		return RelHead
	case "vo", "chong", "vo chong":
		return RelSpouse
	case "con", "con trai", "con gai", "con de", "con dau", "con re":
		return RelChild
	default:
		if strings.HasPrefix(f, "chu ho") {
			return RelHead
		}
		return RelOther
	}
}

// IsHead reports whether a Quan hệ với chủ hộ value says the
// representative is the head of the household (ParseRelation).
func IsHead(relation string) bool { return ParseRelation(relation) == RelHead }
