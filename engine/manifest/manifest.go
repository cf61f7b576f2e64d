// Package manifest holds the compiled project as plain data: every node (model,
// seed, test, source, snapshot) with its raw and compiled code, resolved config,
// dependencies and relation, plus the macros and docs they use. It is what the
// compiler produces and what selection, planning, execution and artifacts read.
// JSON field names follow dbt's manifest (v12) so existing tools can read it.
//
// A Manifest is built once by the compiler and then only read; concurrent reads
// are safe, writes are not.
package manifest

import (
	"github.com/strata-dev/strata/engine/relation"
)

// ResourceType is the kind of a node, spelled as dbt spells it.
type ResourceType string

const (
	Model    ResourceType = "model"
	Seed     ResourceType = "seed"
	Test     ResourceType = "test"
	Source   ResourceType = "source"
	Snapshot ResourceType = "snapshot"
	Analysis ResourceType = "analysis"
)

// Node is one resource of the project.
type Node struct {
	UniqueID     string       `json:"unique_id"` // e.g. model.finhouse.stg_loans
	ResourceType ResourceType `json:"resource_type"`
	Name         string       `json:"name"`
	PackageName  string       `json:"package_name"`
	// Path is relative to the resource's path root (e.g. "staging/stg_loans.sql").
	Path string `json:"path"`
	// OriginalFilePath is relative to the root of the node's package (e.g.
	// "models/staging/stg_loans.sql"), as dbt writes it.
	OriginalFilePath string `json:"original_file_path"`
	// FilePath is the file relative to the root project, for messages and
	// reading seeds ("dbt_packages/dbt_utils/seeds/x.csv" for a package's).
	FilePath string   `json:"-"`
	FQN      []string `json:"fqn"`
	Language string   `json:"language,omitempty"` // "sql"

	// RawCode is the template as the user wrote it (for a YAML-declared test, the
	// generated call).
	RawCode string `json:"raw_code"`
	// CompiledCode is the SQL after Jinja, with ephemeral parents inlined as CTEs.
	CompiledCode string `json:"compiled_code,omitempty"`
	// IncrementalCode is CompiledCode rendered with is_incremental() true; set only
	// for incremental models whose template calls is_incremental().
	IncrementalCode string `json:"-"`
	Compiled        bool   `json:"compiled"`
	// Dynamic nodes introspect the warehouse (run_query, statement,
	// adapter.get_columns_in_relation, graph, `execute`): they render again
	// just before they execute, and CompiledCode is their parse-time render.
	Dynamic  bool     `json:"-"`
	Checksum Checksum `json:"checksum"`

	Config Config `json:"config"`
	// UnrenderedConfig is the config as written (YAML values and config() kwargs
	// before Jinja), for state comparison.
	UnrenderedConfig map[string]any     `json:"unrendered_config,omitempty"`
	Tags             []string           `json:"tags"`
	Description      string             `json:"description"`
	Columns          map[string]*Column `json:"columns"`
	Meta             map[string]any     `json:"meta,omitempty"`
	// PatchPath is the properties YAML that described this node, if any ("models/_schema.yml").
	PatchPath string `json:"patch_path,omitempty"`

	DependsOn DependsOn  `json:"depends_on"`
	Refs      []RefCall  `json:"refs"`
	Sources   [][]string `json:"sources"`

	// Relation is where the node is built (models, seeds, snapshots, sources).
	// Ephemeral models and tests have none (zero value).
	Relation     relation.Relation `json:"-"`
	Database     string            `json:"database,omitempty"`
	Schema       string            `json:"schema,omitempty"`
	Alias        string            `json:"alias,omitempty"`
	RelationName string            `json:"relation_name,omitempty"`

	// Hooks rendered for this node (models): run before and after its build.
	PreHooks  []string `json:"-"`
	PostHooks []string `json:"-"`

	// Tests only.
	TestMetadata *TestMetadata `json:"test_metadata,omitempty"`
	ColumnName   string        `json:"column_name,omitempty"`
	// AttachedNode is the unique_id of the model/seed/source a generic test tests.
	AttachedNode string `json:"attached_node,omitempty"`

	// Sources only.
	SourceName        string     `json:"source_name,omitempty"`
	SourceDescription string     `json:"source_description,omitempty"`
	Identifier        string     `json:"identifier,omitempty"`
	LoadedAtField     string     `json:"loaded_at_field,omitempty"`
	Freshness         *Freshness `json:"freshness,omitempty"`

	// Seeds only: the CSV file relative to the project root is OriginalFilePath.

	// Line is where the node is declared in OriginalFilePath (YAML tests/sources), for diagnostics.
	Line int `json:"-"`
}

// Checksum identifies a node's source text.
type Checksum struct {
	Name     string `json:"name"` // "sha256"
	Checksum string `json:"checksum"`
}

// RefCall is one ref() as written: package (may be empty) and name.
type RefCall struct {
	Package string `json:"package,omitempty"`
	Name    string `json:"name"`
}

// DependsOn lists a node's parents (unique_ids) and the macros it called.
type DependsOn struct {
	Macros []string `json:"macros"`
	Nodes  []string `json:"nodes"`
}

// Column is a documented column.
type Column struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	DataType    string         `json:"data_type,omitempty"`
	Meta        map[string]any `json:"meta"`
	Tags        []string       `json:"tags"`
}

// TestMetadata describes a generic test instance.
type TestMetadata struct {
	Name      string         `json:"name"` // not_null, unique, accepted_values, relationships, or a custom test
	Kwargs    map[string]any `json:"kwargs"`
	Namespace string         `json:"namespace,omitempty"`
}

// Freshness is a source's freshness rule.
type Freshness struct {
	WarnAfter  *Period `json:"warn_after,omitempty"`
	ErrorAfter *Period `json:"error_after,omitempty"`
	Filter     string  `json:"filter,omitempty"`
}

// Period is a count of minutes, hours or days.
type Period struct {
	Count  int    `json:"count"`
	Period string `json:"period"` // minute|hour|day
}

// Config is a node's resolved configuration (folder config < properties YAML <
// config() in the file). Field names follow dbt.
type Config struct {
	Enabled      bool           `json:"enabled"`
	Materialized string         `json:"materialized"` // view|table|incremental|ephemeral|seed|test|snapshot
	Database     string         `json:"database,omitempty"`
	Schema       string         `json:"schema,omitempty"`
	Alias        string         `json:"alias,omitempty"`
	Tags         []string       `json:"tags"`
	Meta         map[string]any `json:"meta"`
	PersistDocs  map[string]any `json:"persist_docs,omitempty"`
	FullRefresh  *bool          `json:"full_refresh,omitempty"`
	PreHook      []string       `json:"pre-hook"`
	PostHook     []string       `json:"post-hook"`

	// Incremental models.
	UniqueKey           []string `json:"unique_key,omitempty"`
	IncrementalStrategy string   `json:"incremental_strategy,omitempty"`
	OnSchemaChange      string   `json:"on_schema_change,omitempty"`
	Transient           *bool    `json:"transient,omitempty"`

	// Seeds.
	ColumnTypes  map[string]string `json:"column_types,omitempty"`
	QuoteColumns *bool             `json:"quote_columns,omitempty"`
	Delimiter    string            `json:"delimiter,omitempty"`

	// Tests.
	Severity      string `json:"severity,omitempty"` // error|warn
	WarnIf        string `json:"warn_if,omitempty"`  // e.g. "!=0", ">10"
	ErrorIf       string `json:"error_if,omitempty"`
	FailCalc      string `json:"fail_calc,omitempty"`
	Where         string `json:"where,omitempty"`
	Limit         *int   `json:"limit,omitempty"`
	StoreFailures bool   `json:"store_failures,omitempty"`

	// Snapshots.
	Strategy       string   `json:"strategy,omitempty"` // timestamp|check
	UpdatedAt      string   `json:"updated_at,omitempty"`
	CheckCols      []string `json:"check_cols,omitempty"`   // ["all"] means every column
	HardDeletes    string   `json:"hard_deletes,omitempty"` // ignore|invalidate|new_record
	TargetSchema   string   `json:"target_schema,omitempty"`
	TargetDatabase string   `json:"target_database,omitempty"`

	// Extra holds every other key the user set, so nothing written is lost.
	Extra map[string]any `json:"-"`
}

// Macro is a macro definition, for manifest.json and state:modified.macros.
type Macro struct {
	UniqueID         string   `json:"unique_id"` // macro.finhouse.mask_pii
	Name             string   `json:"name"`
	PackageName      string   `json:"package_name"`
	OriginalFilePath string   `json:"original_file_path"`
	Path             string   `json:"path"`
	MacroSQL         string   `json:"macro_sql"`
	Checksum         Checksum `json:"-"`
	DependsOn        struct {
		Macros []string `json:"macros"`
	} `json:"depends_on"`
	Line int `json:"-"`
}

// Doc is a {% docs %} block.
type Doc struct {
	UniqueID         string `json:"unique_id"`
	Name             string `json:"name"`
	PackageName      string `json:"package_name"`
	OriginalFilePath string `json:"original_file_path"`
	BlockContents    string `json:"block_contents"`
}

// Metadata describes the invocation that produced the manifest.
type Metadata struct {
	DbtSchemaVersion string `json:"dbt_schema_version"`
	StrataVersion    string `json:"strata_version"`
	GeneratedAt      string `json:"generated_at"`
	InvocationID     string `json:"invocation_id"`
	ProjectName      string `json:"project_name"`
	AdapterType      string `json:"adapter_type"`
	TargetName       string `json:"-"`
}

// Manifest is the whole compiled project.
type Manifest struct {
	Metadata Metadata `json:"metadata"`
	// Nodes holds models, seeds, tests and snapshots by unique_id.
	Nodes   map[string]*Node  `json:"nodes"`
	Sources map[string]*Node  `json:"sources"`
	Macros  map[string]*Macro `json:"macros"`
	Docs    map[string]*Doc   `json:"docs"`
	// ParentMap and ChildMap are filled by BuildMaps (sources included).
	ParentMap map[string][]string `json:"parent_map"`
	ChildMap  map[string][]string `json:"child_map"`
}

// New returns an empty manifest.
func New() *Manifest {
	return &Manifest{
		Nodes:   map[string]*Node{},
		Sources: map[string]*Node{},
		Macros:  map[string]*Macro{},
		Docs:    map[string]*Doc{},
	}
}

// Node looks up a node or source by unique_id.
func (m *Manifest) Node(id string) (*Node, bool) {
	if n, ok := m.Nodes[id]; ok {
		return n, true
	}
	n, ok := m.Sources[id]
	return n, ok
}

// All calls fn for every node and source, in no particular order.
func (m *Manifest) All(fn func(*Node)) {
	for _, n := range m.Nodes {
		fn(n)
	}
	for _, n := range m.Sources {
		fn(n)
	}
}
