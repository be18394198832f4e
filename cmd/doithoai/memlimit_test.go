package main

import "testing"

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"512MiB", 512 << 20, false},
		{"2GiB", 2 << 30, false},
		{"1.5 GB", 3 << 29, false},
		{"300m", 300 << 20, false},
		{"4096", 4096, false},
		{"0", 0, false},
		{"off", 0, false},
		{"", 0, false},
		{"-1MiB", 0, true},
		{"lots", 0, true},
		{"1e30GiB", 0, true},
	} {
		got, err := parseSize(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}
