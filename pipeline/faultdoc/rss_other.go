//go:build !unix

package faultdoc

import "os"

// peakRSS is not measured on this platform.
func peakRSS(*os.ProcessState) int64 { return 0 }
