package diag

import "strings"

// Name is the diagnostic's event name, as --warn-error-options and the JSON
// log know it: its summary in CamelCase ("undefined name" is UndefinedName,
// "unknown key" UnknownKey, "properties for a missing model"
// PropertiesForAMissingModel).
func (d Diagnostic) Name() string {
	return CamelName(d.Summary)
}

// CamelName turns a summary into an event name: words capitalised and
// joined, anything but letters and digits dropped.
func CamelName(summary string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(summary, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	if b.Len() == 0 {
		return "Warning"
	}
	return b.String()
}
