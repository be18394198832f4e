package mask

import "strings"

// Text hides citizen IDs and phone numbers written inside free text (an
// opinion, a message): every run of 9 to 12 digits, possibly split by
// single spaces or dots, keeps only its last 4 digits. Left alone: a Mã hộ
// such as "29956-0059", amounts written with thousands separators
// ("50.000.000"), and a number given as an example ("ví dụ 0912345678"),
// which is nobody's.
func Text(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	rs := []rune(s)
	var out []rune
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			out = append(out, rs[i])
			i++
			continue
		}
		// A token: digits with single separators between digits.
		j := i
		var groups []int
		n := 0
		var seps []rune
		for j < len(rs) {
			if isDigit(rs[j]) {
				n++
				j++
				continue
			}
			if (rs[j] == ' ' || rs[j] == '.') && j+1 < len(rs) && isDigit(rs[j+1]) && j > i && isDigit(rs[j-1]) {
				groups = append(groups, n-sum(groups))
				seps = append(seps, rs[j])
				j++
				continue
			}
			break
		}
		groups = append(groups, n-sum(groups))
		tok := rs[i:j]
		if n >= 9 && n <= 12 && !(rs[i] != '0' && thousands(groups, seps)) && !example(rs[:i]) {
			keep := 4
			for _, r := range tok {
				if isDigit(r) {
					if n > keep {
						out = append(out, '*')
					} else {
						out = append(out, r)
					}
					n--
				}
			}
		} else {
			out = append(out, tok...)
		}
		i = j
	}
	return string(out)
}

// example reports whether the text just before a number introduces it as
// an example ("ví dụ 0912345678", "(Ví dụ: …").
func example(before []rune) bool {
	if len(before) > 16 {
		before = before[len(before)-16:]
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimRight(string(before), " :")), "ví dụ")
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// thousands reports whether digit groups look like an amount: 1..3 digits,
// then groups of 3, separated by dots.
func thousands(groups []int, seps []rune) bool {
	if len(groups) < 2 || groups[0] < 1 || groups[0] > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if g != 3 {
			return false
		}
	}
	for _, s := range seps {
		if s != '.' {
			return false
		}
	}
	return len(seps) > 0
}
