package xl

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"sync"

	"github.com/xuri/excelize/v2"
)

// themePart is the theme part of every workbook excelize makes.
const themePart = "xl/theme/theme1.xml"

// Every workbook here keeps the theme excelize.NewFile gives it (xl never
// changes it), which excelize marshals again at every save (a tenth of
// the CPU of a small feedback workbook). Save puts the bytes of that
// theme, made once, in the package instead, and drops excelize's model of
// it so that it is not marshalled: the part written is the same, byte for
// byte (TestThemeSameBytes).

// fixedTheme makes the theme part stored instead of marshalled; tests turn
// it off to compare.
var fixedTheme = true

var (
	themeOnce  sync.Once
	themeBytes []byte // nil when it could not be made
)

// defaultTheme is the theme part excelize writes for a new workbook, or
// nil.
func defaultTheme() []byte {
	themeOnce.Do(func() {
		f := excelize.NewFile()
		defer f.Close()
		c := &themeCapture{}
		f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return c })
		if _, err := f.WriteToBuffer(); err == nil && c.found {
			themeBytes = c.theme.Bytes()
		}
	})
	return themeBytes
}

// themeCapture is an excelize.ZipWriter that keeps the theme part only.
type themeCapture struct {
	theme bytes.Buffer
	found bool
}

func (c *themeCapture) Create(name string) (io.Writer, error) {
	if name == themePart {
		c.found = true
		return &c.theme, nil
	}
	return io.Discard, nil
}

func (c *themeCapture) AddFS(fs.FS) error { return errors.New("xl: AddFS not supported") }

func (c *themeCapture) Close() error { return nil }

// storeTheme puts the default theme's bytes in f's package in place of
// its model, when they could be made.
func storeTheme(f *excelize.File) {
	if !fixedTheme || f.Theme == nil {
		return
	}
	if t := defaultTheme(); t != nil {
		f.Theme = nil
		f.Pkg.Store(themePart, t)
	}
}
