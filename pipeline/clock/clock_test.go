package clock

import (
	"testing"
	"time"
)

func TestFixed(t *testing.T) {
	at := time.Date(2022, 4, 20, 9, 0, 0, 0, time.FixedZone("+07", 7*3600))
	var c Clock = Fixed(at)
	for i := 0; i < 3; i++ {
		if got := c.Now(); !got.Equal(at) {
			t.Fatalf("Fixed.Now() call %d = %v, want %v", i, got, at)
		}
	}
	if _, off := c.Now().Zone(); off != 7*3600 {
		t.Errorf("Fixed keeps the zone offset: got %d, want %d", off, 7*3600)
	}
}

func TestRealIsWallClock(t *testing.T) {
	var c Clock = Real{}
	before := time.Now()
	got := c.Now()
	after := time.Now()
	if got.Before(before) || got.After(after) {
		t.Errorf("Real.Now() = %v, not between %v and %v", got, before, after)
	}
}

func TestParse(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2022-04-20T09:00:00+07:00", want: time.Date(2022, 4, 20, 9, 0, 0, 0, ict)},
		{in: "2022-04-20T02:00:00Z", want: time.Date(2022, 4, 20, 9, 0, 0, 0, ict)},
		{in: "2022-04-20T09:00:00.5+07:00", want: time.Date(2022, 4, 20, 9, 0, 0, 5e8, ict)},
		// No offset: the plan's zone.
		{in: "2022-04-20T09:00:00", want: time.Date(2022, 4, 20, 9, 0, 0, 0, ict)},
		// A bare date is midnight in the plan's zone, not in UTC.
		{in: "2022-04-20", want: time.Date(2022, 4, 20, 0, 0, 0, 0, ict)},
		{in: "", wantErr: true},
		{in: "20/04/2022", wantErr: true},
		{in: "2022-13-01", wantErr: true},
		{in: "2022-04-20 09:00", wantErr: true},
		{in: "yesterday", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, ict)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseZoneMatters(t *testing.T) {
	// The same bare date names different instants in different zones.
	a, err := Parse("2022-03-25", time.FixedZone("ICT", 7*3600))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("2022-03-25", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if d := b.Sub(a); d != 7*time.Hour {
		t.Errorf("midnight UTC - midnight ICT = %v, want 7h", d)
	}
}
