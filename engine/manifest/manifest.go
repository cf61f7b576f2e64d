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
	"bytes"
	"encoding/json"
	"github.com/strata-dev/strata/engine/graph"
	"strconv"
	"strings"

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
	// UnitTest is a unit test of a model (dbt 1.8): the model's SQL run on
	// fixture rows and compared with the rows the test expects.
	UnitTest ResourceType = "unit_test"
	// Exposure is a downstream use of the project (a dashboard, an app):
	// documentation and a selection target, never executed.
	Exposure ResourceType = "exposure"
	// GroupType is a named owner of models, for access: private.
	GroupType ResourceType = "group"
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
	// ColumnOrder lists Columns' names in the order the properties give them
	// (a contract's column order).
	ColumnOrder []string       `json:"-"`
	Meta        map[string]any `json:"meta,omitempty"`
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

	// Models: governance (dbt 1.5+). Version is set for each version of a
	// versioned model, LatestVersion on all of them.
	Version         VersionID    `json:"version,omitempty"`
	LatestVersion   VersionID    `json:"latest_version,omitempty"`
	DeprecationDate string       `json:"deprecation_date,omitempty"`
	Access          string       `json:"access,omitempty"` // private|protected|public
	Group           string       `json:"group,omitempty"`
	Contract        *Contract    `json:"contract,omitempty"`
	Constraints     []Constraint `json:"constraints,omitempty"`
	// LatestPointer, when set, is the view that points at the latest version
	// of a versioned model (latest_version_pointer: {enabled: true}); the
	// latest version's build creates it.
	LatestPointer *relation.Relation `json:"-"`

	// Exposures and unit tests only (written to manifest.json's exposures and
	// unit_tests maps in their own shapes).
	Exposure *ExposureInfo `json:"-"`
	// TimeSpine is the model's time_spine: properties as written (graph only).
	TimeSpine map[string]any `json:"-"`
	UnitTest  *UnitTestDef   `json:"-"`

	// Line is where the node is declared in OriginalFilePath (YAML tests/sources), for diagnostics.
	Line int `json:"-"`
}

// VersionID is a model version identifier as written ("2", "1.5", "beta").
// It is written to JSON as a number when it is one, as dbt does.
type VersionID string

// CompareVersions orders two version identifiers as dbt picks the latest:
// numerically when both are numbers, else as text.
func CompareVersions(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// Numeric reports whether the identifier is a number.
func (v VersionID) Numeric() bool {
	s := string(v)
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	dot, digits := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// MarshalJSON writes a numeric identifier as a number, anything else as a string.
func (v VersionID) MarshalJSON() ([]byte, error) {
	if v.Numeric() {
		return []byte(v), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Contract is a model's contract config.
type Contract struct {
	Enforced   bool `json:"enforced"`
	AliasTypes bool `json:"alias_types"`
}

// Constraint is one model- or column-level constraint, as dbt writes it.
type Constraint struct {
	Type       string `json:"type"` // not_null|unique|primary_key|foreign_key|check|custom
	Name       string `json:"name,omitempty"`
	Expression string `json:"expression,omitempty"`
	// Columns are a model-level constraint's columns.
	Columns []string `json:"columns,omitempty"`
	// To is a foreign key's parent as written (ref('x')); ToColumns its columns.
	To        string   `json:"to,omitempty"`
	ToColumns []string `json:"to_columns,omitempty"`
	// ToRelation is To resolved to the parent's relation name, for DDL.
	ToRelation      string `json:"-"`
	WarnUnenforced  bool   `json:"warn_unenforced"`
	WarnUnsupported bool   `json:"warn_unsupported"`
}

// Owner is an exposure's or a group's owner.
type Owner struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Extra holds other owner keys as written.
	Extra map[string]any `json:"-"`
}

// ExposureInfo is what an exposure adds to a node.
type ExposureInfo struct {
	Type     string // dashboard|notebook|analysis|ml|application
	Label    string
	Maturity string
	URL      string
	Owner    Owner
}

// UnitTestDef is a unit test: the model it tests, its inputs and the rows
// it expects. The tested model's SQL, rendered with every input replaced by
// a CTE name (and the test's overrides), is the unit test node's CompiledCode.
type UnitTestDef struct {
	// Model is the tested model's name; ModelID its unique_id.
	Model, ModelID string
	// Version is the tested version of a versioned model.
	Version   VersionID
	Given     []UnitInput
	Expect    UnitInput
	Overrides map[string]any // {macros, vars, env_vars} as written, for manifest.json
}

// UnitInput is one given input of a unit test, or its expected output.
type UnitInput struct {
	// Input is ref('x'), source('s', 't') or this as written ("" for expect).
	Input string
	// Format is dict, csv or sql.
	Format string
	// Raw is rows: as written (a list of mappings or a string), for manifest.json.
	Raw     any
	Fixture string
	// Rows are the rows (dict and csv formats): column name to value; a CSV
	// value is text, an empty CSV field nil. Columns lists the names in the
	// order they were first written.
	Rows    []map[string]any
	Columns []string
	// SQL is the query of the sql format.
	SQL string

	// For given inputs: the node the input stands for, the CTE name the
	// model's SQL reads it by, where it is built, and the columns strata
	// knows for it (from YAML data_type, a seed's column_types), in order.
	NodeID   string
	CTE      string
	Relation relation.Relation
	Known    []Column
	// SeedFile is the CSV of a seed input (relative to the root project), so
	// its header and types can be read when it is not given.
	SeedFile string
}

// Group is a group of models with an owner (access: private is scoped to it).
type Group struct {
	UniqueID         string         `json:"unique_id"`
	Name             string         `json:"name"`
	ResourceType     ResourceType   `json:"resource_type"`
	PackageName      string         `json:"package_name"`
	Path             string         `json:"path"`
	OriginalFilePath string         `json:"original_file_path"`
	Owner            Owner          `json:"owner"`
	Description      string         `json:"description,omitempty"`
	Config           map[string]any `json:"config"`
	Line             int            `json:"-"`
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
	// Constraints are the column's constraints (contracted models).
	Constraints []Constraint `json:"constraints,omitempty"`
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

	// Governance (models).
	Group    string    `json:"group,omitempty"`
	Access   string    `json:"access,omitempty"`
	Contract *Contract `json:"contract,omitempty"`

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
	// Exposures and UnitTests are nodes of the graph that manifest.json
	// keeps in maps of their own; Groups are not nodes.
	Exposures map[string]*Node  `json:"-"`
	UnitTests map[string]*Node  `json:"-"`
	Groups    map[string]*Group `json:"-"`
	// ParentMap and ChildMap are dbt's maps as read from a manifest.json
	// (sources included); a manifest built here leaves them nil and has
	// Graph instead (BuildDAG). Maps returns them either way.
	ParentMap map[string][]string `json:"parent_map"`
	ChildMap  map[string][]string `json:"child_map"`
	// Graph is the dependency graph BuildDAG made of this manifest.
	Graph *graph.DAG `json:"-"`
}

// New returns an empty manifest.
func New() *Manifest {
	return &Manifest{
		Nodes:     map[string]*Node{},
		Sources:   map[string]*Node{},
		Macros:    map[string]*Macro{},
		Docs:      map[string]*Doc{},
		Exposures: map[string]*Node{},
		UnitTests: map[string]*Node{},
		Groups:    map[string]*Group{},
	}
}

// Node looks up a node, source, exposure or unit test by unique_id.
func (m *Manifest) Node(id string) (*Node, bool) {
	if n, ok := m.Nodes[id]; ok {
		return n, true
	}
	if n, ok := m.Sources[id]; ok {
		return n, true
	}
	if n, ok := m.Exposures[id]; ok {
		return n, true
	}
	n, ok := m.UnitTests[id]
	return n, ok
}

// All calls fn for every node, source, exposure and unit test, in no
// particular order.
func (m *Manifest) All(fn func(*Node)) {
	for _, n := range m.Nodes {
		fn(n)
	}
	for _, n := range m.Sources {
		fn(n)
	}
	for _, n := range m.Exposures {
		fn(n)
	}
	for _, n := range m.UnitTests {
		fn(n)
	}
}
