#!/bin/sh
# make.sh regenerates the LibreOffice fixtures of lo_test.go. CI has no
# LibreOffice, so the outputs are committed; run this only to remake them.
#
# How the fixtures were made (2026-11-29, LibreOffice 7.4.7.2 40(Build:2),
# Linux, headless):
#   1. gen/main.go (a `//go:build ignore` program) writes the source
#      workbooks m1.xlsx … m5.xlsx with the project's template writer
#      (doithoai/schemas/template): Vietnamese text with every tone mark and
#      đ/Đ, a 12-digit citizen ID as text, an 11-digit one as a number (the
#      leading zero lost, as Excel stores it), a date of birth as a date,
#      dates in M4/M5, phones with spaces, and an M1 of three sheets (one
#      per hamlet).
#   2. soffice --headless --convert-to converts each source to:
#        <m>.lo.xls      "MS Excel 97" (BIFF8)
#        <m>.lo.ods      "calc8" (OpenDocument, zipped)
#        <m>.lo.xlsx     "Calc MS Excel 2007 XML" (LibreOffice's own xlsx)
#        <m>.utf8.csv    "Text - txt - csv (StarCalc)":44,34,76   (UTF-8)
#        <m>.cp1258.csv  "Text - txt - csv (StarCalc)":44,34,40   (Windows-1258)
#      Filter options: 44 = comma separator, 34 = '"' quote, 76 =
#      RTL_TEXTENCODING_UTF8, 40 = RTL_TEXTENCODING_MS_1258 (tone marks as
#      combining characters). CSV export writes the first sheet only.
#      No .fods: LibreOffice writes 65–110 KB of styles per flat file, over
#      the 30 KB budget of a committed fixture; the .ods covers the same XML.
#      LibreOffice 7.4 defect: its Windows-1258 export writes ý/Ý as y/Y +
#      0xCC (combining grave) instead of 0xEC (acute), so m2.cp1258.csv says
#      "Đăng kỳ" where the source says "Đăng ký"; lo_test.go expects that.
#
# Usage (from anywhere): sh stages/read/testdata/lo/make.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

soffice --version
(cd "$root" && go run ./stages/read/testdata/lo/gen/main.go -out "$here")

convert() { # convert <source> <filter> <out-ext> <target-name>
	mkdir -p "$tmp/out"
	soffice -env:UserInstallation="file://$tmp/profile" --headless \
		--convert-to "$3:$2" --outdir "$tmp/out" "$1" >/dev/null
	stem=$(basename "$1" .xlsx)
	mv "$tmp/out/$stem.$3" "$here/$4"
}

for m in m1 m2 m3 m4 m5; do
	cp "$here/$m.xlsx" "$tmp/$m.xlsx"
	src="$tmp/$m.xlsx"
	convert "$src" "MS Excel 97" xls "$m.lo.xls"
	convert "$src" "calc8" ods "$m.lo.ods"
	convert "$src" "Calc MS Excel 2007 XML" xlsx "$m.lo.xlsx"
	convert "$src" "Text - txt - csv (StarCalc):44,34,76" csv "$m.utf8.csv"
	convert "$src" "Text - txt - csv (StarCalc):44,34,40" csv "$m.cp1258.csv"
done
ls -l "$here"
