package materialize

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Contracts (dbt's `contract: {enforced: true}`): before a contracted model
// replaces its relation, the columns its SQL returns are compared with the
// contract's (names and data types, as the engine itself spells both); a
// mismatch is an error naming the columns and nothing is replaced. A table
// is then built from DDL in the contract's column order, with the
// constraints the engine supports, and filled from the model's SQL.

// Contract is a contracted model's columns and constraints.
type Contract struct {
	Columns []ContractColumn
	// Constraints are the model-level constraints.
	Constraints []Constraint
}

// ContractColumn is one column of a contract, in order.
type ContractColumn struct {
	Name, DataType string
	Constraints    []Constraint
}

// Constraint is one constraint of a contract.
type Constraint struct {
	// Type is not_null, unique, primary_key, foreign_key, check or custom.
	Type, Name string
	// Expression is a check's condition, a custom constraint's text, or a
	// foreign key's "parent (id)".
	Expression string
	// Columns are a model-level constraint's columns.
	Columns []string
	// To is a foreign key's parent relation (rendered); ToColumns its columns.
	To              string
	ToColumns       []string
	WarnUnenforced  bool
	WarnUnsupported bool
}

// ErrContract is wrapped by a contract mismatch.
var ErrContract = errors.New("the model does not match its contract")

// contractSelect is sql with the contract's columns, in the contract's order.
func contractSelect(d adapter.Dialect, c *Contract, sql string) string {
	cols := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		cols[i] = d.QuoteIdent(col.Name)
	}
	return "select " + strings.Join(cols, ", ") + " from (\n" + sql + "\n) as model_subq"
}

var typeArgsRE = regexp.MustCompile(`\s*\(.*\)\s*`)

// baseType is a type name without its size or precision, in upper case:
// dbt compares contract types without them.
func baseType(t string) string {
	return strings.ToUpper(strings.TrimSpace(typeArgsRE.ReplaceAllString(t, " ")))
}

// checkContract compares the columns sql returns with the contract's, both
// as the engine names their types: each is created as an empty temporary
// table on the build's session and read back from the catalog.
func (b *build) checkContract(ctx context.Context, rel relation.Relation, sql string, c *Contract) error {
	if err := b.session(ctx); err != nil {
		return err
	}
	d := b.w.d
	shape := b.sessionTemp(rel)
	want := b.sessionTemp(rel)
	defer b.cleanup(ctx, d.Drop(shape, relation.Table))
	if _, err := b.exec(ctx, d.CreateTableAs(shape, "select * from (\n"+sql+"\n) as model_subq where 1 = 0", adapter.CreateOptions{Temporary: true})); err != nil {
		return err
	}
	got, err := b.columns(ctx, shape)
	if err != nil {
		return err
	}
	cols := make([]adapter.Column, len(c.Columns))
	for i, col := range c.Columns {
		cols[i] = adapter.Column{Name: col.Name, DataType: col.DataType}
	}
	defer b.cleanup(ctx, d.Drop(want, relation.Table))
	if _, err := b.exec(ctx, d.CreateTable(want, cols, adapter.CreateOptions{Temporary: true})); err != nil {
		return fmt.Errorf("the contract's data types are not valid %s types: %w", b.w.typ, err)
	}
	wanted, err := b.columns(ctx, want)
	if err != nil {
		return err
	}
	return contractDiff(got, wanted, c.Columns, b.w.traits.CaseInsensitive)
}

// contractDiff reports every column that differs, in dbt's table: the
// model's type as the engine names it, the contract's as written.
func contractDiff(got, want []adapter.Column, written []ContractColumn, caseInsensitive bool) error {
	same := func(a, b string) bool {
		if caseInsensitive || strings.EqualFold(a, b) {
			return strings.EqualFold(a, b)
		}
		return a == b
	}
	type row struct{ name, def, con, why string }
	var rows []row
	for i, w := range want {
		declared := w.DataType
		if i < len(written) {
			declared = written[i].DataType
		}
		found := false
		for _, g := range got {
			if same(g.Name, w.Name) {
				found = true
				if baseType(g.DataType) != baseType(w.DataType) {
					rows = append(rows, row{w.Name, g.DataType, declared, "data type mismatch"})
				}
			}
		}
		if !found {
			rows = append(rows, row{w.Name, "", declared, "missing in definition"})
		}
	}
	for _, g := range got {
		found := false
		for _, w := range want {
			found = found || same(g.Name, w.Name)
		}
		if !found {
			rows = append(rows, row{g.Name, g.DataType, "", "missing in contract"})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	table := [][]string{{"column_name", "definition_type", "contract_type", "mismatch_reason"}}
	for _, r := range rows {
		table = append(table, []string{r.name, r.def, r.con, r.why})
	}
	widths := make([]int, 4)
	for _, r := range table {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	var sb strings.Builder
	for _, r := range table {
		sb.WriteString("\n| ")
		for i, c := range r {
			sb.WriteString(c + strings.Repeat(" ", widths[i]-len(c)) + " |")
			if i < len(r)-1 {
				sb.WriteString(" ")
			}
		}
	}
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.name
	}
	return fmt.Errorf("%w (column %s): the name, data_type and number of columns in the contract must match the model's SQL; the relation was not replaced%s",
		ErrContract, strings.Join(names, ", "), sb.String())
}

// contractDDL is the CREATE TABLE of a contracted model: its columns typed
// and constrained as far as the engine supports, then its model-level
// constraints. warnings say which constraints the engine does not enforce
// or cannot hold.
func (b *build) contractDDL(r relation.Relation, c *Contract, transient bool) (string, []string) {
	d := b.w.d
	var warnings []string
	support := func(con Constraint) (bool, string) {
		if con.Type == "custom" {
			return true, ""
		}
		switch b.w.traits.Constraints[con.Type] {
		case adapter.ConstraintEnforced:
			return true, ""
		case adapter.ConstraintNotEnforced:
			if con.WarnUnenforced {
				return true, fmt.Sprintf("the %s constraint is not enforced by %s: it is created as metadata only (set warn_unenforced: false on it to silence this)", con.Type, b.w.typ)
			}
			return true, ""
		}
		if con.WarnUnsupported {
			return false, fmt.Sprintf("the %s constraint is not supported by %s and was not created (set warn_unsupported: false on it to silence this)", con.Type, b.w.typ)
		}
		return false, ""
	}
	named := func(con Constraint, body string) string {
		if con.Name != "" {
			return "constraint " + d.QuoteIdent(con.Name) + " " + body
		}
		return body
	}
	cols := make([]adapter.Column, len(c.Columns))
	for i, col := range c.Columns {
		def := col.DataType
		for _, con := range col.Constraints {
			ok, warn := support(con)
			if warn != "" {
				warnings = append(warnings, fmt.Sprintf("column %s: %s", col.Name, warn))
			}
			if !ok {
				continue
			}
			switch con.Type {
			case "not_null":
				def += " not null"
			case "unique":
				def += " " + named(con, "unique")
			case "primary_key":
				def += " " + named(con, "primary key")
			case "check":
				def += " " + named(con, "check ("+con.Expression+")")
			case "foreign_key":
				def += " " + named(con, "references "+foreignKey(con))
			case "custom":
				def += " " + con.Expression
			}
		}
		cols[i] = adapter.Column{Name: col.Name, DataType: def}
	}
	stmt := d.CreateTable(r, cols, adapter.CreateOptions{Transient: transient})
	var extra []string
	quoted := func(names []string) string {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = d.QuoteIdent(n)
		}
		return strings.Join(q, ", ")
	}
	for _, con := range c.Constraints {
		ok, warn := support(con)
		if warn != "" {
			warnings = append(warnings, warn)
		}
		if !ok {
			continue
		}
		switch con.Type {
		case "not_null":
			// A model-level not_null is each column's: DDL has no table form.
			for _, name := range con.Columns {
				for i := range cols {
					if strings.EqualFold(cols[i].Name, name) {
						cols[i].DataType += " not null"
					}
				}
			}
			stmt = d.CreateTable(r, cols, adapter.CreateOptions{Transient: transient})
		case "unique":
			extra = append(extra, named(con, "unique ("+quoted(con.Columns)+")"))
		case "primary_key":
			extra = append(extra, named(con, "primary key ("+quoted(con.Columns)+")"))
		case "check":
			extra = append(extra, named(con, "check ("+con.Expression+")"))
		case "foreign_key":
			extra = append(extra, named(con, "foreign key ("+quoted(con.Columns)+") references "+foreignKey(con)))
		case "custom":
			extra = append(extra, con.Expression)
		}
	}
	if len(extra) > 0 {
		if i := strings.LastIndex(stmt, ")"); i >= 0 {
			stmt = stmt[:i] + ", " + strings.Join(extra, ", ") + stmt[i:]
		}
	}
	return stmt, warnings
}

// foreignKey is the parent a foreign key references: "rel (cols)", or the
// expression as written.
func foreignKey(con Constraint) string {
	if con.To != "" {
		if len(con.ToColumns) > 0 {
			return con.To + " (" + strings.Join(con.ToColumns, ", ") + ")"
		}
		return con.To
	}
	return con.Expression
}

// contractTable replaces rel by a table built from the contract's DDL and
// filled from sql. With transactional DDL the old relation is dropped, the
// new one created and filled, and the views bound to it recreated, in one
// transaction (named constraints keep their names: nothing is renamed).
// Without it the table is built aside and swapped in.
func (b *build) contractTable(ctx context.Context, rel relation.Relation, sql string, c *Contract, transient bool) error {
	d := b.w.d
	cols := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		cols[i] = d.QuoteIdent(col.Name)
	}
	fill := func(target relation.Relation) string {
		return "insert into " + d.RenderRelation(target) + " (" + strings.Join(cols, ", ") + ")\n" + contractSelect(d, c, sql)
	}
	if !b.w.traits.TransactionalDDL {
		tmp := b.temp(rel)
		create, warnings := b.contractDDL(tmp, c, transient)
		b.res.Warnings = append(b.res.Warnings, warnings...)
		if _, err := b.exec(ctx, create); err != nil {
			return err
		}
		live := true
		defer func() {
			if live {
				b.cleanup(ctx, d.Drop(tmp, relation.Table))
			}
		}()
		n, err := b.exec(ctx, fill(tmp))
		if err != nil {
			return err
		}
		b.res.RowsAffected = n
		old, err := b.w.lookup(ctx, b.q(), rel)
		if err != nil {
			return err
		}
		if old != relation.None {
			if _, err := b.exec(ctx, d.Drop(rel, old)); err != nil {
				return err
			}
		}
		if _, err := b.exec(ctx, d.Rename(tmp, relation.Table, rel.Identifier)); err != nil {
			return err
		}
		live = false
		b.w.cache.set(rel, relation.Table)
		return nil
	}
	create, warnings := b.contractDDL(rel, c, transient)
	err := b.tx(ctx, func() error {
		old, err := b.w.lookup(ctx, b.s, rel)
		if err != nil {
			return err
		}
		var deps []dependent
		if old != relation.None {
			if old == relation.Table && d.DependentViewsSQL(rel) != "" {
				if lock := d.LockRelation(rel, true); lock != "" {
					if _, err := b.exec(ctx, lock); err != nil {
						return err
					}
				}
				if deps, err = b.dependents(ctx, rel); err != nil {
					return err
				}
			}
			if _, err := b.exec(ctx, d.Drop(rel, old)); err != nil {
				return err
			}
		}
		if _, err := b.exec(ctx, create); err != nil {
			return err
		}
		n, err := b.exec(ctx, fill(rel))
		if err != nil {
			return err
		}
		b.res.RowsAffected = n
		return b.recreate(ctx, rel, deps)
	})
	if err != nil {
		return err
	}
	b.res.Warnings = append(b.res.Warnings, warnings...)
	b.w.cache.set(rel, relation.Table)
	return nil
}
