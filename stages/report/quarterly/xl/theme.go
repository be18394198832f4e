package xl

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"sort"
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
// its model, when they could be made (and in place of none in a file
// from newFile).
func storeTheme(f *excelize.File) {
	if !fixedTheme {
		return
	}
	if f.Theme == nil {
		if _, ok := f.Pkg.Load(themePart); ok {
			return
		}
	}
	if t := defaultTheme(); t != nil {
		f.Theme = nil
		f.Pkg.Store(themePart, t)
	}
}

// excelize.NewFile parses the theme of the new workbook (half of its
// time), which Save then replaces with the stored bytes. newFile opens
// instead, with excelize's OpenReader, a package holding the parts a new
// workbook saved at once has (those excelize parses into its model as
// it writes them from it) but the theme: the same workbook, whose parts
// are parsed when first used, and whose theme part storeTheme adds at
// Save (TestLeanSameBytes).

var (
	blankOnce sync.Once
	blankZip  []byte // nil when it could not be made
)

// blankPackage is the zip (stored, not deflated) of the parts of a new
// workbook but the theme, or nil.
func blankPackage() []byte {
	blankOnce.Do(func() {
		if defaultTheme() == nil {
			return
		}
		f := excelize.NewFile()
		defer f.Close()
		c := &partsCapture{parts: map[string]*bytes.Buffer{}}
		f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return c })
		if _, err := f.WriteToBuffer(); err != nil {
			return
		}
		parts := map[string][]byte{}
		for name, b := range c.parts {
			if name != themePart {
				parts[name] = b.Bytes()
			}
		}
		names := make([]string, 0, len(parts))
		for n := range parts {
			names = append(names, n)
		}
		sort.Strings(names)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range names {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
			if err != nil {
				return
			}
			if _, err := w.Write(parts[n]); err != nil {
				return
			}
		}
		if zw.Close() == nil {
			blankZip = buf.Bytes()
		}
	})
	return blankZip
}

// partsCapture is an excelize.ZipWriter that keeps every part.
type partsCapture struct{ parts map[string]*bytes.Buffer }

func (c *partsCapture) Create(name string) (io.Writer, error) {
	b := new(bytes.Buffer)
	c.parts[name] = b
	return b, nil
}

func (c *partsCapture) AddFS(fs.FS) error { return errors.New("xl: AddFS not supported") }

func (c *partsCapture) Close() error { return nil }

// newFile is a new workbook: excelize.NewFile's, its theme left to
// storeTheme when books are written the lean way.
func newFile() *excelize.File {
	if leanSave && fixedTheme {
		if z := blankPackage(); z != nil {
			if f, err := excelize.OpenReader(bytes.NewReader(z)); err == nil {
				return f
			}
		}
	}
	return excelize.NewFile()
}
