package ods

import (
	"strconv"
	"strings"
	"time"
)

// excelEpoch is day 0 of the Excel 1900 date system for dates from
// 1900-03-01 on (Excel counts a phantom 1900-02-29).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// dateLayouts are the forms office:date-value takes. Fractional seconds are
// accepted after the seconds by time.Parse even when not in the layout.
var dateLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// dateSerial converts an office:date-value ("2022-03-20" or
// "2021-01-01T10:10:10") into an Excel 1900-system serial, wall clock time
// kept (a time zone suffix is ignored). Dates before 1900 have no serial.
func dateSerial(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return 0, false
	}
	var t time.Time
	var err error
	for _, layout := range dateLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil || t.Year() < 1900 {
		return 0, false
	}
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	serial := float64(wall.Unix()-excelEpoch.Unix())/86400 + float64(wall.Nanosecond())/86400e9
	if serial < 61 {
		serial-- // before Excel's phantom 1900-02-29
	}
	return serial, true
}

// durationDays converts an office:time-value (ISO 8601 duration such as
// "PT10H10M10.5S" or "P1DT2H") into a fraction of days, as Excel stores
// times. Years and months have no fixed length and are refused.
func durationDays(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 || len(s) > 64 {
		return 0, false
	}
	var total float64
	inTime := false
	num := ""
	for _, r := range s[1:] {
		switch {
		case r == 'T':
			if inTime || num != "" {
				return 0, false
			}
			inTime = true
		case r >= '0' && r <= '9' || r == '.' || r == ',':
			num += string(r)
		default:
			v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64)
			if num == "" || err != nil {
				return 0, false
			}
			switch {
			case r == 'D' && !inTime:
				total += v
			case r == 'W' && !inTime:
				total += 7 * v
			case r == 'H' && inTime:
				total += v / 24
			case r == 'M' && inTime:
				total += v / 1440
			case r == 'S' && inTime:
				total += v / 86400
			default:
				return 0, false
			}
			num = ""
		}
	}
	if num != "" {
		return 0, false
	}
	if neg {
		total = -total
	}
	return total, true
}

// formatSerial writes a serial the way a spreadsheet stores it.
func formatSerial(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
