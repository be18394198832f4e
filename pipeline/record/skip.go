package record

// Skip is an inbox entry that was not received and never will be as it is:
// a link, a FIFO or device, an unreadable file or folder. Staff see it on
// the status page and in the run's summary.
type Skip struct {
	Path   string `json:"path"`   // relative to the inbox, '/'-separated
	Reason string `json:"reason"` // one of the Skip… reasons
}

// Reasons an inbox entry is skipped (stable codes).
const (
	SkipLinkOutside   = "link_outside"   // a symbolic link or junction pointing out of the inbox (or nowhere)
	SkipLink          = "link"           // a symbolic link or junction to something inside the inbox
	SkipSpecial       = "special"        // a FIFO, socket or device: never opened
	SkipUnreadable    = "unreadable"     // a file that cannot be read (permissions, I/O error)
	SkipUnreadableDir = "unreadable_dir" // a folder whose list cannot be read
)
