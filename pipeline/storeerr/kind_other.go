//go:build !windows

package storeerr

func platformKind(error) (Kind, bool) { return 0, false }
