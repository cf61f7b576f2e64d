package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake/sfduck"
)

// TestDocsGenerateSnowflakeAgainstFake: docs generate reads Snowflake's
// catalog through the real driver, from the database's information_schema,
// matching upper-case names to the project's lower-case ones.
func TestDocsGenerateSnowflakeAgainstFake(t *testing.T) {
	srv := fakesnowflake.New(t, fakesnowflake.WithEngine(sfduck.New(t, "ANALYTICS")))
	dir := snowflakeProject(t, srv, "")
	if code, _, errOut := runCLI(t, "build", "--project-dir", dir); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, errOut)
	}
	code, _, errOut := runCLI(t, "docs", "generate", "--project-dir", dir)
	if code != 0 {
		t.Fatalf("docs generate: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "Catalog: 3 nodes and 0 sources") {
		t.Errorf("stderr:\n%s", errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "target", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Nodes map[string]struct {
			Metadata struct{ Type, Name string }
			Columns  map[string]struct {
				Type  string
				Index int
			}
		}
	}
	if err := json.Unmarshal(raw, &cat); err != nil {
		t.Fatal(err)
	}
	stg, ok := cat.Nodes["model.p.stg_customers"]
	if !ok || stg.Metadata.Type != "VIEW" || stg.Metadata.Name != "STG_CUSTOMERS" || stg.Columns["NAME"].Index != 2 || stg.Columns["NAME"].Type == "" {
		t.Errorf("stg_customers = %+v\n%s", stg, raw)
	}
	if n := cat.Nodes["model.p.customer_count"]; n.Metadata.Type != "BASE TABLE" {
		t.Errorf("customer_count = %+v", n)
	}
}
