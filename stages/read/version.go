package read

// Version names the reader's behaviour for the ledger's memory of files
// whose read ran out of time: a file that timed out is not read again by
// the same reader version with the same limits and budget. Bump it when a
// decoder changes in a way that may make a slow file faster to read (or
// read it differently), so that remembered timeouts are tried again.
const Version = "4"
