package record

import "cmp"

// CompareReceipt is the one order of receipt of records (SPEC §9: "file
// received, then sheet, then row"): the submission's receipt sequence
// (Seq; its path breaks a tie, which a ledger never makes), then the
// sheet's position in the workbook (SheetIndex: "Khóm 10" before "Khóm 2"
// when the workbook has them so), then the row. The sheet's name breaks a
// tie of positions, so records made without positions (tests) still have
// one order. Quota ranks, duplicate groups, the attendance list's
// representative and every report list in receipt order use it.
func CompareReceipt(a, b *Source) int {
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if c := cmp.Compare(a.SheetIndex, b.SheetIndex); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Sheet, b.Sheet); c != 0 {
		return c
	}
	return cmp.Compare(a.Row, b.Row)
}
