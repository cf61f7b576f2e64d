package snowflake

import "github.com/strata-dev/strata/engine/relation"

// CloneTable is Snowflake's zero-copy clone, which `strata clone` uses for
// tables (engine.TableCloner): the new table shares the source's storage
// until either changes.
func (d Dialect) CloneTable(target, source relation.Relation) string {
	return "create or replace table " + d.RenderRelation(target) + " clone " + d.RenderRelation(source)
}
