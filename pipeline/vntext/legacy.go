package vntext

import (
	"strconv"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Encoding names how a piece of text was typed.
type Encoding int

const (
	// Unicode is real Unicode text (or text with no evidence of a legacy font).
	Unicode Encoding = iota
	// TCVN3 is TCVN 5712:1993 VN3 ("ABC"), typed with the .VnTime fonts:
	// one byte per letter, lower-case letters with tones in 0xA1..0xFF and
	// no upper-case letters with tones (.VnTimeH shows the lower-case codes
	// as capitals).
	TCVN3
	// VNI is VNI-Windows, typed with the VNI-Times fonts: a base letter
	// followed by one or two modifier characters ("Vaên" is "Văn").
	VNI
)

// String returns "unicode", "tcvn3" or "vni".
func (e Encoding) String() string {
	switch e {
	case Unicode:
		return "unicode"
	case TCVN3:
		return "tcvn3"
	case VNI:
		return "vni"
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// Legacy text reaches us as the Unicode code points of the bytes: Latin-1
// (U+0080..U+00FF, e.g. byte 0xB8 is '¸') or, for bytes 0x80..0x9F, the
// Windows-1252 characters ('€', '…', '–', ...). cp1252 maps those
// characters back to their bytes.
var cp1252 = map[rune]byte{
	0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85,
	0x2020: 0x86, 0x2021: 0x87, 0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a,
	0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92,
	0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97,
	0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b, 0x0153: 0x9c,
	0x017e: 0x9e, 0x0178: 0x9f,
}

// tcvn3Table maps the bytes 0x80..0xFF of TCVN 5712 to Unicode (0 = not a
// letter). 0xA1..0xFE minus the gaps is VN3 ("ABC", the .VnTime fonts).
// The other letters are VN1 capitals with tones, which VN3 fonts do not
// have; they are decoded too so VN1 text survives, since VN3 text never
// contains those bytes. VN1's combining marks (0xB0..0xB4) are not decoded:
// '°', '±', '²', '³', '´' are more likely what they look like.
var tcvn3Table = [128]rune{
	// 0x80..0x9F: VN1 capitals only.
	0x80 - 0x80: 'À', 0x81 - 0x80: 'Ả', 0x82 - 0x80: 'Ã', 0x83 - 0x80: 'Á',
	0x84 - 0x80: 'Ạ', 0x85 - 0x80: 'Ặ', 0x86 - 0x80: 'Ậ', 0x87 - 0x80: 'È',
	0x88 - 0x80: 'Ẻ', 0x89 - 0x80: 'Ẽ', 0x8a - 0x80: 'É', 0x8b - 0x80: 'Ẹ',
	0x8c - 0x80: 'Ệ', 0x8d - 0x80: 'Ì', 0x8e - 0x80: 'Ỉ', 0x8f - 0x80: 'Ĩ',
	0x90 - 0x80: 'Í', 0x91 - 0x80: 'Ị', 0x92 - 0x80: 'Ò', 0x93 - 0x80: 'Ỏ',
	0x94 - 0x80: 'Õ', 0x95 - 0x80: 'Ó', 0x96 - 0x80: 'Ọ', 0x97 - 0x80: 'Ộ',
	0x98 - 0x80: 'Ờ', 0x99 - 0x80: 'Ở', 0x9a - 0x80: 'Ỡ', 0x9b - 0x80: 'Ớ',
	0x9c - 0x80: 'Ợ', 0x9d - 0x80: 'Ù', 0x9e - 0x80: 'Ủ', 0x9f - 0x80: 'Ũ',

	0xa1 - 0x80: 'Ă', 0xa2 - 0x80: 'Â', 0xa3 - 0x80: 'Ê', 0xa4 - 0x80: 'Ô',
	0xa5 - 0x80: 'Ơ', 0xa6 - 0x80: 'Ư', 0xa7 - 0x80: 'Đ', 0xa8 - 0x80: 'ă',
	0xa9 - 0x80: 'â', 0xaa - 0x80: 'ê', 0xab - 0x80: 'ô', 0xac - 0x80: 'ơ',
	0xad - 0x80: 'ư', 0xae - 0x80: 'đ', 0xaf - 0x80: 'Ằ',

	0xb5 - 0x80: 'à', 0xb6 - 0x80: 'ả', 0xb7 - 0x80: 'ã', 0xb8 - 0x80: 'á',
	0xb9 - 0x80: 'ạ', 0xba - 0x80: 'Ẳ', 0xbb - 0x80: 'ằ', 0xbc - 0x80: 'ẳ',
	0xbd - 0x80: 'ẵ', 0xbe - 0x80: 'ắ', 0xbf - 0x80: 'Ẵ',

	0xc0 - 0x80: 'Ắ', 0xc1 - 0x80: 'Ầ', 0xc2 - 0x80: 'Ẩ', 0xc3 - 0x80: 'Ẫ',
	0xc4 - 0x80: 'Ấ', 0xc5 - 0x80: 'Ề', 0xc6 - 0x80: 'ặ', 0xc7 - 0x80: 'ầ',
	0xc8 - 0x80: 'ẩ', 0xc9 - 0x80: 'ẫ', 0xca - 0x80: 'ấ', 0xcb - 0x80: 'ậ',
	0xcc - 0x80: 'è', 0xcd - 0x80: 'Ể', 0xce - 0x80: 'ẻ', 0xcf - 0x80: 'ẽ',

	0xd0 - 0x80: 'é', 0xd1 - 0x80: 'ẹ', 0xd2 - 0x80: 'ề', 0xd3 - 0x80: 'ể',
	0xd4 - 0x80: 'ễ', 0xd5 - 0x80: 'ế', 0xd6 - 0x80: 'ệ', 0xd7 - 0x80: 'ì',
	0xd8 - 0x80: 'ỉ', 0xd9 - 0x80: 'Ễ', 0xda - 0x80: 'Ế', 0xdb - 0x80: 'Ồ',
	0xdc - 0x80: 'ĩ', 0xdd - 0x80: 'í', 0xde - 0x80: 'ị', 0xdf - 0x80: 'ò',

	0xe0 - 0x80: 'Ổ', 0xe1 - 0x80: 'ỏ', 0xe2 - 0x80: 'õ', 0xe3 - 0x80: 'ó',
	0xe4 - 0x80: 'ọ', 0xe5 - 0x80: 'ồ', 0xe6 - 0x80: 'ổ', 0xe7 - 0x80: 'ỗ',
	0xe8 - 0x80: 'ố', 0xe9 - 0x80: 'ộ', 0xea - 0x80: 'ờ', 0xeb - 0x80: 'ở',
	0xec - 0x80: 'ỡ', 0xed - 0x80: 'ớ', 0xee - 0x80: 'ợ', 0xef - 0x80: 'ù',

	0xf0 - 0x80: 'Ỗ', 0xf1 - 0x80: 'ủ', 0xf2 - 0x80: 'ũ', 0xf3 - 0x80: 'ú',
	0xf4 - 0x80: 'ụ', 0xf5 - 0x80: 'ừ', 0xf6 - 0x80: 'ử', 0xf7 - 0x80: 'ữ',
	0xf8 - 0x80: 'ứ', 0xf9 - 0x80: 'ự', 0xfa - 0x80: 'ỳ', 0xfb - 0x80: 'ỷ',
	0xfc - 0x80: 'ỹ', 0xfd - 0x80: 'ý', 0xfe - 0x80: 'ỵ', 0xff - 0x80: 'Ố',
}

// isVN3Byte reports whether b is a letter of VN3 proper (what .VnTime
// keyboards type), as opposed to the VN1-only capitals.
func isVN3Byte(b byte) bool {
	switch {
	case b >= 0xa1 && b <= 0xae, b >= 0xb5 && b <= 0xb9, b >= 0xbb && b <= 0xbe:
		return true
	case b >= 0xc6 && b <= 0xcc, b == 0xce, b == 0xcf:
		return true
	case b >= 0xd0 && b <= 0xd8, b >= 0xdc && b <= 0xdf:
		return true
	case b >= 0xe1 && b <= 0xef, b >= 0xf1 && b <= 0xfe:
		return true
	}
	return false
}

// VNI-Windows. Modifiers follow the base letter; standalone characters
// are whole letters.
const (
	shapeNone  uint8 = iota
	shapeCirc        // â ê ô
	shapeBreve       // ă
	shapeHorn        // ơ ư (VNI types these as standalone letters)
)

// Tones, in VNI key order.
const (
	toneNone uint8 = iota
	toneAcute
	toneGrave
	toneHook
	toneTilde
	toneDot
)

type vniMod struct {
	shape uint8
	tone  uint8
}

// vniMods maps a modifier byte (lower or upper case) to what it adds.
var vniMods = map[byte]vniMod{
	// tones alone
	0xf9: {shapeNone, toneAcute}, 0xd9: {shapeNone, toneAcute}, // ù Ù
	0xf8: {shapeNone, toneGrave}, 0xd8: {shapeNone, toneGrave}, // ø Ø
	0xfb: {shapeNone, toneHook}, 0xdb: {shapeNone, toneHook}, // û Û
	0xf5: {shapeNone, toneTilde}, 0xd5: {shapeNone, toneTilde}, // õ Õ
	0xef: {shapeNone, toneDot}, 0xcf: {shapeNone, toneDot}, // ï Ï
	// circumflex (+ tone) on a, e, o
	0xe2: {shapeCirc, toneNone}, 0xc2: {shapeCirc, toneNone}, // â Â
	0xe1: {shapeCirc, toneAcute}, 0xc1: {shapeCirc, toneAcute}, // á Á
	0xe0: {shapeCirc, toneGrave}, 0xc0: {shapeCirc, toneGrave}, // à À
	0xe5: {shapeCirc, toneHook}, 0xc5: {shapeCirc, toneHook}, // å Å
	0xe3: {shapeCirc, toneTilde}, 0xc3: {shapeCirc, toneTilde}, // ã Ã
	0xe4: {shapeCirc, toneDot}, 0xc4: {shapeCirc, toneDot}, // ä Ä
	// breve (+ tone) on a
	0xea: {shapeBreve, toneNone}, 0xca: {shapeBreve, toneNone}, // ê Ê
	0xe9: {shapeBreve, toneAcute}, 0xc9: {shapeBreve, toneAcute}, // é É
	0xe8: {shapeBreve, toneGrave}, 0xc8: {shapeBreve, toneGrave}, // è È
	0xfa: {shapeBreve, toneHook}, 0xda: {shapeBreve, toneHook}, // ú Ú
	0xfc: {shapeBreve, toneTilde}, 0xdc: {shapeBreve, toneTilde}, // ü Ü
	0xeb: {shapeBreve, toneDot}, 0xcb: {shapeBreve, toneDot}, // ë Ë
}

// vniStandalone maps VNI bytes that are whole letters.
var vniStandalone = map[byte]rune{
	0xd1: 'Đ', 0xf1: 'đ', // Ñ ñ
	0xd4: 'Ơ', 0xf4: 'ơ', // Ô ô
	0xd6: 'Ư', 0xf6: 'ư', // Ö ö
	0xcd: 'Í', 0xed: 'í', // Í í
	0xcc: 'Ì', 0xec: 'ì', // Ì ì
	0xc6: 'Ỉ', 0xe6: 'ỉ', // Æ æ
	0xd3: 'Ĩ', 0xf3: 'ĩ', // Ó ó
	0xd2: 'Ị', 0xf2: 'ị', // Ò ò
	0xce: 'Ỵ', 0xee: 'ỵ', // Î î
}

// toneMarks are the combining marks of the tones.
var toneMarks = [...]rune{0, 0x0301, 0x0300, 0x0309, 0x0303, 0x0323}

// shapeMarks are the combining marks of the shapes.
var shapeMarks = [...]rune{0, 0x0302, 0x0306, 0x031b}

// compose returns the precomposed letter base+shape+tone, or 0 when the
// combination is not one letter.
func compose(base rune, shape, tone uint8) rune {
	rs := []rune{base}
	if shape != shapeNone {
		rs = append(rs, shapeMarks[shape])
	}
	if tone != toneNone {
		rs = append(rs, toneMarks[tone])
	}
	c := []rune(norm.NFC.String(string(rs)))
	if len(c) != 1 {
		return 0
	}
	return c[0]
}

// vowelParts splits a (possibly precomposed) vowel into its ASCII base
// letter, shape and tone; ok is false for anything that is not a
// Vietnamese vowel letter.
func vowelParts(r rune) (base rune, shape, tone uint8, ok bool) {
	if p, found := vowelIndex[r]; found {
		return p.base, p.shape, p.tone, true
	}
	return 0, 0, 0, false
}

type vowelInfo struct {
	base        rune
	shape, tone uint8
}

// vowelIndex holds every Vietnamese vowel letter, lower and upper case;
// composed is its inverse.
var (
	vowelIndex = map[rune]vowelInfo{}
	composed   = map[vowelInfo]rune{}
)

func init() {
	for _, b := range "aeiouyAEIOUY" {
		for shape := shapeNone; shape <= shapeHorn; shape++ {
			for tone := toneNone; tone <= toneDot; tone++ {
				if !shapeFits(b, shape) {
					continue
				}
				if c := compose(b, shape, tone); c != 0 {
					vowelIndex[c] = vowelInfo{b, shape, tone}
					composed[vowelInfo{b, shape, tone}] = c
				}
			}
		}
	}
}

// shapeFits reports whether Vietnamese puts shape on the base vowel b.
func shapeFits(b rune, shape uint8) bool {
	switch shape {
	case shapeNone:
		return true
	case shapeCirc:
		return b == 'a' || b == 'e' || b == 'o' || b == 'A' || b == 'E' || b == 'O'
	case shapeBreve:
		return b == 'a' || b == 'A'
	case shapeHorn:
		return b == 'o' || b == 'u' || b == 'O' || b == 'U'
	}
	return false
}

// legacyByte returns the byte a legacy-font character was typed as: its
// Latin-1 code point, or the cp1252 byte of '€', '…', '–' and the like.
func legacyByte(r rune) (byte, bool) {
	if r >= 0x80 && r <= 0xff {
		return byte(r), true
	}
	if b, ok := cp1252[r]; ok {
		return b, true
	}
	return 0, false
}

// Decode converts s from the legacy encoding enc to Unicode NFC. For
// Unicode it returns s in NFC. Decode does not check that s really is in
// enc (use Detect or ToUnicode): decoding real Unicode text garbles it.
//
// TCVN3: bytes arriving as Latin-1 code points are decoded by the VN3
// table (plus VN1 capitals); bytes 0x80..0x9F are decoded when they arrive
// as raw C1 code points, and when they arrive as Windows-1252 punctuation
// ('–', '“', ...) only in the middle of a word, since .VnTime text uses
// those as punctuation.
func Decode(s string, enc Encoding) string {
	switch enc {
	case TCVN3:
		return norm.NFC.String(string(decodeTCVN3(toRunesNFC(s))))
	case VNI:
		return norm.NFC.String(string(decodeVNI(toRunesNFC(s))))
	}
	return norm.NFC.String(s)
}

// toRunesNFC returns the runes of s in NFC.
func toRunesNFC(s string) []rune {
	return []rune(norm.NFC.String(s))
}

// isWordRune reports whether r can be part of a word of legacy text:
// letters, the TCVN3 letter codes that Latin-1 shows as symbols, and C1
// controls.
func isWordRune(r rune) bool {
	if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
		return true
	}
	if r >= 0x80 && r <= 0xff {
		return tcvn3Table[r-0x80] != 0
	}
	return false
}

// decodeTCVN3 decodes TCVN3 runes.
func decodeTCVN3(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = r
		if r < 0x80 {
			continue
		}
		if r <= 0xff {
			if m := tcvn3Table[r-0x80]; m != 0 {
				out[i] = m
			}
			continue
		}
		if b, ok := cp1252[r]; ok && i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
			if m := tcvn3Table[b-0x80]; m != 0 {
				out[i] = m
			}
		}
	}
	return out
}

// decodeVNI decodes VNI runes.
func decodeVNI(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	// The vowel a modifier would attach to: index in out, and its parts.
	cur := -1
	var cBase rune
	var cShape, cTone uint8
	for _, r := range rs {
		b, isByte := legacyByte(r)
		if isByte && cur >= 0 {
			if m, ok := vniMods[b]; ok && modFits(cBase, cShape, cTone, m) {
				if m.shape != shapeNone {
					cShape = m.shape
				}
				if m.tone != toneNone {
					cTone = m.tone
				}
				if c := composed[vowelInfo{cBase, cShape, cTone}]; c != 0 {
					out[cur] = c
					continue
				}
			}
		}
		cur = -1
		if isByte {
			if m, ok := vniStandalone[b]; ok {
				out = append(out, m)
				if base, shape, tone, ok := vowelParts(m); ok {
					cur, cBase, cShape, cTone = len(out)-1, base, shape, tone
				}
				continue
			}
		}
		out = append(out, r)
		switch r {
		case 'a', 'e', 'o', 'u', 'y', 'A', 'E', 'O', 'U', 'Y':
			cur, cBase, cShape, cTone = len(out)-1, r, shapeNone, toneNone
		}
	}
	return out
}

// modFits reports whether VNI modifier m can be put on the vowel
// base+shape+tone.
func modFits(base rune, shape, tone uint8, m vniMod) bool {
	if m.tone != toneNone && tone != toneNone {
		return false
	}
	if m.shape != shapeNone {
		if shape != shapeNone {
			return false
		}
		if !shapeFits(base, m.shape) {
			return false
		}
	}
	if base == 'i' || base == 'I' {
		return false // VNI types i with tones as standalone letters
	}
	return true
}
