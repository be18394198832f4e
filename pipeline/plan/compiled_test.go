package plan

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCompiledRoundTrip: a plan read back from its compiled form is the
// plan Parse made (every field, the time zone, the source, the matcher's
// answers), for the embedded plan and every plan of the tests' data.
func TestCompiledRoundTrip(t *testing.T) {
	plans := map[string][]byte{"embedded": DefaultYAML()}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		plans[filepath.Base(f)] = b
	}
	for name, src := range plans {
		p, err := Parse(src, name)
		if err != nil {
			continue // a plan the tests keep for its errors
		}
		b, err := p.Compiled()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		q, err := FromCompiled(b, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q.Location().String() != p.Location().String() || string(q.Source()) != string(src) {
			t.Errorf("%s: zone %v, want %v; source kept %v", name, q.Location(), p.Location(), string(q.Source()) == string(src))
		}
		for _, c := range p.Communes() {
			if got := q.Matcher().Commune(c.FullName()); got == nil || got.Code != c.Code {
				t.Errorf("%s: the compiled plan's matcher finds %v for %s", name, got, c.FullName())
			}
		}
		pp, qq := *p, *q
		pp.loc, qq.loc, pp.matcher, qq.matcher = nil, nil, nil, nil
		if !reflect.DeepEqual(pp, qq) {
			t.Errorf("%s: the compiled plan differs from the parsed one", name)
		}
	}
	if _, err := FromCompiled([]byte("not a plan"), nil); err == nil {
		t.Error("garbage read as a compiled plan")
	}
}

// TestCompiledKeepsEveryField: the compiled form has every field of a
// plan, so that a field added to Plan is not lost by the cache.
func TestCompiledKeepsEveryField(t *testing.T) {
	pt, ct := reflect.TypeFor[Plan](), reflect.TypeFor[compiled]()
	var want []string
	for f := range pt.Fields() {
		if f.IsExported() {
			want = append(want, f.Name+" "+f.Type.String())
		}
	}
	var got []string
	for f := range ct.Fields() {
		got = append(got, f.Name+" "+f.Type.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("compiled has %q, Plan's exported fields are %q", got, want)
	}
}
