package feedback

import (
	"path"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
)

// UnknownFolder holds the feedback of submissions whose commune is not
// known (neither the record nor the inbox folder names a commune of the plan).
const UnknownFolder = "khong-xac-dinh"

// Suffix ends every feedback file name, before its extension.
const Suffix = " - phan-hoi"

// maxBaseRunes bounds the part of a feedback file name taken from the
// original file's name (Windows paths stay well under 260 characters).
const maxBaseRunes = 60

// RelPath is where the feedback workbook of a submission lives, relative
// to the feedback folder, '/'-separated: "<commune folder>/<original
// name> (<first 8 characters of the submission ID>) - phan-hoi.xlsx"; a
// duplicate (same bytes as an earlier file, hence the same ID) gets
// "(<id>-trung)". For many submissions use a Folders made once.
func RelPath(p *plan.Plan, o record.SubmissionOutcome) string { return NewFolders(p).RelPath(o) }

// TextRelPath is where the plain-text form of a submission's feedback
// lives, relative to the feedback folder, '/'-separated (RelPath with .txt).
func TextRelPath(p *plan.Plan, o record.SubmissionOutcome) string {
	return NewFolders(p).TextRelPath(o)
}

// CommuneFolder is the readable ASCII folder name of a commune:
// "xa-thuong-phuoc-1", "thi-tran-thuong-thoi-tien"; UnknownFolder for nil.
// When two communes of the plan would share a folder, the code is added.
func CommuneFolder(p *plan.Plan, c *plan.Commune) string { return NewFolders(p).Folder(c) }

// Folders names feedback files and folders for one plan, with the plan's
// communes and their folder names looked up once (RelPath and
// CommuneFolder would go through every commune for each submission).
type Folders struct {
	p       *plan.Plan
	commune map[string]*plan.Commune // by code, the first as plan.Commune finds it
	codes   map[string][]string      // folder slug -> distinct codes of the communes that have it
}

// NewFolders indexes the communes of p (nil: no plan, every file is in
// UnknownFolder unless its folder hint names a commune).
func NewFolders(p *plan.Plan) *Folders {
	f := &Folders{p: p, commune: map[string]*plan.Commune{}, codes: map[string][]string{}}
	if p == nil {
		return f
	}
	for _, c := range p.Communes() {
		if _, ok := f.commune[c.Code]; !ok {
			f.commune[c.Code] = c
		}
		s := slug(c.FullName())
		if !slices.Contains(f.codes[s], c.Code) {
			f.codes[s] = append(f.codes[s], c.Code)
		}
	}
	return f
}

// RelPath is the package's RelPath for f's plan.
func (f *Folders) RelPath(o record.SubmissionOutcome) string { return f.relBase(o) + ".xlsx" }

// TextRelPath is the package's TextRelPath for f's plan.
func (f *Folders) TextRelPath(o record.SubmissionOutcome) string { return f.relBase(o) + ".txt" }

// relBase is RelPath without the extension.
func (f *Folders) relBase(o record.SubmissionOutcome) string {
	return f.Folder(f.communeOf(o)) + "/" + fileBase(o)
}

// communeOf is the commune whose clerk reads a submission's feedback: the
// commune of the verdict, else the commune of the inbox folder the file was
// dropped in (a file rejected for naming two communes is answered in the
// folder it came from), else nil.
func (f *Folders) communeOf(o record.SubmissionOutcome) *plan.Commune {
	if f.p == nil {
		return nil
	}
	if o.CommuneCode != "" {
		if c := f.commune[o.CommuneCode]; c != nil {
			return c
		}
	}
	if strings.TrimSpace(o.FolderHint) != "" {
		return f.p.Matcher().Commune(o.FolderHint)
	}
	return nil
}

// Folder is the package's CommuneFolder for f's plan.
func (f *Folders) Folder(c *plan.Commune) string {
	if c == nil {
		return UnknownFolder
	}
	s := slug(c.FullName())
	if s == "" {
		return "xa-" + slug(c.Code)
	}
	for _, code := range f.codes[s] {
		if code != c.Code {
			return s + "-" + slug(c.Code)
		}
	}
	return s
}

// slug folds a name to lower-case ASCII words joined by '-'.
func slug(s string) string {
	f := vntext.Fold(s)
	var b strings.Builder
	dash := false
	for _, r := range f {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// fileBase is the feedback file name without its extension: the original
// name (ASCII, safe on Windows) and the submission's short ID.
func fileBase(o record.SubmissionOutcome) string {
	name := path.Base(strings.ReplaceAll(o.Path, `\`, "/"))
	if ext := path.Ext(name); ext != "" && ext != name {
		name = strings.TrimSuffix(name, ext)
	}
	name = safeName(name)
	if name == "" {
		name = "tep"
	}
	id := shortID(o.ID)
	if o.DuplicateOf != "" || o.Status == record.StatusDuplicate {
		// A duplicate has the ID of the file it repeats.
		id += "-trung"
	}
	return name + " (" + id + ")" + Suffix
}

// shortID is the first 8 characters of a submission ID, safe in a name.
func shortID(id string) string {
	s := safeName(id)
	s = strings.ReplaceAll(s, " ", "")
	if len(s) > 8 {
		s = s[:8]
	}
	if s == "" {
		s = "00000000"
	}
	return strings.ToLower(s)
}

// safeName makes a file name part that every Windows and Unix file system
// and zip tool accepts: Vietnamese letters without diacritics (đ -> d),
// other non-ASCII letters and characters Windows forbids (< > : " / \ | ?
// *) replaced, spaces collapsed, no leading or trailing dots or spaces,
// at most maxBaseRunes characters.
func safeName(s string) string {
	s = norm.NFD.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		switch {
		case r == ' ' || r == '\t' || r == '\u00a0':
			space = true
			continue
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"/\|?*`, r):
			r = '-'
		case r > 0x7e:
			r = '-'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) > maxBaseRunes {
		out = out[:maxBaseRunes]
	}
	return strings.Trim(out, " .")
}
