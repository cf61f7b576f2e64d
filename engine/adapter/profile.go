package adapter

// ProfileSpec is what a warehouse accepts in a profile output. engine/profile
// reads the YAML, renders its Jinja, and checks every key against the spec,
// reporting each problem at the file and line of the key it concerns.
type ProfileSpec struct {
	// Fields lists every key an output of this type takes, besides `type`.
	Fields []ProfileField
	// Required lists the keys that must be set; each entry lists
	// alternatives, any one of which will do.
	Required [][]string
	// Complete runs once the fields are typed and individually valid: it
	// checks how they combine and fills in what follows from them (the
	// target's Database and Schema, defaults, resolved paths). Problems name
	// the key they concern ("" for the output as a whole).
	Complete func(t *Target, env ProfileEnv) []ProfileProblem
}

// FieldType is how a profile value is typed after rendering (a rendered
// value is text until then).
type FieldType int

const (
	// TextField is a string; numbers and booleans written bare become text.
	TextField FieldType = iota
	// IntField is a whole number.
	IntField
	// BoolField is true or false.
	BoolField
	// AnyField keeps lists and mappings as written (DuckDB settings).
	AnyField
)

// ProfileField is one key of a profile output.
type ProfileField struct {
	Key  string
	Type FieldType
	// Min and Max bound an IntField when Max > 0.
	Min, Max int
	// OneOf lists the values a TextField may take (empty: any).
	OneOf []string
	// Secret marks a value that never appears in logs, errors or artifacts
	// (passwords and keys; engine/profile also treats some names as secret
	// whatever the warehouse).
	Secret bool
}

// ProfileEnv is what Complete may need to know about the project.
type ProfileEnv struct {
	// ProjectDir is the project folder (absolute).
	ProjectDir string
	// ProjectName and ProfileName name the project and its profile.
	ProjectName, ProfileName string
	// TargetPath is the project's target-path ("target").
	TargetPath string
	// HomeDir is the user's home folder.
	HomeDir string
}

// ProfileProblem is one thing wrong with a profile output.
type ProfileProblem struct {
	// Key is the key it concerns, "" for the output as a whole.
	Key string
	// Summary is a few words ("conflicting keys"); Detail a full sentence
	// with the fix.
	Summary, Detail string
}
