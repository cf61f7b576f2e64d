package selector

import (
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

// governed is a small project with versions, groups, a unit test and an
// exposure, as the compiler builds them.
func governed() *manifest.Manifest {
	m := manifest.New()
	m.Metadata.ProjectName = "p"
	add := func(n *manifest.Node) *manifest.Node {
		if n.PackageName == "" {
			n.PackageName = "p"
		}
		if n.FQN == nil {
			n.FQN = []string{"p", n.Name}
		}
		n.Config.Enabled = true
		switch n.ResourceType {
		case manifest.Exposure:
			m.Exposures[n.UniqueID] = n
		case manifest.UnitTest:
			m.UnitTests[n.UniqueID] = n
		default:
			m.Nodes[n.UniqueID] = n
		}
		return n
	}
	add(&manifest.Node{UniqueID: "model.p.stg", ResourceType: manifest.Model, Name: "stg", Access: "protected"})
	add(&manifest.Node{UniqueID: "model.p.dim.v1", ResourceType: manifest.Model, Name: "dim", Version: "1", LatestVersion: "2", Access: "public",
		FQN: []string{"p", "dim", "v1"}, DependsOn: manifest.DependsOn{Nodes: []string{"model.p.stg"}}})
	add(&manifest.Node{UniqueID: "model.p.dim.v2", ResourceType: manifest.Model, Name: "dim", Version: "2", LatestVersion: "2", Access: "public",
		FQN: []string{"p", "dim", "v2"}, DependsOn: manifest.DependsOn{Nodes: []string{"model.p.stg"}}})
	add(&manifest.Node{UniqueID: "model.p.dim.v3", ResourceType: manifest.Model, Name: "dim", Version: "3", LatestVersion: "2", Access: "public",
		FQN: []string{"p", "dim", "v3"}, DependsOn: manifest.DependsOn{Nodes: []string{"model.p.stg"}}})
	add(&manifest.Node{UniqueID: "model.p.fin", ResourceType: manifest.Model, Name: "fin", Access: "private", Group: "finance",
		Config: manifest.Config{Group: "finance"}, DependsOn: manifest.DependsOn{Nodes: []string{"model.p.dim.v2"}}})
	add(&manifest.Node{UniqueID: "model.p.other", ResourceType: manifest.Model, Name: "other", Access: "protected"})
	add(&manifest.Node{UniqueID: "test.p.not_null_fin_id", ResourceType: manifest.Test, Name: "not_null_fin_id", AttachedNode: "model.p.fin",
		TestMetadata: &manifest.TestMetadata{Name: "not_null"}, DependsOn: manifest.DependsOn{Nodes: []string{"model.p.fin"}}})
	add(&manifest.Node{UniqueID: "unit_test.p.fin.sums", ResourceType: manifest.UnitTest, Name: "sums", AttachedNode: "model.p.fin",
		FQN: []string{"p", "fin", "sums"}, UnitTest: &manifest.UnitTestDef{Model: "fin", ModelID: "model.p.fin"},
		DependsOn: manifest.DependsOn{Nodes: []string{"model.p.dim.v2"}}})
	add(&manifest.Node{UniqueID: "exposure.p.board", ResourceType: manifest.Exposure, Name: "board",
		DependsOn: manifest.DependsOn{Nodes: []string{"model.p.fin"}}})
	return m
}

func TestNewMethods(t *testing.T) {
	cases := []struct {
		sel   string
		types []manifest.ResourceType
		want  string
	}{
		{"exposure:board", nil, "exposure.p.board"},
		{"+exposure:board", nil, "exposure.p.board model.p.dim.v2 model.p.fin model.p.stg test.p.not_null_fin_id unit_test.p.fin.sums"},
		{"+exposure:board", []manifest.ResourceType{manifest.Model}, "model.p.dim.v2 model.p.fin model.p.stg"},
		{"test_type:unit", nil, "unit_test.p.fin.sums"},
		{"unit_test:sums", nil, "unit_test.p.fin.sums"},
		{"unit_test:fin.sums", nil, "unit_test.p.fin.sums"},
		{"unit_test:s*", nil, "unit_test.p.fin.sums"},
		{"resource_type:unit_test", nil, "unit_test.p.fin.sums"},
		{"resource_type:exposure", nil, "exposure.p.board"},
		{"test_type:generic", nil, "test.p.not_null_fin_id"},
		// Selecting a model selects its unit tests and data tests (dbt's indirect selection).
		{"fin", nil, "model.p.fin test.p.not_null_fin_id unit_test.p.fin.sums"},
		{"group:finance", []manifest.ResourceType{manifest.Model}, "model.p.fin"},
		{"access:private", []manifest.ResourceType{manifest.Model}, "model.p.fin"},
		{"access:public", []manifest.ResourceType{manifest.Model}, "model.p.dim.v1 model.p.dim.v2 model.p.dim.v3"},
		{"version:latest", nil, "model.p.dim.v2"},
		{"version:old", nil, "model.p.dim.v1"},
		{"version:prerelease", nil, "model.p.dim.v3"},
		{"version:none", []manifest.ResourceType{manifest.Model}, "model.p.fin model.p.other model.p.stg"},
		{"dim.v1", nil, "model.p.dim.v1"},
	}
	for _, c := range cases {
		got, warns, err := selectOn(t, governed(), Options{Select: []string{c.sel}, ResourceTypes: c.types})
		if err != nil || len(warns) > 0 {
			t.Errorf("%s: %v %v", c.sel, err, warns)
			continue
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s selected %v, want %s", c.sel, got, c.want)
		}
	}
	// Excluding a model leaves its unit tests out too.
	got, _, err := selectOn(t, governed(), Options{Select: []string{"test_type:unit"}, Exclude: []string{"fin"}})
	if err != nil || len(got) != 0 {
		t.Errorf("exclude fin: %v %v", got, err)
	}
}
