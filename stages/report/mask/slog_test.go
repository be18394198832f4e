package mask

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsMasksPersonalNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Logs(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("file", "29956/DS 087079105129.xlsx")
	log.Debug("cell 0912345678 refused",
		"err", errors.New(`parse "087079105129": bad`),
		"cells", []string{"0387654321"},
		slog.Group("row", "phone", "0912 345 678", "n", 12),
		"code", "29956", "sha256", "ab12cd34ef56",
		slog.Group("hash", "sha256", "51c123453640"))
	out := buf.String()
	for _, leak := range []string{"087079105129", "0912345678", "0387654321", "0912 345 678"} {
		if strings.Contains(out, leak) {
			t.Errorf("log carries %s:\n%s", leak, out)
		}
	}
	// A file hash whose digits run to 9 is not masked; the same digits
	// under another key are.
	log.Info("hashes", "sha256", "3c123456788617e", "other", "3c123456788617e", "sha256", "123456789012")
	out = buf.String()
	for _, leak := range []string{`"other":"3c123456788617e"`, `"sha256":"123456789012"`} {
		if strings.Contains(out, leak) {
			t.Errorf("log carries %s:\n%s", leak, out)
		}
	}
	for _, keep := range []string{"29956", "ab12cd34ef56", "51c123453640", `"sha256":"3c123456788617e"`, "5129", `"n":12`} {
		if !strings.Contains(out, keep) {
			t.Errorf("log lost %s:\n%s", keep, out)
		}
	}
}
