package ingest

// SetHooks lets the fault tests change an inbox file just before it is
// opened and just after it was copied; the returned func removes them.
func SetHooks(beforeOpen, afterCopy func(abs string)) (reset func()) {
	hookBeforeOpen, hookAfterCopy = beforeOpen, afterCopy
	return func() { hookBeforeOpen, hookAfterCopy = nil, nil }
}
