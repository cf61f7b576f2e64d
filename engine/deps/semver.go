package deps

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Version is a semantic version as dbt reads it: MAJOR.MINOR.PATCH with an
// optional pre-release ("-b1", "rc2") and build ("+meta").
type Version struct {
	Major, Minor, Patch uint64
	Pre, Build          string
}

// versionRE follows dbt's grammar (dbt_common.semver): three numbers without
// leading zeros, a pre-release whose leading dash is optional, a build tag.
var versionRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(>=|>|<=|<|=)?\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-?((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)
})

// ParseVersion reads an exact version such as "1.3.0" or "0.7.4-b1".
func ParseVersion(s string) (Version, error) {
	c, err := ParseConstraint(s)
	if err != nil {
		return Version{}, err
	}
	if c.Op != "=" || strings.ContainsAny(strings.TrimSpace(s), "<>=") {
		return Version{}, fmt.Errorf("%q is a range, not a version", s)
	}
	return c.V, nil
}

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	if v.Build != "" {
		s += "+" + v.Build
	}
	return s
}

// Compare orders versions by semantic-version precedence: a pre-release sorts
// before its release; build tags are ignored.
func (v Version) Compare(w Version) int {
	for _, p := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if p[0] != p[1] {
			if p[0] < p[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	a, b := strings.Split(v.Pre, "."), strings.Split(w.Pre, ".")
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := comparePreField(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

func comparePreField(a, b string) int {
	na, ea := strconv.ParseUint(a, 10, 64)
	nb, eb := strconv.ParseUint(b, 10, 64)
	switch {
	case ea == nil && eb == nil:
		if na == nb {
			return 0
		}
		if na < nb {
			return -1
		}
		return 1
	case ea == nil:
		return -1 // numeric identifiers sort before alphanumeric ones
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Constraint is one version requirement: an operator and a version
// (">=1.0.0", "<2.0.0", "1.3.0" meaning exactly 1.3.0).
type Constraint struct {
	Op string // "=", ">", ">=", "<", "<="
	V  Version
}

// ParseConstraint reads one requirement as dbt writes them.
func ParseConstraint(s string) (Constraint, error) {
	m := versionRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Constraint{}, fmt.Errorf("%q is not a semantic version such as \"1.3.0\" or \">=1.0.0\"", s)
	}
	c := Constraint{Op: m[1], V: Version{Pre: m[5], Build: m[6]}}
	if c.Op == "" {
		c.Op = "="
	}
	c.V.Major, _ = strconv.ParseUint(m[2], 10, 64)
	c.V.Minor, _ = strconv.ParseUint(m[3], 10, 64)
	c.V.Patch, _ = strconv.ParseUint(m[4], 10, 64)
	return c, nil
}

func (c Constraint) String() string {
	if c.Op == "=" {
		return c.V.String()
	}
	return c.Op + c.V.String()
}

// Allows reports whether v satisfies c. As in dbt, "<2.0.0" also excludes
// 2.0.0's own pre-releases (2.0.0-rc1), which plain precedence would let in.
func (c Constraint) Allows(v Version) bool {
	n := v.Compare(c.V)
	switch c.Op {
	case "=":
		return n == 0
	case ">":
		return n > 0
	case ">=":
		return n >= 0
	case "<":
		if c.V.Pre == "" && v.Pre != "" && v.Major == c.V.Major && v.Minor == c.V.Minor && v.Patch == c.V.Patch {
			return false
		}
		return n < 0
	case "<=":
		return n <= 0
	}
	return false
}

// Range is every constraint one requirer places on a package.
type Range []Constraint

// ParseRange reads a list of requirements; an entry may hold several
// separated by commas (">=0.7.0,<0.8.0", as --add-package takes them).
func ParseRange(items []string) (Range, error) {
	var r Range
	for _, it := range items {
		for _, part := range strings.Split(it, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			c, err := ParseConstraint(part)
			if err != nil {
				return nil, err
			}
			r = append(r, c)
		}
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("no version given")
	}
	return r, nil
}

// Allows reports whether v satisfies every constraint.
func (r Range) Allows(v Version) bool {
	for _, c := range r {
		if !c.Allows(v) {
			return false
		}
	}
	return true
}

// HasPrerelease reports whether a constraint names a pre-release, which (as
// in dbt) lets pre-releases be picked.
func (r Range) HasPrerelease() bool {
	for _, c := range r {
		if c.V.Pre != "" {
			return true
		}
	}
	return false
}

func (r Range) String() string {
	parts := make([]string, len(r))
	for i, c := range r {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// sortVersions sorts ascending by precedence.
func sortVersions(vs []Version) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Compare(vs[j]) < 0 })
}
