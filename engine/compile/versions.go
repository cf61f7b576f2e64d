package compile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// Model versions (dbt 1.5): a model whose properties list `versions:` is
// one node per version, each defined in its own file (<name>_v<v>.sql or
// defined_in), all named like the model. ref('m') resolves to the latest
// version, ref('m', v=1) to a pinned one; each version builds into
// <name>_v<v> unless it sets an alias.

// collectVersions makes a unit of every version of k's versioned models and
// returns the model files they consumed.
func (p *Program) collectVersions(k *pkg) map[string]bool {
	used := map[string]bool{}
	var files map[string]*project.File // built at the first versioned model
	seen := map[string]bool{}
	for _, pf := range k.proj.Properties {
		propsFile := k.fileName(pf.Path)
		for _, np := range pf.Models {
			if len(np.Versions) == 0 || seen[np.Name] {
				continue
			}
			seen[np.Name] = true
			latest, ok := latestVersion(np)
			if !ok {
				ids := make([]string, len(np.Versions))
				for i, v := range np.Versions {
					ids[i] = v.V
				}
				p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: propsFile, Line: np.Line, Summary: "unknown latest_version",
					Detail: fmt.Sprintf("model %s sets latest_version: %s, which is not one of its versions (%s)", np.Name, np.LatestVersion, strings.Join(ids, ", "))})
				continue
			}
			if k.latest == nil {
				k.latest = map[string]string{}
			}
			k.latest[np.Name] = latest
			if files == nil {
				files = make(map[string]*project.File, len(k.proj.Models))
				for i := range k.proj.Models {
					files[k.proj.Models[i].Name] = &k.proj.Models[i]
				}
			}
			for _, v := range np.Versions {
				fname := project.VersionFile(np.Name, v)
				f, ok := files[fname]
				if !ok {
					continue // the project loader reported the missing file
				}
				used[fname] = true
				u := p.newUnit(k, kindModel, manifest.Model, np.Name, *f, propsRef{versionProps(np, v), propsFile})
				u.version = v.V
				n := u.node
				n.UniqueID += ".v" + v.V
				n.FQN = append(n.FQN, "v"+v.V)
				n.Version = manifest.VersionID(v.V)
				n.LatestVersion = manifest.VersionID(latest)
				p.register(u)
			}
		}
	}
	return used
}

// latestVersion is a versioned model's latest_version, or its greatest
// version: numerically when every identifier is a number, else the
// alphabetically last, as dbt decides. ok is false when latest_version names
// no version.
func latestVersion(np *project.NodeProps) (string, bool) {
	if np.LatestVersion != "" {
		for _, v := range np.Versions {
			if sameVersion(v.V, np.LatestVersion) {
				return v.V, true
			}
		}
		return "", false
	}
	ids := make([]string, len(np.Versions))
	for i, v := range np.Versions {
		ids[i] = v.V
	}
	numeric := true
	for _, id := range ids {
		if _, err := strconv.ParseFloat(id, 64); err != nil {
			numeric = false
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if numeric {
			a, _ := strconv.ParseFloat(ids[i], 64)
			b, _ := strconv.ParseFloat(ids[j], 64)
			return a < b
		}
		return ids[i] < ids[j]
	})
	return ids[len(ids)-1], true
}

// sameVersion compares version identifiers: numerically when both are
// numbers (v=2 names version "2" and "2.0"), else as text.
func sameVersion(a, b string) bool {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		return fa == fb
	}
	return a == b
}

// versionProps are a version's properties: the model's, with the
// version's description, config, columns (include/exclude), tests,
// constraints and deprecation_date over them.
func versionProps(np *project.NodeProps, v *project.VersionProps) *project.NodeProps {
	vp := &project.NodeProps{
		Name: np.Name, Description: firstNonEmpty(v.Description, np.Description), Meta: np.Meta, Tags: np.Tags, Docs: np.Docs,
		Line: v.Line, Constraints: np.Constraints, DeprecationDate: firstNonEmpty(v.DeprecationDate, np.DeprecationDate),
	}
	vp.Tests = append(append([]*project.TestSpec(nil), np.Tests...), v.Tests...)
	if v.Constraints != nil {
		vp.Constraints = v.Constraints
	}
	vp.Config = map[string]any{}
	mergeAll(vp.Config, np.Config)
	mergeAll(vp.Config, v.Config)
	var keep map[string]bool
	if list, ok := v.Include.([]any); ok {
		keep = map[string]bool{}
		for _, x := range list {
			keep[strings.ToLower(pyStr(x))] = true
		}
	}
	drop := map[string]bool{}
	for _, x := range v.Exclude {
		drop[strings.ToLower(x)] = true
	}
	for _, c := range np.Columns {
		name := strings.ToLower(c.Name)
		if (keep != nil && !keep[name]) || drop[name] {
			continue
		}
		vp.Columns = append(vp.Columns, c)
	}
	for _, c := range v.Columns {
		replaced := false
		for i, have := range vp.Columns {
			if strings.EqualFold(have.Name, c.Name) {
				vp.Columns[i], replaced = c, true
			}
		}
		if !replaced {
			vp.Columns = append(vp.Columns, c)
		}
	}
	return vp
}

// defaultAlias is the relation name of a unit that sets no alias: its name,
// with _v<version> for a version of a versioned model (dots become
// underscores), as dbt's generate_alias_name.
func (u *unit) defaultAlias() string {
	if u.version == "" {
		return u.node.Name
	}
	return u.node.Name + "_v" + strings.ReplaceAll(u.version, ".", "_")
}

// versionArg turns ref()'s v= argument into an identifier ("" when unset).
func versionArg(v jinja.Value) string {
	if v.IsUndefined() || v.IsNone() {
		return ""
	}
	return v.String()
}

// pickVersion chooses among the refable units of one package named alike:
// the pinned version, else the latest version of a versioned model.
func (p *Program) pickVersion(k *pkg, name string, cands []int, version string) (int, error) {
	var mine []int
	for _, i := range cands {
		if p.units[i].pkg == k {
			mine = append(mine, i)
		}
	}
	if len(mine) == 0 {
		return -1, nil
	}
	versioned := p.units[mine[0]].version != ""
	if !versioned {
		if version != "" {
			return 0, fail("unknown model version", fmt.Sprintf("ref(%q, v=%s): model %s has no versions; remove v= or declare versions: in its properties", name, version, name))
		}
		return mine[0], nil
	}
	want := version
	if want == "" {
		want = k.latest[name]
	}
	var ids []string
	for _, i := range mine {
		if sameVersion(p.units[i].version, want) {
			return i, nil
		}
		ids = append(ids, p.units[i].version)
	}
	sort.Slice(ids, func(a, b int) bool { return manifest.CompareVersions(ids[a], ids[b]) < 0 })
	return 0, fail("unknown model version", fmt.Sprintf("ref(%q, v=%s): model %s has versions %s", name, version, name, strings.Join(ids, ", ")))
}

// versionValue is a version as templates see it (`model.version`): a number
// when it is one, None when unversioned.
func versionValue(v string) any {
	if v == "" {
		return nil
	}
	if i, err := strconv.Atoi(v); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	return v
}
