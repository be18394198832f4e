package process

// StreamPartRows is streamPartRows, for tests.
var StreamPartRows = &streamPartRows
