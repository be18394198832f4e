package read

// StreamKeepRows lets the tests of package read_test read big sheets
// whole (as before streaming) or cut.
var StreamKeepRows = &streamKeepRows

// SkimmedSheets counts the sheets whose rows a first pass skipped.
var SkimmedSheets = &skimmedSheets
