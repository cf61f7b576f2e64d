package selector

import (
	"path"
	"strings"
)

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// fnmatch matches name against a shell pattern the way Python's fnmatch does on
// POSIX (dbt's matcher): * and ? also match '/' and '.', [!x] negates a class.
func fnmatch(pattern, name string) bool {
	if !hasWildcard(pattern) {
		return pattern == name
	}
	// path.Match treats '/' as special; names and fqns do not contain it except
	// in paths, which matchPath handles. Replace '/' on both sides so * crosses it.
	p := strings.ReplaceAll(strings.ReplaceAll(pattern, "[!", "[^"), "/", "\x00")
	ok, err := path.Match(p, strings.ReplaceAll(name, "/", "\x00"))
	return err == nil && ok
}

// matchPath reports whether a project-relative file path is selected by a path
// selector: the file itself, a folder above it, or a glob over either, where *
// stays within one folder and ** spans any number of them.
func matchPath(pattern, file string) bool {
	pattern = strings.TrimPrefix(strings.ReplaceAll(pattern, `\`, "/"), "./")
	pattern = strings.TrimSuffix(pattern, "/")
	if pattern == "" || pattern == "." {
		return true
	}
	if !hasWildcard(pattern) {
		return file == pattern || strings.HasPrefix(file, pattern+"/")
	}
	pp := strings.Split(pattern, "/")
	fp := strings.Split(file, "/")
	// The file or any folder above it may match.
	for n := len(fp); n >= 1; n-- {
		if matchSegments(pp, fp[:n]) {
			return true
		}
	}
	return false
}

func matchSegments(pp, fp []string) bool {
	for len(pp) > 0 {
		if pp[0] == "**" {
			for k := 0; k <= len(fp); k++ {
				if matchSegments(pp[1:], fp[k:]) {
					return true
				}
			}
			return false
		}
		if len(fp) == 0 {
			return false
		}
		ok, err := path.Match(strings.ReplaceAll(pp[0], "[!", "[^"), fp[0])
		if err != nil || !ok {
			return false
		}
		pp, fp = pp[1:], fp[1:]
	}
	return len(fp) == 0
}
