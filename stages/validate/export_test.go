package validate

// CheckOld is Check with the checker as it was before its fast paths
// (oldrows_test.go), for the equivalence tests.
var CheckOld = checkOld
