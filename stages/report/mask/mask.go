// Package mask hides personal data (citizen IDs and phone numbers) in
// everything that leaves the office (SPEC §7): only the last 4 digits stay
// visible, e.g. "********1234" and "******5678". Only the analysts' data
// (outbox/data) keeps the full values.
package mask

import "strings"

// keep is how many trailing characters stay visible.
const keep = 4

// ID masks a citizen ID (CCCD/CMND): every character but the last 4 becomes
// '*'. Spaces and dots are dropped first; an empty value stays empty.
func ID(s string) string { return last4(s) }

// Phone masks a phone number like ID: "0912345678" -> "******5678".
func Phone(s string) string { return last4(s) }

func last4(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\u00a0', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= keep {
		// Too short to show anything safely: hide it all.
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}
