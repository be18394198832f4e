package process

// DefaultHeldRows is Config.HeldRows's default: about 200 MiB of roster
// rows.
const DefaultHeldRows = 250_000

// spill keeps the M1 rows of an inbox's checks in memory while they are
// few, and out of it, in their checked extracts only, once there are more
// than Config.HeldRows of them: from then on every stored check's rows are
// dropped as it is read (and those held so far at once), so reading a big
// inbox holds one file's rows per worker, not the whole roster.
type spill struct {
	limit   int // HeldRows; < 0: never
	items   []Item
	got     []bool
	held    int
	engaged bool
}

func newSpill(cfg Config, items []Item) *spill {
	return &spill{limit: cfg.heldRows(), items: items, got: make([]bool, len(items))}
}

// heldRows is the limit of Config.HeldRows: DefaultHeldRows for 0, < 0
// for no limit.
func (cfg Config) heldRows() int {
	if cfg.HeldRows == 0 {
		return DefaultHeldRows
	}
	return cfg.HeldRows
}

// add takes note of items[i], just read (called under ReadAll's lock).
func (s *spill) add(i int) {
	s.got[i] = true
	if s.engaged {
		s.drop(i)
		return
	}
	// A file's M1 rows left in its checked extract when it was read
	// (more than the limit) count as held: they engage the spill.
	s.held += len(s.items[i].Checked.Households) + s.items[i].RosterRows
	if s.limit < 0 || s.held <= s.limit {
		return
	}
	s.engaged = true
	for j, ok := range s.got {
		if ok {
			s.drop(j)
		}
	}
}

// drop leaves items[i]'s M1 rows to its checked extract, when it has one.
func (s *spill) drop(i int) {
	it := &s.items[i]
	if it.inStore && len(it.Checked.Households) > 0 {
		it.RosterRows = len(it.Checked.Households)
		it.Checked.Households = nil
	}
}
