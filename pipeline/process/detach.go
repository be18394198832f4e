package process

import (
	"strings"

	"doithoai/pipeline/record"
)

// detach gives every string an item keeps for the rest of the run its own
// memory. The reader hands out texts that share one buffer per file (a
// shared-string table, a column of an extract): a title or one finding's
// value kept from a 2,000-row roster would otherwise keep the whole
// file's text alive, for every file of the inbox. The source rows and the
// M1 rows are left alone: when they are kept, all of their texts are.
func detach(it *Item) {
	wb := &it.Workbook
	for _, p := range []*string{&wb.Format, &wb.CommuneCode, &wb.HeaderName, &wb.Title, &wb.Reason} {
		*p = strings.Clone(*p)
	}
	for i := range wb.Tables {
		t := &wb.Tables[i]
		t.Sheet = strings.Clone(t.Sheet)
		if len(t.Columns) > 0 {
			t.Columns = append([]record.Column(nil), t.Columns...)
		}
		for j := range t.Columns {
			c := &t.Columns[j]
			c.Field, c.Letter, c.Header = strings.Clone(c.Field), strings.Clone(c.Letter), strings.Clone(c.Header)
		}
		if len(t.Unknown) > 0 {
			t.Unknown = append([]string(nil), t.Unknown...)
		}
		for j := range t.Unknown {
			t.Unknown[j] = strings.Clone(t.Unknown[j])
		}
	}
	c := &it.Checked
	record.OwnStrings(wb.Findings, c.Findings, c.Registrations, c.Delegates, c.Opinions, c.Results)
}
