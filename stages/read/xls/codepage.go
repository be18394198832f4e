package xls

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// codepages maps the CODEPAGE record values of BIFF5 files to decoders.
var codepages = map[int]encoding.Encoding{
	437:   charmap.CodePage437,
	850:   charmap.CodePage850,
	852:   charmap.CodePage852,
	855:   charmap.CodePage855,
	858:   charmap.CodePage858,
	860:   charmap.CodePage860,
	862:   charmap.CodePage862,
	863:   charmap.CodePage863,
	865:   charmap.CodePage865,
	866:   charmap.CodePage866,
	874:   charmap.Windows874,
	932:   japanese.ShiftJIS,
	936:   simplifiedchinese.GBK,
	949:   korean.EUCKR,
	950:   traditionalchinese.Big5,
	1250:  charmap.Windows1250,
	1251:  charmap.Windows1251,
	1252:  charmap.Windows1252,
	1253:  charmap.Windows1253,
	1254:  charmap.Windows1254,
	1255:  charmap.Windows1255,
	1256:  charmap.Windows1256,
	1257:  charmap.Windows1257,
	1258:  charmap.Windows1258,
	10000: charmap.Macintosh,
	10007: charmap.MacintoshCyrillic,
	32768: charmap.Macintosh,   // Apple Roman as written by old Mac Excel
	32769: charmap.Windows1252, // "ANSI" as written by Excel 2-4
}

// macCentralEurope is code page 10029 (Mac OS Central European), bytes
// 0x80-0xFF; x/text has no table for it.
var macCentralEurope = [128]rune{
	0x00C4, 0x0100, 0x0101, 0x00C9, 0x0104, 0x00D6, 0x00DC, 0x00E1, 0x0105, 0x010C, 0x00E4, 0x010D, 0x0106, 0x0107, 0x00E9, 0x0179,
	0x017A, 0x010E, 0x00ED, 0x010F, 0x0112, 0x0113, 0x0116, 0x00F3, 0x0117, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x011A, 0x011B, 0x00FC,
	0x2020, 0x00B0, 0x0118, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x0119, 0x00A8, 0x2260, 0x0123, 0x012E,
	0x012F, 0x012A, 0x2264, 0x2265, 0x012B, 0x0136, 0x2202, 0x2211, 0x0142, 0x013B, 0x013C, 0x013D, 0x013E, 0x0139, 0x013A, 0x0145,
	0x0146, 0x0143, 0x00AC, 0x221A, 0x0144, 0x0147, 0x2206, 0x00AB, 0x00BB, 0x2026, 0x00A0, 0x0148, 0x0150, 0x00D5, 0x0151, 0x014C,
	0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA, 0x014D, 0x0154, 0x0155, 0x0158, 0x2039, 0x203A, 0x0159, 0x0156,
	0x0157, 0x0160, 0x201A, 0x201E, 0x0161, 0x015A, 0x015B, 0x00C1, 0x0164, 0x0165, 0x00CD, 0x017D, 0x017E, 0x016A, 0x00D3, 0x00D4,
	0x016B, 0x016E, 0x00DA, 0x016F, 0x0170, 0x0171, 0x0172, 0x0173, 0x00DD, 0x00FD, 0x0137, 0x017B, 0x0141, 0x017C, 0x0122, 0x02C7,
}

// decoder turns 8-bit BIFF5 strings into UTF-8.
type decoder struct {
	cp  int
	enc encoding.Encoding // nil for the built-in tables
}

// newDecoder returns the decoder for a CODEPAGE value and whether the code
// page is known (unknown ones fall back to Windows-1252).
func newDecoder(cp int) (decoder, bool) {
	switch cp {
	case 10029:
		return decoder{cp: cp}, true
	case 0, 367, 1200: // absent, US-ASCII, or "UTF-16" in an 8-bit file
		return decoder{cp: cp, enc: charmap.Windows1252}, true
	}
	if enc, ok := codepages[cp]; ok {
		return decoder{cp: cp, enc: enc}, true
	}
	return decoder{cp: cp, enc: charmap.Windows1252}, false
}

// decode converts b to UTF-8.
func (d decoder) decode(b []byte) string {
	if d.enc == nil { // Mac Central European
		var sb strings.Builder
		for _, c := range b {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(macCentralEurope[c-0x80])
			}
		}
		return sb.String()
	}
	out, err := d.enc.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return latin1(b)
	}
	return string(out)
}

// latin1 maps each byte to the code point of the same value.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
