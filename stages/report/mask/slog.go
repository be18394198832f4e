package mask

import (
	"context"
	"fmt"
	"log/slog"
)

// Logs wraps a log handler so that no citizen ID or phone number reaches a
// log: the message and every string, error and Stringer attribute (in
// groups too) go through Text. It is the safety net under the rule that
// logs never carry cell values. A "sha256" attribute (a content hash the
// pipeline computed, hexadecimal) is the one string left as it is: its
// digit runs are no one's number, and masking them made the log's file
// hashes unreadable.
func Logs(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ next slog.Handler }

func (l logHandler) Enabled(ctx context.Context, lv slog.Level) bool { return l.next.Enabled(ctx, lv) }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return l.next.Handle(ctx, out)
}

func (l logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return logHandler{l.next.WithAttrs(masked)}
}

func (l logHandler) WithGroup(name string) slog.Handler { return logHandler{l.next.WithGroup(name)} }

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if a.Key == "sha256" && isHex(v.String()) {
			return slog.Attr{Key: a.Key, Value: v}
		}
		return slog.String(a.Key, Text(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = maskAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Text(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, Text(x.String()))
		case []string:
			out := make([]string, len(x))
			for i, s := range x {
				out[i] = Text(s)
			}
			return slog.Any(a.Key, out)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// isHex reports whether s is a non-empty run of lower-case hexadecimal
// digits with at least one letter, the form of the hashes the pipeline
// logs (a run of digits alone could be anything, and is masked).
func isHex(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			letter = true
		default:
			return false
		}
	}
	return letter
}
