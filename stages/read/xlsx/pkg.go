package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"sync"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"doithoai/stages/read/grid"
)

// nsMC is the markup-compatibility namespace (mc:AlternateContent).
const nsMC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

// ctxEvery is how many XML tokens pass between context checks.
const ctxEvery = 4096

// opcPackage is the zip container of a workbook: its parts by normalised
// name and the unpacked-byte budget shared by every part read from it.
type opcPackage struct {
	ctx      context.Context
	lim      grid.Limits
	parts    map[string]*zip.File // key: lower-case, forward slashes, no leading slash
	unpacked int64                // decompressed bytes read so far
}

// newPackage indexes the zip entries. Entry names use forward slashes
// and are matched case-insensitively, as Excel does; the first of
// duplicate names wins.
func newPackage(ctx context.Context, zr *zip.Reader, lim grid.Limits) *opcPackage {
	p := &opcPackage{ctx: ctx, lim: lim, parts: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		k := partKey(zf.Name)
		if k == "" || strings.HasSuffix(k, "/") {
			continue
		}
		if _, dup := p.parts[k]; !dup {
			p.parts[k] = zf
		}
	}
	return p
}

// partKey normalises a part name for lookup.
func partKey(name string) string {
	return strings.ToLower(strings.TrimLeft(strings.ReplaceAll(name, "\\", "/"), "/"))
}

// has reports whether the part exists.
func (p *opcPackage) has(name string) bool {
	_, ok := p.parts[partKey(name)]
	return ok
}

// open returns a reader over the decompressed part that enforces the
// per-part and whole-package limits.
func (p *opcPackage) open(name string) (io.ReadCloser, error) {
	zf, ok := p.parts[partKey(name)]
	if !ok {
		return nil, grid.Fail(grid.CodeCorrupt, "missing part "+name, nil)
	}
	if int64(zf.UncompressedSize64) > p.lim.MaxPartBytes || zf.UncompressedSize64 > 1<<62 {
		return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: p.lim.MaxPartBytes}, "part %s unpacks to %d bytes, limit %d", name, zf.UncompressedSize64, p.lim.MaxPartBytes)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, grid.Fail(grid.CodeCorrupt, "cannot open part "+name, err)
	}
	return &limitedPart{rc: rc, p: p, name: name}, nil
}

// limitedPart counts the bytes read from one part.
type limitedPart struct {
	rc   io.ReadCloser
	p    *opcPackage
	name string
	n    int64
}

func (l *limitedPart) Read(b []byte) (int, error) {
	n, err := l.rc.Read(b)
	l.n += int64(n)
	l.p.unpacked += int64(n)
	if l.n > l.p.lim.MaxPartBytes {
		return n, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: l.p.lim.MaxPartBytes}, "part %s unpacks to more than %d bytes", l.name, l.p.lim.MaxPartBytes)
	}
	if l.p.unpacked > l.p.lim.MaxUnpackedBytes {
		return n, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: l.p.lim.MaxUnpackedBytes}, "package unpacks to more than %d bytes", l.p.lim.MaxUnpackedBytes)
	}
	if err != nil && err != io.EOF {
		// zip.ErrChecksum, zip.ErrFormat, flate errors: a damaged entry.
		return n, grid.Fail(grid.CodeCorrupt, "damaged zip entry "+l.name, err)
	}
	return n, err
}

func (l *limitedPart) Close() error { return l.rc.Close() }

// xmlPart is a guarded XML token stream over one part: it checks the
// context, bounds the nesting depth, rejects DTD entity declarations
// (entity-expansion bombs) and drops mc:Choice branches of
// mc:AlternateContent (the mc:Fallback branch is read instead).
type xmlPart struct {
	name   string
	rc     io.ReadCloser
	br     *bufio.Reader // from xmlBuffers, given back by close
	d      *xml.Decoder
	ctx    context.Context
	max    int
	depth  int
	skip   int // depth at which a skipped subtree started; 0 when not skipping
	tokens int
	rooted bool // the root element has been seen
}

// openXML opens a part as a guarded XML stream. UTF-16 parts (with or
// without a byte-order mark) are transcoded to UTF-8; other declared
// encodings go through golang.org/x/text. A grid.XMLGuard under the
// decoder bounds the bytes of one token and stops on the context.
func (p *opcPackage) openXML(name string) (*xmlPart, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	br := xmlBuffers.Get().(*bufio.Reader)
	br.Reset(grid.NewXMLGuard(p.ctx, rc, p.lim))
	d := xml.NewDecoder(utf8From(br))
	d.CharsetReader = charsetReader
	return &xmlPart{name: name, rc: rc, br: br, d: d, ctx: p.ctx, max: p.lim.MaxXMLDepth}, nil
}

// xmlBuffers are the buffered readers of the parts read with
// encoding/xml (relationships, the workbook, the fallback of a sheet),
// kept between parts and files: a part's decoder is done with its reader
// once the part is closed.
var xmlBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, partBufSize) }}

// partBufSize is the size of the buffers a part is read through.
const partBufSize = 64 << 10

// utf8From strips a UTF-8 byte-order mark from br and transcodes UTF-16
// input.
func utf8From(br *bufio.Reader) io.Reader {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{'<', 0}):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0, '<'}):
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	}
	return br
}

// charsetReader serves encoding/xml for non-UTF-8 declarations. UTF-16
// input was already transcoded by utf8From, so it passes through.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf16") || l == "unicode" {
		return input, nil
	}
	enc, err := htmlindex.Get(l)
	if err != nil {
		return nil, fmt.Errorf("unknown XML encoding %q: %w", label, err)
	}
	return enc.NewDecoder().Reader(input), nil
}

// next returns the next start element, end element or character data,
// or io.EOF at the end of the part.
func (x *xmlPart) next() (xml.Token, error) {
	for {
		x.tokens++
		if x.tokens%ctxEvery == 0 {
			if err := x.ctx.Err(); err != nil {
				return nil, fmt.Errorf("xlsx: %w", err)
			}
		}
		tok, err := x.d.Token()
		if err != nil {
			if err == io.EOF {
				if x.depth > 0 {
					return nil, grid.Fail(grid.CodeCorrupt, "XML part "+x.name+" ends inside an element", nil)
				}
				return nil, io.EOF
			}
			return nil, x.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if x.depth == 0 {
				if x.rooted {
					return nil, grid.Fail(grid.CodeCorrupt, "XML part "+x.name+" has more than one root element", nil)
				}
				x.rooted = true
			}
			x.depth++
			if x.depth > x.max {
				return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitXMLDepth, Max: int64(x.max)}, "XML part %s nests deeper than %d elements", x.name, x.max)
			}
			if x.skip > 0 {
				continue
			}
			if t.Name.Space == nsMC && t.Name.Local == "Choice" {
				x.skip = x.depth
				continue
			}
			return t, nil
		case xml.EndElement:
			x.depth--
			if x.skip > 0 {
				if x.depth < x.skip {
					x.skip = 0
				}
				continue
			}
			return t, nil
		case xml.CharData:
			if x.depth == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, grid.Fail(grid.CodeCorrupt, "XML part "+x.name+" has text outside its root element", nil)
				}
				continue
			}
			if x.skip > 0 {
				continue
			}
			return t, nil
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return nil, grid.Fail(grid.CodeTooLarge, "XML part "+x.name+" declares DTD entities (possible entity-expansion bomb)", nil)
			}
		}
	}
}

// fail turns a decoder error into a Problem (limits and damaged entries
// pass through as they are).
func (x *xmlPart) fail(err error) error {
	var pr *grid.Problem
	if errors.As(err, &pr) {
		return pr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return grid.Fail(grid.CodeCorrupt, "bad XML in part "+x.name, err)
}

// close releases the part and gives its reader back to xmlBuffers; x
// is not read again.
func (x *xmlPart) close() {
	_ = x.rc.Close()
	if x.br != nil {
		x.br.Reset(nil)
		xmlBuffers.Put(x.br)
		x.br, x.d = nil, nil
	}
}

// attr returns the value of the attribute with the local name (any
// namespace) and whether it was present.
func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// rel is one package relationship.
type rel struct {
	id, typ, target string
	external        bool
}

// kind is the last path segment of the relationship type, lower-cased
// (worksheet, styles, sharedstrings, officedocument, ...), the same for
// the transitional and the Strict namespaces.
func (r rel) kind() string {
	t := strings.TrimRight(r.typ, "/")
	return strings.ToLower(t[strings.LastIndex(t, "/")+1:])
}

// readRels parses a relationships part. A missing part gives no
// relationships and no error.
func (p *opcPackage) readRels(name string) ([]rel, error) {
	if !p.has(name) {
		return nil, nil
	}
	x, err := p.openXML(name)
	if err != nil {
		return nil, err
	}
	defer x.close()
	var out []rel
	for {
		tok, err := x.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Relationship" {
			if len(out) >= maxRels {
				return out, grid.Fail(grid.CodeTooLarge, "too many relationships in "+name, nil)
			}
			var r rel
			r.id, _ = attr(se, "Id")
			r.typ, _ = attr(se, "Type")
			r.target, _ = attr(se, "Target")
			mode, _ := attr(se, "TargetMode")
			r.external = strings.EqualFold(mode, "External")
			out = append(out, r)
		}
	}
}

// maxRels bounds the relationships read from one part.
const maxRels = 100_000

// relsPath is the relationships part of a source part.
func relsPath(source string) string {
	dir, base := path.Split(source)
	return dir + "_rels/" + base + ".rels"
}

// resolve turns a relationship target into a part name: absolute targets
// start at the package root, relative ones at the source part's folder.
// An existing percent-decoded variant is preferred when the raw one is
// absent.
func (p *opcPackage) resolve(source, target string) string {
	target = strings.ReplaceAll(strings.TrimSpace(target), "\\", "/")
	if target == "" {
		return ""
	}
	join := func(t string) string {
		if strings.HasPrefix(t, "/") {
			return strings.TrimPrefix(path.Clean(t), "/")
		}
		return strings.TrimPrefix(path.Clean("/"+path.Join(path.Dir(source), t)), "/")
	}
	name := join(target)
	if !p.has(name) {
		if u, err := url.PathUnescape(target); err == nil && p.has(join(u)) {
			return join(u)
		}
	}
	return name
}
