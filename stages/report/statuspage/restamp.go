package statuspage

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"

	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
)

// Stamp is the page's "Cập nhật lúc" line for a run at now.
func Stamp(p *plan.Plan, now time.Time) string {
	return "Cập nhật lúc " + now.In(p.Location()).Format(timeLayout)
}

// stampTemplate renders the stamp as the page's template does.
var stampTemplate = template.Must(template.New("stamp").Parse(`<p class="updated">{{.}}</p>`))

// Restamp changes the "Cập nhật lúc" line of the outbox's status page from
// the run at from to the run at to, leaving every other byte as it is: the
// page a run at to would write when nothing else changed. False (and the
// page untouched) when the page does not hold from's line exactly once.
// A page whose line is already to's is left unwritten.
func Restamp(outbox string, p *plan.Plan, from, to time.Time) (bool, error) {
	render := func(t time.Time) ([]byte, error) {
		var b bytes.Buffer
		err := stampTemplate.Execute(&b, Stamp(p, t))
		return b.Bytes(), err
	}
	old, err := render(from)
	if err != nil {
		return false, fmt.Errorf("status page: %w", err)
	}
	repl, err := render(to)
	if err != nil {
		return false, fmt.Errorf("status page: %w", err)
	}
	path := filepath.Join(outbox, FileName)
	page, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("status page: %w", err)
	}
	if bytes.Count(page, old) != 1 {
		return false, nil
	}
	if bytes.Equal(old, repl) {
		return true, nil
	}
	if err := atomicfile.WriteBytes(path, bytes.Replace(page, old, repl, 1)); err != nil {
		return false, fmt.Errorf("status page: %w", err)
	}
	return true, nil
}
