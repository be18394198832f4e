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
	if cleanAsIs(s, keepLegacy, false) {
		return s
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
	if cleanAsIs(s, keepLegacy, true) {
		return s
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

// cleanAsIs reports whether clean(s, keepLegacy, oneLine) is s itself:
// every character kept, single ' ' between kept characters, line breaks
// (unless oneLine) only '\n' between kept characters or other '\n', and s
// already in NFC. It allocates nothing, so text that is already clean (most
// cells) costs one pass and no copy.
func cleanAsIs(s string, keepLegacy, oneLine bool) bool {
	const (
		atStart = iota
		afterKept
		afterSpace
		afterBreak
	)
	prev := atStart
	nfcSure := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch {
			case c == ' ':
				if prev != afterKept {
					return false // leading, doubled, or after a line break
				}
				prev = afterSpace
			case c == '\n':
				if oneLine || (prev != afterKept && prev != afterBreak) {
					return false // leading, or after a space
				}
				prev = afterBreak
			case c < 0x20 || c == 0x7f:
				return false
			default:
				prev = afterKept
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !(keepLegacy && (r == 0xad || r <= 0x9f)) && classify(r) != classKeep {
			return false // also U+FFFD and invalid bytes (dropped)
		}
		if !nfcStarter(r) {
			if r < 0x250 || r >= 0x1e00 && r < 0x1f00 || !norm.NFC.PropertiesString(s[i-size:i]).BoundaryBefore() {
				return false // a combining mark (decomposed text): normalise
			}
			nfcSure = false // another script: norm decides below
		}
		prev = afterKept
	}
	if prev != afterKept && prev != atStart {
		return false // a trailing space or line break
	}
	return nfcSure || norm.NFC.IsNormalString(s)
}

// nfcSafeLow and nfcSafeVN mark the runes of U+0000..U+024F and
// U+1E00..U+1EFF that are in NFC alone and never combine with the rune
// before them (norm's BoundaryBefore): a string of such runes only is in
// NFC, whatever their order.
var (
	nfcSafeLow [0x250]bool
	nfcSafeVN  [0x100]bool
)

func init() {
	for r := rune(0); r < 0x250; r++ {
		nfcSafeLow[r] = nfcStarterSlow(r)
	}
	for r := rune(0x1e00); r < 0x1f00; r++ {
		nfcSafeVN[r-0x1e00] = nfcStarterSlow(r)
	}
}

// nfcStarterSlow asks norm whether r is a starter that is its own NFC and
// combines with nothing before it.
func nfcStarterSlow(r rune) bool {
	if r >= 0xd800 && r <= 0xdfff || r > utf8.MaxRune {
		return false
	}
	s := string(r)
	return norm.NFC.PropertiesString(s).BoundaryBefore() && norm.NFC.IsNormalString(s)
}

// nfcStarter is nfcStarterSlow from the tables (false outside them: the
// caller then asks norm about the whole string).
func nfcStarter(r rune) bool {
	if r < 0x250 {
		return nfcSafeLow[r]
	}
	if r >= 0x1e00 && r < 0x1f00 {
		return nfcSafeVN[r-0x1e00]
	}
	return false
}

// clean does the work of Clean and CleanLine.
func clean(s string, keepLegacy, oneLine bool) string {
	var b strings.Builder
	b.Grow(len(s))
	ascii := true
	nfcSure := true
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
			if !nfcStarter(r) {
				nfcSure = false
			}
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
	}
	out := b.String()
	if !ascii && !nfcSure {
		out = norm.NFC.String(out)
	}
	return out
}
