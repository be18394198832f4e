package measure

import "runtime"

// isDarwin: macOS reports ru_maxrss in bytes, Linux in KiB.
var isDarwin = runtime.GOOS == "darwin"
