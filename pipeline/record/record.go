// Package record defines the values that flow between the pipeline's
// stages: submissions (files), the tables a reader found in them, the typed
// records a validator made of them, findings, household groups and figures.
// Stages import this package, never each other.
package record

import (
	"strconv"
	"strings"
	"time"

	"doithoai/schemas"
)

// Form identifies a submission form of SPEC §3.
type Form string

// The forms. FormKH is the commune's dialogue plan document (not parsed).
const (
	FormNone Form = ""
	FormM1   Form = "M1"
	FormM2   Form = "M2"
	FormM3   Form = "M3"
	FormM4   Form = "M4"
	FormM5   Form = "M5"
	FormKH   Form = "KH"
)

// Forms lists the forms in report order.
var Forms = []Form{FormKH, FormM1, FormM2, FormM3, FormM4, FormM5}

// Status of a submission (SPEC §8 submissions.status).
type Status string

// Submission statuses.
const (
	StatusAccepted  Status = "accepted"
	StatusRejected  Status = "rejected"
	StatusDuplicate Status = "duplicate" // the same bytes were already received under another path
)

// Stable rejection reasons (SPEC §8 submissions.reason).
const (
	ReasonCorrupt        = "corrupt"
	ReasonEncrypted      = "encrypted"
	ReasonTooLarge       = "too_large"
	ReasonTooSlow        = "too_slow" // reading the file took longer than its time budget
	ReasonUnsupported    = "unsupported_format"
	ReasonEmpty          = "empty"
	ReasonNotSpreadsheet = "not_spreadsheet"
	ReasonUnknownCommune = "unknown_commune"
	ReasonConflict       = "conflict"
	ReasonUnknownForm    = "unknown_form"
	ReasonNoData         = "no_data"
	// ReasonNotAForm: another office's document (a cadre list, a payroll,
	// ...): its title names another document, or its header lacks the
	// identifying columns of the form it looks closest to.
	ReasonNotAForm = "not_a_form"
)

// Match reasons of a household group or candidate pair (SPEC §8
// match_reason): the evidence that joined the records; the first two are
// the fields that matched.
const (
	MatchHouseholdCode = schemas.FieldHouseholdCode // the same Mã hộ in one commune
	MatchCitizenID     = schemas.FieldCitizenID     // the same citizen ID
	MatchName          = "name"                     // the same head's name, birth year and hamlet
	MatchNameFuzzy     = "name_fuzzy"               // the head's name up to spelling noise
	MatchSpouse        = "spouse"                   // husband, wife or kin registered for one household
	// Why a candidate pair was not merged.
	MatchConflict  = "conflict"  // the same Mã hộ or citizen ID with different heads
	MatchAmbiguous = "ambiguous" // the row matches two households about equally
)

// Severity of a finding.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Submission is one file seen in the inbox, identified by its content.
type Submission struct {
	ID          string    // sha256 of the bytes, hex
	Path        string    // relative to the inbox, '/'-separated
	Size        int64     // bytes
	ReceivedAt  time.Time // when the pipeline first saw it complete (the run's clock)
	ArchivePath string    // the read-only copy of the original bytes
	FolderHint  string    // the inbox sub-folder it came from ("" when dropped flat)
	DuplicateOf string    // path of the earlier file with the same bytes, if any
	Seq         int64     // receipt order (ledger sequence), ties broken by path
}

// Cell is one value of a source row, as read (cleaned text, raw type).
type Cell struct {
	Text     string          // cleaned Unicode NFC text, or the raw number text
	Num      float64         // numeric value when IsNum or IsDate
	IsNum    bool            // the file stored a number
	IsDate   bool            // the file stored a date (Num is a 1900-system serial)
	Field    schemas.FieldID // the schema field of the cell's column (in the bools' padding: no extra bytes)
	Col      int             // 1-based column
	Ref      string          // A1-style reference, e.g. "D14" (CSV: column letter and line)
	Encoding string          // "tcvn3" or "vni" when the text was converted from a legacy font
}

// Column maps one sheet column to a schema field.
type Column struct {
	Field  string // canonical field name of the schema (schemas.Field*)
	Col    int    // 1-based
	Letter string // "C"
	Header string // the header text as it appeared (joined parents: "Số CCCD/CMND")
}

// SourceRow is one data row of a table: its cells by field.
type SourceRow struct {
	Row    int   // 1-based sheet row (CSV: line)
	Cells  Cells // only fields present in the file
	Hidden bool  // the row was hidden in the sheet (kept, informative)
}

// Table is the data region of one sheet mapped to a form's schema.
type Table struct {
	Sheet      string   // sheet name ("" for CSV)
	HeaderRows []int    // the header row numbers
	NumberRow  int      // the "(1) (2) (3)" row, 0 if none
	FooterRow  int      // first footer row, 0 if none
	Columns    []Column // mapped columns
	Unknown    []string // header texts not mapped to any field
	Rows       []SourceRow
}

// Workbook is what the read stage made of one submission.
type Workbook struct {
	Submission  Submission
	Format      string // xlsx, xlsm, xls, ods, csv, docx, pdf, ...
	Form        Form
	CommuneCode string // plan code; "" when unknown
	HeaderName  string // the commune named in the header block, as written
	Title       string // the form title found, as written
	Status      Status
	Reason      string // rejection reason when Status is rejected
	Findings    []Finding
	Tables      []Table
}

// Finding is one problem found in a submission. File-level findings have
// Row 0 and an empty Column.
type Finding struct {
	SubmissionID string
	Path         string
	CommuneCode  string
	Sheet        string
	Row          int
	Column       string // canonical field name
	ColumnTitle  string // the column's Vietnamese title for people
	Ref          string // cell reference, e.g. "D14"
	Code         string // stable code (missing-label, type-error, ...)
	Severity     Severity
	Value        string
	Message      string // plain Vietnamese
}

// Source locates a record in its submission.
type Source struct {
	SubmissionID string
	Path         string
	Sheet        string
	SheetIndex   int // 0-based position of the sheet among the workbook's tables, in workbook order (CompareReceipt)
	Row          int
	CommuneCode  string
	ReceivedAt   time.Time
	Seq          int64 // receipt order of the submission
}

// State is what every record table carries besides its fields.
type State struct {
	Valid      bool
	Superseded bool
}

// Household is a valid-or-not M1 row with normalized fields.
type Household struct {
	Source
	State
	HouseholdCode  string
	HeadName       string
	BirthYear      int // 0 when missing or invalid
	Gender         string
	CitizenID      string // normalized digits (12 or 9), "" when absent
	Ethnicity      string
	Hamlet         string // plan name; "" when unknown
	Class          string // "Hộ nghèo" or "Hộ cận nghèo"
	Members        int
	Note           string
	HouseholdGroup string  // dedupe's Match (Result.OfHousehold)
	MatchReason    string  //
	MatchScore     float64 //
}

// Registration is an M2 row.
type Registration struct {
	Source
	State
	RepName        string
	BirthYear      int
	Gender         string
	CitizenID      string
	Relation       string // Chủ hộ, Vợ, Chồng, Con, Khác
	HeadName       string
	HouseholdCode  string
	Hamlet         string
	Class          string
	Phone          string // 0xxxxxxxxx
	Note           string
	Eligible       bool    // dedupe's Result.Eligible
	OverQuota      bool    // aggregate's Result.OverQuota
	HouseholdGroup string  // dedupe's Match (Result.OfRegistration)
	MatchReason    string  //
	MatchScore     float64 //
}

// HouseholdKey identifies the household a registration counts for: its
// household group when deduplication gave one, else the commune and Mã hộ,
// else the row itself (a household of its own).
func (r *Registration) HouseholdKey() string {
	if r.HouseholdGroup != "" {
		return "g:" + r.HouseholdGroup
	}
	if code := strings.ToUpper(strings.Join(strings.Fields(r.HouseholdCode), "")); code != "" {
		return "c:" + r.CommuneCode + "|" + code
	}
	return "r:" + r.Path + "|" + r.Sheet + "|" + strconv.Itoa(r.Row)
}

// Delegate is an M3 row.
type Delegate struct {
	Source
	State
	Name      string
	Position  string
	Component string // Ban giảm nghèo, Hội đoàn thể, Trưởng khóm/ấp
	Hamlet    string
	Phone     string
}

// Opinion is an M4 row.
type Opinion struct {
	Source
	State
	Hamlet        string
	Cluster       int
	ReporterName  string
	HouseholdCode string
	Topic         string // canonical topic of the plan
	Agency        string
	Content       string
	ReceivedOn    time.Time // zero when absent
	Late          bool
}

// Result is an M5 row.
type Result struct {
	Source
	State
	Cluster          int
	Date             time.Time
	DistrictTeam     int
	CommuneDelegates int
	HamletHeads      int
	HouseholdReps    int
	Opinions         int
	Answered         int
	Forwarded        int
}

// SubmissionOutcome is the verdict on one submission.
type SubmissionOutcome struct {
	Submission
	Format       string
	Form         Form
	CommuneCode  string
	Status       Status
	Reason       string
	SupersededBy string // submission ID of the newer file of the same commune and form
}

// HouseholdGroup is a set of M1/M2 records that refer to one household.
type HouseholdGroup struct {
	ID      string   // the household_group value
	Reasons []string // why: household_code, citizen_id, name, ...
	Score   float64  // weakest link's score (1 for exact keys)
	Members []Source
}

// CandidatePair is a borderline match left for a person to decide.
type CandidatePair struct {
	A, B   Source
	NameA  string
	NameB  string
	Score  float64
	Reason string
}

// Figure is one figure of the reports (SPEC §8 figures).
type Figure struct {
	Period      string // 2022Q2
	Cluster     int    // 0 when not applicable
	CommuneCode string
	Hamlet      string
	Topic       string
	Measure     string
	Value       float64
}

// Timeliness is the first accepted submission of a (commune, form).
type Timeliness struct {
	CommuneCode  string
	Form         Form
	ReceivedAt   time.Time // zero when missing
	Path         string
	Deadline     time.Time // zero when none applies
	OnTime       *bool     // nil when no deadline applies or missing
	SubmissionID string
}

// Checked is what validation makes of one submission alone, a pure
// function of its workbook and the plan: its typed records (valid or not;
// at most one kind is filled, the submission's form) and the findings of
// its rows and columns. What needs the other submissions or the time of
// receipt (supersession, lateness) is added when the dataset is assembled.
type Checked struct {
	Findings      []Finding
	Households    []Household
	Registrations []Registration
	Delegates     []Delegate
	Opinions      []Opinion
	Results       []Result
}

// Dataset is what the report stage reads: validation's records with what
// dedupe (groups, eligibility) and aggregate (quota, timeliness, figures)
// decided, applied by the chain in one place (pipeline/process/compose.go).
// The stages themselves never change it.
type Dataset struct {
	Submissions []SubmissionOutcome
	Sources     Sources // what the reader made of each submission, one at a time (source rows for feedback)
	Findings    []Finding
	// Households are the M1 roster rows when they are held in memory;
	// when Roster is set they are not (Households is nil) and Roster gives
	// them. Read them with EachHousehold and HouseholdCount.
	Households    []Household
	Roster        Roster
	Registrations []Registration
	Delegates     []Delegate
	Opinions      []Opinion
	Results       []Result
	Groups        []HouseholdGroup
	Borderline    []CandidatePair
	Timeliness    []Timeliness
	Figures       []Figure
}
