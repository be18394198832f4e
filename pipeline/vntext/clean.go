// Package vntext handles Vietnamese text for every pipeline stage: cleaning
// cell text (Unicode NFC, invisible characters, spacing), comparison keys
// that ignore case, diacritics and punctuation (Fold), and recovery of text
// typed with the legacy TCVN3 (.VnTime, "ABC") and VNI fonts, which shows as
// mojibake when read as Unicode (Detect, Decode, ToUnicode).
//
// Order matters: legacy text must be decoded (ToUnicode) before it is
// cleaned or folded, because TCVN3 uses the soft hyphen U+00AD for "ư".
// Clean keeps soft hyphens when the text looks TCVN3-encoded.
package vntext

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// runeClass says what Clean does with a rune.
type runeClass uint8

const (
	classKeep  runeClass = iota // ordinary character
	classSpace                  // horizontal space: collapsed to one ' '
	classBreak                  // line break: becomes '\n'
	classDrop                   // invisible or control: removed
)

// classify returns what Clean does with r. '\r' is handled by the caller.
func classify(r rune) runeClass {
	switch {
	case r == ' ' || r == '\t':
		return classSpace
	case r == '\n' || r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029:
		return classBreak
	case r < 0x20 || r == 0x7f:
		return classDrop
	case r < 0x80:
		return classKeep
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return classDrop
	case r == 0xa0: // no-break space
		return classSpace
	case r == 0xad: // soft hyphen
		return classDrop
	case r == 0x034f: // combining grapheme joiner
		return classDrop
	case r == 0x180e: // Mongolian vowel separator (formerly a space)
		return classDrop
	case r >= 0x2000 && r <= 0x200a: // en quad .. hair space
		return classSpace
	case r == 0x200b: // zero-width space: an invisible word break
		return classSpace
	case r >= 0x200c && r <= 0x200f: // ZWNJ, ZWJ, LRM, RLM
		return classDrop
	case r >= 0x202a && r <= 0x202e: // bidi embeddings
		return classDrop
	case r == 0x202f || r == 0x205f || r == 0x3000:
		return classSpace
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates
		return classDrop
	case r == 0xfeff: // BOM / zero-width no-break space
		return classDrop
	case r == utf8.RuneError:
		return classDrop
	}
	return classKeep
}

// Clean returns s in NFC with invisible characters removed (zero-width
// joiners, BOM, soft hyphen, bidi marks, control characters except line
// breaks), no-break and other Unicode spaces turned into ' ', the
// zero-width space treated as a space (it separates words invisibly), runs
// of spaces and tabs collapsed to one space, spaces at the start and end of
// every line removed and the whole text trimmed. Line breaks are kept:
// "\r\n", "\r", "\v", "\f", U+2028 and U+2029 become "\n". Invalid UTF-8
// bytes are dropped.
//
// If s looks TCVN3-encoded (see Detect), soft hyphens and C1 control
// characters are kept, because they are letters there; decode with
// ToUnicode first.
func Clean(s string) string {
	if isCleanASCII(s) {
		return s
	}
	keepLegacy := false
	if hasLegacyControl(s) && Detect(s) == TCVN3 {
		keepLegacy = true
	}
	return clean(s, keepLegacy, false)
}

// CleanLine is Clean but also turns line breaks into single spaces, so the
// result is one line.
func CleanLine(s string) string {
	if isCleanASCII(s) && strings.IndexByte(s, '\n') < 0 {
		return s
	}
	keepLegacy := false
	if hasLegacyControl(s) && Detect(s) == TCVN3 {
		keepLegacy = true
	}
	return clean(s, keepLegacy, true)
}

// hasLegacyControl reports whether s holds a soft hyphen or C1 control,
// which Clean would remove but which are letters in TCVN3 text.
func hasLegacyControl(s string) bool {
	for _, r := range s {
		if r == 0xad || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}

// isCleanASCII reports whether s is printable ASCII that Clean would
// return unchanged.
func isCleanASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[0] == '\n' || s[len(s)-1] == ' ' || s[len(s)-1] == '\n' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if s[i+1] == ' ' || s[i+1] == '\n' || s[i-1] == '\n' {
				return false
			}
		case c == '\n':
		case c < 0x20 || c >= 0x7f:
			return false
		}
	}
	return true
}

// clean does the work of Clean and CleanLine.
func clean(s string, keepLegacy, oneLine bool) string {
	var b strings.Builder
	b.Grow(len(s))
	ascii := true
	pendingSpace := false
	pendingBreaks := 0
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		var c runeClass
		if r == '\r' {
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // the '\n' follows
			}
			c = classBreak
		} else if keepLegacy && (r == 0xad || (r >= 0x80 && r <= 0x9f)) {
			c = classKeep
		} else if r == utf8.RuneError && size == 1 {
			c = classDrop
		} else {
			c = classify(r)
		}
		switch c {
		case classDrop:
			continue
		case classSpace:
			pendingSpace = true
			continue
		case classBreak:
			if oneLine {
				pendingSpace = true
			} else {
				pendingBreaks++
				pendingSpace = false
			}
			continue
		}
		if b.Len() > 0 {
			if pendingBreaks > 0 {
				for ; pendingBreaks > 0; pendingBreaks-- {
					b.WriteByte('\n')
				}
			} else if pendingSpace {
				b.WriteByte(' ')
			}
		}
		pendingBreaks = 0
		pendingSpace = false
		if r >= 0x80 {
			ascii = false
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
	}
	out := b.String()
	if !ascii {
		out = norm.NFC.String(out)
	}
	return out
}
