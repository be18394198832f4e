package lists

// SetStreamed sets whether the lists' sheets are streamed and returns the
// previous setting (for tests comparing both ways).
func SetStreamed(on bool) bool {
	old := streamed
	streamed = on
	return old
}
