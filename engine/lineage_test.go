package engine

import (
	"context"
	"strings"
	"testing"
)

// TestSnowflakeLineageParser shows what Snowflake SQL gets: DuckDB's parser
// reads Snowflake's common SELECT forms (QUALIFY, IFF, ::, ILIKE, quoted
// upper-case names), PostgreSQL's reads what DuckDB rejects, and what
// neither reads (a VARIANT path) is an error for that model alone.
func TestSnowflakeLineageParser(t *testing.T) {
	p, closeParser, err := lineageParser("snowflake")
	if err != nil {
		t.Fatal(err)
	}
	defer closeParser()
	if !strings.Contains(p.Name(), "duckdb") || !strings.Contains(p.Name(), "libpg_query") {
		t.Errorf("parser %q, want DuckDB's then PostgreSQL's", p.Name())
	}
	sqls := []string{
		`select ID, iff(AMOUNT > 0, 'credit', 'debit') as DIRECTION, NOTE::varchar as NOTE_TEXT
		 from "DB"."RAW"."TXNS" where NOTE ilike '%x%' qualify row_number() over (partition by ID order by TS desc) = 1`,
		// DuckDB's parser rejects this (SQL/XML syntax); PostgreSQL's reads it.
		`select ID, xmlelement(name N, ID) as X from "DB"."RAW"."TXNS"`,
		`select PAYLOAD:customer.id as CUSTOMER_ID from "DB"."RAW"."EVENTS"`,
	}
	qs, errs := p.Parse(context.Background(), sqls)
	if errs[0] != nil || len(qs[0].Items) != 3 || qs[0].Items[1].Alias != "DIRECTION" {
		t.Errorf("Snowflake SELECT: %v %+v", errs[0], qs[0])
	}
	if errs[1] != nil || qs[1] == nil || len(qs[1].Items) != 2 {
		t.Errorf("the PostgreSQL fallback did not read statement 2: %v", errs[1])
	}
	if errs[2] == nil {
		t.Errorf("a VARIANT path parsed as %+v; want the parse error kept for the node", qs[2])
	}
	for _, name := range []string{"duckdb", "postgres"} {
		p, closeParser, err := lineageParser(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, errs := p.Parse(context.Background(), []string{"select 1 as one"}); errs[0] != nil {
			t.Errorf("%s parser: %v", name, errs[0])
		}
		closeParser()
	}
}
