package xlsx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"doithoai/stages/read/grid"
)

// errFallback is how the fast tokenizer says that a part uses something
// it leaves to encoding/xml (a DTD, CDATA, a comment, a processing
// instruction other than the UTF-8 XML declaration, mc:Choice, a name
// outside ASCII, any syntax error, more nesting than MaxXMLDepth...): the
// part is read again from its start with encoding/xml, which accepts or
// rejects it as it always did.
var errFallback = errors.New("xlsx: part left to encoding/xml")

// Token kinds of fastXML.
const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
)

// fastXML tokenizes a well-formed UTF-8 XML part the way encoding/xml
// does for the elements, attributes and character data a worksheet
// holds, without its allocations: names and values are slices of its
// buffer, valid until the next call. It checks what encoding/xml checks
// on such input (well-formed tags, matching end tags, one root, no text
// outside it, character references, UTF-8 and the XML character range,
// MaxXMLDepth) and returns errFallback for anything else.
type fastXML struct {
	ctx      context.Context
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool

	maxDepth int
	depth    int
	rooted   bool
	names    []byte // the open elements' qualified names, end to end
	nameEnds []int
	tokens   int

	// The current token.
	local     []byte // local name of a start or end element
	text      []byte // character data, decoded
	attrs     fastAttrs
	selfClose bool // the start element was <x/>: its end comes next
	pendEnd   bool

	scratch []byte // decoded text and attribute values
}

// fastAttrs are the attributes of the current start element.
type fastAttrs struct {
	locals, values [][]byte
}

func (a *fastAttrs) n() int             { return len(a.locals) }
func (a *fastAttrs) local(i int) []byte { return a.locals[i] }
func (a *fastAttrs) value(i int) []byte { return a.values[i] }

// fill reads more input, keeping buf[pos:end]. It returns a read error
// other than io.EOF: a grid.Problem of the part (limits, damage) or the
// context's error pass through, anything else falls back.
func (x *fastXML) fill() error {
	if x.eof {
		return nil
	}
	if x.pos > 0 {
		n := copy(x.buf, x.buf[x.pos:x.end])
		x.pos, x.end = 0, n
	}
	if x.end == len(x.buf) {
		nb := make([]byte, 2*len(x.buf))
		copy(nb, x.buf[:x.end])
		x.buf = nb
	}
	n, err := x.r.Read(x.buf[x.end:])
	x.end += n
	switch {
	case err == io.EOF:
		x.eof = true
	case err != nil:
		var pr *grid.Problem
		if errors.As(err, &pr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return errFallback
	}
	return nil
}

// next reads the next token: tokStart (local, attrs), tokEnd (local),
// tokText (text, inside the root element only) or tokEOF.
func (x *fastXML) next() (int, error) {
	if x.pendEnd {
		x.pendEnd = false
		x.pop()
		return tokEnd, nil
	}
	x.scratch = x.scratch[:0]
	x.tokens++
	if x.tokens%ctxEvery == 0 {
		if err := x.ctx.Err(); err != nil {
			return 0, fmt.Errorf("xlsx: %w", err)
		}
	}
	for {
		i := indexShort(x.buf[x.pos:x.end], '<')
		if i < 0 {
			if !x.eof {
				if err := x.fill(); err != nil {
					return 0, err
				}
				continue
			}
			// The end of the part.
			rest := x.buf[x.pos:x.end]
			x.pos = x.end
			if x.depth > 0 || !asciiSpace(rest) {
				return 0, errFallback
			}
			return tokEOF, nil
		}
		if i > 0 {
			raw := x.buf[x.pos : x.pos+i]
			x.pos += i
			if x.depth == 0 {
				if !asciiSpace(raw) {
					return 0, errFallback
				}
				continue
			}
			t, ok := x.decode(raw, false)
			if !ok {
				return 0, errFallback
			}
			x.text = t
			return tokText, nil
		}
		kind, n := x.tag(x.buf[x.pos:x.end])
		if n == 0 { // incomplete
			if x.eof {
				return 0, errFallback
			}
			if err := x.fill(); err != nil {
				return 0, err
			}
			continue
		}
		if n < 0 || kind < 0 { // open hands a start element back as kind -1
			return 0, errFallback
		}
		x.pos += n
		if kind == tokEOF { // the XML declaration
			continue
		}
		return kind, nil
	}
}

// pop closes the innermost element.
func (x *fastXML) pop() {
	k := len(x.nameEnds) - 1
	x.nameEnds = x.nameEnds[:k]
	if k == 0 {
		x.names = x.names[:0]
	} else {
		x.names = x.names[:x.nameEnds[k-1]]
	}
	x.depth--
}

// tag reads the markup at the start of b ('<'): the kind and its length;
// length 0 when b ends before the markup does, -1 when the markup is left
// to encoding/xml. The XML declaration gives kind tokEOF (skip it).
func (x *fastXML) tag(b []byte) (int, int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch b[1] {
	case '/':
		i := 2
		name, n := scanName(b[i:])
		if n <= 0 {
			return 0, n
		}
		i += n
		for i < len(b) && xmlSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		if b[i] != '>' || len(x.nameEnds) == 0 {
			return 0, -1
		}
		k := len(x.nameEnds) - 1
		from := 0
		if k > 0 {
			from = x.nameEnds[k-1]
		}
		if !sameName(x.names[from:], name) {
			return 0, -1
		}
		x.local = localName(name)
		x.pop()
		return tokEnd, i + 1
	case '?':
		return x.decl(b)
	case '!':
		return 0, -1
	}
	i := 1
	name, n := scanName(b[i:])
	if n <= 0 {
		return 0, n
	}
	i += n
	x.attrs.locals, x.attrs.values = x.attrs.locals[:0], x.attrs.values[:0]
	x.scratch = x.scratch[:0]
	for {
		for i < len(b) && xmlSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		switch b[i] {
		case '>':
			x.selfClose = false
			return x.open(name), i + 1
		case '/':
			if i+1 == len(b) {
				return 0, 0
			}
			if b[i+1] != '>' {
				return 0, -1
			}
			x.selfClose = true
			return x.open(name), i + 2
		}
		an, n := scanName(b[i:])
		if n <= 0 {
			return 0, n
		}
		i += n
		for i < len(b) && xmlSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		if b[i] != '=' {
			return 0, -1
		}
		i++
		for i < len(b) && xmlSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return 0, -1
		}
		i++
		j := indexShort(b[i:], q)
		if j < 0 {
			if bytes.IndexByte(b[i:], '<') >= 0 {
				return 0, -1
			}
			return 0, 0
		}
		v, ok := x.decode(b[i:i+j], true)
		if !ok {
			return 0, -1
		}
		i += j + 1
		x.attrs.locals = append(x.attrs.locals, localName(an))
		x.attrs.values = append(x.attrs.values, v)
	}
}

// open pushes a start element; kind tokStart, or -1 to fall back.
func (x *fastXML) open(name []byte) int {
	if x.depth == 0 {
		if x.rooted {
			return -1
		}
		x.rooted = true
	}
	x.local = localName(name)
	if string(x.local) == "Choice" { // mc:Choice is skipped: encoding/xml's path knows namespaces
		return -1
	}
	x.depth++
	if x.depth > x.maxDepth {
		return -1
	}
	x.names = append(x.names, name...)
	x.nameEnds = append(x.nameEnds, len(x.names))
	if x.selfClose {
		x.pendEnd = true
	}
	return tokStart
}

// decl reads a processing instruction: only the XML declaration of a
// UTF-8 part, version 1.0, is read here (skipped).
func (x *fastXML) decl(b []byte) (int, int) {
	j := bytes.Index(b[2:], []byte("?>"))
	if j >= 0 {
		j += 2
	}
	if j < 0 {
		if len(b) > 4096 {
			return 0, -1
		}
		return 0, 0
	}
	body := b[2:j]
	if !bytes.HasPrefix(body, []byte("xml ")) || x.rooted || x.depth > 0 {
		return 0, -1
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, '&') >= 0 {
		return 0, -1
	}
	for _, kv := range []struct {
		key string
		ok  func(string) bool
	}{
		{"version", func(v string) bool { return v == "1.0" }},
		{"encoding", func(v string) bool { return strings.EqualFold(v, "utf-8") }},
	} {
		v, found, ok := declParam(string(body), kv.key)
		if !ok || (found && !kv.ok(v)) {
			return 0, -1
		}
	}
	return tokEOF, j + 2
}

// declParam finds key="value" (or '…') in an XML declaration; ok is false
// when the declaration is not plain enough to be sure.
func declParam(s, key string) (v string, found, ok bool) {
	i := bytes.Index([]byte(s), []byte(key))
	if i < 0 {
		return "", false, true
	}
	if bytes.Count([]byte(s), []byte(key)) > 1 {
		return "", false, false
	}
	rest := s[i+len(key):]
	if len(rest) < 3 || rest[0] != '=' || (rest[1] != '"' && rest[1] != '\'') {
		return "", false, false
	}
	q := rest[1]
	end := bytes.IndexByte([]byte(rest[2:]), q)
	if end < 0 {
		return "", false, false
	}
	return rest[2 : 2+end], true, true
}

// decode returns raw character data (or an attribute value) as
// encoding/xml gives it: entities and character references replaced,
// "\r\n" and "\r" made "\n". ok is false when encoding/xml would fail on
// it (an unknown entity, invalid UTF-8, a character outside XML's range,
// "]]>" in text, '<' in a value). The result is raw itself when nothing
// needs decoding, else it lives in x.scratch.
func (x *fastXML) decode(raw []byte, quoted bool) ([]byte, bool) {
	plain, ascii := true, true
	for _, c := range raw {
		if c >= 0x80 {
			ascii = false
			continue
		}
		if c < 0x20 && c != '\t' && c != '\n' || c == '&' || c == ']' || c == '<' {
			plain = false
			break
		}
	}
	// Text without references, carriage returns or controls decodes to
	// itself when it is valid UTF-8 in XML's range: past ASCII, only
	// U+FFFE and U+FFFF (and U+FFFD, which only the loop below tells from
	// a bad byte) are out of it or in doubt, all three starting 0xEF.
	if plain && (ascii || utf8.Valid(raw) && bytes.IndexByte(raw, 0xEF) < 0) {
		return raw, true
	}
	if quoted && bytes.IndexByte(raw, '<') >= 0 {
		return nil, false
	}
	if !quoted && bytes.Contains(raw, []byte("]]>")) {
		return nil, false
	}
	start := len(x.scratch)
	out := x.scratch
	prevCR := false
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			r, n, ok := charRef(raw[i:])
			if !ok {
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			i += n
			prevCR = false
			continue
		case c == '\r':
			out = append(out, '\n')
			prevCR = true
			i++
			continue
		case c == '\n' && prevCR:
			prevCR = false
			i++
			continue
		case c < 0x80:
			if c < 0x20 && c != '\t' && c != '\n' {
				return nil, false
			}
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 || !inCharRange(r) {
				return nil, false
			}
			out = append(out, raw[i:i+n]...)
			i += n
		}
		prevCR = false
	}
	x.scratch = out
	return out[start:], true
}

// charRef reads the entity or character reference at the start of b
// ('&'): the character, the bytes it took, false where encoding/xml
// would fail.
func charRef(b []byte) (rune, int, bool) {
	semi := bytes.IndexByte(b, ';')
	if semi < 0 {
		return 0, 0, false
	}
	body := b[1:semi]
	if len(body) > 0 && body[0] == '#' {
		digits, base := body[1:], 10
		if len(digits) > 0 && digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return 0, 0, false
		}
		for _, d := range digits {
			if !('0' <= d && d <= '9' || base == 16 && ('a' <= d && d <= 'f' || 'A' <= d && d <= 'F')) {
				return 0, 0, false
			}
		}
		n, err := strconv.ParseUint(string(digits), base, 64)
		if err != nil || n > utf8.MaxRune {
			return 0, 0, false
		}
		r := rune(n)
		if !utf8.ValidRune(r) {
			r = utf8.RuneError // string(rune(n)) of a surrogate, as encoding/xml writes it
		}
		if !inCharRange(r) {
			return 0, 0, false
		}
		return r, semi + 1, true
	}
	switch string(body) {
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "amp":
		return '&', semi + 1, true
	case "apos":
		return '\'', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	}
	return 0, 0, false
}

// inCharRange is the Char production of XML 1.0.
func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// scanName reads an XML name of ASCII characters at the start of b: the
// name and its length, 0 when b ends inside it, -1 when it is not a name
// read here (empty, starting with a digit, '.' or '-', non-ASCII, more
// than one ':').
func scanName(b []byte) ([]byte, int) {
	i := 0
	colons := 0
	for i < len(b) {
		c := b[i]
		if c >= 0x80 {
			return nil, -1
		}
		if !nameByte(c) {
			break
		}
		if c == ':' {
			colons++
		}
		i++
	}
	if i == len(b) {
		return nil, 0
	}
	if i == 0 || colons > 1 {
		return nil, -1
	}
	if c := b[0]; c >= '0' && c <= '9' || c == '.' || c == '-' {
		return nil, -1
	}
	return b[:i], i
}

// nameByte is encoding/xml's isNameByte.
func nameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' ||
		'0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
}

// localName is the local part of a qualified name, as encoding/xml splits
// it: "x:row" is "row"; ":row" and "row:" stay whole.
func localName(name []byte) []byte {
	for i, c := range name { // names are short: no bytes.IndexByte call
		if c == ':' {
			if i == 0 || i == len(name)-1 {
				return name
			}
			return name[i+1:]
		}
	}
	return name
}

// indexShort is bytes.IndexByte for the short runs between markup (a
// cell's value, an attribute's): the first bytes are looked at in a loop,
// the rest with bytes.IndexByte.
func indexShort(b []byte, c byte) int {
	n := min(len(b), 16)
	for i := 0; i < n; i++ {
		if b[i] == c {
			return i
		}
	}
	if n == len(b) {
		return -1
	}
	if j := bytes.IndexByte(b[n:], c); j >= 0 {
		return n + j
	}
	return -1
}

// sameName is bytes.Equal for short names.
func sameName(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// xmlSpace is encoding/xml's white space between attributes.
func xmlSpace(c byte) bool { return c == ' ' || c == '\r' || c == '\n' || c == '\t' }

// asciiSpace reports whether b is only XML white space.
func asciiSpace(b []byte) bool {
	for _, c := range b {
		if !xmlSpace(c) {
			return false
		}
	}
	return true
}

// events is a token stream of one part as the part readers take it:
// start elements (local name, attributes), character data inside the root
// element, end elements, then tokEOF. Slices are valid until the next
// call.
type events interface {
	event() (kind int, local, text []byte, a attrs, err error)
}

func (x *fastXML) event() (int, []byte, []byte, attrs, error) {
	kind, err := x.next()
	return kind, x.local, x.text, &x.attrs, err
}

func (x *xmlPart) event() (int, []byte, []byte, attrs, error) {
	tok, err := x.next()
	if err == io.EOF {
		return tokEOF, nil, nil, nil, nil
	}
	if err != nil {
		return 0, nil, nil, nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		return tokStart, []byte(t.Name.Local), nil, xmlAttrs(t.Attr), nil
	case xml.EndElement:
		return tokEnd, []byte(t.Name.Local), nil, nil, nil
	case xml.CharData:
		return tokText, nil, t, nil, nil
	}
	return x.event()
}

// readPart runs read over the events of the part: first with fastXML and,
// when that falls back, again from the start with encoding/xml, once the
// unpacked bytes, the budget bud (may be nil) and, through reset, what
// read itself changed are put back as they were.
func (p *opcPackage) readPart(part string, bud *grid.Budget, reset func(), read func(events) error) error {
	if !forceXML {
		unpacked := p.unpacked
		var saved grid.Budget
		if bud != nil {
			saved = *bud
		}
		err := p.readFast(part, read)
		if !errors.Is(err, errFallback) {
			return err
		}
		fallbacks.Add(1)
		p.unpacked = unpacked
		if bud != nil {
			*bud = saved
		}
		reset()
	}
	x, err := p.openXML(part)
	if err != nil {
		return err
	}
	defer x.close()
	return read(x)
}

// readFast runs read over the part with fastXML.
func (p *opcPackage) readFast(part string, read func(events) error) error {
	rc, err := p.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	pb := partBuffers.Get().(*fastBuffers)
	defer func() {
		pb.br.Reset(nil)
		partBuffers.Put(pb)
	}()
	pb.br.Reset(grid.NewXMLGuard(p.ctx, rc, p.lim))
	x := &fastXML{ctx: p.ctx, r: utf8From(pb.br), buf: pb.buf, maxDepth: p.lim.MaxXMLDepth}
	return read(x)
}

// fastBuffers are the two buffers a part is read through by fastXML,
// kept between parts and files (partBuffers): nothing read keeps a slice
// of them once the part is read, every value is copied out.
type fastBuffers struct {
	br  *bufio.Reader
	buf []byte // fastXML's; one it outgrows on a long token is dropped
}

var partBuffers = sync.Pool{New: func() any {
	return &fastBuffers{br: bufio.NewReaderSize(nil, partBufSize), buf: make([]byte, partBufSize)}
}}
