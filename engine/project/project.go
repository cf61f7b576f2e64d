// Package project reads a strata (or dbt) project folder into plain data: the
// project config, every model, seed, macro, test and snapshot file, and the parsed
// properties YAML. It renders no Jinja: values that may hold templates (a source's
// schema, a profile field) are kept as written, with their line numbers, for the
// compiler to render.
//
// A Project is built once by Load and then only read; concurrent reads are safe.
package project

import "io/fs"

// Project is a loaded project folder.
type Project struct {
	// Root is the absolute project directory.
	Root string
	// FS is the project directory as a file system (paths below are relative to it).
	FS fs.FS
	// ConfigFile is "project.yaml" or "dbt_project.yml".
	ConfigFile string
	Config     Config

	Models    []File // *.sql under model-paths
	Seeds     []File // *.csv under seed-paths (Content left empty; read on demand)
	Macros    []File // *.sql under macro-paths
	Tests     []File // *.sql under test-paths (singular tests and {% test %} blocks)
	Snapshots []File // *.sql under snapshot-paths
	Docs      []File // *.md under model-paths and docs-paths ({% docs %} blocks)
	// Fixtures are the unit tests' fixture files: *.csv and *.sql under a
	// fixtures/ folder of a test path (tests/fixtures/orders.csv), as dbt
	// keeps them; they are not singular tests.
	Fixtures []File
	// Properties are the parsed properties YAML files found under model, seed,
	// snapshot, macro and test paths, in path order.
	Properties []*PropertiesFile
}

// File is one project file.
type File struct {
	// Path is relative to the project root, with forward slashes ("models/staging/stg_loans.sql").
	Path string
	// RootDir is the resource path it was found under ("models").
	RootDir string
	// RelPath is Path relative to RootDir ("staging/stg_loans.sql").
	RelPath string
	// Name is the file name without extension ("stg_loans").
	Name string
	// Content is the file's text (empty for seeds).
	Content string
	// Checksum is the hex sha256 of the file's bytes.
	Checksum string
}

// Config is project.yaml (or dbt_project.yml).
type Config struct {
	Name          string   `yaml:"name"`
	Version       any      `yaml:"version"`
	ConfigVersion int      `yaml:"config-version"`
	Profile       string   `yaml:"profile"`
	ModelPaths    []string `yaml:"model-paths"`
	SeedPaths     []string `yaml:"seed-paths"`
	TestPaths     []string `yaml:"test-paths"`
	MacroPaths    []string `yaml:"macro-paths"`
	SnapshotPaths []string `yaml:"snapshot-paths"`
	DocsPaths     []string `yaml:"docs-paths"`
	AnalysisPaths []string `yaml:"analysis-paths"`
	TargetPath    string   `yaml:"target-path"`
	CleanTargets  []string `yaml:"clean-targets"`
	// PackagesInstallPath is where `strata deps` installs packages (dbt_packages).
	PackagesInstallPath string `yaml:"packages-install-path"`
	// RequireDbtVersion are the version ranges the project says it needs.
	RequireDbtVersion []string       `yaml:"require-dbt-version"`
	Vars              map[string]any `yaml:"vars"`
	OnRunStart        StringList     `yaml:"on-run-start"`
	OnRunEnd          StringList     `yaml:"on-run-end"`
	Dispatch          []Dispatch     `yaml:"dispatch"`
	Quoting           map[string]any `yaml:"quoting"`
	// Models, Seeds, Snapshots, Tests and Sources are the folder-level config
	// trees: `models: {finhouse: {staging: {+materialized: view}}}`.
	Models    *FolderConfig `yaml:"-"`
	Seeds     *FolderConfig `yaml:"-"`
	Snapshots *FolderConfig `yaml:"-"`
	Tests     *FolderConfig `yaml:"-"`
	Sources   *FolderConfig `yaml:"-"`

	// UnitTestsOn is where unit tests run: "target" (the default) or
	// "duckdb", the embedded DuckDB (no warehouse needed).
	UnitTestsOn string `yaml:"unit-tests-on"`

	Schedules []ScheduleSpec    `yaml:"schedules"`
	Scheduler SchedulerSettings `yaml:"scheduler"`
}

// Dispatch is one `dispatch:` entry: where adapter.dispatch looks for a namespace's macros.
type Dispatch struct {
	MacroNamespace string   `yaml:"macro_namespace"`
	SearchOrder    []string `yaml:"search_order"`
}

// FolderConfig is one level of a folder-level config tree. dbt's rule: a key with a
// leading "+" is always a config; a key without one is a config when it is a known
// config name, else a subfolder (or, at the top, the project name).
type FolderConfig struct {
	// Config holds this level's configs without the "+" prefix, values as written.
	Config map[string]any
	// Children are subfolders (or, at the top level, project/package names).
	Children map[string]*FolderConfig
	// Line of this level in the project file, for diagnostics.
	Line int
}

// PropertiesFile is one parsed properties YAML file (schema.yml, _models.yml, …).
type PropertiesFile struct {
	Path      string // relative to the project root
	Version   int
	Models    []*NodeProps
	Seeds     []*NodeProps
	Snapshots []*NodeProps
	Sources   []*SourceProps
	UnitTests []*UnitTestProps
	Exposures []*ExposureProps
	Groups    []*GroupProps
}

// NodeProps describes a model, seed or snapshot in properties YAML.
type NodeProps struct {
	Name        string
	Description string
	// Config is the `config:` block, values as written.
	Config  map[string]any
	Columns []*ColumnProps
	// Tests are model-level tests (`tests:` or `data_tests:`).
	Tests []*TestSpec
	Meta  map[string]any
	Tags  []string
	Docs  map[string]any
	Line  int

	// LatestVersion is latest_version as written ("" = the highest version).
	LatestVersion string
	// Versions are the model's versions (`versions:`), nil for an unversioned model.
	Versions []*VersionProps
	// Constraints are the model-level constraints (contracts).
	Constraints []*ConstraintProps
	// DeprecationDate is deprecation_date as written.
	DeprecationDate string
	// TimeSpine is dbt 1.9's time_spine: as written (packages read it from
	// the graph; strata has no semantic layer).
	TimeSpine map[string]any

	// topConfig holds access:, group: and contract: written as properties,
	// merged under Config (config: wins) once the entry is read.
	topConfig map[string]any
}

// ColumnProps is one documented column.
type ColumnProps struct {
	Name        string
	Description string
	DataType    string
	Quote       *bool
	Meta        map[string]any
	Tags        []string
	Tests       []*TestSpec
	// Constraints are the column's constraints (contracts).
	Constraints []*ConstraintProps
	Line        int
}

// TestSpec is one test entry as written, normalised from any of dbt's spellings:
// `- not_null`, `- accepted_values: {values: [...], config: {...}}`,
// `- accepted_values: {arguments: {values: [...]}}`, `- name: my_name\n  test_name: unique`.
type TestSpec struct {
	// Name is the generic test's name, possibly namespaced ("dbt_utils.expression_is_true").
	Name string
	// Alias is a user-chosen test name (`name:` when `test_name:` is given), else "".
	Alias string
	// Args are the test's keyword arguments (values as written, Jinja unrendered).
	Args map[string]any
	// Config is the test's `config:` plus top-level config keys (severity, where, …).
	Config map[string]any
	// Description is the test's `description:`, if any.
	Description string
	Line        int
}

// SourceProps is one `sources:` entry.
type SourceProps struct {
	Name          string
	Description   string
	Database      string
	Schema        string // may hold Jinja; defaults to Name
	Loader        string
	LoadedAtField string
	Freshness     *FreshnessProps // nil = not set
	Config        map[string]any
	Meta          map[string]any
	Tags          []string
	Tables        []*SourceTableProps
	Line          int
}

// SourceTableProps is one table of a source.
type SourceTableProps struct {
	Name          string
	Identifier    string // may hold Jinja; defaults to Name
	Description   string
	LoadedAtField string
	// Freshness nil = inherit the source's; Explicit null is FreshnessProps{Null: true}.
	Freshness *FreshnessProps
	Columns   []*ColumnProps
	Tests     []*TestSpec
	Config    map[string]any
	Meta      map[string]any
	Tags      []string
	Line      int
}

// FreshnessProps is a freshness block as written.
type FreshnessProps struct {
	WarnAfter  *PeriodProps
	ErrorAfter *PeriodProps
	Filter     string
	// Null is true for an explicit `freshness: null` (turns an inherited rule off).
	Null bool
}

// PeriodProps is {count, period}.
type PeriodProps struct {
	Count  int
	Period string
}
