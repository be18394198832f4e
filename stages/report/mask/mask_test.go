package mask

import "testing"

func TestMask(t *testing.T) {
	cases := []struct {
		name, in, id, phone string
	}{
		{"cccd", "087123451234", "********1234", "********1234"},
		{"cmnd", "341234567", "*****4567", "*****4567"},
		{"phone", "0912345678", "******5678", "******5678"},
		{"spaces and dots", "0912 345.678", "******5678", "******5678"},
		{"empty", "", "", ""},
		{"short", "123", "***", "***"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ID(c.in); got != c.id {
				t.Errorf("ID(%q) = %q, want %q", c.in, got, c.id)
			}
			if got := Phone(c.in); got != c.phone {
				t.Errorf("Phone(%q) = %q, want %q", c.in, got, c.phone)
			}
		})
	}
}
