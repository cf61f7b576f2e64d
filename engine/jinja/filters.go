package jinja

// Jinja2 3.1's built-in filters (jinja2/filters.py), with Python's semantics
// and error messages, as a SandboxedEnvironment without autoescaping runs
// them. Filters that Jinja2 writes as generators (map, select, unique, batch,
// items, …) and reverse return a single-pass iterator object, as Python's
// generators are: it is always true, has no len() and is used up by the first
// loop over it. Its items are computed when the filter runs (Python computes
// them lazily), so an error inside, say, map's filter is raised by the filter
// call even if the result is never iterated.

import (
	"fmt"
	"html"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

func builtinFilters() map[string]Filter {
	return map[string]Filter{
		"abs":            filterAbs,
		"attr":           filterAttr,
		"batch":          filterBatch,
		"capitalize":     filterCapitalize,
		"center":         filterCenter,
		"count":          filterLength,
		"d":              filterDefault,
		"default":        filterDefault,
		"dictsort":       filterDictsort,
		"e":              filterEscape,
		"escape":         filterEscape,
		"filesizeformat": filterFilesizeformat,
		"first":          filterFirst,
		"float":          filterFloat,
		"forceescape":    filterForceescape,
		"format":         filterFormat,
		"groupby":        filterGroupby,
		"indent":         filterIndent,
		"int":            filterInt,
		"items":          filterItems,
		"join":           filterJoin,
		"last":           filterLast,
		"length":         filterLength,
		"list":           filterList,
		"lower":          filterLower,
		"map":            filterMap,
		"max":            filterMax,
		"min":            filterMin,
		"pprint":         filterPprint,
		"random":         filterRandom,
		"reject":         filterReject,
		"rejectattr":     filterRejectattr,
		"replace":        filterReplace,
		"reverse":        filterReverse,
		"round":          filterRound,
		"safe":           filterSafe,
		"select":         filterSelect,
		"selectattr":     filterSelectattr,
		"slice":          filterSlice,
		"sort":           filterSort,
		"string":         filterString,
		"striptags":      filterStriptags,
		"sum":            filterSum,
		"title":          filterTitle,
		"tojson":         filterTojson,
		"trim":           filterTrim,
		"truncate":       filterTruncate,
		"unique":         filterUnique,
		"upper":          filterUpper,
		"urlencode":      filterUrlencode,
		"urlize":         filterUrlize,
		"wordcount":      filterWordcount,
		"wordwrap":       filterWordwrap,
		"xmlattr":        filterXmlattr,
	}
}

// ---------------------------------------------------------------------------
// Argument binding with CPython's messages.

// missingArg marks a parameter the call did not give.
var missingArgInfo = &undefInfo{msg: "missing argument"}

var missingArg = Value{k: KindUndefined, s: "missing", p: missingArgInfo}

func isMissing(v Value) bool { return v.k == KindUndefined && v.p == missingArgInfo }

// orDefault returns v, or def when v was not given.
func orDefault(v, def Value) Value {
	if isMissing(v) {
		return def
	}
	return v
}

// pySig is a Python function signature, for binding a filter's or a test's
// arguments as CPython does (and failing with its messages).
type pySig struct {
	name     string   // the function's __qualname__
	params   []string // every positional parameter, the hidden ones first
	hidden   int      // leading parameters Jinja2 passes (environment, value)
	required int      // leading parameters without a default, hidden included
	posonly  int      // leading positional-only parameters
}

// bind fills out (len(params)-hidden values) with the call's arguments;
// parameters not given are missingArg.
func (g *pySig) bind(a Args, out []Value) error {
	n := len(g.params) - g.hidden
	for i := 0; i < n; i++ {
		out[i] = missingArg
	}
	np := len(a.Pos)
	for i := 0; i < np && i < n; i++ {
		out[i] = a.Pos[i]
	}
	var posonlyKw []string
	for _, kw := range a.Kw {
		j := -1
		for i := g.posonly; i < len(g.params); i++ {
			if g.params[i] == kw.Name {
				j = i
				break
			}
		}
		if j < 0 {
			isPosonly := false
			for i := 0; i < g.posonly; i++ {
				if g.params[i] == kw.Name {
					isPosonly = true
				}
			}
			if isPosonly {
				posonlyKw = append(posonlyKw, kw.Name)
				continue
			}
			return typeErrorf("%s() got an unexpected keyword argument '%s'", g.name, kw.Name)
		}
		if j < g.hidden || !isMissing(out[j-g.hidden]) {
			return typeErrorf("%s() got multiple values for argument '%s'", g.name, kw.Name)
		}
		out[j-g.hidden] = kw.Value
	}
	if len(posonlyKw) > 0 {
		return typeErrorf("%s() got some positional-only arguments passed as keyword arguments: '%s'", g.name, strings.Join(posonlyKw, ", "))
	}
	if given := np + g.hidden; given > len(g.params) {
		var sig string
		plural := "s"
		if g.required < len(g.params) {
			sig = fmt.Sprintf("from %d to %d", g.required, len(g.params))
		} else {
			sig = strconv.Itoa(len(g.params))
			if len(g.params) == 1 {
				plural = ""
			}
		}
		was := "were"
		if given == 1 {
			was = "was"
		}
		return typeErrorf("%s() takes %s positional argument%s but %d %s given", g.name, sig, plural, given, was)
	}
	var miss []string
	for i := g.hidden; i < g.required; i++ {
		if isMissing(out[i-g.hidden]) {
			miss = append(miss, "'"+g.params[i]+"'")
		}
	}
	if len(miss) > 0 {
		var names string
		switch len(miss) {
		case 1:
			names = miss[0]
		case 2:
			names = miss[0] + " and " + miss[1]
		default:
			names = strings.Join(miss[:len(miss)-1], ", ") + ", and " + miss[len(miss)-1]
		}
		plural := "s"
		if len(miss) == 1 {
			plural = ""
		}
		return typeErrorf("%s() missing %d required positional argument%s: %s", g.name, len(miss), plural, names)
	}
	return nil
}

// builtinOneArg checks a call of a C builtin taking exactly one argument
// (abs, len, callable), given the value only.
func builtinOneArg(name string, a Args) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s() takes no keyword arguments", name)
	}
	if len(a.Pos) > 0 {
		return typeErrorf("%s() takes exactly one argument (%d given)", name, len(a.Pos)+1)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Small Python helpers.

// objTypeNamer lets an object give its Python type name.
type objTypeNamer interface{ TypeName() string }

// pyType is Python's type(v).__name__.
func pyType(v Value) string {
	if v.k == KindObject {
		switch o := v.p.(type) {
		case objTypeNamer:
			return o.TypeName()
		case *Namespace:
			return "Namespace"
		}
	}
	return v.TypeName()
}

// indexArg is operator.index(v): the int of an int or bool.
func indexArg(v Value) (int64, error) {
	if v.k == KindInt || v.k == KindBool {
		if v.isBig() {
			return 0, Errorf("OverflowError", "Python int too large to convert to C ssize_t")
		}
		return v.AsInt(), nil
	}
	return 0, typeErrorf("'%s' object cannot be interpreted as an integer", pyType(v))
}

// softStr is markupsafe's soft_str: str(v), keeping a Markup string.
func softStr(v Value) Value {
	if v.k == KindString {
		return v
	}
	return String(v.String())
}

// strValue makes a str, or a Markup string when safe.
func strValue(s string, safe bool) Value {
	return Value{k: KindString, s: s, safe: safe}
}

// attrError is Python's AttributeError for a missing method.
func attrError(v Value, name string) *Error {
	if v.k == KindUndefined {
		return v.undefinedError()
	}
	return Errorf("AttributeError", "'%s' object has no attribute '%s'", pyType(v), name)
}

// cpLen is len(str) in code points.
func cpLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// runeSlice is s[i:j] in code points (0 <= i <= j).
func runeSlice(s string, i, j int) string {
	if isASCII(s) {
		if j > len(s) {
			j = len(s)
		}
		if i > j {
			return ""
		}
		return s[i:j]
	}
	start, end := len(s), len(s)
	n := 0
	for off := range s {
		if n == i {
			start = off
		}
		if n == j {
			end = off
			break
		}
		n++
	}
	if start > end {
		return ""
	}
	return s[start:end]
}

// Python's Lowercase and Uppercase properties.

func isLowerRune(r rune) bool {
	return unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r)
}

func isUpperRune(r rune) bool {
	return unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r)
}

// pyIsLowerStr is str.islower; pyIsUpperStr is str.isupper.
func pyIsLowerStr(s string) bool {
	cased := false
	for _, r := range s {
		if isUpperRune(r) || unicode.IsTitle(r) {
			return false
		}
		if isLowerRune(r) {
			cased = true
		}
	}
	return cased
}

func pyIsUpperStr(s string) bool {
	cased := false
	for _, r := range s {
		if isLowerRune(r) || unicode.IsTitle(r) {
			return false
		}
		if isUpperRune(r) {
			cased = true
		}
	}
	return cased
}

// pyIsWord is Python's regex \w for str patterns.
func pyIsWord(r rune) bool {
	if r < 0x80 {
		return r == '_' || (r >= '0' && r <= '9') || (r|0x20 >= 'a' && r|0x20 <= 'z')
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pyStrip is str.strip(): Python whitespace from both ends.
func pyStrip(s string) string {
	return strings.TrimFunc(s, pyIsSpace)
}

// pyFields is str.split() with no argument.
func pyFields(s string) []string {
	return strings.FieldsFunc(s, pyIsSpace)
}

// pySplitLines is str.splitlines(keepends).
func pySplitLines(s string, keepends bool) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		brk := 0
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			brk = size
		case '\r':
			brk = 1
			if i+1 < len(s) && s[i+1] == '\n' {
				brk = 2
			}
		}
		if brk == 0 {
			i += size
			continue
		}
		if keepends {
			out = append(out, s[start:i+brk])
		} else {
			out = append(out, s[start:i])
		}
		i += brk
		start = i
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// ---------------------------------------------------------------------------
// Iterators: what Jinja2's generator filters and reversed() return.

// iterObj is a Python iterator: single pass, always true, no len().
type iterObj struct {
	typ   string // "generator", "list_reverseiterator", …
	fn    string // the generator function, for the repr
	items []Value
	pos   int
}

func newGenerator(fn string, items []Value) Value {
	return ObjectValue(&iterObj{typ: "generator", fn: fn, items: items})
}

func newIterator(typ string, items []Value) Value {
	return ObjectValue(&iterObj{typ: typ, items: items})
}

// Attr implements Object: an iterator has no attributes a template may use.
func (g *iterObj) Attr(name string) (Value, bool) { return Value{}, false }

// Iter implements Iterable: it returns the items not yet consumed and
// consumes them.
func (g *iterObj) Iter() []Value {
	it := g.items[g.pos:]
	g.pos = len(g.items)
	return it
}

// next consumes one item.
func (g *iterObj) next() (Value, bool) {
	if g.pos >= len(g.items) {
		return Value{}, false
	}
	g.pos++
	return g.items[g.pos-1], true
}

// Len is the number of items left. Python's iterators have no len(): pyLen
// refuses them; Len only lets the engine's generic helpers size one without
// consuming it.
func (g *iterObj) Len() int { return len(g.items) - g.pos }

func (g *iterObj) Truth() bool      { return true }
func (g *iterObj) TypeName() string { return g.typ }

// Repr implements Reprer. Python prints the object's address; a fixed one
// keeps output deterministic.
func (g *iterObj) Repr() string {
	if g.typ == "generator" {
		return "<generator object " + g.fn + " at 0x7f0000000000>"
	}
	return "<" + g.typ + " object at 0x7f0000000000>"
}

func (g *iterObj) String() string { return g.Repr() }

// iterate is Python's iteration over v: the items, consuming an iterator.
func iterate(s *State, v Value) ([]Value, error) {
	return s.Iter(v)
}

// ---------------------------------------------------------------------------
// groupby's namedtuple (grouper, list).

type groupTuple struct {
	items [2]Value
}

func (g *groupTuple) Attr(name string) (Value, bool) {
	switch name {
	case "grouper":
		return g.items[0], true
	case "list":
		return g.items[1], true
	case "count":
		return FuncValue("count", func(s *State, a Args) (Value, error) {
			if len(a.Pos) != 1 || len(a.Kw) > 0 {
				return Value{}, typeErrorf("tuple.count() takes exactly one argument (%d given)", len(a.Pos)+len(a.Kw))
			}
			n := 0
			for _, it := range g.items {
				if Equal(it, a.Pos[0]) {
					n++
				}
			}
			return Int(int64(n)), nil
		}), true
	case "index":
		return FuncValue("index", func(s *State, a Args) (Value, error) {
			if len(a.Pos) < 1 || len(a.Kw) > 0 {
				return Value{}, typeErrorf("index expected at least 1 argument, got %d", len(a.Pos))
			}
			for i, it := range g.items {
				if Equal(it, a.Pos[0]) {
					return Int(int64(i)), nil
				}
			}
			return Value{}, Errorf("ValueError", "tuple.index(x): x not in tuple")
		}), true
	}
	if strings.HasPrefix(name, "_") {
		return Value{}, false
	}
	return UndefinedMsg(name, fmt.Sprintf("'jinja2.filters._GroupTuple object' has no attribute '%s'", name)), true
}

func (g *groupTuple) Item(k Value) (Value, bool) {
	if k.k == KindInt || k.k == KindBool {
		i := k.AsInt()
		if i < 0 {
			i += 2
		}
		if i >= 0 && i < 2 {
			return g.items[i], true
		}
		return UndefinedMsg("", "jinja2.filters._GroupTuple object has no element "+k.Repr()), true
	}
	return Value{}, false
}

func (g *groupTuple) Iter() []Value    { return g.items[:] }
func (g *groupTuple) Len() int         { return 2 }
func (g *groupTuple) TypeName() string { return "_GroupTuple" }
func (g *groupTuple) Repr() string     { return NewTuple(g.items[:]).Repr() }
func (g *groupTuple) String() string   { return g.Repr() }

// seqItems returns the items of a list, a tuple or a tuple-like object
// (groupby's groups), for comparisons and JSON.
func seqItems(v Value) ([]Value, Kind, bool) {
	switch v.k {
	case KindList, KindTuple:
		return v.List().Items, v.k, true
	case KindObject:
		if g, ok := v.p.(*groupTuple); ok {
			return g.items[:], KindTuple, true
		}
	}
	return nil, 0, false
}

// ---------------------------------------------------------------------------
// Comparisons and sorting, as Python's.

// pyCmp is Python's a <op> b for op in <, <=, >, >=.
func pyCmp(op string, a, b Value) (bool, error) {
	if a.k == KindUndefined {
		return false, a.undefinedError()
	}
	if b.k == KindUndefined {
		return false, b.undefinedError()
	}
	if a.IsNumber() && b.IsNumber() {
		c, ok := numCmp(a, b)
		if !ok {
			return false, nil // NaN
		}
		return cmpResult(op, c), nil
	}
	if a.k == KindString && b.k == KindString {
		return cmpResult(op, strings.Compare(a.s, b.s)), nil
	}
	if xs, xk, ok := seqItems(a); ok {
		if ys, yk, ok := seqItems(b); ok && xk == yk {
			for i := 0; i < len(xs) && i < len(ys); i++ {
				if !Equal(xs[i], ys[i]) {
					return pyCmp(op, xs[i], ys[i])
				}
			}
			return cmpResult(op, cmpInt(len(xs), len(ys))), nil
		}
	}
	return false, typeErrorf("'%s' not supported between instances of '%s' and '%s'", op, pyType(a), pyType(b))
}

func cmpResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
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

// pySortIdx sorts idx stably by less, making the comparisons CPython's
// list.sort makes for lists shorter than 64 items (so that an error names
// the same pair of values) and a stable merge sort beyond.
func pySortIdx(idx []int, less func(a, b int) (bool, error)) error {
	n := len(idx)
	if n < 2 {
		return nil
	}
	minrun := n
	if n >= 64 {
		r := 0
		for minrun >= 64 {
			r |= minrun & 1
			minrun >>= 1
		}
		minrun += r
	}
	type run struct{ lo, n int }
	var runs []run
	lo := 0
	for lo < n {
		// count_run
		rn := 1
		if lo+1 < n {
			rn = 2
			lt, err := less(idx[lo+1], idx[lo])
			if err != nil {
				return err
			}
			if lt {
				for k := lo + 2; k < n; k++ {
					lt, err := less(idx[k], idx[k-1])
					if err != nil {
						return err
					}
					if !lt {
						break
					}
					rn++
				}
				for i, j := lo, lo+rn-1; i < j; i, j = i+1, j-1 {
					idx[i], idx[j] = idx[j], idx[i]
				}
			} else {
				for k := lo + 2; k < n; k++ {
					lt, err := less(idx[k], idx[k-1])
					if err != nil {
						return err
					}
					if lt {
						break
					}
					rn++
				}
			}
		}
		if rn < minrun {
			force := n - lo
			if force > minrun {
				force = minrun
			}
			if err := binarySortIdx(idx[lo:lo+force], rn, less); err != nil {
				return err
			}
			rn = force
		}
		runs = append(runs, run{lo, rn})
		lo += rn
	}
	if len(runs) == 1 {
		return nil
	}
	tmp := make([]int, n)
	for len(runs) > 1 {
		var next []run
		for i := 0; i < len(runs); i += 2 {
			if i+1 == len(runs) {
				next = append(next, runs[i])
				break
			}
			a, b := runs[i], runs[i+1]
			// stable merge of idx[a.lo:a.lo+a.n] and idx[b.lo:b.lo+b.n]
			x, y, k := a.lo, b.lo, 0
			xe, ye := a.lo+a.n, b.lo+b.n
			for x < xe && y < ye {
				lt, err := less(idx[y], idx[x])
				if err != nil {
					return err
				}
				if lt {
					tmp[k] = idx[y]
					y++
				} else {
					tmp[k] = idx[x]
					x++
				}
				k++
			}
			k += copy(tmp[k:], idx[x:xe])
			k += copy(tmp[k:], idx[y:ye])
			copy(idx[a.lo:], tmp[:k])
			next = append(next, run{a.lo, a.n + b.n})
		}
		runs = next
	}
	return nil
}

// binarySortIdx is CPython's binarysort: idx[:start] is sorted.
func binarySortIdx(idx []int, start int, less func(a, b int) (bool, error)) error {
	if start == 0 {
		start = 1
	}
	for ; start < len(idx); start++ {
		l, r := 0, start
		pivot := idx[r]
		for l < r {
			p := l + (r-l)>>1
			lt, err := less(pivot, idx[p])
			if err != nil {
				return err
			}
			if lt {
				r = p
			} else {
				l = p + 1
			}
		}
		copy(idx[l+1:start+1], idx[l:start])
		idx[l] = pivot
	}
	return nil
}

// sortByKeys returns the permutation sorting keys, as sorted(…, reverse=…)
// does: the list is reversed before and after a stable sort.
func sortByKeys(n int, reverse bool, less func(a, b int) (bool, error)) ([]int, error) {
	idx := make([]int, n)
	for i := range idx {
		if reverse {
			idx[i] = n - 1 - i
		} else {
			idx[i] = i
		}
	}
	if err := pySortIdx(idx, less); err != nil {
		return nil, err
	}
	if reverse {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
	}
	return idx, nil
}

// hashSet is a Python set of values, for unique.
type hashSet struct {
	m     map[hashKey]struct{}
	other []Value
}

type hashKey struct {
	k Kind
	n uint64
	s string
}

func (h *hashSet) key(v Value) (hashKey, bool, error) {
	switch v.k {
	case KindUndefined:
		return hashKey{k: KindUndefined}, true, nil
	case KindNone:
		return hashKey{k: KindNone}, true, nil
	case KindBool, KindInt:
		if v.isBig() {
			return hashKey{k: KindInt, s: v.bigInt().String()}, true, nil
		}
		return hashKey{k: KindInt, n: v.n}, true, nil
	case KindFloat:
		f := v.AsFloat()
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return hashKey{k: KindInt, n: uint64(int64(f))}, true, nil
		}
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			b, _ := new(big.Float).SetFloat64(f).Int(nil)
			return hashKey{k: KindInt, s: b.String()}, true, nil
		}
		return hashKey{k: KindFloat, n: v.n}, true, nil
	case KindString:
		return hashKey{k: KindString, s: v.s}, true, nil
	case KindList, KindDict:
		return hashKey{}, false, typeErrorf("unhashable type: '%s'", v.TypeName())
	case KindTuple:
		for _, it := range v.List().Items {
			if _, _, err := h.key(it); err != nil {
				return hashKey{}, false, err
			}
		}
	}
	return hashKey{}, false, nil
}

// add adds v and reports whether it was new.
func (h *hashSet) add(v Value) (bool, error) {
	k, ok, err := h.key(v)
	if err != nil {
		return false, err
	}
	if ok {
		if h.m == nil {
			h.m = map[hashKey]struct{}{}
		}
		if _, seen := h.m[k]; seen {
			return false, nil
		}
		h.m[k] = struct{}{}
		return true, nil
	}
	for _, o := range h.other {
		if Equal(o, v) {
			return false, nil
		}
	}
	h.other = append(h.other, v)
	return true, nil
}

// ---------------------------------------------------------------------------
// Attribute paths (make_attrgetter and make_multi_attrgetter).

// attrPath is a parsed attribute: "a.0.b" looks up a, then 0, then b.
type attrPath []Value

func parseAttrPath(attr Value) attrPath {
	if attr.k == KindNone || isMissing(attr) {
		return nil
	}
	if attr.k != KindString {
		return attrPath{attr}
	}
	parts := strings.Split(attr.s, ".")
	out := make(attrPath, len(parts))
	for i, p := range parts {
		out[i] = String(p)
		if p != "" && isDigits(p) {
			if n, err := strconv.ParseInt(asciiDigits(p), 10, 64); err == nil {
				out[i] = Int(n)
			}
		}
	}
	return out
}

// isDigits is str.isdigit (for decimal digits).
func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// asciiDigits maps Unicode decimal digits to ASCII ones.
func asciiDigits(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.IsDigit(r) {
			b.WriteByte(byte('0' + digitValue(r)))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// digitValue is the value of a Unicode decimal digit (Nd ranges come in
// runs of ten starting at a zero).
func digitValue(r rune) int {
	if r < utf8.RuneSelf {
		return int(r - '0')
	}
	z := r
	for z > 0 && unicode.IsDigit(z-1) && r-z < 9 {
		z--
	}
	return int(r-z) % 10
}

// get looks the path up on item, as Jinja2's environment.getitem does for
// each part; def (unless missing or None) replaces an undefined result.
func (p attrPath) get(s *State, item Value, def Value) (Value, error) {
	useDef := !isMissing(def) && def.k != KindNone
	for _, part := range p {
		v, err := s.Item(item, part)
		if err != nil {
			return Value{}, err
		}
		if v.k == KindUndefined && part.k != KindString && item.k != KindObject {
			// Jinja2: undefined(obj=item, name=part) for a non-str name.
			desc := "None"
			if item.k != KindNone {
				desc = pyType(item) + " object"
			}
			v = UndefinedMsg("", desc+" has no element "+part.Repr())
		}
		item = v
		if useDef && item.k == KindUndefined {
			item = def
		}
	}
	return item, nil
}

// ignoreCase lowers strings (filters' case_sensitive=False).
func ignoreCase(v Value) Value {
	if v.k == KindString {
		return strValue(pyLower(v.s), v.safe)
	}
	return v
}

// ---------------------------------------------------------------------------
// Number conversions with Python's rules.

// parsePyFloat parses a string as Python's float() does.
func parsePyFloat(str string) (float64, bool) {
	t := strings.TrimFunc(str, pyIsSpace)
	t = asciiDigits(t)
	if !isASCII(t) || t == "" {
		return 0, false
	}
	body := t
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if t[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	// [digits][.digits][e[sign]digits], underscores only between digits.
	var b []byte
	i, n := 0, len(body)
	digits := func() int {
		c := 0
		for i < n {
			if body[i] >= '0' && body[i] <= '9' {
				b = append(b, body[i])
				i++
				c++
			} else if body[i] == '_' && c > 0 && i+1 < n && body[i+1] >= '0' && body[i+1] <= '9' {
				i++
			} else {
				break
			}
		}
		return c
	}
	if t[0] == '-' {
		b = append(b, '-')
	}
	intDigits := digits()
	fracDigits := 0
	if i < n && body[i] == '.' {
		b = append(b, '.')
		i++
		fracDigits = digits()
	}
	if intDigits+fracDigits == 0 {
		return 0, false
	}
	if i < n && (body[i] == 'e' || body[i] == 'E') {
		b = append(b, 'e')
		i++
		if i < n && (body[i] == '+' || body[i] == '-') {
			b = append(b, body[i])
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != n {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// pyFloat is Python's float(v).
func pyFloat(v Value) (float64, error) {
	switch v.k {
	case KindFloat, KindInt, KindBool:
		return v.AsFloat(), nil
	case KindString:
		if f, ok := parsePyFloat(v.s); ok {
			return f, nil
		}
		return 0, Errorf("ValueError", "could not convert string to float: %s", PyQuote(v.s))
	case KindUndefined:
		return 0, v.undefinedError()
	}
	return 0, typeErrorf("float() argument must be a string or a real number, not '%s'", pyType(v))
}

// parsePyInt parses a string as Python's int(str, base) does.
func parsePyInt(str string, base int64) (Value, *Error) {
	bad := func() (Value, *Error) {
		return Value{}, Errorf("ValueError", "invalid literal for int() with base %d: %s", base, PyQuote(str))
	}
	t := asciiDigits(strings.TrimFunc(str, pyIsSpace))
	if !isASCII(t) {
		return bad()
	}
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	b := base
	prefixed := false
	if len(t) >= 2 && t[0] == '0' {
		switch t[1] | 0x20 {
		case 'x':
			if b == 16 || b == 0 {
				b, t, prefixed = 16, t[2:], true
			}
		case 'o':
			if b == 8 || b == 0 {
				b, t, prefixed = 8, t[2:], true
			}
		case 'b':
			if b == 2 || b == 0 {
				b, t, prefixed = 2, t[2:], true
			}
		}
	}
	if b == 0 {
		b = 10
		// base 0: no leading zeros unless the number is zero
		if len(t) > 1 && t[0] == '0' {
			if strings.Trim(t, "0_") != "" {
				return bad()
			}
		}
	}
	if prefixed && t != "" && t[0] == '_' {
		t = t[1:]
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return bad()
	}
	var n big.Int
	var acc uint64
	big1 := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '_' {
			continue
		}
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			d = int64(c|0x20-'a') + 10
		default:
			return bad()
		}
		if d >= b {
			return bad()
		}
		if !big1 {
			hi, lo := mulAdd(acc, uint64(b), uint64(d))
			if hi == 0 {
				acc = lo
				continue
			}
			big1 = true
			n.SetUint64(acc)
		}
		n.Mul(&n, big.NewInt(b))
		n.Add(&n, big.NewInt(d))
	}
	if !big1 && (acc < 1<<63 || (acc == 1<<63 && neg)) {
		if neg {
			return Int(-int64(acc)), nil
		}
		return Int(int64(acc)), nil
	}
	if !big1 {
		n.SetUint64(acc)
	}
	if neg {
		n.Neg(&n)
	}
	return intFromBig(&n), nil
}

func mulAdd(a, b, c uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	var carry uint64
	lo, carry = bits.Add64(lo, c, 0)
	return hi + carry, lo
}

// floatToInt is Python's int(float).
func floatToInt(f float64) (Value, *Error) {
	switch {
	case math.IsInf(f, 0):
		return Value{}, Errorf("OverflowError", "cannot convert float infinity to integer")
	case math.IsNaN(f):
		return Value{}, Errorf("ValueError", "cannot convert float NaN to integer")
	case f >= 9.223372036854775807e18 || f < -9.223372036854775808e18:
		b, _ := new(big.Float).SetFloat64(f).Int(nil)
		return intFromBig(b), nil
	}
	return Int(int64(f)), nil
}

// ---------------------------------------------------------------------------
// The filters, in alphabetical order.

var (
	sigAttr           = &pySig{name: "do_attr", params: []string{"environment", "obj", "name"}, hidden: 2, required: 3}
	sigBatch          = &pySig{name: "do_batch", params: []string{"value", "linecount", "fill_with"}, hidden: 1, required: 2}
	sigCapitalize     = &pySig{name: "do_capitalize", params: []string{"s"}, hidden: 1, required: 1}
	sigCenter         = &pySig{name: "do_center", params: []string{"value", "width"}, hidden: 1, required: 1}
	sigDefault        = &pySig{name: "do_default", params: []string{"value", "default_value", "boolean"}, hidden: 1, required: 1}
	sigDictsort       = &pySig{name: "do_dictsort", params: []string{"value", "case_sensitive", "by", "reverse"}, hidden: 1, required: 1}
	sigEscape         = &pySig{name: "escape", params: []string{"s"}, hidden: 1, required: 1, posonly: 1}
	sigFilesizeformat = &pySig{name: "do_filesizeformat", params: []string{"value", "binary"}, hidden: 1, required: 1}
	sigFirst          = &pySig{name: "sync_do_first", params: []string{"environment", "seq"}, hidden: 2, required: 2}
	sigFloat          = &pySig{name: "do_float", params: []string{"value", "default"}, hidden: 1, required: 1}
	sigForceescape    = &pySig{name: "do_forceescape", params: []string{"value"}, hidden: 1, required: 1}
	sigGroupby        = &pySig{name: "sync_do_groupby", params: []string{"environment", "value", "attribute", "default", "case_sensitive"}, hidden: 2, required: 3}
	sigIndent         = &pySig{name: "do_indent", params: []string{"s", "width", "first", "blank"}, hidden: 1, required: 1}
	sigInt            = &pySig{name: "do_int", params: []string{"value", "default", "base"}, hidden: 1, required: 1}
	sigItems          = &pySig{name: "do_items", params: []string{"value"}, hidden: 1, required: 1}
	sigJoin           = &pySig{name: "sync_do_join", params: []string{"eval_ctx", "value", "d", "attribute"}, hidden: 2, required: 2}
	sigLast           = &pySig{name: "do_last", params: []string{"environment", "seq"}, hidden: 2, required: 2}
	sigList           = &pySig{name: "sync_do_list", params: []string{"value"}, hidden: 1, required: 1}
	sigLower          = &pySig{name: "do_lower", params: []string{"s"}, hidden: 1, required: 1}
	sigMax            = &pySig{name: "do_max", params: []string{"environment", "value", "case_sensitive", "attribute"}, hidden: 2, required: 2}
	sigMin            = &pySig{name: "do_min", params: []string{"environment", "value", "case_sensitive", "attribute"}, hidden: 2, required: 2}
	sigPprint         = &pySig{name: "do_pprint", params: []string{"value"}, hidden: 1, required: 1}
	sigRandom         = &pySig{name: "do_random", params: []string{"context", "seq"}, hidden: 2, required: 2}
	sigReplace        = &pySig{name: "do_replace", params: []string{"eval_ctx", "s", "old", "new", "count"}, hidden: 2, required: 4}
	sigReverse        = &pySig{name: "do_reverse", params: []string{"value"}, hidden: 1, required: 1}
	sigRound          = &pySig{name: "do_round", params: []string{"value", "precision", "method"}, hidden: 1, required: 1}
	sigSafe           = &pySig{name: "do_mark_safe", params: []string{"value"}, hidden: 1, required: 1}
	sigSlice          = &pySig{name: "sync_do_slice", params: []string{"value", "slices", "fill_with"}, hidden: 1, required: 2}
	sigSort           = &pySig{name: "do_sort", params: []string{"environment", "value", "reverse", "case_sensitive", "attribute"}, hidden: 2, required: 2}
	sigString         = &pySig{name: "soft_str", params: []string{"s"}, hidden: 1, required: 1, posonly: 1}
	sigStriptags      = &pySig{name: "do_striptags", params: []string{"value"}, hidden: 1, required: 1}
	sigSum            = &pySig{name: "sync_do_sum", params: []string{"environment", "iterable", "attribute", "start"}, hidden: 2, required: 2}
	sigTitle          = &pySig{name: "do_title", params: []string{"s"}, hidden: 1, required: 1}
	sigTojson         = &pySig{name: "do_tojson", params: []string{"eval_ctx", "value", "indent"}, hidden: 2, required: 2}
	sigTrim           = &pySig{name: "do_trim", params: []string{"value", "chars"}, hidden: 1, required: 1}
	sigTruncate       = &pySig{name: "do_truncate", params: []string{"env", "s", "length", "killwords", "end", "leeway"}, hidden: 2, required: 2}
	sigUnique         = &pySig{name: "sync_do_unique", params: []string{"environment", "value", "case_sensitive", "attribute"}, hidden: 2, required: 2}
	sigUpper          = &pySig{name: "do_upper", params: []string{"s"}, hidden: 1, required: 1}
	sigUrlencode      = &pySig{name: "do_urlencode", params: []string{"value"}, hidden: 1, required: 1}
	sigUrlize         = &pySig{name: "do_urlize", params: []string{"eval_ctx", "value", "trim_url_limit", "nofollow", "target", "rel", "extra_schemes"}, hidden: 2, required: 2}
	sigWordcount      = &pySig{name: "do_wordcount", params: []string{"s"}, hidden: 1, required: 1}
	sigWordwrap       = &pySig{name: "do_wordwrap", params: []string{"environment", "s", "width", "break_long_words", "wrapstring", "break_on_hyphens"}, hidden: 2, required: 2}
	sigXmlattr        = &pySig{name: "do_xmlattr", params: []string{"eval_ctx", "d", "autospace"}, hidden: 2, required: 2}
)

// noArgs checks a call of a filter that takes the value only.
func noArgs(g *pySig, a Args) error {
	if len(a.Pos) == 0 && len(a.Kw) == 0 {
		return nil
	}
	var out [1]Value
	return g.bind(a, out[:])
}

func filterAbs(s *State, v Value, a Args) (Value, error) {
	if err := builtinOneArg("abs", a); err != nil {
		return Value{}, err
	}
	switch v.k {
	case KindInt, KindBool:
		n := v.AsInt()
		if v.isBig() || n == math.MinInt64 {
			return intFromBig(new(big.Int).Abs(v.bigInt())), nil
		}
		if n < 0 {
			n = -n
		}
		return Int(n), nil
	case KindFloat:
		return Float(math.Abs(v.AsFloat())), nil
	}
	return Value{}, typeErrorf("bad operand type for abs(): '%s'", pyType(v))
}

func filterAttr(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigAttr.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	name := p[0]
	if name.k != KindString {
		return Value{}, typeErrorf("attribute name must be string, not '%s'", pyType(name))
	}
	n := name.s
	dunder := strings.HasPrefix(n, "__") && strings.HasSuffix(n, "__") && len(n) > 4
	if v.k == KindUndefined {
		if dunder {
			return UndefinedMsg(n, fmt.Sprintf("'jinja2.runtime.Undefined object' has no attribute '%s'", n)), nil
		}
		return Value{}, v.undefinedError()
	}
	if strings.HasPrefix(n, "_") {
		if dunder {
			// Every object has its dunders; the sandbox refuses them.
			return Value{k: KindUndefined, s: n, p: &undefInfo{kind: "SecurityError",
				msg: fmt.Sprintf("access to attribute '%s' of '%s' object is unsafe.", n, pyType(v))}}, nil
		}
		return UndefinedMsg(n, fmt.Sprintf("'%s' has no attribute '%s'", objDesc(v), n)), nil
	}
	switch v.k {
	case KindObject:
		if x, ok := v.Object().Attr(n); ok {
			return x, nil
		}
	case KindCallable:
		return s.Attr(v, n)
	default:
		if hasMethod(v, n) {
			return boundMethod(v, n), nil
		}
	}
	return UndefinedMsg(n, fmt.Sprintf("'%s' has no attribute '%s'", objDesc(v), n)), nil
}

func filterBatch(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigBatch.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	linecount, fill := p[0], orDefault(p[1], None)
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	var out []Value
	var tmp []Value
	for _, it := range items {
		if Equal(Int(int64(len(tmp))), linecount) {
			out = append(out, NewList(tmp))
			tmp = nil
		}
		tmp = append(tmp, it)
	}
	if len(tmp) > 0 {
		if fill.k != KindNone {
			lt, err := pyCmp("<", Int(int64(len(tmp))), linecount)
			if err != nil {
				return Value{}, err
			}
			if lt {
				if linecount.k != KindInt && linecount.k != KindBool {
					return Value{}, typeErrorf("can't multiply sequence by non-int of type '%s'", pyType(linecount))
				}
				lc, err := indexArg(linecount)
				if err != nil {
					return Value{}, err
				}
				extra := lc - int64(len(tmp))
				if extra > s.limits.Iterations {
					return Value{}, s.limitErr("a list of %d items is larger than the limit", extra)
				}
				for i := int64(0); i < extra; i++ {
					tmp = append(tmp, fill)
				}
			}
		}
		out = append(out, NewList(tmp))
	}
	return newGenerator("do_batch", out), nil
}

func filterCapitalize(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigCapitalize, a); err != nil {
		return Value{}, err
	}
	str := softStr(v)
	return strValue(pyCapitalize(str.s), str.safe), nil
}

func filterCenter(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigCenter.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	width := int64(80)
	if !isMissing(p[0]) {
		w, err := indexArg(p[0])
		if err != nil {
			return Value{}, err
		}
		width = w
	}
	str := softStr(v)
	n := int64(cpLen(str.s))
	if width <= n {
		return str, nil
	}
	if total := width - n + int64(len(str.s)); total > int64(s.limits.Output) {
		return Value{}, s.limitErr("output limit exceeded: a string of %d bytes is larger than the limit of %d", total, s.limits.Output)
	}
	marg := width - n
	left := marg/2 + (marg & width & 1)
	return strValue(strings.Repeat(" ", int(left))+str.s+strings.Repeat(" ", int(marg-left)), str.safe), nil
}

func filterDefault(s *State, v Value, a Args) (Value, error) {
	var def, boolean Value
	if len(a.Kw) == 0 && len(a.Pos) <= 2 {
		def, boolean = missingArg, missingArg
		if len(a.Pos) > 0 {
			def = a.Pos[0]
		}
		if len(a.Pos) > 1 {
			boolean = a.Pos[1]
		}
	} else {
		var p [2]Value
		if err := sigDefault.bind(a, p[:]); err != nil {
			return Value{}, err
		}
		def, boolean = p[0], p[1]
	}
	if v.k == KindUndefined || (!isMissing(boolean) && boolean.Truthy() && !v.Truthy()) {
		if isMissing(def) {
			return String(""), nil
		}
		return def, nil
	}
	return v, nil
}

// dictItems returns a mapping's (key, value) pairs, or Python's
// AttributeError for value.items().
func dictItems(v Value) ([]Value, []Value, error) {
	if d := v.Dict(); d != nil {
		return d.Keys(), d.Values(), nil
	}
	return nil, nil, attrError(v, "items")
}

func filterDictsort(s *State, v Value, a Args) (Value, error) {
	var p [3]Value
	if err := sigDictsort.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	caseSensitive := !isMissing(p[0]) && p[0].Truthy()
	pos := 0
	if by := p[1]; !isMissing(by) {
		switch {
		case by.k == KindString && by.s == "key":
		case by.k == KindString && by.s == "value":
			pos = 1
		default:
			return Value{}, Errorf("FilterArgumentError", "You can only sort by either \"key\" or \"value\"")
		}
	}
	reverse := false
	if !isMissing(p[2]) {
		r, err := indexArg(p[2])
		if err != nil {
			return Value{}, err
		}
		reverse = r != 0
	}
	keys, vals, err := dictItems(v)
	if err != nil {
		return Value{}, err
	}
	sortKeys := keys
	if pos == 1 {
		sortKeys = vals
	}
	if !caseSensitive {
		lk := make([]Value, len(sortKeys))
		for i, k := range sortKeys {
			lk[i] = ignoreCase(k)
		}
		sortKeys = lk
	}
	idx, err := sortByKeys(len(keys), reverse, func(x, y int) (bool, error) {
		return pyCmp("<", sortKeys[x], sortKeys[y])
	})
	if err != nil {
		return Value{}, err
	}
	out := make([]Value, len(idx))
	for i, j := range idx {
		out[i] = NewTuple([]Value{keys[j], vals[j]})
	}
	return NewList(out), nil
}

// htmlEscape is markupsafe's escape of a str.
func htmlEscape(str string) string {
	i := strings.IndexAny(str, "&<>\"'")
	if i < 0 {
		return str
	}
	var b strings.Builder
	b.Grow(len(str) + 16)
	b.WriteString(str[:i])
	for j := i; j < len(str); j++ {
		switch c := str[j]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeValue is markupsafe.escape(v).
func escapeValue(v Value) Value {
	if v.k == KindString && v.safe {
		return v
	}
	return Markup(htmlEscape(v.String()))
}

func filterEscape(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigEscape, a); err != nil {
		return Value{}, err
	}
	return escapeValue(v), nil
}

func filterFilesizeformat(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigFilesizeformat.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	binary := !isMissing(p[0]) && p[0].Truthy()
	bytes, err := pyFloat(v)
	if err != nil {
		return Value{}, err
	}
	base := 1000.0
	prefixes := [...]string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	// units[i] is base**(i+2), correctly rounded.
	units := [...]float64{1e6, 1e9, 1e12, 1e15, 1e18, 1e21, 1e24, 1e27}
	if binary {
		base = 1024
		prefixes = [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
		for i := range units {
			units[i] = math.Ldexp(1, 10*(i+2))
		}
	}
	if bytes == 1 {
		return String("1 Byte"), nil
	}
	if bytes < base {
		n, err := floatToInt(bytes)
		if err != nil {
			return Value{}, err
		}
		return String(n.Repr() + " Bytes"), nil
	}
	i := 0
	for ; i < len(units); i++ {
		if floatLessPow(bytes, units[i], binary, i+2) {
			break
		}
	}
	if i == len(units) {
		i--
	}
	return String(formatFixed(base*bytes/units[i], 1) + " " + prefixes[i]), nil
}

// floatLessPow is bytes < base**exp compared exactly (Python compares a float
// with an int exactly; 1000**8 and 1000**9 are not floats).
func floatLessPow(bytes, unit float64, binary bool, exp int) bool {
	if binary || exp <= 7 || math.IsNaN(bytes) || math.IsInf(bytes, 0) {
		return bytes < unit
	}
	p := new(big.Int).Exp(big.NewInt(1000), big.NewInt(int64(exp)), nil)
	f := new(big.Float).SetFloat64(bytes)
	return f.Cmp(new(big.Float).SetInt(p)) < 0
}

// formatFixed is Python's '%.Nf' % f.
func formatFixed(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

func filterFirst(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigFirst.bind(a, p[:]); err != nil {
			return Value{}, err
		}
	}
	empty := UndefinedMsg("", "No first item, sequence was empty.")
	switch v.k {
	case KindList, KindTuple:
		if items := v.List().Items; len(items) > 0 {
			return items[0], nil
		}
		return empty, nil
	case KindString:
		if v.s == "" {
			return empty, nil
		}
		_, size := utf8.DecodeRuneInString(v.s)
		return String(v.s[:size]), nil
	case KindObject:
		if g, ok := v.p.(*iterObj); ok {
			if it, ok := g.next(); ok {
				return it, nil
			}
			return empty, nil
		}
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	if len(items) == 0 {
		return empty, nil
	}
	return items[0], nil
}

func filterFloat(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigFloat.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	f, err := pyFloat(v)
	if err != nil {
		if e, ok := err.(*Error); ok && (e.Kind == "TypeError" || e.Kind == "ValueError") {
			return orDefault(p[0], Float(0)), nil
		}
		return Value{}, err
	}
	return Float(f), nil
}

func filterForceescape(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigForceescape, a); err != nil {
		return Value{}, err
	}
	return Markup(htmlEscape(v.String())), nil
}

func filterFormat(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 && len(a.Kw) > 0 {
		return Value{}, Errorf("FilterArgumentError", "can't handle positional and keyword arguments at the same time")
	}
	// soft_str(value) % (kwargs or args)
	var arg Value
	if len(a.Kw) > 0 {
		d := NewDict()
		for _, kw := range a.Kw {
			d.SetStr(kw.Name, kw.Value)
		}
		arg = DictValue(d)
	} else {
		arg = NewTuple(append([]Value(nil), a.Pos...))
	}
	str := softStr(v)
	if str.safe {
		// Markup % args escapes the arguments; the result is Markup.
		return percentFormatValue(str, arg)
	}
	out, err := percentFormat(str.s, arg)
	if err != nil {
		return Value{}, err
	}
	return String(out), nil
}

func filterGroupby(s *State, v Value, a Args) (Value, error) {
	var p [3]Value
	if err := sigGroupby.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	path := parseAttrPath(p[0])
	def := p[1]
	caseSensitive := !isMissing(p[2]) && p[2].Truthy()
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	keys := make([]Value, len(items))
	raw := make([]Value, len(items))
	for i, it := range items {
		k, err := path.get(s, it, def)
		if err != nil {
			return Value{}, err
		}
		raw[i] = k
		if !caseSensitive {
			k = ignoreCase(k)
		}
		keys[i] = k
	}
	idx, err := sortByKeys(len(items), false, func(x, y int) (bool, error) {
		return pyCmp("<", keys[x], keys[y])
	})
	if err != nil {
		return Value{}, err
	}
	var out []Value
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && Equal(keys[idx[j]], keys[idx[i]]) {
			j++
		}
		group := make([]Value, 0, j-i)
		for _, k := range idx[i:j] {
			group = append(group, items[k])
		}
		grouper := keys[idx[i]]
		if !caseSensitive {
			grouper = raw[idx[i]]
		}
		out = append(out, ObjectValue(&groupTuple{items: [2]Value{grouper, NewList(group)}}))
		i = j
	}
	return NewList(out), nil
}

func filterIndent(s *State, v Value, a Args) (Value, error) {
	var p [3]Value
	if err := sigIndent.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	width := orDefault(p[0], Int(4))
	first := !isMissing(p[1]) && p[1].Truthy()
	blank := !isMissing(p[2]) && p[2].Truthy()
	var indention string
	indentSafe := false
	switch width.k {
	case KindString:
		indention, indentSafe = width.s, width.safe
	case KindInt, KindBool:
		if width.isBig() {
			return Value{}, Errorf("OverflowError", "cannot fit 'int' into an index-sized integer")
		}
		n := width.AsInt()
		if n > 0 {
			if err := s.checkSize(int(n)); err != nil || n > int64(s.limits.Output) {
				return Value{}, s.limitErr("output limit exceeded: a string of %d bytes is larger than the limit of %d", n, s.limits.Output)
			}
			indention = strings.Repeat(" ", int(n))
		}
	case KindUndefined:
		return Value{}, width.undefinedError()
	default:
		return Value{}, typeErrorf("can't multiply sequence by non-int of type '%s'", pyType(width))
	}
	switch v.k {
	case KindString:
	case KindUndefined:
		return Value{}, v.undefinedError()
	case KindList, KindTuple, KindDict:
		return Value{}, attrError(v, "splitlines")
	default:
		return Value{}, typeErrorf("unsupported operand type(s) for +=: '%s' and 'str'", pyType(v))
	}
	str := v.s
	safe := v.safe
	if safe {
		indentSafe = true
	}
	// indent(width as Markup, s as str): Markup + str escapes the line.
	esc := func(x string) string {
		if indentSafe && !safe {
			return htmlEscape(x)
		}
		return x
	}
	rvSafe := safe
	lines := pySplitLines(str+"\n", false)
	var b strings.Builder
	b.Grow(len(str) + len(lines)*len(indention))
	if blank {
		// (newline + indention).join(lines): a Markup separator escapes
		// the lines.
		for i, line := range lines {
			if i > 0 {
				b.WriteString("\n")
				b.WriteString(indention)
			}
			b.WriteString(esc(line))
		}
		rvSafe = indentSafe
	} else {
		b.WriteString(lines[0])
		if len(lines) > 1 {
			b.WriteString("\n")
			for i, line := range lines[1:] {
				if i > 0 {
					b.WriteString("\n")
				}
				if line != "" {
					b.WriteString(indention)
					b.WriteString(esc(line))
				}
			}
		}
	}
	rv := b.String()
	if first {
		if indentSafe && !rvSafe {
			rv = indention + htmlEscape(rv)
		} else {
			rv = indention + rv
		}
		rvSafe = rvSafe || indentSafe
	}
	return strValue(rv, rvSafe), nil
}

func filterInt(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigInt.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	def := orDefault(p[0], Int(0))
	base := orDefault(p[1], Int(10))
	switch v.k {
	case KindInt:
		return v, nil
	case KindBool:
		return Int(v.AsInt()), nil
	case KindFloat:
		n, err := floatToInt(v.AsFloat())
		if err != nil {
			return Value{}, err
		}
		return n, nil
	case KindUndefined:
		return Value{}, v.undefinedError()
	case KindString:
		if b, err := indexArg(base); err == nil && (b == 0 || (b >= 2 && b <= 36)) {
			n, err := parsePyInt(v.s, b)
			if err == nil {
				return n, nil
			}
			if err.Kind != "ValueError" {
				return Value{}, err
			}
		}
		// The quirk that makes "42.23"|int give 42.
		f, ok := parsePyFloat(v.s)
		if !ok {
			return def, nil
		}
		n, err := floatToInt(f)
		if err != nil {
			if err.Kind == "OverflowError" && (math.IsInf(f, 0)) {
				return def, nil
			}
			if err.Kind == "ValueError" {
				return def, nil
			}
			return Value{}, err
		}
		return n, nil
	}
	return def, nil
}

func filterItems(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigItems, a); err != nil {
		return Value{}, err
	}
	if v.k == KindUndefined {
		return newGenerator("do_items", nil), nil
	}
	d := v.Dict()
	if d == nil {
		return Value{}, typeErrorf("Can only get item pairs from a mapping.")
	}
	keys, vals := d.Keys(), d.Values()
	out := make([]Value, len(keys))
	for i := range keys {
		out[i] = NewTuple([]Value{keys[i], vals[i]})
	}
	return newGenerator("do_items", out), nil
}

func filterJoin(s *State, v Value, a Args) (Value, error) {
	sep := ""
	var attr Value = missingArg
	if len(a.Kw) == 0 && len(a.Pos) <= 1 {
		if len(a.Pos) == 1 {
			sep = a.Pos[0].String()
		}
	} else {
		var p [2]Value
		if err := sigJoin.bind(a, p[:]); err != nil {
			return Value{}, err
		}
		if !isMissing(p[0]) {
			sep = p[0].String()
		}
		attr = p[1]
	}
	if v.k == KindString && (isMissing(attr) || attr.k == KindNone) {
		if sep == "" || cpLen(v.s) < 2 {
			return String(v.s), nil
		}
		var b strings.Builder
		b.Grow(len(v.s) + len(sep)*len(v.s))
		for i, r := range v.s {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteRune(r)
		}
		return String(b.String()), nil
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	if !isMissing(attr) && attr.k != KindNone {
		path := parseAttrPath(attr)
		mapped := make([]Value, len(items))
		for i, it := range items {
			x, err := path.get(s, it, missingArg)
			if err != nil {
				return Value{}, err
			}
			mapped[i] = x
		}
		items = mapped
	}
	switch len(items) {
	case 0:
		return String(""), nil
	case 1:
		return String(items[0].String()), nil
	}
	n := len(sep) * (len(items) - 1)
	allStr := true
	for _, it := range items {
		if it.k == KindString {
			n += len(it.s)
		} else {
			allStr = false
		}
	}
	if allStr {
		if err := s.checkSize(n); err != nil {
			return Value{}, err
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		if it.k == KindString {
			b.WriteString(it.s)
		} else {
			b.WriteString(it.String())
		}
		if b.Len() > s.limits.Output {
			return Value{}, s.checkSize(b.Len())
		}
	}
	return String(b.String()), nil
}

func filterLast(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigLast.bind(a, p[:]); err != nil {
			return Value{}, err
		}
	}
	empty := UndefinedMsg("", "No last item, sequence was empty.")
	switch v.k {
	case KindList, KindTuple:
		if items := v.List().Items; len(items) > 0 {
			return items[len(items)-1], nil
		}
		return empty, nil
	case KindString:
		if v.s == "" {
			return empty, nil
		}
		_, size := utf8.DecodeLastRuneInString(v.s)
		return strValue(v.s[len(v.s)-size:], v.safe), nil
	case KindDict:
		keys := v.Dict().Keys()
		if len(keys) == 0 {
			return empty, nil
		}
		return keys[len(keys)-1], nil
	case KindUndefined:
		return empty, nil
	case KindObject:
		if _, ok := v.p.(*iterObj); ok {
			return Value{}, typeErrorf("'%s' object is not reversible", pyType(v))
		}
		if _, ok := v.p.(Iterable); ok {
			items, err := iterate(s, v)
			if err != nil {
				return Value{}, err
			}
			if len(items) == 0 {
				return empty, nil
			}
			return items[len(items)-1], nil
		}
	}
	return Value{}, typeErrorf("'%s' object is not reversible", pyType(v))
}

func filterLength(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		if err := builtinOneArg("len", a); err != nil {
			return Value{}, err
		}
	}
	n, err := pyLen(v)
	if err != nil {
		return Value{}, err
	}
	return Int(int64(n)), nil
}

// pyLen is Python's len(v).
func pyLen(v Value) (int, error) {
	switch v.k {
	case KindString:
		return cpLen(v.s), nil
	case KindList, KindTuple:
		return len(v.List().Items), nil
	case KindDict:
		return v.Dict().Len(), nil
	case KindUndefined:
		return 0, nil
	case KindObject:
		switch o := v.p.(type) {
		case *iterObj:
		case Lengther:
			return o.Len(), nil
		case Iterable:
			return len(o.Iter()), nil
		}
	}
	return 0, typeErrorf("object of type '%s' has no len()", pyType(v))
}

func filterList(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigList, a); err != nil {
		return Value{}, err
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	return NewList(append([]Value(nil), items...)), nil
}

func filterLower(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		if err := noArgs(sigLower, a); err != nil {
			return Value{}, err
		}
	}
	if v.k == KindString {
		return strValue(pyLower(v.s), v.safe), nil
	}
	return String(pyLower(v.String())), nil
}

func filterUpper(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		if err := noArgs(sigUpper, a); err != nil {
			return Value{}, err
		}
	}
	if v.k == KindString {
		return strValue(pyUpper(v.s), v.safe), nil
	}
	return String(pyUpper(v.String())), nil
}

// lookupFilterOrTest finds a filter or test by a name a template passed,
// failing as Jinja2's _filter_test_common does.
func lookupName(kind string, name Value, exists func(string) bool) error {
	if name.k == KindString && exists(name.s) {
		return nil
	}
	if name.k == KindList || name.k == KindDict {
		return typeErrorf("unhashable type: '%s'", name.TypeName())
	}
	var msg string
	if name.k == KindUndefined {
		msg = fmt.Sprintf("No %s named Undefined. (%s; did you forget to quote the callable name?)", kind, name.undefinedError().Msg)
	} else {
		msg = fmt.Sprintf("No %s named %s.", kind, name.Repr())
	}
	return Errorf("TemplateRuntimeError", "%s", msg)
}

func filterMap(s *State, v Value, a Args) (Value, error) {
	if !v.Truthy() {
		return newGenerator("sync_do_map", nil), nil
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	out := make([]Value, len(items))
	hasAttr := false
	for _, kw := range a.Kw {
		if kw.Name == "attribute" {
			hasAttr = true
		}
	}
	if len(a.Pos) == 0 && hasAttr {
		var attr, def Value = missingArg, missingArg
		for _, kw := range a.Kw {
			switch kw.Name {
			case "attribute":
				attr = kw.Value
			case "default":
				def = kw.Value
			default:
				return Value{}, Errorf("FilterArgumentError", "Unexpected keyword argument %s", PyQuote(kw.Name))
			}
		}
		path := parseAttrPath(attr)
		for i, it := range items {
			x, err := path.get(s, it, def)
			if err != nil {
				return Value{}, err
			}
			out[i] = x
		}
		return newGenerator("sync_do_map", out), nil
	}
	if len(a.Pos) == 0 {
		return Value{}, Errorf("FilterArgumentError", "map requires a filter argument")
	}
	name := a.Pos[0]
	rest := Args{Pos: a.Pos[1:], Kw: a.Kw}
	var f Filter
	for i, it := range items {
		if f == nil {
			if err := lookupName("filter", name, func(n string) bool { _, ok := s.env.Filters[n]; return ok }); err != nil {
				return Value{}, err
			}
			f = s.env.Filters[name.s]
		}
		x, err := f(s, it, rest)
		if err != nil {
			return Value{}, err
		}
		out[i] = x
	}
	return newGenerator("sync_do_map", out), nil
}

// minMax is _min_or_max: op is "<" for min, ">" for max.
func minMax(s *State, g *pySig, op string, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := g.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	caseSensitive := !isMissing(p[0]) && p[0].Truthy()
	path := parseAttrPath(p[1])
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	if len(items) == 0 {
		return UndefinedMsg("", "No aggregated item, sequence was empty."), nil
	}
	key := func(it Value) (Value, error) {
		k, err := path.get(s, it, missingArg)
		if err != nil {
			return Value{}, err
		}
		if !caseSensitive {
			k = ignoreCase(k)
		}
		return k, nil
	}
	best := items[0]
	bestKey, err := key(best)
	if err != nil {
		return Value{}, err
	}
	for _, it := range items[1:] {
		k, err := key(it)
		if err != nil {
			return Value{}, err
		}
		better, err := pyCmp(op, k, bestKey)
		if err != nil {
			return Value{}, err
		}
		if better {
			best, bestKey = it, k
		}
	}
	return best, nil
}

func filterMax(s *State, v Value, a Args) (Value, error) { return minMax(s, sigMax, ">", v, a) }
func filterMin(s *State, v Value, a Args) (Value, error) { return minMax(s, sigMin, "<", v, a) }

func filterPprint(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigPprint, a); err != nil {
		return Value{}, err
	}
	out, err := pformat(s, v)
	if err != nil {
		return Value{}, err
	}
	return String(out), nil
}

func filterRandom(s *State, v Value, a Args) (Value, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigRandom.bind(a, p[:]); err != nil {
			return Value{}, err
		}
	}
	n, err := pyLen(v)
	if err != nil {
		return Value{}, err
	}
	if n == 0 {
		return UndefinedMsg("", "No random item, sequence was empty."), nil
	}
	i := rand.IntN(n)
	switch v.k {
	case KindString:
		return String(runeAt(v.s, i)), nil
	case KindList, KindTuple:
		return v.List().Items[i], nil
	case KindDict:
		if x, ok := v.Dict().Get(Int(int64(i))); ok {
			return x, nil
		}
		return Value{}, Errorf("KeyError", "%d", i)
	}
	x, err := s.Item(v, Int(int64(i)))
	if err != nil {
		return Value{}, err
	}
	return x, nil
}

// selectOrReject is select, reject, selectattr and rejectattr.
func selectOrReject(s *State, v Value, a Args, want bool, lookupAttr bool) (Value, error) {
	if !v.Truthy() {
		return newGenerator("select_or_reject", nil), nil
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	args := a.Pos
	var path attrPath
	if lookupAttr {
		if len(args) == 0 {
			return Value{}, Errorf("FilterArgumentError", "Missing parameter for attribute name")
		}
		path = parseAttrPath(args[0])
		args = args[1:]
	}
	var name Value
	hasTest := len(args) > 0
	var rest Args
	if hasTest {
		name = args[0]
		rest = Args{Pos: args[1:], Kw: a.Kw}
	}
	var t Test
	var out []Value
	for _, it := range items {
		x := it
		if lookupAttr {
			x, err = path.get(s, it, missingArg)
			if err != nil {
				return Value{}, err
			}
		}
		var ok bool
		if hasTest {
			if t == nil {
				if err := lookupName("test", name, func(n string) bool { _, ok := s.env.Tests[n]; return ok }); err != nil {
					return Value{}, err
				}
				t = s.env.Tests[name.s]
			}
			ok, err = t(s, x, rest)
			if err != nil {
				return Value{}, err
			}
		} else {
			ok = x.Truthy()
		}
		if ok == want {
			out = append(out, it)
		}
	}
	return newGenerator("select_or_reject", out), nil
}

func filterSelect(s *State, v Value, a Args) (Value, error) {
	return selectOrReject(s, v, a, true, false)
}

func filterReject(s *State, v Value, a Args) (Value, error) {
	return selectOrReject(s, v, a, false, false)
}

func filterSelectattr(s *State, v Value, a Args) (Value, error) {
	return selectOrReject(s, v, a, true, true)
}

func filterRejectattr(s *State, v Value, a Args) (Value, error) {
	return selectOrReject(s, v, a, false, true)
}

func filterReplace(s *State, v Value, a Args) (Value, error) {
	var old, nw, count Value
	if len(a.Kw) == 0 && len(a.Pos) == 2 {
		old, nw, count = a.Pos[0], a.Pos[1], missingArg
	} else {
		var p [3]Value
		if err := sigReplace.bind(a, p[:]); err != nil {
			return Value{}, err
		}
		old, nw, count = p[0], p[1], p[2]
	}
	n := int64(-1)
	if !isMissing(count) && count.k != KindNone {
		c, err := indexArg(count)
		if err != nil {
			return Value{}, err
		}
		n = c
	}
	str := v.String()
	o, w := old.String(), nw.String()
	if n == 0 || (o != "" && !strings.Contains(str, o)) {
		return String(str), nil
	}
	if len(w) > len(o) {
		c := strings.Count(str, o)
		if n >= 0 && int64(c) > n {
			c = int(n)
		}
		if err := s.checkSize(len(str) + c*(len(w)-len(o))); err != nil {
			return Value{}, err
		}
	}
	if n > math.MaxInt32 {
		n = -1
	}
	return String(strings.Replace(str, o, w, int(n))), nil
}

func filterReverse(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigReverse, a); err != nil {
		return Value{}, err
	}
	rev := func(items []Value) []Value {
		out := make([]Value, len(items))
		for i, it := range items {
			out[len(items)-1-i] = it
		}
		return out
	}
	switch v.k {
	case KindString:
		return strValue(reverseRunes(v.s), v.safe), nil
	case KindList:
		return newIterator("list_reverseiterator", rev(v.List().Items)), nil
	case KindTuple:
		return newIterator("reversed", rev(v.List().Items)), nil
	case KindDict:
		return newIterator("dict_reversekeyiterator", rev(v.Dict().Keys())), nil
	case KindUndefined:
		return newIterator("reversed", nil), nil
	case KindObject:
		switch o := v.p.(type) {
		case *rangeObj:
			return newIterator("range_iterator", rev(o.Iter())), nil
		case *iterObj:
			return NewList(rev(o.Iter())), nil
		case *groupTuple:
			return newIterator("reversed", rev(o.items[:])), nil
		case Iterable:
			return NewList(rev(o.Iter())), nil
		}
	}
	return Value{}, Errorf("FilterArgumentError", "argument must be iterable")
}

func reverseRunes(str string) string {
	if isASCII(str) {
		b := make([]byte, len(str))
		for i := 0; i < len(str); i++ {
			b[len(str)-1-i] = str[i]
		}
		return string(b)
	}
	rs := []rune(str)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}

func filterRound(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigRound.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	method := "common"
	if m := p[1]; !isMissing(m) {
		if m.k != KindString || (m.s != "common" && m.s != "ceil" && m.s != "floor") {
			return Value{}, Errorf("FilterArgumentError", "method must be common, ceil or floor")
		}
		method = m.s
	}
	precision := orDefault(p[0], Int(0))
	if method == "common" {
		nd, err := indexArg(precision)
		if err != nil {
			return Value{}, err
		}
		switch v.k {
		case KindInt, KindBool:
			if v.isBig() {
				return roundInt(v, nd)
			}
			if nd >= 0 {
				return Int(v.AsInt()), nil
			}
			return roundInt(v, nd)
		case KindFloat:
			return roundFloat(v.AsFloat(), nd)
		}
		return Value{}, typeErrorf("type %s doesn't define __round__ method", pyType(v))
	}
	// func(value * 10**precision) / 10**precision
	scale, err := Binop(s, "**", Int(10), precision)
	if err != nil {
		return Value{}, err
	}
	if (precision.k == KindInt || precision.k == KindBool) && !precision.isBig() && precision.AsInt() < 0 {
		scale = Float(pow10Float(-precision.AsInt()))
	}
	prod, err := Binop(s, "*", v, scale)
	if err != nil {
		return Value{}, err
	}
	var r Value
	switch prod.k {
	case KindInt, KindBool:
		r = Int(prod.AsInt())
		if prod.isBig() {
			r = prod
		}
	case KindFloat:
		f := prod.AsFloat()
		if method == "ceil" {
			f = math.Ceil(f)
		} else {
			f = math.Floor(f)
		}
		n, err := floatToInt(f)
		if err != nil {
			return Value{}, err
		}
		r = n
	default:
		return Value{}, typeErrorf("must be real number, not %s", pyType(prod))
	}
	if scale.k == KindInt {
		// int / int is correctly rounded in Python.
		if scale.bigInt().Sign() == 0 {
			return Value{}, Errorf("ZeroDivisionError", "division by zero")
		}
		q := new(big.Rat).SetFrac(r.bigInt(), scale.bigInt())
		f, _ := q.Float64()
		if math.IsInf(f, 0) {
			return Value{}, Errorf("OverflowError", "integer division result too large for a float")
		}
		return Float(f), nil
	}
	return Binop(s, "/", r, scale)
}

// pow10Float is 10**-n as Python computes it (a correctly rounded float).
func pow10Float(n int64) float64 {
	f, _ := strconv.ParseFloat("1e-"+strconv.FormatInt(n, 10), 64)
	return f
}

// roundInt is int.__round__(ndigits): half to even.
func roundInt(v Value, nd int64) (Value, error) {
	if nd >= 0 {
		return Int(v.AsInt()), nil
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-nd), nil)
	q, r := new(big.Int).DivMod(v.bigInt(), p, new(big.Int)) // r >= 0
	c := new(big.Int).Lsh(r, 1).Cmp(p)
	if c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	return intFromBig(q.Mul(q, p)), nil
}

// roundFloat is float.__round__(ndigits): correctly rounded, half to even.
func roundFloat(f float64, nd int64) (Value, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
		return Float(f), nil
	}
	if nd > 323 {
		return Float(f), nil
	}
	if nd < -308 {
		return Float(0 * f), nil
	}
	if nd >= 0 {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', int(nd), 64), 64)
		if r == 0 {
			r = math.Copysign(0, f)
		}
		return Float(r), nil
	}
	// Round the exact value to a multiple of 10**-nd, half to even.
	x := new(big.Rat)
	x.SetFloat64(f)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-nd), nil)
	q := new(big.Rat).Quo(x, new(big.Rat).SetInt(p))
	num, den := q.Num(), q.Denom()
	i, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	rem2 := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
	c := rem2.Cmp(den)
	if c > 0 || (c == 0 && i.Bit(0) == 1) {
		if num.Sign() < 0 {
			i.Sub(i, big.NewInt(1))
		} else {
			i.Add(i, big.NewInt(1))
		}
	}
	res, _ := new(big.Rat).SetInt(new(big.Int).Mul(i, p)).Float64()
	if math.IsInf(res, 0) {
		return Value{}, Errorf("OverflowError", "rounded value too large to represent")
	}
	if res == 0 {
		res = math.Copysign(0, f)
	}
	return Float(res), nil
}

func filterSafe(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigSafe, a); err != nil {
		return Value{}, err
	}
	if v.k == KindString {
		return Markup(v.s), nil
	}
	return Markup(v.String()), nil
}

func filterSlice(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigSlice.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	slices, fill := p[0], orDefault(p[1], None)
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	n := int64(len(items))
	var per, extra int64
	switch slices.k {
	case KindInt, KindBool:
		if slices.isBig() {
			return Value{}, s.limitErr("a list of %s items is larger than the limit", slices.Repr())
		}
		k := slices.AsInt()
		if k == 0 {
			return Value{}, Errorf("ZeroDivisionError", "integer division or modulo by zero")
		}
		per, extra = pyDivMod(n, k)
	case KindFloat:
		if slices.AsFloat() == 0 {
			return Value{}, Errorf("ZeroDivisionError", "float floor division by zero")
		}
		return Value{}, typeErrorf("'float' object cannot be interpreted as an integer")
	default:
		if slices.k == KindUndefined {
			return Value{}, slices.undefinedError()
		}
		return Value{}, typeErrorf("unsupported operand type(s) for //: 'int' and '%s'", pyType(slices))
	}
	k := slices.AsInt()
	if k > s.limits.Iterations {
		return Value{}, s.limitErr("a list of %d items is larger than the limit", k)
	}
	var out []Value
	offset := int64(0)
	for num := int64(0); num < k; num++ {
		start := offset + num*per
		if num < extra {
			offset++
		}
		end := offset + (num+1)*per
		tmp := append([]Value(nil), pySliceItems(items, start, end)...)
		if fill.k != KindNone && num >= extra {
			tmp = append(tmp, fill)
		}
		out = append(out, NewList(tmp))
	}
	return newGenerator("sync_do_slice", out), nil
}

// pyDivMod is Python's divmod for ints.
func pyDivMod(x, y int64) (int64, int64) {
	q, r := x/y, x%y
	if r != 0 && (r < 0) != (y < 0) {
		q--
		r += y
	}
	return q, r
}

// pySliceItems is items[start:end] with Python's clamping.
func pySliceItems(items []Value, start, end int64) []Value {
	n := int64(len(items))
	clamp := func(i int64) int64 {
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		return i
	}
	start, end = clamp(start), clamp(end)
	if start >= end {
		return nil
	}
	return items[start:end]
}

func filterSort(s *State, v Value, a Args) (Value, error) {
	var p [3]Value
	if err := sigSort.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	reverse := false
	if !isMissing(p[0]) {
		r, err := indexArg(p[0])
		if err != nil {
			return Value{}, err
		}
		reverse = r != 0
	}
	caseSensitive := !isMissing(p[1]) && p[1].Truthy()
	// make_multi_attrgetter: "a,b" sorts by a then b; each key is a list.
	var paths []attrPath
	if attr := p[2]; attr.k == KindString {
		for _, part := range strings.Split(attr.s, ",") {
			paths = append(paths, parseAttrPath(String(part)))
		}
	} else {
		paths = []attrPath{parseAttrPath(attr)}
	}
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	w := len(paths)
	keys := make([]Value, len(items)*w)
	for i, it := range items {
		for j, path := range paths {
			k, err := path.get(s, it, missingArg)
			if err != nil {
				return Value{}, err
			}
			if !caseSensitive {
				k = ignoreCase(k)
			}
			keys[i*w+j] = k
		}
	}
	idx, err := sortByKeys(len(items), reverse, func(x, y int) (bool, error) {
		kx, ky := keys[x*w:x*w+w], keys[y*w:y*w+w]
		for j := range kx {
			if !Equal(kx[j], ky[j]) {
				return pyCmp("<", kx[j], ky[j])
			}
		}
		return false, nil
	})
	if err != nil {
		return Value{}, err
	}
	out := make([]Value, len(idx))
	for i, j := range idx {
		out[i] = items[j]
	}
	return NewList(out), nil
}

func filterString(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigString, a); err != nil {
		return Value{}, err
	}
	return softStr(v), nil
}

func filterStriptags(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigStriptags, a); err != nil {
		return Value{}, err
	}
	return String(striptags(v.String())), nil
}

// striptags is markupsafe's Markup.striptags.
func striptags(value string) string {
	for {
		start := strings.Index(value, "<!--")
		if start < 0 {
			break
		}
		end := strings.Index(value[start:], "-->")
		if end < 0 {
			break
		}
		value = value[:start] + value[start+end+3:]
	}
	for {
		start := strings.IndexByte(value, '<')
		if start < 0 {
			break
		}
		end := strings.IndexByte(value[start:], '>')
		if end < 0 {
			break
		}
		value = value[:start] + value[start+end+1:]
	}
	return htmlUnescape(strings.Join(pyFields(value), " "))
}

// htmlUnescape is Python's html.unescape.
func htmlUnescape(str string) string {
	if !strings.Contains(str, "&") {
		return str
	}
	var b strings.Builder
	b.Grow(len(str))
	i := 0
	for i < len(str) {
		amp := strings.IndexByte(str[i:], '&')
		if amp < 0 {
			b.WriteString(str[i:])
			break
		}
		b.WriteString(str[i : i+amp])
		i += amp
		rest := str[i+1:]
		if len(rest) > 0 && rest[0] == '#' {
			j := 1
			hex := false
			if j < len(rest) && (rest[j] == 'x' || rest[j] == 'X') {
				hex = true
				j++
			}
			ds := j
			for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || hex && (rest[j]|0x20 >= 'a' && rest[j]|0x20 <= 'f')) {
				j++
			}
			if j == ds {
				b.WriteByte('&')
				i++
				continue
			}
			digits := rest[ds:j]
			if j < len(rest) && rest[j] == ';' {
				j++
			}
			b.WriteString(charRef(digits, hex))
			i += 1 + j
			continue
		}
		// [^\t\n\f <&#;]{1,32};?
		j := 0
		for j < len(rest) && j < 32 {
			c := rest[j]
			if c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';' {
				break
			}
			_, n := utf8.DecodeRuneInString(rest[j:])
			j += n
		}
		if j == 0 {
			b.WriteByte('&')
			i++
			continue
		}
		if j < len(rest) && rest[j] == ';' {
			j++
		}
		name := rest[:j]
		b.WriteString(html.UnescapeString("&" + name))
		i += 1 + j
	}
	return b.String()
}

var invalidCharrefs = map[int64]string{
	0x00: "\ufffd", 0x0d: "\r", 0x80: "\u20ac", 0x81: "\x81", 0x82: "\u201a", 0x83: "\u0192",
	0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021", 0x88: "\u02c6", 0x89: "\u2030",
	0x8a: "\u0160", 0x8b: "\u2039", 0x8c: "\u0152", 0x8d: "\u008d", 0x8e: "\u017d", 0x8f: "\u008f",
	0x90: "\u0090", 0x91: "\u2018", 0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x95: "\u2022",
	0x96: "\u2013", 0x97: "\u2014", 0x98: "\u02dc", 0x99: "\u2122", 0x9a: "\u0161", 0x9b: "\u203a",
	0x9c: "\u0153", 0x9d: "\u009d", 0x9e: "\u017e", 0x9f: "\u0178",
}

// charRef is html.unescape's replacement for a numeric character reference.
func charRef(digits string, hex bool) string {
	base := 10
	if hex {
		base = 16
	}
	digits = strings.TrimLeft(digits, "0")
	num := int64(0)
	if len(digits) > 8 {
		num = 0x110000
	} else if digits != "" {
		num, _ = strconv.ParseInt(digits, base, 64)
	}
	if r, ok := invalidCharrefs[num]; ok {
		return r
	}
	if (num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff {
		return "\ufffd"
	}
	if (num >= 0x1 && num <= 0x8) || (num >= 0xe && num <= 0x1f) || (num >= 0x7f && num <= 0x9f) ||
		(num >= 0xfdd0 && num <= 0xfdef) || num == 0xb || num&0xfffe == 0xfffe {
		return ""
	}
	return string(rune(num))
}

func filterSum(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigSum.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	path := parseAttrPath(p[0])
	acc := orDefault(p[1], Int(0))
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	if acc.k == KindString {
		return Value{}, typeErrorf("sum() can't sum strings [use ''.join(seq) instead]")
	}
	for _, it := range items {
		if path != nil {
			it, err = path.get(s, it, missingArg)
			if err != nil {
				return Value{}, err
			}
		}
		acc, err = Binop(s, "+", acc, it)
		if err != nil {
			return Value{}, err
		}
	}
	return acc, nil
}

// isTitleSep reports the characters of do_title's separator class [-\s({\[<].
func isTitleSep(r rune) bool {
	switch r {
	case '-', '(', '{', '[', '<':
		return true
	}
	return pyIsSpace(r)
}

func filterTitle(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigTitle, a); err != nil {
		return Value{}, err
	}
	str := v.String()
	var b strings.Builder
	b.Grow(len(str))
	i := 0
	for i < len(str) {
		r, n := utf8.DecodeRuneInString(str[i:])
		if isTitleSep(r) {
			b.WriteString(str[i : i+n])
			i += n
			continue
		}
		j := i + n
		for j < len(str) {
			r2, n2 := utf8.DecodeRuneInString(str[j:])
			if isTitleSep(r2) {
				break
			}
			j += n2
		}
		b.WriteString(pyUpper(str[i : i+n]))
		b.WriteString(pyLower(str[i+n : j]))
		i = j
	}
	return String(b.String()), nil
}

func filterTrim(s *State, v Value, a Args) (Value, error) {
	chars := missingArg
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigTrim.bind(a, p[:]); err != nil {
			return Value{}, err
		}
		chars = p[0]
	}
	str := softStr(v)
	if isMissing(chars) || chars.k == KindNone {
		return strValue(pyStrip(str.s), str.safe), nil
	}
	if chars.k != KindString {
		return Value{}, typeErrorf("strip arg must be None or str")
	}
	set := chars.s
	return strValue(strings.TrimFunc(str.s, func(r rune) bool { return strings.ContainsRune(set, r) }), str.safe), nil
}

func filterTruncate(s *State, v Value, a Args) (Value, error) {
	var p [4]Value
	if err := sigTruncate.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	length := orDefault(p[0], Int(255))
	killwords := !isMissing(p[1]) && p[1].Truthy()
	end := orDefault(p[2], String("..."))
	leeway := orDefault(p[3], None)
	if leeway.k == KindNone {
		leeway = Int(5)
	}
	endLen, err := pyLen(end)
	if err != nil {
		return Value{}, err
	}
	ok, err := pyCmp(">=", length, Int(int64(endLen)))
	if err != nil {
		return Value{}, err
	}
	if !ok {
		return Value{}, Errorf("AssertionError", "expected length >= %d, got %s", endLen, length.String())
	}
	ok, err = pyCmp(">=", leeway, Int(0))
	if err != nil {
		return Value{}, err
	}
	if !ok {
		return Value{}, Errorf("AssertionError", "expected leeway >= 0, got %s", leeway.String())
	}
	n, err := pyLen(v)
	if err != nil {
		return Value{}, err
	}
	limit, err := Binop(s, "+", length, leeway)
	if err != nil {
		return Value{}, err
	}
	if ok, err := pyCmp("<=", Int(int64(n)), limit); err != nil || ok {
		return v, err
	}
	if length.k != KindInt && length.k != KindBool {
		return Value{}, typeErrorf("slice indices must be integers or None or have an __index__ method")
	}
	if v.k != KindString {
		if killwords {
			return Value{}, typeErrorf("can only concatenate %s (not \"%s\") to %s", pyType(v), pyType(end), pyType(v))
		}
		return Value{}, attrError(v, "rsplit")
	}
	cut := length.AsInt() - int64(endLen)
	var head string
	if cut < 0 {
		head = runeSlice(v.s, 0, max(0, n+int(cut)))
	} else {
		head = runeSlice(v.s, 0, int(cut))
	}
	if !killwords {
		if i := strings.LastIndexByte(head, ' '); i >= 0 {
			head = head[:i]
		}
	}
	endStr := end.String()
	switch {
	case v.safe && !(end.k == KindString && end.safe):
		return Markup(head + htmlEscape(endStr)), nil
	case !v.safe && end.k == KindString && end.safe:
		return Markup(htmlEscape(head) + endStr), nil
	}
	if end.k != KindString {
		return Value{}, typeErrorf("can only concatenate str (not \"%s\") to str", pyType(end))
	}
	return strValue(head+endStr, v.safe), nil
}

func filterUnique(s *State, v Value, a Args) (Value, error) {
	var p [2]Value
	if err := sigUnique.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	caseSensitive := !isMissing(p[0]) && p[0].Truthy()
	path := parseAttrPath(p[1])
	items, err := iterate(s, v)
	if err != nil {
		return Value{}, err
	}
	var seen hashSet
	var out []Value
	for _, it := range items {
		k, err := path.get(s, it, missingArg)
		if err != nil {
			return Value{}, err
		}
		if !caseSensitive {
			k = ignoreCase(k)
		}
		isNew, err := seen.add(k)
		if err != nil {
			return Value{}, err
		}
		if isNew {
			out = append(out, it)
		}
	}
	return newGenerator("sync_do_unique", out), nil
}

// urlQuote is Jinja2's url_quote: UTF-8, then percent-encoding of all but
// letters, digits, _.-~ (and / unless forQS); forQS also makes spaces +.
func urlQuote(str string, forQS bool) string {
	var b strings.Builder
	for i := 0; i < len(str); i++ {
		c := str[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-', c == '~':
			b.WriteByte(c)
		case c == '/' && !forQS:
			b.WriteByte(c)
		case c == ' ' && forQS:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func filterUrlencode(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigUrlencode, a); err != nil {
		return Value{}, err
	}
	if v.k == KindString || !isIterable(v) {
		return String(urlQuote(v.String(), false)), nil
	}
	var keys, vals []Value
	if d := v.Dict(); d != nil {
		keys, vals = d.Keys(), d.Values()
	} else {
		items, err := iterate(s, v)
		if err != nil {
			return Value{}, err
		}
		for _, it := range items {
			pair, err := iterate(s, it)
			if err != nil {
				return Value{}, typeErrorf("cannot unpack non-iterable %s object", pyType(it))
			}
			if len(pair) != 2 {
				if len(pair) > 2 {
					return Value{}, Errorf("ValueError", "too many values to unpack (expected 2)")
				}
				return Value{}, Errorf("ValueError", "not enough values to unpack (expected 2, got %d)", len(pair))
			}
			keys = append(keys, pair[0])
			vals = append(vals, pair[1])
		}
	}
	var b strings.Builder
	for i := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(urlQuote(keys[i].String(), true))
		b.WriteByte('=')
		b.WriteString(urlQuote(vals[i].String(), true))
	}
	return String(b.String()), nil
}

// isIterable is isinstance(v, collections.abc.Iterable).
func isIterable(v Value) bool {
	switch v.k {
	case KindString, KindList, KindTuple, KindDict, KindUndefined:
		return true
	case KindObject:
		_, ok := v.p.(Iterable)
		return ok
	}
	return false
}

func filterWordcount(s *State, v Value, a Args) (Value, error) {
	if err := noArgs(sigWordcount, a); err != nil {
		return Value{}, err
	}
	n := 0
	in := false
	for _, r := range v.String() {
		w := pyIsWord(r)
		if w && !in {
			n++
		}
		in = w
	}
	return Int(int64(n)), nil
}

var xmlattrKeyBad = func(r rune) bool {
	return r == ' ' || (r >= '\t' && r <= '\r') || r == '/' || r == '>' || r == '='
}

func filterXmlattr(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigXmlattr.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	autospace := isMissing(p[0]) || p[0].Truthy()
	keys, vals, err := dictItems(v)
	if err != nil {
		return Value{}, err
	}
	var b strings.Builder
	n := 0
	for i, k := range keys {
		val := vals[i]
		if val.k == KindNone || val.k == KindUndefined {
			continue
		}
		if k.k != KindString {
			return Value{}, typeErrorf("expected string or bytes-like object, got '%s'", pyType(k))
		}
		if strings.IndexFunc(k.s, xmlattrKeyBad) >= 0 {
			return Value{}, Errorf("ValueError", "Invalid character in attribute name: %s", k.Repr())
		}
		if n > 0 || autospace {
			b.WriteByte(' ')
		}
		n++
		b.WriteString(escapeValue(k).s)
		b.WriteString(`="`)
		b.WriteString(escapeValue(val).s)
		b.WriteByte('"')
	}
	return String(b.String()), nil
}

// ---------------------------------------------------------------------------
// tojson: json.dumps(value, sort_keys=True, indent=indent), then <>&' as
// \u escapes (htmlsafe_json_dumps).

func filterTojson(s *State, v Value, a Args) (Value, error) {
	var p [1]Value
	if err := sigTojson.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	e := jsonEncoder{s: s}
	if ind := p[0]; !isMissing(ind) && ind.k != KindNone {
		e.pretty = true
		switch ind.k {
		case KindString:
			e.indent = ind.s
		case KindInt, KindBool:
			if n := ind.AsInt(); n > 0 {
				if n > 1<<20 {
					return Value{}, s.limitErr("output limit exceeded: an indent of %d", n)
				}
				e.indent = strings.Repeat(" ", int(n))
			}
		default:
			return Value{}, typeErrorf("can't multiply sequence by non-int of type '%s'", pyType(ind))
		}
	}
	if err := e.encode(v, 0); err != nil {
		return Value{}, err
	}
	out := e.b.String()
	if strings.ContainsAny(out, "<>&'") {
		out = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`).Replace(out)
	}
	return Markup(out), nil
}

type jsonEncoder struct {
	s      *State
	b      strings.Builder
	pretty bool
	indent string
	stack  []any // containers being encoded, for circular references
}

func (e *jsonEncoder) newline(level int) {
	e.b.WriteByte('\n')
	for i := 0; i < level; i++ {
		e.b.WriteString(e.indent)
	}
}

func (e *jsonEncoder) enter(p any) error {
	for _, q := range e.stack {
		if q == p {
			return Errorf("ValueError", "Circular reference detected")
		}
	}
	e.stack = append(e.stack, p)
	if e.b.Len() > e.s.limits.Output {
		return e.s.checkSize(e.b.Len())
	}
	return nil
}

func (e *jsonEncoder) leave() { e.stack = e.stack[:len(e.stack)-1] }

func jsonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return FormatFloat(f)
}

func (e *jsonEncoder) encode(v Value, level int) error {
	switch v.k {
	case KindNone:
		e.b.WriteString("null")
	case KindBool:
		if v.AsBool() {
			e.b.WriteString("true")
		} else {
			e.b.WriteString("false")
		}
	case KindInt:
		e.b.WriteString(v.Repr())
	case KindFloat:
		e.b.WriteString(jsonFloat(v.AsFloat()))
	case KindString:
		writeJSONString(&e.b, v.s)
	case KindList, KindTuple:
		return e.encodeList(v.p, v.List().Items, level)
	case KindDict:
		return e.encodeDict(v.Dict(), level)
	case KindObject:
		if g, ok := v.p.(*groupTuple); ok {
			return e.encodeList(g, g.items[:], level)
		}
		fallthrough
	default:
		return typeErrorf("Object of type %s is not JSON serializable", pyType(v))
	}
	return nil
}

func (e *jsonEncoder) encodeList(id any, items []Value, level int) error {
	if len(items) == 0 {
		e.b.WriteString("[]")
		return nil
	}
	if err := e.enter(id); err != nil {
		return err
	}
	e.b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			e.b.WriteByte(',')
			if !e.pretty {
				e.b.WriteByte(' ')
			}
		}
		if e.pretty {
			e.newline(level + 1)
		}
		if err := e.encode(it, level+1); err != nil {
			return err
		}
	}
	if e.pretty {
		e.newline(level)
	}
	e.b.WriteByte(']')
	e.leave()
	return nil
}

func (e *jsonEncoder) encodeDict(d *Dict, level int) error {
	if d.Len() == 0 {
		e.b.WriteString("{}")
		return nil
	}
	if err := e.enter(d); err != nil {
		return err
	}
	keys, vals := d.Keys(), d.Values()
	idx, err := sortByKeys(len(keys), false, func(x, y int) (bool, error) {
		return pyCmp("<", keys[x], keys[y])
	})
	if err != nil {
		return err
	}
	e.b.WriteByte('{')
	for i, j := range idx {
		k := keys[j]
		var ks string
		switch k.k {
		case KindString:
			ks = k.s
		case KindFloat:
			ks = jsonFloat(k.AsFloat())
		case KindBool:
			ks = "false"
			if k.AsBool() {
				ks = "true"
			}
		case KindNone:
			ks = "null"
		case KindInt:
			ks = k.Repr()
		default:
			return typeErrorf("keys must be str, int, float, bool or None, not %s", pyType(k))
		}
		if i > 0 {
			e.b.WriteByte(',')
			if !e.pretty {
				e.b.WriteByte(' ')
			}
		}
		if e.pretty {
			e.newline(level + 1)
		}
		writeJSONString(&e.b, ks)
		e.b.WriteString(": ")
		if err := e.encode(vals[j], level+1); err != nil {
			return err
		}
	}
	if e.pretty {
		e.newline(level)
	}
	e.b.WriteByte('}')
	e.leave()
	return nil
}

// writeJSONString writes s as json.dumps does with ensure_ascii=True.
func writeJSONString(b *strings.Builder, s string) {
	const hexd = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= ' ' && r <= '~':
			b.WriteByte(byte(r))
		case r > 0xffff:
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			for _, u := range [2]rune{hi, lo} {
				b.WriteString(`\u`)
				b.WriteByte(hexd[u>>12&15])
				b.WriteByte(hexd[u>>8&15])
				b.WriteByte(hexd[u>>4&15])
				b.WriteByte(hexd[u&15])
			}
		default:
			b.WriteString(`\u`)
			b.WriteByte(hexd[r>>12&15])
			b.WriteByte(hexd[r>>8&15])
			b.WriteByte(hexd[r>>4&15])
			b.WriteByte(hexd[r&15])
		}
	}
	b.WriteByte('"')
}

// ---------------------------------------------------------------------------
// pprint: Python's pprint.pformat(value) (width 80, indent 1, sorted dicts).

type pprinter struct {
	s     *State
	b     strings.Builder
	width int
}

func pformat(s *State, v Value) (string, error) {
	p := &pprinter{s: s, width: 80}
	if err := p.format(v, 0, 0, nil, 0); err != nil {
		return "", err
	}
	return p.b.String(), nil
}

// ppID is the identity of a container, for recursion checks.
func ppID(v Value) any {
	switch v.k {
	case KindList, KindTuple, KindDict:
		return v.p
	}
	return nil
}

func ppInContext(ctx []any, id any) bool {
	for _, c := range ctx {
		if c == id {
			return true
		}
	}
	return false
}

func ppRecursion(v Value) string {
	return fmt.Sprintf("<Recursion on %s with id=%d>", pyType(v), 140000000000000)
}

// typeSortKey is str(type(v)), pprint's fallback order for unorderable keys.
func typeSortKey(v Value) string {
	switch v.k {
	case KindString:
		if v.safe {
			return "<class 'markupsafe.Markup'>"
		}
	case KindUndefined:
		return "<class 'jinja2.runtime.Undefined'>"
	}
	return "<class '" + pyType(v) + "'>"
}

// sortedDictItems is sorted(d.items(), key=_safe_tuple).
func (p *pprinter) sortedDictItems(d *Dict) ([]int, error) {
	keys := d.Keys()
	return sortByKeys(len(keys), false, func(x, y int) (bool, error) {
		lt, err := pyCmp("<", keys[x], keys[y])
		if err != nil {
			if e, ok := err.(*Error); ok && e.Kind == "TypeError" {
				return typeSortKey(keys[x]) < typeSortKey(keys[y]), nil
			}
			return false, err
		}
		return lt, nil
	})
}

// safeRepr is PrettyPrinter._safe_repr.
func (p *pprinter) safeRepr(v Value, ctx []any) (string, error) {
	switch v.k {
	case KindDict:
		d := v.Dict()
		if d.Len() == 0 {
			return "{}", nil
		}
		if ppInContext(ctx, v.p) {
			return ppRecursion(v), nil
		}
		ctx = append(ctx, v.p)
		idx, err := p.sortedDictItems(d)
		if err != nil {
			return "", err
		}
		keys, vals := d.Keys(), d.Values()
		var b strings.Builder
		b.WriteByte('{')
		for i, j := range idx {
			if i > 0 {
				b.WriteString(", ")
			}
			k, err := p.safeRepr(keys[j], ctx)
			if err != nil {
				return "", err
			}
			x, err := p.safeRepr(vals[j], ctx)
			if err != nil {
				return "", err
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(x)
		}
		b.WriteByte('}')
		return b.String(), nil
	case KindList, KindTuple:
		items := v.List().Items
		if len(items) == 0 {
			if v.k == KindList {
				return "[]", nil
			}
			return "()", nil
		}
		if ppInContext(ctx, v.p) {
			return ppRecursion(v), nil
		}
		ctx = append(ctx, v.p)
		var b strings.Builder
		if v.k == KindList {
			b.WriteByte('[')
		} else {
			b.WriteByte('(')
		}
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			x, err := p.safeRepr(it, ctx)
			if err != nil {
				return "", err
			}
			b.WriteString(x)
		}
		switch {
		case v.k == KindList:
			b.WriteByte(']')
		case len(items) == 1:
			b.WriteString(",)")
		default:
			b.WriteByte(')')
		}
		return b.String(), nil
	}
	return v.Repr(), nil
}

// format is PrettyPrinter._format.
func (p *pprinter) format(v Value, indent, allowance int, ctx []any, level int) error {
	if id := ppID(v); id != nil && ppInContext(ctx, id) {
		p.b.WriteString(ppRecursion(v))
		return nil
	}
	rep, err := p.safeRepr(v, ctx)
	if err != nil {
		return err
	}
	if p.b.Len() > p.s.limits.Output {
		return p.s.checkSize(p.b.Len())
	}
	if cpLen(rep) > p.width-indent-allowance {
		switch {
		case v.k == KindDict:
			return p.pprintDict(v, indent, allowance, append(ctx, v.p), level+1)
		case v.k == KindList || v.k == KindTuple:
			return p.pprintSeq(v, indent, allowance, append(ctx, v.p), level+1)
		case v.k == KindString && !v.safe:
			p.pprintStr(v.s, indent, allowance, level+1)
			return nil
		}
	}
	p.b.WriteString(rep)
	return nil
}

func (p *pprinter) pprintDict(v Value, indent, allowance int, ctx []any, level int) error {
	p.b.WriteByte('{')
	d := v.Dict()
	idx, err := p.sortedDictItems(d)
	if err != nil {
		return err
	}
	keys, vals := d.Keys(), d.Values()
	// _format_dict_items
	indent++
	allowance++
	for i, j := range idx {
		last := i == len(idx)-1
		rep, err := p.safeRepr(keys[j], ctx)
		if err != nil {
			return err
		}
		p.b.WriteString(rep)
		p.b.WriteString(": ")
		al := 1
		if last {
			al = allowance
		}
		if err := p.format(vals[j], indent+cpLen(rep)+2, al, ctx, level); err != nil {
			return err
		}
		if !last {
			p.b.WriteString(",\n")
			p.b.WriteString(strings.Repeat(" ", indent))
		}
	}
	p.b.WriteByte('}')
	return nil
}

func (p *pprinter) pprintSeq(v Value, indent, allowance int, ctx []any, level int) error {
	items := v.List().Items
	end := "]"
	if v.k == KindList {
		p.b.WriteByte('[')
	} else {
		p.b.WriteByte('(')
		end = ")"
		if len(items) == 1 {
			end = ",)"
		}
	}
	allowance += len(end)
	// _format_items
	indent++
	for i, it := range items {
		if i > 0 {
			p.b.WriteString(",\n")
			p.b.WriteString(strings.Repeat(" ", indent))
		}
		al := 1
		if i == len(items)-1 {
			al = allowance
		}
		if err := p.format(it, indent, al, ctx, level); err != nil {
			return err
		}
	}
	p.b.WriteString(end)
	return nil
}

// pyFindallNonSpaceSpace is re.findall(r'\S*\s*', line) without the final
// empty match.
func pyFindallNonSpaceSpace(line string) []string {
	var parts []string
	i := 0
	for i < len(line) {
		j := i
		for j < len(line) {
			r, n := utf8.DecodeRuneInString(line[j:])
			if pyIsSpace(r) {
				break
			}
			j += n
		}
		for j < len(line) {
			r, n := utf8.DecodeRuneInString(line[j:])
			if !pyIsSpace(r) {
				break
			}
			j += n
		}
		parts = append(parts, line[i:j])
		i = j
	}
	return parts
}

func (p *pprinter) pprintStr(str string, indent, allowance, level int) {
	if str == "" {
		p.b.WriteString("''")
		return
	}
	var chunks []string
	lines := pySplitLines(str, true)
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth1 := p.width - indent
	maxWidth := maxWidth1
	var rep string
	for i, line := range lines {
		rep = PyQuote(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if cpLen(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := pyFindallNonSpaceSpace(line)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if cpLen(PyQuote(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, PyQuote(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, PyQuote(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n")
			p.b.WriteString(strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 1 {
		p.b.WriteByte(')')
	}
}

// ---------------------------------------------------------------------------
// urlize (jinja2.utils.urlize with the filter's policies).

// Python's \w, \d and \s for str patterns, as Go regexp classes.
const (
	reW  = `\p{L}\p{N}_`
	reD  = `\p{Nd}`
	reWS = `\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
)

// The patterns compile on first use: their Unicode classes take ~0.7 ms,
// which every strata command paid at start-up for a filter few templates use.
var (
	urlizeHTTPRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(?:(?:https?://|www\.)(?:(?:[` + reW + `%-]+\.)+)?(?:[a-z]{2,63}|xn--[` + reW + `%]{2,59})` +
			`|(?:[` + reW + `%-]{2,63}\.)+(?:com|net|int|edu|gov|org|info|mil)` +
			`|(?:https?://)(?:(?:[` + reD + `]{1,3})(?:\.[` + reD + `]{1,3}){3}|\[(?:[` + reD + `a-f]{0,4}:){2}(?:[` + reD + `a-f]{0,4}:?){1,6}\]))` +
			`(?::[` + reD + `]{1,5})?(?:[/?#][^` + reWS + `]*)?$`)
	})
	urlizeEmailRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[^` + reWS + `]+@[` + reW + `][` + reW + `.-]*\.[` + reW + `]+$`)
	})
	urlizeSchemeRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[` + reW + `.+-]{2,}:/{0,2}$`) })
)

func filterUrlize(s *State, v Value, a Args) (Value, error) {
	var p [5]Value
	if err := sigUrlize.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	trim := orDefault(p[0], None)
	nofollow := !isMissing(p[1]) && p[1].Truthy()
	target := orDefault(p[2], None)
	rel := orDefault(p[3], None)
	extra := orDefault(p[4], None)
	// rel_parts = set((rel or "").split()) | {"nofollow"?} | {"noopener"}
	relParts := map[string]bool{"noopener": true}
	if rel.Truthy() {
		if rel.k != KindString {
			return Value{}, attrError(rel, "split")
		}
		for _, f := range pyFields(rel.s) {
			relParts[f] = true
		}
	}
	if nofollow {
		relParts["nofollow"] = true
	}
	var relList []string
	for r := range relParts {
		relList = append(relList, r)
	}
	idx, _ := sortByKeys(len(relList), false, func(x, y int) (bool, error) { return relList[x] < relList[y], nil })
	sorted := make([]string, len(idx))
	for i, j := range idx {
		sorted[i] = relList[j]
	}
	relStr := strings.Join(sorted, " ")
	var schemes []string
	if extra.k != KindNone {
		items, err := iterate(s, extra)
		if err != nil {
			return Value{}, err
		}
		for _, sc := range items {
			if sc.k != KindString {
				return Value{}, typeErrorf("expected string or bytes-like object, got '%s'", pyType(sc))
			}
			if !urlizeSchemeRe().MatchString(sc.s) {
				return Value{}, Errorf("FilterArgumentError", "%s is not a valid URI scheme prefix.", sc.Repr())
			}
			schemes = append(schemes, sc.s)
		}
	}
	trimLimit := 0
	if trim.k != KindNone {
		n, err := indexArg(trim)
		if err != nil {
			if trim.k == KindFloat {
				return Value{}, typeErrorf("slice indices must be integers or None or have an __index__ method")
			}
			return Value{}, typeErrorf("'>' not supported between instances of 'int' and '%s'", pyType(trim))
		}
		trimLimit = int(n)
	}
	relAttr := ""
	if relStr != "" {
		relAttr = ` rel="` + htmlEscape(relStr) + `"`
	}
	targetAttr := ""
	if target.Truthy() {
		targetAttr = ` target="` + escapeValue(target).s + `"`
	}
	return String(urlize(escapeValue(v).s, trim.k != KindNone, trimLimit, relAttr, targetAttr, schemes, extra.k != KindNone)), nil
}

// pySplitWS is re.split(r"(\s+)", text): words and the whitespace between.
func pySplitWS(text string) []string {
	var out []string
	i, start := 0, 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !pyIsSpace(r) {
			i += n
			continue
		}
		out = append(out, text[start:i])
		j := i
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if !pyIsSpace(r) {
				break
			}
			j += n
		}
		out = append(out, text[i:j])
		i, start = j, j
	}
	return append(out, text[start:])
}

func urlize(text string, trimSet bool, trimLimit int, relAttr, targetAttr string, schemes []string, hasSchemes bool) string {
	trimURL := func(x string) string {
		if trimSet && cpLen(x) > trimLimit {
			if trimLimit < 0 {
				return runeSlice(x, 0, max(0, cpLen(x)+trimLimit)) + "..."
			}
			return runeSlice(x, 0, trimLimit) + "..."
		}
		return x
	}
	words := pySplitWS(text)
	var b strings.Builder
	for _, word := range words {
		head, middle, tail := "", word, ""
		// ^([(<]|&lt;)+
		for {
			switch {
			case strings.HasPrefix(middle, "(") || strings.HasPrefix(middle, "<"):
				head += middle[:1]
				middle = middle[1:]
				continue
			case strings.HasPrefix(middle, "&lt;"):
				head += middle[:4]
				middle = middle[4:]
				continue
			}
			break
		}
		// ([)>.,\n]|&gt;)+$
		for {
			if middle == "" {
				break
			}
			switch c := middle[len(middle)-1]; {
			case c == ')' || c == '>' || c == '.' || c == ',' || c == '\n':
				tail = middle[len(middle)-1:] + tail
				middle = middle[:len(middle)-1]
				continue
			case strings.HasSuffix(middle, "&gt;"):
				tail = middle[len(middle)-4:] + tail
				middle = middle[:len(middle)-4]
				continue
			}
			break
		}
		for _, pair := range [...][2]string{{"(", ")"}, {"<", ">"}, {"&lt;", "&gt;"}} {
			startCount := strings.Count(middle, pair[0])
			if startCount <= strings.Count(middle, pair[1]) {
				continue
			}
			moves := min(startCount, strings.Count(tail, pair[1]))
			for k := 0; k < moves; k++ {
				endIndex := strings.Index(tail, pair[1]) + len(pair[1])
				middle += tail[:endIndex]
				tail = tail[endIndex:]
			}
		}
		switch {
		case urlizeHTTPRe().MatchString(middle):
			if strings.HasPrefix(middle, "https://") || strings.HasPrefix(middle, "http://") {
				middle = `<a href="` + middle + `"` + relAttr + targetAttr + `>` + trimURL(middle) + `</a>`
			} else {
				middle = `<a href="https://` + middle + `"` + relAttr + targetAttr + `>` + trimURL(middle) + `</a>`
			}
		case strings.HasPrefix(middle, "mailto:") && urlizeEmailRe().MatchString(middle[7:]):
			middle = `<a href="` + middle + `">` + middle[7:] + `</a>`
		case strings.Contains(middle, "@") && !strings.HasPrefix(middle, "www.") && !strings.HasPrefix(middle, "@") &&
			!strings.Contains(middle, ":") && urlizeEmailRe().MatchString(middle):
			middle = `<a href="mailto:` + middle + `">` + middle + `</a>`
		case hasSchemes:
			for _, sc := range schemes {
				if middle != sc && strings.HasPrefix(middle, sc) {
					middle = `<a href="` + middle + `"` + relAttr + targetAttr + `>` + middle + `</a>`
				}
			}
		}
		b.WriteString(head)
		b.WriteString(middle)
		b.WriteString(tail)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// wordwrap: textwrap.wrap on each line (expand_tabs=False,
// replace_whitespace=False), joined with wrapstring.

func filterWordwrap(s *State, v Value, a Args) (Value, error) {
	var p [4]Value
	if err := sigWordwrap.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	width := orDefault(p[0], Int(79))
	breakLong := isMissing(p[1]) || p[1].Truthy()
	wrapstring := orDefault(p[2], None)
	breakHyphens := isMissing(p[3]) || p[3].Truthy()
	sep := "\n"
	if wrapstring.k != KindNone {
		if wrapstring.k != KindString {
			return Value{}, attrError(wrapstring, "join")
		}
		sep = wrapstring.s
	}
	if v.k != KindString {
		return Value{}, attrError(v, "splitlines")
	}
	w := textWrapper{breakLong: breakLong, breakHyphens: breakHyphens}
	switch width.k {
	case KindInt, KindBool:
		w.width = width.AsFloat()
		w.intWidth = true
	case KindFloat:
		w.width = width.AsFloat()
	default:
		return Value{}, typeErrorf("'<=' not supported between instances of '%s' and 'int'", pyType(width))
	}
	lines := pySplitLines(v.s, false)
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteString(sep)
		}
		wrapped, err := w.wrap(line, width)
		if err != nil {
			return Value{}, err
		}
		for j, l := range wrapped {
			if j > 0 {
				b.WriteString(sep)
			}
			b.WriteString(l)
		}
		if b.Len() > s.limits.Output {
			return Value{}, s.checkSize(b.Len())
		}
	}
	return String(b.String()), nil
}

type textWrapper struct {
	width        float64
	intWidth     bool
	breakLong    bool
	breakHyphens bool
}

// textwrap's whitespace is ASCII only.
func twIsWS(r rune) bool {
	return r == ' ' || (r >= '\t' && r <= '\r')
}

// [\w!"'&.,?]
func twIsWordPunct(r rune) bool {
	return pyIsWord(r) || strings.ContainsRune(`!"'&.,?`, r)
}

// [^\d\W]
func twIsLetter(r rune) bool {
	return pyIsWord(r) && !unicode.IsDigit(r)
}

// split is TextWrapper._split on the runes of text.
func (w *textWrapper) split(t []rune) [][]rune {
	var chunks [][]rune
	n := len(t)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return -1
		}
		return t[i]
	}
	if !w.breakHyphens {
		for i := 0; i < n; {
			j := i
			ws := twIsWS(t[i])
			for j < n && twIsWS(t[j]) == ws {
				j++
			}
			chunks = append(chunks, t[i:j])
			i = j
		}
		return chunks
	}
	// -{2,}\w at position j
	emDashAt := func(j int) (int, bool) {
		k := j
		for k < n && t[k] == '-' {
			k++
		}
		if k-j >= 2 && k < n && pyIsWord(t[k]) {
			return k, true
		}
		return 0, false
	}
	for i := 0; i < n; {
		if twIsWS(t[i]) {
			j := i
			for j < n && twIsWS(t[j]) {
				j++
			}
			chunks = append(chunks, t[i:j])
			i = j
			continue
		}
		if t[i] == '-' && i > 0 && twIsWordPunct(t[i-1]) {
			if k, ok := emDashAt(i); ok {
				chunks = append(chunks, t[i:k])
				i = k
				continue
			}
		}
		end := i + 1
		for {
			// -(?: (?<=lt{2}-) | (?<=lt-lt-)) (?= lt -? lt)
			if at(end) == '-' &&
				((twIsLetter(at(end-2)) && twIsLetter(at(end-1))) ||
					(twIsLetter(at(end-3)) && at(end-2) == '-' && twIsLetter(at(end-1)))) &&
				twIsLetter(at(end+1)) &&
				(twIsLetter(at(end+2)) || (at(end+2) == '-' && twIsLetter(at(end+3)))) {
				end++
				break
			}
			// (?=\s|\Z)
			if end == n || twIsWS(t[end]) {
				break
			}
			// (?<=wp) (?=-{2,}\w)
			if twIsWordPunct(t[end-1]) {
				if _, ok := emDashAt(end); ok {
					break
				}
			}
			end++
		}
		chunks = append(chunks, t[i:end])
		i = end
	}
	return chunks
}

func isBlankChunk(c []rune) bool {
	for _, r := range c {
		if !pyIsSpace(r) {
			return false
		}
	}
	return true
}

// wrap is TextWrapper.wrap (drop_whitespace, no indents, no max_lines).
func (w *textWrapper) wrap(line string, widthV Value) ([]string, error) {
	chunks := w.split([]rune(line))
	if w.width <= 0 {
		return nil, Errorf("ValueError", "invalid width %s (must be > 0)", widthV.Repr())
	}
	// chunks are consumed from the front (Python reverses and pops).
	var lines []string
	width := w.width
	for len(chunks) > 0 {
		var cur [][]rune
		curLen := 0
		if isBlankChunk(chunks[0]) && len(lines) > 0 {
			chunks = chunks[1:]
		}
		for len(chunks) > 0 {
			l := len(chunks[0])
			if float64(curLen+l) <= width {
				cur = append(cur, chunks[0])
				chunks = chunks[1:]
				curLen += l
			} else {
				break
			}
		}
		if len(chunks) > 0 && float64(len(chunks[0])) > width {
			// _handle_long_word
			spaceLeft := 1.0
			if width >= 1 {
				spaceLeft = width - float64(curLen)
			}
			if w.breakLong {
				if !w.intWidth {
					return nil, typeErrorf("slice indices must be integers or None or have an __index__ method")
				}
				end := int(spaceLeft)
				chunk := chunks[0]
				if w.breakHyphens && len(chunk) > end {
					hyphen := -1
					for k := min(end, len(chunk)) - 1; k >= 0; k-- {
						if chunk[k] == '-' {
							hyphen = k
							break
						}
					}
					if hyphen > 0 {
						for _, c := range chunk[:hyphen] {
							if c != '-' {
								end = hyphen + 1
								break
							}
						}
					}
				}
				if end > len(chunk) {
					end = len(chunk)
				}
				if end < 0 {
					end = max(0, len(chunk)+end)
				}
				cur = append(cur, chunk[:end])
				chunks[0] = chunk[end:]
			} else if len(cur) == 0 {
				cur = append(cur, chunks[0])
				chunks = chunks[1:]
			}
			curLen = 0
			for _, c := range cur {
				curLen += len(c)
			}
		}
		if len(cur) > 0 && isBlankChunk(cur[len(cur)-1]) {
			curLen -= len(cur[len(cur)-1])
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b strings.Builder
			for _, c := range cur {
				b.WriteString(string(c))
			}
			lines = append(lines, b.String())
		}
	}
	return lines, nil
}
