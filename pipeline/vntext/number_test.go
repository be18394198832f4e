package vntext

import "testing"

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.000"}, {2421, "2.421"}, {200000, "200.000"}, {-1500, "-1.500"}, {1234567, "1.234.567"}} {
		if got := Thousands(tc.n); got != tc.want {
			t.Errorf("Thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
