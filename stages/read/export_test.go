package read

// StreamKeepRows lets the tests of package read_test read big sheets
// whole (as before streaming) or cut.
var StreamKeepRows = &streamKeepRows
