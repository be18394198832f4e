// Package csvtext decodes delimited text files (CSV, TSV, the
// semicolon-separated CSV of a Vietnamese-locale Excel) into the common grid
// shape: one sheet named "", every non-empty field a String cell, Row.Num
// the 1-based physical line where the record starts. The text encoding
// (UTF-8, UTF-16, Windows-1258) and the delimiter are detected.
package csvtext

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"doithoai/stages/read/grid"
)

// Decode reads the delimited text file at path within the limits. Zero or
// negative limit fields take their grid.DefaultLimits value. Errors are
// *grid.Problem (corrupt, too_large, not_spreadsheet, unsupported) except
// for I/O failures and context cancellation.
func Decode(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, error) {
	ext := strings.ToLower(filepath.Ext(path))
	return grid.DecodeFile(ctx, "csv", path, lim, func(ctx context.Context, data []byte, lim grid.Limits) (*grid.Workbook, error) {
		return decodeBytes(ctx, data, ext, lim)
	})
}

// decodeBytes decodes a whole file held in memory; ext ("" or ".tsv", ...)
// only breaks delimiter ties.
func decodeBytes(ctx context.Context, data []byte, ext string, lim grid.Limits) (*grid.Workbook, error) {
	if len(data) == 0 {
		return nil, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
	}
	if err := sniffBinary(data); err != nil {
		return nil, err
	}
	text, enc, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	if err := checkControls(text); err != nil {
		return nil, err
	}
	wb := &grid.Workbook{Format: "csv"}
	if enc != "" {
		wb.Notes = append(wb.Notes, "csv_encoding:"+enc)
	}
	text = normalizeNewlines(text)
	text = bytes.TrimRight(text, "\x1a") // DOS end-of-file marker

	comma, skipFirst := detectDelimiter(text, ext)
	if err := prescan(ctx, text, comma, lim); err != nil {
		return nil, err
	}
	sheet, truncated, err := parse(ctx, text, comma, skipFirst, lim)
	if err != nil {
		return nil, err
	}
	if truncated {
		wb.Notes = append(wb.Notes, grid.CutNote(lim.MaxCellChars, ""))
	}
	wb.Sheets = []grid.Sheet{sheet}
	return wb, nil
}

// signature is a binary file type recognised by its first bytes.
type signature struct {
	magic string
	code  string
	what  string
}

// signatures of files that are not delimited text.
var signatures = []signature{
	{"PK\x03\x04", grid.CodeCorrupt, "a zip container (xlsx/ods?), not a text file"},
	{"PK\x05\x06", grid.CodeCorrupt, "a zip container, not a text file"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", grid.CodeCorrupt, "an OLE2 compound file (xls/doc?), not a text file"},
	{"%PDF-", grid.CodeNotSheet, "a PDF document"},
	{"\x89PNG\r\n\x1a\n", grid.CodeNotSheet, "a PNG image"},
	{"\xFF\xD8\xFF", grid.CodeNotSheet, "a JPEG image"},
	{"GIF8", grid.CodeNotSheet, "a GIF image"},
	{"Rar!\x1a\x07", grid.CodeNotSheet, "a RAR archive"},
	{"7z\xBC\xAF\x27\x1C", grid.CodeNotSheet, "a 7-Zip archive"},
	{"\x1f\x8b", grid.CodeNotSheet, "a gzip archive"},
	{"{\\rtf", grid.CodeNotSheet, "an RTF document"},
}

// sniffBinary rejects files whose signature shows they are not text.
func sniffBinary(data []byte) error {
	for _, s := range signatures {
		if bytes.HasPrefix(data, []byte(s.magic)) {
			return grid.Fail(s.code, "file is "+s.what, nil)
		}
	}
	return nil
}

// toUTF8 detects the text encoding and returns UTF-8 text with any BOM
// removed, plus the encoding's name when it was not UTF-8.
func toUTF8(data []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return data[3:], "", nil
	case bytes.HasPrefix(data, []byte("\xFF\xFE\x00\x00")), bytes.HasPrefix(data, []byte("\x00\x00\xFE\xFF")):
		return nil, "", grid.Fail(grid.CodeUnsupported, "UTF-32 text; save the file as UTF-8 CSV", nil)
	case bytes.HasPrefix(data, []byte("\xFF\xFE")):
		return fromUTF16(data[2:], unicode.LittleEndian, "utf-16le")
	case bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return fromUTF16(data[2:], unicode.BigEndian, "utf-16be")
	}
	switch utf16Guess(data) {
	case "le":
		return fromUTF16(data, unicode.LittleEndian, "utf-16le")
	case "be":
		return fromUTF16(data, unicode.BigEndian, "utf-16be")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", grid.Fail(grid.CodeNotSheet, "binary data (NUL bytes), not a text file", nil)
	}
	if utf8.Valid(data) {
		return data, "", nil
	}
	if mostlyUTF8(data) {
		// A UTF-8 file with a few damaged bytes (often cut mid-character).
		return bytes.ToValidUTF8(data, []byte("\uFFFD")), "utf-8-damaged", nil
	}
	out, err := charmap.Windows1258.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", grid.Fail(grid.CodeCorrupt, "cannot decode the text as Windows-1258", err)
	}
	// Windows-1258 writes tone marks as combining characters.
	return norm.NFC.Bytes(out), "windows-1258", nil
}

// mostlyUTF8 reports whether data is UTF-8 with a few invalid bytes: cut
// in the middle of its last character, or at least ten valid multi-byte
// sequences for each invalid byte.
func mostlyUTF8(data []byte) bool {
	for i := len(data) - 1; i >= 0 && i >= len(data)-3; i-- {
		if utf8.RuneStart(data[i]) {
			head := data[:i]
			if !utf8.FullRune(data[i:]) && utf8.Valid(head) && utf8.RuneCount(head) < len(head) {
				return true
			}
			break
		}
	}
	multi, bad := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
		} else {
			multi++
		}
		i += size
	}
	return multi >= 10*bad
}

// fromUTF16 decodes UTF-16 text without a BOM.
func fromUTF16(data []byte, order unicode.Endianness, name string) ([]byte, string, error) {
	out, err := unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", grid.Fail(grid.CodeCorrupt, "cannot decode the "+name+" text", err)
	}
	if bytes.IndexByte(out, 0) >= 0 {
		return nil, "", grid.Fail(grid.CodeNotSheet, "binary data (NUL characters), not a text file", nil)
	}
	return out, name, nil
}

// utf16Guess recognises BOM-less UTF-16 by its NUL bytes: text that is
// mostly ASCII has a zero high byte in nearly every code unit.
func utf16Guess(data []byte) string {
	n := min(len(data), 4096) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	units := n / 2
	switch {
	case odd*10 >= units*3 && even*20 <= units:
		return "le"
	case even*10 >= units*3 && odd*20 <= units:
		return "be"
	}
	return ""
}

// checkControls rejects text with many control characters: a binary file
// that happened to have no NUL byte.
func checkControls(text []byte) error {
	sample := text[:min(len(text), 64<<10)]
	bad, total := 0, 0
	for _, r := range string(sample) {
		total++
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != 0x1a {
			bad++
		}
	}
	if bad > 8 && bad*10 > total {
		return grid.Fail(grid.CodeNotSheet, fmt.Sprintf("binary data (%d control characters in %d), not a text file", bad, total), nil)
	}
	return nil
}

// normalizeNewlines turns old Mac line ends (a lone CR) into LF; CRLF is
// left for encoding/csv, which handles it.
func normalizeNewlines(text []byte) []byte {
	if bytes.IndexByte(text, '\r') < 0 {
		return text
	}
	out := make([]byte, len(text))
	copy(out, text)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// delimiters are the candidates, in order of preference for ties.
var delimiters = []rune{',', ';', '\t', '|'}

// detectDelimiter picks the delimiter giving the most consistent field
// counts over the first records. A first line "sep=X" (Excel's hint) wins
// and is skipped.
func detectDelimiter(text []byte, ext string) (comma rune, skipFirst bool) {
	first, _, _ := bytes.Cut(text, []byte("\n"))
	first = bytes.TrimRight(first, "\r")
	if len(first) == 5 && bytes.HasPrefix(bytes.ToLower(first), []byte("sep=")) {
		if r := rune(first[4]); r != '"' && r != '\n' && r != '\r' {
			return r, true
		}
	}
	order := delimiters
	if ext == ".tsv" || ext == ".tab" {
		order = []rune{'\t', ',', ';', '|'}
	}
	sample := text[:min(len(text), 64<<10)]
	best, bestScore, bestWidth := order[0], 0.0, 0
	for _, d := range order {
		score, width := consistency(sample, d)
		if score > bestScore || (score == bestScore && score > 0 && width > bestWidth) {
			best, bestScore, bestWidth = d, score, width
		}
	}
	return best, false
}

// consistency parses up to 50 records of sample with delimiter d and
// returns the share of records having the most common field count (0 when
// that count is 1: the delimiter does not occur) and that count.
func consistency(sample []byte, d rune) (float64, int) {
	r := csv.NewReader(bytes.NewReader(sample))
	r.Comma = d
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	counts := map[int]int{}
	n := 0
	for n < 50 {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		counts[len(rec)]++
		n++
	}
	mode, freq := 0, 0
	for c, f := range counts {
		if f > freq || (f == freq && c > mode) {
			mode, freq = c, f
		}
	}
	if mode < 2 || n == 0 {
		return 0, 0
	}
	return float64(freq) / float64(n), mode
}

// maxFields bounds the fields of one record, empty ones included: Excel
// has 16,384 columns, and encoding/csv keeps a string per field.
const maxFields = 16_384

// prescan walks the text the way encoding/csv (with LazyQuotes) will split
// it, before it does, because encoding/csv holds a whole record in memory
// before returning it: a field longer than MaxCellBytes, a value past
// MaxCols or a record of more than maxFields fields is refused here, in
// one pass that allocates nothing. Lengths are upper bounds (a CR before a
// line feed is counted); parse checks the exact ones.
func prescan(ctx context.Context, text []byte, comma rune, lim grid.Limits) error {
	if comma >= utf8.RuneSelf {
		return nil // a multi-byte delimiter from a sep= line: parse checks
	}
	delim := byte(comma)
	line, recLine, field, flen := 1, 1, 0, 0
	inQuotes := false
	endField := func() error {
		if flen > 0 && field+1 > lim.MaxCols {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(lim.MaxCols), Row: recLine, Col: field + 1},
				"line %d has a value in column %d, limit %d", recLine, field+1, lim.MaxCols)
		}
		field, flen = field+1, 0
		if field >= maxFields {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(lim.MaxCols), Row: recLine, Col: field + 1},
				"line %d has more than %d fields", recLine, maxFields)
		}
		return nil
	}
	for i := 0; i < len(text); i++ {
		if i&(1<<20-1) == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("csvtext: %w", err)
			}
		}
		c := text[i]
		switch {
		case inQuotes:
			switch {
			case c == '"' && i+1 < len(text) && text[i+1] == '"':
				flen++ // an escaped quote
				i++
			case c == '"' && (i+1 == len(text) || text[i+1] == delim || text[i+1] == '\n' || text[i+1] == '\r'):
				inQuotes = false
			default:
				if c == '\n' {
					line++
				}
				flen++ // text, or a stray quote taken literally
			}
		case c == '"' && flen == 0:
			inQuotes = true
		case c == delim:
			if err := endField(); err != nil {
				return err
			}
		case c == '\n':
			if err := endField(); err != nil {
				return err
			}
			line++
			recLine, field = line, 0
		default:
			flen++
		}
		if flen > lim.MaxCellBytes {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCellBytes, Max: int64(lim.MaxCellBytes), Row: recLine, Col: field + 1},
				"line %d: the field in column %d is longer than %d bytes", recLine, field+1, lim.MaxCellBytes)
		}
	}
	return nil
}

// parse reads every record into one sheet. truncated reports a cut cell.
func parse(ctx context.Context, text []byte, comma rune, skipFirst bool, lim grid.Limits) (grid.Sheet, bool, error) {
	sheet := grid.Sheet{Name: ""}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = comma
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	cells, truncated := 0, false
	bud := grid.NewBudget(lim)
	bud.Sheet("")
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return sheet, false, fmt.Errorf("csvtext: %w", err)
			}
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sheet, false, grid.Fail(grid.CodeCorrupt, "unreadable delimited text", err)
		}
		line, _ := r.FieldPos(0)
		if skipFirst && line == 1 {
			continue
		}
		var row []grid.Cell
		for i, f := range rec {
			if f == "" {
				continue
			}
			if i+1 > lim.MaxCols {
				return sheet, false, grid.TooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(lim.MaxCols), Row: line, Col: i + 1},
					"line %d has a value in column %d, limit %d", line, i+1, lim.MaxCols)
			}
			if cells++; cells > lim.MaxCells {
				return sheet, false, grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(lim.MaxCells), Row: line, Col: i + 1},
					"more than %d non-empty cells", lim.MaxCells)
			}
			if err := bud.Cell(len(f), line, i+1); err != nil {
				return sheet, false, err
			}
			if cut, ok := grid.CutText(f, lim.MaxCellChars); ok {
				f, truncated = cut, true
			}
			if err := bud.Charge(int64(len(f)), 1, line, i+1); err != nil {
				return sheet, false, err
			}
			row = append(row, grid.Cell{Col: i + 1, Kind: grid.String, Text: f})
		}
		if len(row) == 0 {
			continue
		}
		if line > lim.MaxRows {
			return sheet, false, grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(lim.MaxRows), Row: line},
				"a value on line %d, limit %d rows", line, lim.MaxRows)
		}
		sheet.Rows = append(sheet.Rows, grid.Row{Num: line, Cells: row})
	}
	return sheet, truncated, nil
}
