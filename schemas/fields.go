package schemas

import "strconv"

// Canonical field names of the forms, as the schema files name them
// ("name" of a field in m1.json..m5.json). Code refers to a field only
// through these; fields_test.go checks that the two lists agree.
const (
	FieldSTT              = "stt"               // STT, every form (ignored)
	FieldHouseholdCode    = "household_code"    // Mã hộ (M1, M2, M4)
	FieldHeadName         = "head_name"         // Họ và tên chủ hộ (M1, M2)
	FieldBirthYear        = "birth_year"        // Năm sinh (M1, M2)
	FieldGender           = "gender"            // Giới tính (M1, M2)
	FieldCitizenID        = "citizen_id"        // Số CCCD/CMND (M1, M2)
	FieldEthnicity        = "ethnicity"         // Dân tộc (M1)
	FieldHamlet           = "hamlet"            // Khóm/Ấp (M1..M4)
	FieldHouseholdClass   = "household_class"   // Phân loại hộ (M1, M2)
	FieldMembers          = "members"           // Số nhân khẩu (M1)
	FieldNote             = "note"              // Ghi chú (M1, M2)
	FieldRepName          = "rep_name"          // Họ và tên người đại diện (M2)
	FieldRelation         = "relation"          // Quan hệ với chủ hộ (M2)
	FieldPhone            = "phone"             // Số điện thoại (M2, M3)
	FieldName             = "name"              // Họ và tên (M3)
	FieldPosition         = "position"          // Chức vụ (M3)
	FieldComponent        = "component"         // Thành phần (M3)
	FieldReporterName     = "reporter_name"     // Họ và tên người kiến nghị (M4)
	FieldTopic            = "topic"             // Lĩnh vực (M4)
	FieldContent          = "content"           // Nội dung ý kiến, kiến nghị (M4)
	FieldReceivedOn       = "received_on"       // Ngày tiếp nhận (M4)
	FieldCluster          = "cluster"           // Cụm (M5)
	FieldDate             = "date"              // Ngày tổ chức (M5)
	FieldDistrictTeam     = "district_team"     // Tổ công tác huyện (M5)
	FieldCommuneDelegates = "commune_delegates" // Cấp xã (M5)
	FieldHamletHeads      = "hamlet_heads"      // Trưởng khóm/ấp (M5)
	FieldHouseholdReps    = "household_reps"    // Đại diện hộ (M5)
	FieldOpinions         = "opinions"          // Số ý kiến (M5)
	FieldAnswered         = "answered"          // Số ý kiến trả lời tại buổi (M5)
	FieldForwarded        = "forwarded"         // Số ý kiến chuyển cơ quan giải quyết (M5)
)

// FieldID is the compact identity of a canonical field: one byte, so a
// record.Cell carries its field for free and a row's cells are a small
// slice sorted by it rather than a map keyed by name. String gives the
// canonical name (the Field* constant), which is what files, findings and
// extracts store; the zero value NoField is no field.
type FieldID uint8

// One FieldID per Field* constant, in the same order. NoField (zero) is
// not a field.
const (
	NoField FieldID = iota
	IDSTT
	IDHouseholdCode
	IDHeadName
	IDBirthYear
	IDGender
	IDCitizenID
	IDEthnicity
	IDHamlet
	IDHouseholdClass
	IDMembers
	IDNote
	IDRepName
	IDRelation
	IDPhone
	IDName
	IDPosition
	IDComponent
	IDReporterName
	IDTopic
	IDContent
	IDReceivedOn
	IDCluster
	IDDate
	IDDistrictTeam
	IDCommuneDelegates
	IDHamletHeads
	IDHouseholdReps
	IDOpinions
	IDAnswered
	IDForwarded
	numFields // one past the last field
)

// NumFields is one past the largest FieldID: arrays indexed by FieldID
// have this length.
const NumFields = int(numFields)

// fieldNames are the canonical names by FieldID.
var fieldNames = [numFields]string{
	IDSTT:              FieldSTT,
	IDHouseholdCode:    FieldHouseholdCode,
	IDHeadName:         FieldHeadName,
	IDBirthYear:        FieldBirthYear,
	IDGender:           FieldGender,
	IDCitizenID:        FieldCitizenID,
	IDEthnicity:        FieldEthnicity,
	IDHamlet:           FieldHamlet,
	IDHouseholdClass:   FieldHouseholdClass,
	IDMembers:          FieldMembers,
	IDNote:             FieldNote,
	IDRepName:          FieldRepName,
	IDRelation:         FieldRelation,
	IDPhone:            FieldPhone,
	IDName:             FieldName,
	IDPosition:         FieldPosition,
	IDComponent:        FieldComponent,
	IDReporterName:     FieldReporterName,
	IDTopic:            FieldTopic,
	IDContent:          FieldContent,
	IDReceivedOn:       FieldReceivedOn,
	IDCluster:          FieldCluster,
	IDDate:             FieldDate,
	IDDistrictTeam:     FieldDistrictTeam,
	IDCommuneDelegates: FieldCommuneDelegates,
	IDHamletHeads:      FieldHamletHeads,
	IDHouseholdReps:    FieldHouseholdReps,
	IDOpinions:         FieldOpinions,
	IDAnswered:         FieldAnswered,
	IDForwarded:        FieldForwarded,
}

// FieldNames lists every canonical field name, in the order of the
// constants above (FieldNames[i] is FieldID(i+1).String()).
var FieldNames = fieldNames[1:]

// fieldIDs is the reverse of fieldNames.
var fieldIDs = func() map[string]FieldID {
	m := make(map[string]FieldID, len(fieldNames))
	for id, name := range fieldNames {
		if id > 0 {
			m[name] = FieldID(id)
		}
	}
	return m
}()

// String is the field's canonical name ("household_code"); "" for
// NoField, and "field(N)" for a value that names no field.
func (f FieldID) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// Valid reports whether f names a field.
func (f FieldID) Valid() bool { return f > NoField && f < numFields }

// FieldIDOf returns the FieldID of a canonical field name, and whether
// there is one.
func FieldIDOf(name string) (FieldID, bool) {
	id, ok := fieldIDs[name]
	return id, ok
}

// Value types of a field ("type" in the schema files).
const (
	TypeInteger   = "integer"    // a whole number
	TypeString    = "string"     // a short text
	TypeText      = "text"       // a long text
	TypeYear      = "year"       // a year, or a date whose year is taken
	TypeDate      = "date"       // a calendar day
	TypeCitizenID = "citizen_id" // a CCCD (12 digits) or CMND (9 digits)
	TypePhone     = "phone"      // a Vietnamese phone number
	TypeHamlet    = "hamlet"     // a hamlet of the commune in the plan
	TypeTopic     = "topic"      // an opinion topic of the plan
	TypeCluster   = "cluster"    // a cluster of the plan
)

// TypeNames lists every field type.
var TypeNames = []string{
	TypeInteger, TypeString, TypeText, TypeYear, TypeDate,
	TypeCitizenID, TypePhone, TypeHamlet, TypeTopic, TypeCluster,
}

// Title is the Vietnamese title of a form's field ("Mã hộ"), or "" when
// the form has no such field.
func Title(form, field string) string {
	if s := Get(form); s != nil {
		if f := s.Field(field); f != nil {
			return f.Title
		}
	}
	return ""
}
