package analytics

import (
	"time"

	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// Table names; each is written as <name>.parquet.
const (
	TableSubmissions   = "submissions"
	TableFindings      = "findings"
	TableHouseholds    = "households"
	TableRegistrations = "registrations"
	TableDelegates     = "delegates"
	TableOpinions      = "opinions"
	TableResults       = "results"
	TableFigures       = "figures"
)

// Tables lists the table names in the order they are written.
var Tables = []string{
	TableSubmissions, TableFindings, TableHouseholds, TableRegistrations,
	TableDelegates, TableOpinions, TableResults, TableFigures,
}

// sourceCols are the columns every record table starts with: where the row
// came from (SPEC §8).
func sourceCols[T any](src func(*T) *record.Source) []col[T] {
	return []col[T]{
		text("submission_id", func(r *T) string { return src(r).SubmissionID },
			doc{"SHA-256 of the submitted file (hex); joins submissions.submission_id", "Mã SHA-256 của tệp đã nộp; nối với submissions.submission_id"}),
		text("path", func(r *T) string { return src(r).Path },
			doc{"the file's path relative to the inbox, '/'-separated", "đường dẫn tệp trong thư mục nhận (inbox), phân cách bằng '/'"}),
		text("sheet", func(r *T) string { return src(r).Sheet },
			doc{"sheet name; empty string for CSV files", "tên sheet; chuỗi rỗng với tệp CSV"}),
		integer("row", func(r *T) int { return src(r).Row },
			doc{"1-based spreadsheet row (CSV: 1-based line)", "số dòng trong bảng tính, đếm từ 1 (CSV: số dòng)"}),
		optText("commune_code", func(r *T) string { return src(r).CommuneCode },
			doc{"commune code of the plan; null when unknown", "mã xã/thị trấn theo kế hoạch; rỗng (null) khi không xác định"}),
	}
}

// stateCols are the valid and superseded flags of a record table.
func stateCols[T any](st func(*T) *record.State) []col[T] {
	return []col[T]{
		flag("valid", func(r *T) bool { return st(r).Valid },
			doc{"the row passed validation (an invalid row counts for nothing)", "dòng hợp lệ (dòng không hợp lệ không được tính)"}),
		flag("superseded", func(r *T) bool { return st(r).Superseded },
			doc{"a newer file of the same commune and form replaced this row's file", "tệp của dòng này đã được thay bằng tệp mới hơn của cùng xã và biểu mẫu"}),
	}
}

// groupCols are household_group, match_reason and match_score.
func groupCols[T any](group, reason func(*T) string, score func(*T) float64) []col[T] {
	return []col[T]{
		unique(optText("household_group", group,
			doc{"the same value for every households/registrations row of one household; null for invalid or superseded rows", "giống nhau cho mọi dòng households/registrations của cùng một hộ; rỗng với dòng không hợp lệ hoặc đã bị thay thế"})),
		optText("match_reason", reason,
			doc{"why the rows were grouped (household_code, citizen_id, name, …, joined); null when the row matched no other", "lý do gộp (mã hộ, số CCCD, họ tên…); rỗng khi không trùng dòng nào"}),
		numberOr("match_score", func(r *T) (float64, bool) { return score(r), group(r) != "" },
			doc{"score (0..1) of the group's weakest link, 1 for exact keys, 0 for a group of one; null without a group", "điểm (0..1) của liên kết yếu nhất trong nhóm, 1 khi trùng khóa, 0 với nhóm một dòng; rỗng khi không có nhóm"}),
	}
}

func cat[T any](parts ...[]col[T]) []col[T] {
	var out []col[T]
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Shared column descriptions.
var (
	docHamlet    = doc{"hamlet (khóm/ấp) by its plan name; null when unknown", "khóm/ấp theo tên trong kế hoạch; rỗng khi không xác định"}
	docCode      = doc{"household code (Mã hộ) as written", "mã hộ như đã ghi"}
	docHeadName  = doc{"head of household's name (Unicode NFC)", "họ và tên chủ hộ (Unicode NFC)"}
	docBirthYear = doc{"birth year; null when missing or invalid", "năm sinh; rỗng khi thiếu hoặc sai"}
	docGender    = doc{"gender (Nam, Nữ); null when missing", "giới tính (Nam, Nữ); rỗng khi thiếu"}
	docCitizenID = doc{"citizen ID, normalized digits (12, or 9 for an old CMND), unmasked personal data", "số CCCD/CMND chuẩn hóa (12 hoặc 9 chữ số), không che — dữ liệu cá nhân"}
	docClass     = doc{"household class (Hộ nghèo, Hộ cận nghèo)", "phân loại hộ (Hộ nghèo, Hộ cận nghèo)"}
	docNote      = doc{"note (Ghi chú)", "ghi chú"}
	docPhone     = doc{"phone number 0xxxxxxxxx, unmasked personal data", "số điện thoại 0xxxxxxxxx, không che — dữ liệu cá nhân"}
	docCluster   = doc{"dialogue cluster number; null when unknown", "số cụm đối thoại; rỗng khi không xác định"}
)

// newTables builds the eight tables of ds. loc is the plan's zone, used
// for calendar dates.
func newTables(ds *record.Dataset, loc *time.Location) []writer {
	return []writer{
		submissionsTable(inMemory(ds.Submissions)),
		findingsTable(inMemory(ds.Findings)),
		// The roster may be too big to hold: its rows are read as it
		// gives them.
		householdsTable(rows[record.Household]{n: ds.HouseholdCount(), each: ds.EachHousehold}),
		registrationsTable(inMemory(ds.Registrations)),
		delegatesTable(inMemory(ds.Delegates)),
		opinionsTable(inMemory(ds.Opinions), loc),
		resultsTable(inMemory(ds.Results), loc),
		figuresTable(inMemory(ds.Figures)),
	}
}

func submissionsTable(src rows[record.SubmissionOutcome]) *table[record.SubmissionOutcome] {
	type S = record.SubmissionOutcome
	return &table[S]{
		tname: TableSubmissions,
		doc:   doc{"one row per file seen in the inbox (lock files excepted)", "mỗi tệp nhận được trong thư mục nhận là một dòng (trừ tệp khóa)"},
		src:   src,
		cols: []col[S]{
			text("submission_id", func(s *S) string { return s.ID },
				doc{"SHA-256 of the file's bytes (hex)", "mã SHA-256 của nội dung tệp"}),
			text("path", func(s *S) string { return s.Path },
				doc{"the file's path relative to the inbox, '/'-separated", "đường dẫn tệp trong thư mục nhận, phân cách bằng '/'"}),
			optText("commune_code", func(s *S) string { return s.CommuneCode },
				doc{"commune code of the plan; null when unknown", "mã xã/thị trấn; rỗng khi không xác định"}),
			instant("received_at", func(s *S) time.Time { return s.ReceivedAt },
				doc{"when the pipeline first saw the complete file (UTC)", "thời điểm hệ thống nhận đủ tệp lần đầu (giờ UTC)"}),
			optText("form", func(s *S) string { return string(s.Form) },
				doc{"form: M1..M5 or KH (commune plan); null when not recognised", "biểu mẫu: M1..M5 hoặc KH (kế hoạch của xã); rỗng khi không nhận ra"}),
			text("status", func(s *S) string { return string(s.Status) },
				doc{"accepted, rejected or duplicate", "accepted (nhận), rejected (trả lại) hoặc duplicate (trùng tệp đã nộp)"}),
			optText("reason", func(s *S) string { return s.Reason },
				doc{"stable rejection code (corrupt, encrypted, unknown_commune, …); null when accepted", "mã lý do trả lại (corrupt, encrypted, unknown_commune…); rỗng khi được nhận"}),
			optText("superseded_by", func(s *S) string { return s.SupersededBy },
				doc{"submission_id of the newer file of the same commune and form that replaced this one; null when current", "submission_id của tệp mới hơn (cùng xã, cùng biểu mẫu) đã thay tệp này; rỗng khi là tệp hiện hành"}),
			bigInteger("size", func(s *S) int64 { return s.Size },
				doc{"file size in bytes", "dung lượng tệp (byte)"}),
			optText("format", func(s *S) string { return s.Format },
				doc{"file format detected from the bytes (xlsx, xls, ods, csv, docx, pdf, …)", "định dạng tệp nhận ra từ nội dung (xlsx, xls, ods, csv, docx, pdf…)"}),
			optText("duplicate_of", func(s *S) string { return s.DuplicateOf },
				doc{"path of the earlier file with the same bytes; null otherwise", "đường dẫn tệp đã nộp trước có cùng nội dung; rỗng nếu không trùng"}),
			bigInteger("seq", func(s *S) int64 { return s.Seq },
				doc{"receipt order", "thứ tự nhận"}),
		},
	}
}

func findingsTable(src rows[record.Finding]) *table[record.Finding] {
	type F = record.Finding
	fileLevel := func(f *F) bool { return f.Row == 0 }
	return &table[F]{
		tname: TableFindings,
		doc:   doc{"one row per problem found in a submission", "mỗi lỗi/cảnh báo tìm thấy trong một tệp là một dòng"},
		src:   src,
		cols: []col[F]{
			text("submission_id", func(f *F) string { return f.SubmissionID },
				doc{"SHA-256 of the file; joins submissions.submission_id", "mã SHA-256 của tệp; nối với submissions.submission_id"}),
			text("path", func(f *F) string { return f.Path },
				doc{"the file's path relative to the inbox", "đường dẫn tệp trong thư mục nhận"}),
			textOr("sheet", func(f *F) (string, bool) { return f.Sheet, !fileLevel(f) || f.Sheet != "" },
				doc{"sheet name (empty string for CSV); null for a file-level problem", "tên sheet (chuỗi rỗng với CSV); rỗng (null) với lỗi của cả tệp"}),
			optInteger("row", func(f *F) int { return f.Row },
				doc{"1-based row (CSV: line); null for a file-level problem", "số dòng, đếm từ 1; rỗng với lỗi của cả tệp"}),
			optText("commune_code", func(f *F) string { return f.CommuneCode },
				doc{"commune code; null when unknown", "mã xã/thị trấn; rỗng khi không xác định"}),
			optText("column", func(f *F) string { return f.Column },
				doc{"canonical field name (e.g. citizen_id); null for a file- or row-level problem", "tên trường chuẩn (vd. citizen_id); rỗng với lỗi của cả tệp hoặc cả dòng"}),
			optText("column_title", func(f *F) string { return f.ColumnTitle },
				doc{"the column's Vietnamese title", "tên cột tiếng Việt"}),
			optText("ref", func(f *F) string { return f.Ref },
				doc{"cell reference, e.g. D14", "ô tham chiếu, vd. D14"}),
			text("code", func(f *F) string { return f.Code },
				doc{"stable problem code (missing-label, type-error, …)", "mã lỗi cố định (missing-label, type-error…)"}),
			text("severity", func(f *F) string { return string(f.Severity) },
				doc{"error or warning", "error (lỗi) hoặc warning (cảnh báo)"}),
			unique(optText("value", func(f *F) string { return f.Value },
				doc{"the value as written; null when empty", "giá trị như đã ghi; rỗng khi ô trống"})),
			unique(text("message", func(f *F) string { return f.Message },
				doc{"plain-Vietnamese explanation for the commune", "giải thích bằng tiếng Việt cho xã"})),
		},
	}
}

func householdsTable(src rows[record.Household]) *table[record.Household] {
	type H = record.Household
	return &table[H]{
		tname: TableHouseholds,
		doc:   doc{"one row per M1 roster row (households expected to leave poverty)", "mỗi dòng của biểu M1 (danh sách hộ dự kiến thoát nghèo) là một dòng"},
		src:   src,
		cols: cat(
			sourceCols(func(h *H) *record.Source { return &h.Source }),
			[]col[H]{
				unique(optText(schemas.FieldHouseholdCode, func(h *H) string { return h.HouseholdCode }, docCode)),
				unique(optText(schemas.FieldHeadName, func(h *H) string { return h.HeadName }, docHeadName)),
				optInteger(schemas.FieldBirthYear, func(h *H) int { return h.BirthYear }, docBirthYear),
				optText(schemas.FieldGender, func(h *H) string { return h.Gender }, docGender),
				unique(optText(schemas.FieldCitizenID, func(h *H) string { return h.CitizenID }, docCitizenID)),
				optText(schemas.FieldEthnicity, func(h *H) string { return h.Ethnicity },
					doc{"ethnicity (Dân tộc)", "dân tộc"}),
				optText(schemas.FieldHamlet, func(h *H) string { return h.Hamlet }, docHamlet),
				optText(schemas.FieldHouseholdClass, func(h *H) string { return h.Class }, docClass),
				optInteger(schemas.FieldMembers, func(h *H) int { return h.Members },
					doc{"number of household members; null when missing", "số nhân khẩu; rỗng khi thiếu"}),
				unique(optText(schemas.FieldNote, func(h *H) string { return h.Note }, docNote)),
			},
			stateCols(func(h *H) *record.State { return &h.State }),
			groupCols(func(h *H) string { return h.HouseholdGroup }, func(h *H) string { return h.MatchReason }, func(h *H) float64 { return h.MatchScore }),
		),
	}
}

func registrationsTable(src rows[record.Registration]) *table[record.Registration] {
	type R = record.Registration
	return &table[R]{
		tname: TableRegistrations,
		doc:   doc{"one row per M2 row (household representatives registered for the dialogue)", "mỗi dòng của biểu M2 (đại diện hộ đăng ký dự đối thoại) là một dòng"},
		src:   src,
		cols: cat(
			sourceCols(func(r *R) *record.Source { return &r.Source }),
			[]col[R]{
				unique(optText(schemas.FieldRepName, func(r *R) string { return r.RepName },
					doc{"representative's name", "họ và tên người đại diện"})),
				optInteger(schemas.FieldBirthYear, func(r *R) int { return r.BirthYear }, docBirthYear),
				optText(schemas.FieldGender, func(r *R) string { return r.Gender }, docGender),
				unique(optText(schemas.FieldCitizenID, func(r *R) string { return r.CitizenID }, docCitizenID)),
				optText(schemas.FieldRelation, func(r *R) string { return r.Relation },
					doc{"relation to the head (Chủ hộ, Vợ, Chồng, Con, Khác)", "quan hệ với chủ hộ (Chủ hộ, Vợ, Chồng, Con, Khác)"}),
				unique(optText(schemas.FieldHeadName, func(r *R) string { return r.HeadName }, docHeadName)),
				unique(optText(schemas.FieldHouseholdCode, func(r *R) string { return r.HouseholdCode }, docCode)),
				optText(schemas.FieldHamlet, func(r *R) string { return r.Hamlet }, docHamlet),
				optText(schemas.FieldHouseholdClass, func(r *R) string { return r.Class }, docClass),
				unique(optText(schemas.FieldPhone, func(r *R) string { return r.Phone }, docPhone)),
				unique(optText(schemas.FieldNote, func(r *R) string { return r.Note }, docNote)),
			},
			stateCols(func(r *R) *record.State { return &r.State }),
			[]col[R]{
				flag("eligible", func(r *R) bool { return r.Eligible },
					doc{"the household is on the current M1 roster of the registering commune", "hộ có trong danh sách M1 hiện hành của xã đăng ký"}),
				flag("over_quota", func(r *R) bool { return r.OverQuota },
					doc{"the 6th or later distinct eligible household of its hamlet, in order of receipt", "hộ đủ điều kiện thứ 6 trở đi của khóm/ấp, theo thứ tự nhận"}),
			},
			groupCols(func(r *R) string { return r.HouseholdGroup }, func(r *R) string { return r.MatchReason }, func(r *R) float64 { return r.MatchScore }),
		),
	}
}

func delegatesTable(src rows[record.Delegate]) *table[record.Delegate] {
	type D = record.Delegate
	return &table[D]{
		tname: TableDelegates,
		doc:   doc{"one row per M3 row (commune delegates and hamlet heads)", "mỗi dòng của biểu M3 (đại biểu xã và trưởng khóm/ấp) là một dòng"},
		src:   src,
		cols: cat(
			sourceCols(func(d *D) *record.Source { return &d.Source }),
			[]col[D]{
				unique(optText(schemas.FieldName, func(d *D) string { return d.Name },
					doc{"delegate's name", "họ và tên"})),
				optText(schemas.FieldPosition, func(d *D) string { return d.Position },
					doc{"position (Chức vụ)", "chức vụ"}),
				optText(schemas.FieldComponent, func(d *D) string { return d.Component },
					doc{"component: Ban giảm nghèo, Hội đoàn thể or Trưởng khóm/ấp", "thành phần: Ban giảm nghèo, Hội đoàn thể hoặc Trưởng khóm/ấp"}),
				optText(schemas.FieldHamlet, func(d *D) string { return d.Hamlet }, docHamlet),
				unique(optText(schemas.FieldPhone, func(d *D) string { return d.Phone }, docPhone)),
			},
			stateCols(func(d *D) *record.State { return &d.State }),
		),
	}
}

func opinionsTable(src rows[record.Opinion], loc *time.Location) *table[record.Opinion] {
	type O = record.Opinion
	return &table[O]{
		tname: TableOpinions,
		doc:   doc{"one row per M4 row (opinions and recommendations)", "mỗi dòng của biểu M4 (ý kiến, kiến nghị) là một dòng"},
		src:   src,
		cols: cat(
			sourceCols(func(o *O) *record.Source { return &o.Source }),
			[]col[O]{
				optText(schemas.FieldHamlet, func(o *O) string { return o.Hamlet }, docHamlet),
				optInteger(schemas.FieldCluster, func(o *O) int { return o.Cluster }, docCluster),
				unique(optText(schemas.FieldReporterName, func(o *O) string { return o.ReporterName },
					doc{"name of the person who raised the opinion", "họ và tên người kiến nghị"})),
				unique(optText(schemas.FieldHouseholdCode, func(o *O) string { return o.HouseholdCode }, docCode)),
				optText(schemas.FieldTopic, func(o *O) string { return o.Topic },
					doc{"canonical topic of the plan", "lĩnh vực theo kế hoạch"}),
				optText("agency", func(o *O) string { return o.Agency },
					doc{"agency that answers the topic", "cơ quan trả lời lĩnh vực này"}),
				unique(optText(schemas.FieldContent, func(o *O) string { return o.Content },
					doc{"the opinion's text", "nội dung ý kiến, kiến nghị"})),
				day(schemas.FieldReceivedOn, loc, func(o *O) time.Time { return o.ReceivedOn },
					doc{"date received (Ngày tiếp nhận); null when absent", "ngày tiếp nhận; rỗng khi thiếu"}),
				flag("late", func(o *O) bool { return o.Late },
					doc{"received after the cluster's opinion deadline", "nhận sau hạn gửi ý kiến của cụm"}),
			},
			stateCols(func(o *O) *record.State { return &o.State }),
		),
	}
}

func resultsTable(src rows[record.Result], loc *time.Location) *table[record.Result] {
	type R = record.Result
	count := func(name string, get func(*R) int, en, vi string) col[R] {
		return integer(name, get, doc{en, vi})
	}
	return &table[R]{
		tname: TableResults,
		doc:   doc{"one row per M5 row (cluster dialogue results)", "mỗi dòng của biểu M5 (kết quả đối thoại cụm) là một dòng"},
		src:   src,
		cols: cat(
			sourceCols(func(r *R) *record.Source { return &r.Source }),
			[]col[R]{
				optInteger(schemas.FieldCluster, func(r *R) int { return r.Cluster }, docCluster),
				day(schemas.FieldDate, loc, func(r *R) time.Time { return r.Date },
					doc{"date of the dialogue; null when absent", "ngày tổ chức; rỗng khi thiếu"}),
				count(schemas.FieldDistrictTeam, func(r *R) int { return r.DistrictTeam }, "district team present", "tổ công tác huyện tham dự"),
				count(schemas.FieldCommuneDelegates, func(r *R) int { return r.CommuneDelegates }, "commune delegates present", "đại biểu cấp xã tham dự"),
				count(schemas.FieldHamletHeads, func(r *R) int { return r.HamletHeads }, "hamlet heads present", "trưởng khóm/ấp tham dự"),
				count(schemas.FieldHouseholdReps, func(r *R) int { return r.HouseholdReps }, "household representatives present", "đại diện hộ tham dự"),
				count(schemas.FieldOpinions, func(r *R) int { return r.Opinions }, "opinions raised", "số ý kiến"),
				count(schemas.FieldAnswered, func(r *R) int { return r.Answered }, "opinions answered at the dialogue", "số ý kiến trả lời tại buổi"),
				count(schemas.FieldForwarded, func(r *R) int { return r.Forwarded }, "opinions forwarded to an agency", "số ý kiến chuyển cơ quan giải quyết"),
			},
			stateCols(func(r *R) *record.State { return &r.State }),
		),
	}
}

func figuresTable(src rows[record.Figure]) *table[record.Figure] {
	type G = record.Figure
	return &table[G]{
		tname: TableFigures,
		doc:   doc{"one row per figure of the reports", "mỗi số liệu của báo cáo là một dòng"},
		src:   src,
		cols: []col[G]{
			text("period", func(g *G) string { return g.Period },
				doc{"quarter, e.g. 2022Q2", "quý, vd. 2022Q2"}),
			optInteger(schemas.FieldCluster, func(g *G) int { return g.Cluster },
				doc{"cluster number; null where not applicable", "số cụm; rỗng khi không áp dụng"}),
			optText("commune_code", func(g *G) string { return g.CommuneCode },
				doc{"commune code; null where not applicable", "mã xã/thị trấn; rỗng khi không áp dụng"}),
			optText(schemas.FieldHamlet, func(g *G) string { return g.Hamlet },
				doc{"hamlet (plan name); null where not applicable", "khóm/ấp; rỗng khi không áp dụng"}),
			optText(schemas.FieldTopic, func(g *G) string { return g.Topic },
				doc{"opinion topic; null where not applicable", "lĩnh vực; rỗng khi không áp dụng"}),
			text("measure", func(g *G) string { return g.Measure },
				doc{"measure (reps_planned, reps_registered, reps_eligible, reps_counted, heads_present, delegates_planned, delegates_present, district_team, attendance_planned, attendance_expected, opinions, opinions_late, …)", "chỉ tiêu (reps_planned, reps_registered, reps_eligible, reps_counted, heads_present, delegates_planned, delegates_present, district_team, attendance_planned, attendance_expected, opinions, opinions_late…)"}),
			number("value", func(g *G) float64 { return g.Value },
				doc{"the figure", "giá trị"}),
		},
	}
}
