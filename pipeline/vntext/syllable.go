package vntext

import "unicode"

// Vietnamese syllable structure, used by Detect to judge whether decoding a
// word turns it into Vietnamese: initial consonant + vowel nucleus + final
// consonant, at most one tone mark, with the spelling rules that hold
// without exception (k/gh/ngh before e ê i y, c/ng/g not; stop finals take
// only the sắc or nặng tone; ch/nh finals only after a ê i oa uê uy).

// syllable letters are written with these runes: ASCII letters for the plain
// ones and the shaped letters below.
const (
	lA2 = 'ă'
	lA3 = 'â'
	lE2 = 'ê'
	lO2 = 'ô'
	lO3 = 'ơ'
	lU2 = 'ư'
	lD2 = 'đ'
)

var initials = []string{
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
	"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
}

// nucleus classes.
const (
	nucOpen      = iota // final consonant optional
	nucNeedFinal        // needs a final consonant
	nucNoFinal          // ends in a glide or is open only
	nucNgC              // only before ng or c (oo, ôô)
)

var nuclei = map[string]int{
	"a": nucOpen, "e": nucOpen, "ê": nucOpen, "i": nucOpen, "o": nucOpen,
	"ô": nucOpen, "ơ": nucOpen, "u": nucOpen, "ư": nucOpen,
	"oa": nucOpen, "oe": nucOpen, "uê": nucOpen, "uy": nucOpen,

	"ă": nucNeedFinal, "â": nucNeedFinal, "iê": nucNeedFinal, "yê": nucNeedFinal,
	"uô": nucNeedFinal, "ươ": nucNeedFinal, "oă": nucNeedFinal, "uâ": nucNeedFinal,
	"uyê": nucNeedFinal,

	"y": nucNoFinal, "ai": nucNoFinal, "ao": nucNoFinal, "au": nucNoFinal,
	"ay": nucNoFinal, "âu": nucNoFinal, "ây": nucNoFinal, "eo": nucNoFinal,
	"êu": nucNoFinal, "ia": nucNoFinal, "iu": nucNoFinal, "oi": nucNoFinal,
	"ôi": nucNoFinal, "ơi": nucNoFinal, "ui": nucNoFinal, "ưi": nucNoFinal,
	"ưu": nucNoFinal, "ua": nucNoFinal, "ưa": nucNoFinal, "uơ": nucNoFinal,
	"oai": nucNoFinal, "oao": nucNoFinal, "oay": nucNoFinal, "oeo": nucNoFinal,
	"uây": nucNoFinal, "uôi": nucNoFinal, "ươi": nucNoFinal, "ươu": nucNoFinal,
	"uya": nucNoFinal, "uyu": nucNoFinal, "iêu": nucNoFinal, "yêu": nucNoFinal,

	"oo": nucNgC, "ôô": nucNgC,
}

var finals = map[string]bool{"": true, "c": true, "ch": true, "m": true, "n": true, "ng": true, "nh": true, "p": true, "t": true}

// isSylVowel reports whether r (a lower-case base letter) is a vowel.
func isSylVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', lA2, lA3, lE2, lO2, lO3, lU2:
		return true
	}
	return false
}

// validSyllable reports whether word is one well-formed Vietnamese
// syllable, ignoring case.
func validSyllable(word string) bool {
	var buf [12]rune
	letters := buf[:0]
	tone := toneNone
	for _, r := range word {
		r = unicode.ToLower(r)
		if len(letters) == len(buf) {
			return false
		}
		switch {
		case r >= 'a' && r <= 'z':
			if r == 'f' || r == 'j' || r == 'w' || r == 'z' {
				return false
			}
			letters = append(letters, r)
			continue
		case r == lD2:
			letters = append(letters, r)
			continue
		}
		p, ok := vowelIndex[r]
		if !ok {
			return false
		}
		if p.tone != toneNone {
			if tone != toneNone {
				return false
			}
			tone = p.tone
		}
		letters = append(letters, shapedLetter(p.base, p.shape))
	}
	if len(letters) == 0 {
		return false
	}
	for _, ini := range initials {
		ir := []rune(ini)
		if len(ir) > len(letters) || string(letters[:len(ir)]) != ini {
			continue
		}
		if rhymeOK(ini, letters[len(ir):], tone) {
			return true
		}
	}
	return false
}

// shapedLetter returns the lower-case letter for base+shape.
func shapedLetter(base rune, shape uint8) rune {
	base = unicode.ToLower(base)
	switch shape {
	case shapeCirc:
		switch base {
		case 'a':
			return lA3
		case 'e':
			return lE2
		case 'o':
			return lO2
		}
	case shapeBreve:
		return lA2
	case shapeHorn:
		if base == 'o' {
			return lO3
		}
		return lU2
	}
	return base
}

// rhymeOK checks the part of a syllable after the initial ini.
func rhymeOK(ini string, rest []rune, tone uint8) bool {
	n := 0
	for n < len(rest) && isSylVowel(rest[n]) {
		n++
	}
	if n == 0 || n > 3 {
		return false
	}
	nuc, fin := string(rest[:n]), string(rest[n:])
	class, ok := nuclei[nuc]
	if !ok || !finals[fin] {
		return false
	}
	switch class {
	case nucNeedFinal:
		if fin == "" {
			return false
		}
	case nucNoFinal:
		if fin != "" {
			return false
		}
	case nucNgC:
		if fin != "ng" && fin != "c" {
			return false
		}
	}
	if fin == "ch" || fin == "nh" {
		switch nuc {
		case "a", "ê", "i", "oa", "uê", "uy":
		default:
			return false
		}
	}
	if fin == "c" || fin == "ch" || fin == "p" || fin == "t" {
		if tone != toneAcute && tone != toneDot {
			return false
		}
	}
	front := rest[0] == 'e' || rest[0] == lE2 || rest[0] == 'i' || rest[0] == 'y'
	switch ini {
	case "k", "gh", "ngh":
		if !front {
			return false
		}
	case "c", "ng":
		if front {
			return false
		}
	case "g":
		if rest[0] == 'e' || rest[0] == lE2 {
			return false
		}
	case "qu":
		if rest[0] == 'u' {
			return false
		}
	}
	return true
}
