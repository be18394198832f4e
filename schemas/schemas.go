// Package schemas holds one Table Schema per submission form (M1..M5), in
// the spirit of Frictionless: fields with a canonical name, the Vietnamese
// title of SPEC §3, a type, constraints, and the header and value variants
// that communes actually write. The JSON files are embedded in the binary.
package schemas

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed *.json
var files embed.FS

// Schema describes one form.
type Schema struct {
	Name   string   `json:"name"`  // M1..M5
	Title  string   `json:"title"` // the form's Vietnamese title
	Titles []string `json:"x-titles"`
	Mau    string   `json:"x-mau"` // "Mẫu M1"
	// Identify lists the form's identifying columns: groups of field
	// names, each group satisfied by any one of its fields. A sheet is
	// read as the form only when its header has a field of every group
	// (one group may be missing when the title or "Mẫu" line names the
	// form); a cadre list with "Họ và tên", "Ngày sinh", "Giới tính" is
	// not a roster.
	Identify [][]string `json:"x-identify"`
	Fields   []Field    `json:"fields"`
	Rules    []Rule     `json:"x-rules"`
}

// Field is one column of a form.
type Field struct {
	Name         string              `json:"name"`  // canonical field name, e.g. household_code
	ID           FieldID             `json:"-"`     // the FieldID of Name, set when the schema is loaded
	Title        string              `json:"title"` // canonical Vietnamese title
	Type         string              `json:"type"`  // integer, string, year, date, citizen_id, phone, hamlet, topic, cluster, text
	Ignored      bool                `json:"x-ignored"`
	Constraints  Constraints         `json:"constraints"`
	Variants     []string            `json:"x-variants"`
	EnumVariants map[string][]string `json:"x-enum-variants"`
}

// Constraints of a field.
type Constraints struct {
	Required  bool     `json:"required"`
	Unique    bool     `json:"x-unique"`
	Enum      []string `json:"enum"`
	Minimum   *float64 `json:"minimum"`
	Maximum   *float64 `json:"maximum"`
	MaximumOf string   `json:"x-maximum"` // "plan_year": the plan's year
	MaxLength int      `json:"maxLength"`
}

// Rule is a row-level rule across fields (M5: answered + forwarded ≤ opinions).
type Rule struct {
	Code string   `json:"code"`
	Sum  []string `json:"sum"`
	Max  string   `json:"max"`
}

// Field returns the field with the name, or nil.
func (s *Schema) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// FieldByID returns the field with the ID, or nil.
func (s *Schema) FieldByID(id FieldID) *Field {
	for i := range s.Fields {
		if s.Fields[i].ID == id {
			return &s.Fields[i]
		}
	}
	return nil
}

// Required lists the required fields.
func (s *Schema) Required() []*Field {
	var out []*Field
	for i := range s.Fields {
		if s.Fields[i].Constraints.Required {
			out = append(out, &s.Fields[i])
		}
	}
	return out
}

var all map[string]*Schema

func init() {
	var err error
	all, err = load()
	if err != nil {
		panic("embedded schemas are invalid: " + err.Error())
	}
}

func load() (map[string]*Schema, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	out := map[string]*Schema{}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		var s Schema
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if s.Name == "" || len(s.Fields) == 0 {
			return nil, fmt.Errorf("%s: name and fields are required", e.Name())
		}
		seen := map[string]bool{}
		for i := range s.Fields {
			f := &s.Fields[i]
			if f.Name == "" || f.Title == "" || f.Type == "" {
				return nil, fmt.Errorf("%s: field %q needs name, title and type", e.Name(), f.Name)
			}
			if seen[f.Name] {
				return nil, fmt.Errorf("%s: field %q twice", e.Name(), f.Name)
			}
			seen[f.Name] = true
			id, ok := FieldIDOf(f.Name)
			if !ok {
				return nil, fmt.Errorf("%s: field %q has no FieldID in fields.go", e.Name(), f.Name)
			}
			f.ID = id
		}
		if len(s.Identify) == 0 {
			return nil, fmt.Errorf("%s: x-identify (the identifying columns) is required", e.Name())
		}
		for _, g := range s.Identify {
			if len(g) == 0 {
				return nil, fmt.Errorf("%s: x-identify has an empty group", e.Name())
			}
			for _, name := range g {
				if !seen[name] {
					return nil, fmt.Errorf("%s: x-identify names %q, which is not a field", e.Name(), name)
				}
			}
		}
		out[s.Name] = &s
	}
	return out, nil
}

// Get returns the schema of a form ("M1".."M5"), or nil.
func Get(form string) *Schema { return all[form] }

// All returns every schema in form order.
func All() []*Schema {
	var out []*Schema
	for _, s := range all {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Raw returns the JSON text of a form's schema file (for documentation).
func Raw(form string) ([]byte, error) {
	return files.ReadFile(strings.ToLower(form) + ".json")
}
