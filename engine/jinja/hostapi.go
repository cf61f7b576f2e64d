package jinja

import "context"

// Host API: small, generic entry points a host needs beyond rendering a
// template (calling a macro from Go, explaining an undefined value).

// Invoke calls m from Go, as a template rendering with vars and o would call
// it: the macro's body runs with its own template (for error positions) and
// its free names resolve to vars, then the environment's globals. A return
// value set through Return is the result; otherwise the macro's output.
func (m *Macro) Invoke(ctx context.Context, args Args, vars map[string]Value, o RenderOptions) (_ Value, err error) {
	s := newState(ctx, m.def.tmpl, vars, o)
	defer s.recoverPanic(&err)
	s.setPos(m.def.pos)
	v, err := m.Call(s, args)
	if err != nil {
		return Value{}, s.finishErr(err)
	}
	return v, nil
}

// UndefinedReason returns, for an undefined value, the message an operation
// on it raises ("'dict object' has no attribute 'b'"); it is empty when v is
// an undefined name (the message is then "'name' is undefined") or not
// undefined at all.
func (v Value) UndefinedReason() string {
	if v.k != KindUndefined {
		return ""
	}
	if ui, ok := v.p.(*undefInfo); ok {
		return ui.msg
	}
	return ""
}
