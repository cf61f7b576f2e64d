package view

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// SlogHandler is a log/slog handler that writes through p, so a component
// that logs with slog (the scheduler) follows --log-format, --log-level and
// the log file like every other line. Text lines are "msg key=value …".
func SlogHandler(p *Printer) slog.Handler { return &slogHandler{p: p} }

type slogHandler struct {
	p      *Printer
	attrs  []slog.Attr
	prefix string // group names, dotted
}

func (h *slogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	level := LevelInfo
	switch {
	case r.Level >= slog.LevelError:
		level = LevelError
	case r.Level >= slog.LevelWarn:
		level = LevelWarn
	case r.Level < slog.LevelInfo:
		level = LevelDebug
	}
	data := map[string]any{}
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr, prefix string) {
		a.Value = a.Value.Resolve()
		if a.Equal(slog.Attr{}) {
			return
		}
		k := prefix + a.Key
		data[k] = a.Value.Any()
		v := a.Value.String()
		if strings.ContainsAny(v, " \t\"=") || v == "" {
			v = fmt.Sprintf("%q", v)
		}
		b.WriteString(" " + k + "=" + v)
	}
	for _, a := range h.attrs {
		add(a, "") // keys already carry their groups
	}
	r.Attrs(func(a slog.Attr) bool { add(a, h.prefix); return true })
	h.p.emit(record{name: "SchedulerLog", code: "S001", level: level, t: r.Time, stderr: true, msg: b.String(), data: data})
	return nil
}

func (h *slogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range as {
		a.Key = h.prefix + a.Key
		n.attrs = append(n.attrs, a)
	}
	return &n
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	n := *h
	n.prefix = h.prefix + name + "."
	return &n
}
