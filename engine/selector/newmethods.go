package selector

import (
	"github.com/strata-dev/strata/engine/manifest"
)

// Selection methods of dbt's newer resources: exposure:, unit_test:,
// group:, access: and version:. (test_type:unit and resource_type:unit_test
// and :exposure are in methods.go.)
var newMethodNames = []string{"exposure", "unit_test", "group", "access", "version"}

// versionSelectors are version:'s values, as dbt names them.
var versionSelectors = []string{"latest", "prerelease", "old", "none"}

// matchNew returns the predicate of a newer method; ok is false for a method
// that is not one of them.
func (s *selection) matchNew(sp spec) (pred func(n *manifest.Node) bool, ok bool, err error) {
	v := sp.value
	switch sp.method {
	case "exposure":
		// exposure:name, or exposure:* for every exposure.
		return func(n *manifest.Node) bool {
			return n.ResourceType == manifest.Exposure && (fnmatch(v, n.Name) || fnmatch(v, n.PackageName+"."+n.Name))
		}, true, nil
	case "unit_test":
		// unit_test:name, unit_test:model.name or a dotted fqn, with globs.
		fqn := fqnMatcher(v)
		return func(n *manifest.Node) bool {
			if n.ResourceType != manifest.UnitTest {
				return false
			}
			model := ""
			if n.UnitTest != nil {
				model = n.UnitTest.Model
			}
			return fnmatch(v, n.Name) || fnmatch(v, model+"."+n.Name) || fqn(n)
		}, true, nil
	case "group":
		return func(n *manifest.Node) bool {
			g := n.Group
			if g == "" {
				g = n.Config.Group
			}
			return g != "" && fnmatch(v, g)
		}, true, nil
	case "access":
		if !containsString(accessValues, v) {
			return nil, true, invalidValue(sp, "access", accessValues)
		}
		return func(n *manifest.Node) bool {
			return n.ResourceType == manifest.Model && n.Access == v
		}, true, nil
	case "version":
		if !containsString(versionSelectors, v) {
			return nil, true, invalidValue(sp, "version selector", versionSelectors)
		}
		return func(n *manifest.Node) bool {
			if n.ResourceType != manifest.Model {
				return false
			}
			if v == "none" || n.Version == "" {
				return v == "none" && n.Version == ""
			}
			c := manifest.CompareVersions(string(n.Version), string(n.LatestVersion))
			switch v {
			case "latest":
				return c == 0
			case "prerelease":
				return c > 0
			}
			return c < 0
		}, true, nil
	}
	return nil, false, nil
}

var accessValues = []string{"private", "protected", "public"}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addUnitTests selects, as dbt's indirect selection does, the unit tests of
// every selected model: selecting a model selects the tests of its logic.
func (s *selection) addUnitTests(sel, into bitset) {
	if s.unitsOf == nil {
		s.unitsOf = map[string][]int{}
		for i, n := range s.nodes {
			if n != nil && n.ResourceType == manifest.UnitTest && n.AttachedNode != "" {
				s.unitsOf[n.AttachedNode] = append(s.unitsOf[n.AttachedNode], i)
			}
		}
	}
	if len(s.unitsOf) == 0 {
		return
	}
	for _, i := range sel.indexes() {
		if n := s.nodes[i]; n != nil && n.ResourceType == manifest.Model {
			for _, u := range s.unitsOf[n.UniqueID] {
				into.add(u)
			}
		}
	}
}
