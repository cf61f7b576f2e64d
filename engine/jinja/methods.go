package jinja

// The Python methods of str (and markupsafe's Markup), list, tuple and dict
// that templates call: 'a,b'.split(','), items.append(x), d.items() …, with
// Python 3's semantics and error messages. Jinja2's SandboxedEnvironment lets
// templates call all of them, the mutating ones included.

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// callMethod calls recv.name(args) for a str, list, tuple or dict receiver.
// found is false when that type has no such method.
func callMethod(s *State, recv Value, name string, args Args) (v Value, found bool, err error) {
	switch recv.k {
	case KindString:
		return pmStrMethod(s, recv, name, args)
	case KindList:
		return pmListMethod(s, recv, name, args)
	case KindTuple:
		return pmTupleMethod(recv, name, args)
	case KindDict:
		return pmDictMethod(s, recv, name, args)
	}
	return Value{}, false, nil
}

// hasMethod reports whether recv's type has method name.
func hasMethod(recv Value, name string) bool {
	switch recv.k {
	case KindString:
		switch name {
		case "capitalize", "casefold", "center", "count", "endswith", "expandtabs",
			"find", "format", "format_map", "index", "isalnum", "isalpha", "isascii",
			"isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
			"isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
			"lstrip", "maketrans", "partition", "removeprefix", "removesuffix",
			"replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip",
			"split", "splitlines", "startswith", "strip", "swapcase", "title",
			"translate", "upper", "zfill":
			return true
		case "escape", "striptags", "unescape":
			return recv.safe
		}
	case KindList:
		switch name {
		case "append", "clear", "copy", "count", "extend", "index", "insert", "pop",
			"remove", "reverse", "sort":
			return true
		}
	case KindTuple:
		return name == "count" || name == "index"
	case KindDict:
		switch name {
		case "clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem",
			"setdefault", "update", "values":
			return true
		}
	}
	return false
}

// boundMethod returns recv.name as a callable value.
func boundMethod(recv Value, name string) Value {
	if !hasMethod(recv, name) {
		return Value{}
	}
	return FuncValue(recv.TypeName()+"."+name, func(s *State, args Args) (Value, error) {
		v, _, err := callMethod(s, recv, name, args)
		return v, err
	})
}

// ---------------------------------------------------------------------------
// Argument checking, with CPython's messages.

// pmArgsNone: a METH_NOARGS method.
func pmArgsNone(typ, name string, a Args) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s.%s() takes no keyword arguments", typ, name)
	}
	if len(a.Pos) > 0 {
		return typeErrorf("%s.%s() takes no arguments (%d given)", typ, name, len(a.Pos))
	}
	return nil
}

// pmArgsOne: a METH_O method.
func pmArgsOne(typ, name string, a Args) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s.%s() takes no keyword arguments", typ, name)
	}
	if len(a.Pos) != 1 {
		return typeErrorf("%s.%s() takes exactly one argument (%d given)", typ, name, len(a.Pos))
	}
	return nil
}

func pmPlural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// pmArgsRange: an Argument Clinic method with positional-only parameters.
func pmArgsRange(typ, name string, a Args, lo, hi int) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s.%s() takes no keyword arguments", typ, name)
	}
	n := len(a.Pos)
	if lo == hi && n != lo {
		return typeErrorf("%s expected %d %s, got %d", name, lo, pmPlural(lo, "argument"), n)
	}
	if n < lo {
		return typeErrorf("%s expected at least %d %s, got %d", name, lo, pmPlural(lo, "argument"), n)
	}
	if n > hi {
		return typeErrorf("%s expected at most %d %s, got %d", name, hi, pmPlural(hi, "argument"), n)
	}
	return nil
}

// pmArgsOld: a method parsed with PyArg_ParseTuple (find, count, startswith …).
func pmArgsOld(name string, a Args, lo, hi int) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s() takes no keyword arguments", name)
	}
	n := len(a.Pos)
	if n < lo {
		return typeErrorf("%s() takes at least %d %s (%d given)", name, lo, pmPlural(lo, "argument"), n)
	}
	if n > hi {
		return typeErrorf("%s() takes at most %d %s (%d given)", name, hi, pmPlural(hi, "argument"), n)
	}
	return nil
}

// pmArgsKw binds a method that accepts keywords (split, splitlines …). At most
// two parameters, so the values are returned in a fixed-size array.
func pmArgsKw(name string, a Args, params ...string) (vals [2]Value, given [2]bool, err error) {
	total := len(a.Pos) + len(a.Kw)
	if total > len(params) {
		return vals, given, typeErrorf("%s() takes at most %d %s (%d given)", name, len(params), pmPlural(len(params), "argument"), total)
	}
	for i, v := range a.Pos {
		vals[i], given[i] = v, true
	}
	for i := range a.Pos {
		for _, kw := range a.Kw {
			if kw.Name == params[i] {
				return vals, given, typeErrorf("argument for %s() given by name ('%s') and position (%d)", name, params[i], i+1)
			}
		}
	}
	for _, kw := range a.Kw {
		found := false
		for i, p := range params {
			if kw.Name == p {
				vals[i], given[i] = kw.Value, true
				found = true
				break
			}
		}
		if !found {
			return vals, given, typeErrorf("'%s' is an invalid keyword argument for %s()", kw.Name, name)
		}
	}
	return vals, given, nil
}

// pmIndex is PyNumber_AsSsize_t: an int (or bool), else TypeError.
func pmIndex(v Value) (int64, error) {
	if v.k == KindInt || v.k == KindBool {
		if v.isBig() {
			return 0, Errorf("OverflowError", "Python int too large to convert to C ssize_t")
		}
		return v.AsInt(), nil
	}
	return 0, typeErrorf("'%s' object cannot be interpreted as an integer", v.TypeName())
}

// pmSliceIndex is _PyEval_SliceIndex (None allowed) or its NotNone variant.
func pmSliceIndex(v Value, def int64, allowNone bool) (int64, error) {
	switch v.k {
	case KindInt, KindBool:
		if v.isBig() {
			if v.bigInt().Sign() < 0 {
				return math.MinInt64, nil
			}
			return math.MaxInt64, nil
		}
		return v.AsInt(), nil
	case KindNone:
		if allowNone {
			return def, nil
		}
	}
	if allowNone {
		return 0, typeErrorf("slice indices must be integers or None or have an __index__ method")
	}
	return 0, typeErrorf("slice indices must be integers or have an __index__ method")
}

func pmFail(err error) (Value, bool, error) { return Value{}, true, err }

func pmOK(v Value) (Value, bool, error) { return v, true, nil }

// ---------------------------------------------------------------------------
// str.

// pmStrMethod calls a str (or Markup) method. Methods of Markup return
// Markup and escape the arguments they insert, as markupsafe's do.
func pmStrMethod(s *State, recv Value, name string, a Args) (Value, bool, error) {
	str := recv.s
	safe := recv.safe
	mk := func(x string) Value {
		if safe {
			return Markup(x)
		}
		return String(x)
	}
	switch name {
	case "upper", "lower", "casefold", "swapcase", "title", "capitalize":
		if err := pmArgsNone("str", name, a); err != nil {
			return pmFail(err)
		}
		var out string
		switch name {
		case "upper":
			out = pyUpper(str)
		case "lower":
			out = pyLower(str)
		case "casefold":
			out = pmCasefold(str)
		case "swapcase":
			out = pmSwapcase(str)
		case "title":
			out = pmTitle(str)
		default:
			out = pyCapitalize(str)
		}
		return pmOK(mk(out))

	case "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier",
		"islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper":
		if err := pmArgsNone("str", name, a); err != nil {
			return pmFail(err)
		}
		return pmOK(Bool(strPredicate(name, str)))

	case "strip", "lstrip", "rstrip":
		if err := pmArgsRange("str", name, a, 0, 1); err != nil {
			return pmFail(err)
		}
		mode := 0
		if name == "lstrip" {
			mode = 1
		} else if name == "rstrip" {
			mode = 2
		}
		if len(a.Pos) == 0 || a.Pos[0].k == KindNone {
			out := pmStripSpace(str, mode)
			if len(out) == len(str) {
				return pmOK(recv)
			}
			return pmOK(mk(out))
		}
		chars := a.Pos[0]
		if chars.k != KindString {
			return pmFail(typeErrorf("%s arg must be None or str", name))
		}
		var out string
		switch mode {
		case 0:
			out = strings.Trim(str, chars.s)
		case 1:
			out = strings.TrimLeft(str, chars.s)
		default:
			out = strings.TrimRight(str, chars.s)
		}
		return pmOK(mk(out))

	case "split", "rsplit":
		vals, given, err := pmArgsKw(name, a, "sep", "maxsplit")
		if err != nil {
			return pmFail(err)
		}
		maxsplit := int64(-1)
		if given[1] {
			if maxsplit, err = pmIndex(vals[1]); err != nil {
				return pmFail(err)
			}
		}
		var parts []Value
		if !given[0] || vals[0].k == KindNone {
			if name == "split" {
				parts = pmSplitSpace(str, maxsplit, safe)
			} else {
				parts = pmRsplitSpace(str, maxsplit, safe)
			}
		} else {
			sep := vals[0]
			if sep.k != KindString {
				return pmFail(typeErrorf("must be str or None, not %s", sep.TypeName()))
			}
			if sep.s == "" {
				return pmFail(Errorf("ValueError", "empty separator"))
			}
			if name == "split" {
				parts = pmSplitSep(str, sep.s, maxsplit, safe)
			} else {
				parts = pmRsplitSep(str, sep.s, maxsplit, safe)
			}
		}
		return pmOK(NewList(parts))

	case "splitlines":
		vals, given, err := pmArgsKw(name, a, "keepends")
		if err != nil {
			return pmFail(err)
		}
		keep := false
		if given[0] {
			k, err := pmIndex(vals[0])
			if err != nil {
				return pmFail(err)
			}
			keep = k != 0
		}
		return pmOK(NewList(pmSplitLines(str, keep, safe)))

	case "join":
		if err := pmArgsOne("str", name, a); err != nil {
			return pmFail(err)
		}
		out, err := pmStrJoin(s, str, a.Pos[0], safe)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(out)

	case "replace":
		if err := pmArgsRange("str", name, a, 2, 3); err != nil {
			return pmFail(err)
		}
		old, nw := a.Pos[0], a.Pos[1]
		if safe {
			nw = Markup(pfMarkupEscape(nw))
		}
		if old.k != KindString {
			return pmFail(typeErrorf("replace() argument 1 must be str, not %s", old.TypeName()))
		}
		if nw.k != KindString {
			return pmFail(typeErrorf("replace() argument 2 must be str, not %s", nw.TypeName()))
		}
		count := int64(-1)
		if len(a.Pos) > 2 {
			c, err := pmIndex(a.Pos[2])
			if err != nil {
				return pmFail(err)
			}
			count = c
		}
		out, err := pmStrReplace(s, str, old.s, nw.s, count)
		if err != nil {
			return pmFail(err)
		}
		if len(out) == len(str) && out == str && !safe {
			return pmOK(recv)
		}
		return pmOK(mk(out))

	case "startswith", "endswith":
		if err := pmArgsOld(name, a, 1, 3); err != nil {
			return pmFail(err)
		}
		start, end, err := pmFindBounds(a)
		if err != nil {
			return pmFail(err)
		}
		sub := a.Pos[0]
		switch sub.k {
		case KindString:
			return pmOK(Bool(pmTailMatch(str, sub.s, start, end, name == "endswith")))
		case KindTuple:
			for _, it := range sub.List().Items {
				if it.k != KindString {
					return pmFail(typeErrorf("tuple for %s must only contain str, not %s", name, it.TypeName()))
				}
				if pmTailMatch(str, it.s, start, end, name == "endswith") {
					return pmOK(True)
				}
			}
			return pmOK(False)
		}
		return pmFail(typeErrorf("%s first arg must be str or a tuple of str, not %s", name, sub.TypeName()))

	case "find", "rfind", "index", "rindex", "count":
		if err := pmArgsOld(name, a, 1, 3); err != nil {
			return pmFail(err)
		}
		start, end, err := pmFindBounds(a)
		if err != nil {
			return pmFail(err)
		}
		sub := a.Pos[0]
		if sub.k != KindString {
			return pmFail(typeErrorf("must be str, not %s", sub.TypeName()))
		}
		if name == "count" {
			return pmOK(Int(pmStrCount(str, sub.s, start, end)))
		}
		i := pmStrFind(str, sub.s, start, end, name == "rfind" || name == "rindex")
		if i < 0 && (name == "index" || name == "rindex") {
			return pmFail(Errorf("ValueError", "substring not found"))
		}
		return pmOK(Int(i))

	case "partition", "rpartition":
		if err := pmArgsOne("str", name, a); err != nil {
			return pmFail(err)
		}
		sep := a.Pos[0]
		if sep.k != KindString {
			return pmFail(typeErrorf("must be str, not %s", sep.TypeName()))
		}
		if sep.s == "" {
			return pmFail(Errorf("ValueError", "empty separator"))
		}
		var i int
		if name == "partition" {
			i = strings.Index(str, sep.s)
		} else {
			i = strings.LastIndex(str, sep.s)
		}
		var p [3]string
		switch {
		case i >= 0:
			p = [3]string{str[:i], sep.s, str[i+len(sep.s):]}
		case name == "partition":
			p = [3]string{str, "", ""}
		default:
			p = [3]string{"", "", str}
		}
		return pmOK(NewTuple([]Value{mk(p[0]), mk(p[1]), mk(p[2])}))

	case "removeprefix", "removesuffix":
		if err := pmArgsOne("str", name, a); err != nil {
			return pmFail(err)
		}
		x := a.Pos[0]
		if x.k != KindString {
			return pmFail(typeErrorf("%s() argument must be str, not %s", name, x.TypeName()))
		}
		out := str
		if name == "removeprefix" {
			out = strings.TrimPrefix(str, x.s)
		} else {
			out = strings.TrimSuffix(str, x.s)
		}
		if len(out) == len(str) {
			return pmOK(recv)
		}
		return pmOK(mk(out))

	case "center", "ljust", "rjust":
		if err := pmArgsRange("str", name, a, 1, 2); err != nil {
			return pmFail(err)
		}
		w, err := pmIndex(a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		fill := ' '
		if len(a.Pos) > 1 {
			f := a.Pos[1]
			if safe {
				f = Markup(pfMarkupEscape(f))
			}
			if f.k != KindString {
				return pmFail(typeErrorf("The fill character must be a unicode character, not %s", f.TypeName()))
			}
			r, size := utf8.DecodeRuneInString(f.s)
			if size == 0 || size != len(f.s) {
				return pmFail(typeErrorf("The fill character must be exactly one character long"))
			}
			fill = r
		}
		n := int64(pfRuneLen(str))
		if w <= n {
			return pmOK(recv)
		}
		if err := s.checkSize(int(min(w, math.MaxInt32)) * utf8.RuneLen(fill)); err != nil {
			return pmFail(err)
		}
		marg := int(w - n)
		left := 0
		switch name {
		case "center":
			left = marg/2 + (marg & int(w) & 1)
		case "rjust":
			left = marg
		}
		var b strings.Builder
		b.Grow(len(str) + marg*utf8.RuneLen(fill))
		pfWriteRepeat(&b, fill, left)
		b.WriteString(str)
		pfWriteRepeat(&b, fill, marg-left)
		return pmOK(mk(b.String()))

	case "zfill":
		if err := pmArgsOne("str", name, a); err != nil {
			return pmFail(err)
		}
		w, err := pmIndex(a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		n := int64(pfRuneLen(str))
		if w <= n {
			return pmOK(recv)
		}
		if err := s.checkSize(int(min(w, math.MaxInt32))); err != nil {
			return pmFail(err)
		}
		fill := int(w - n)
		var b strings.Builder
		b.Grow(int(w))
		rest := str
		if rest != "" && (rest[0] == '+' || rest[0] == '-') {
			b.WriteByte(rest[0])
			rest = rest[1:]
		}
		pfWriteRepeat(&b, '0', fill)
		b.WriteString(rest)
		return pmOK(mk(b.String()))

	case "expandtabs":
		vals, given, err := pmArgsKw(name, a, "tabsize")
		if err != nil {
			return pmFail(err)
		}
		tab := int64(8)
		if given[0] {
			if tab, err = pmIndex(vals[0]); err != nil {
				return pmFail(err)
			}
		}
		if strings.IndexByte(str, '\t') < 0 {
			return pmOK(recv)
		}
		out, err := pmExpandTabs(s, str, tab)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(mk(out))

	case "format":
		f := pfStrFormatter{s: s, pos: a.Pos, kw: a.Kw, esc: safe}
		out, _, err := f.vformat(str, 2, 0)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(mk(out))

	case "format_map":
		if len(a.Kw) > 0 {
			return pmFail(typeErrorf("format_map() takes no keyword arguments"))
		}
		if len(a.Pos) != 1 {
			return pmFail(typeErrorf("format_map() takes exactly one argument (%d given)", len(a.Pos)))
		}
		out, err := pfFormatMap(s, str, a.Pos[0], safe)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(mk(out))

	case "translate":
		if err := pmArgsOne("str", name, a); err != nil {
			return pmFail(err)
		}
		out, err := pmStrTranslate(s, str, a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		return pmOK(mk(out))

	case "maketrans":
		if len(a.Kw) > 0 {
			return pmFail(typeErrorf("str.maketrans() takes no keyword arguments"))
		}
		if err := pmArgsRange("str", name, a, 1, 3); err != nil {
			return pmFail(err)
		}
		d, err := pmStrMaketrans(a.Pos)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(DictValue(d))

	case "escape", "striptags", "unescape":
		if !safe {
			return Value{}, false, nil
		}
		switch name {
		case "escape":
			if len(a.Pos)+len(a.Kw) == 0 {
				return pmFail(typeErrorf("Markup.escape() missing 1 required positional argument: 's'"))
			}
			if len(a.Kw) > 0 || len(a.Pos) > 1 {
				return pmFail(typeErrorf("Markup.escape() takes 2 positional arguments but %d were given", len(a.Pos)+len(a.Kw)+1))
			}
			return pmOK(Markup(pfMarkupEscape(a.Pos[0])))
		case "unescape":
			if len(a.Pos)+len(a.Kw) > 0 {
				return pmFail(typeErrorf("Markup.unescape() takes 1 positional argument but %d were given", len(a.Pos)+len(a.Kw)+1))
			}
			return pmOK(String(htmlUnescape(str)))
		default:
			if len(a.Pos)+len(a.Kw) > 0 {
				return pmFail(typeErrorf("Markup.striptags() takes 1 positional argument but %d were given", len(a.Pos)+len(a.Kw)+1))
			}
			return pmOK(String(striptags(str)))
		}
	}
	return Value{}, false, nil
}

// pmFindBounds reads the optional start and end of find, count, startswith …
// (None allowed). end defaults to "the end" (math.MaxInt64).
func pmFindBounds(a Args) (int64, int64, error) {
	start, end := int64(0), int64(math.MaxInt64)
	var err error
	if len(a.Pos) > 1 {
		if start, err = pmSliceIndex(a.Pos[1], 0, true); err != nil {
			return 0, 0, err
		}
	}
	if len(a.Pos) > 2 {
		if end, err = pmSliceIndex(a.Pos[2], math.MaxInt64, true); err != nil {
			return 0, 0, err
		}
	}
	return start, end, nil
}

// pmAdjustIndices is CPython's ADJUST_INDICES.
func pmAdjustIndices(start, end, n int64) (int64, int64) {
	if end > n {
		end = n
	} else if end < 0 {
		end += n
		if end < 0 {
			end = 0
		}
	}
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	return start, end
}

// pmByteOffset returns the byte offset of character i of s (i <= length).
func pmByteOffset(s string, i int64, ascii bool) int {
	if ascii {
		return int(i)
	}
	for off := range s {
		if i == 0 {
			return off
		}
		i--
	}
	return len(s)
}

// pmTailMatch is startswith/endswith of one string (tailmatch in CPython).
func pmTailMatch(str, sub string, start, end int64, suffix bool) bool {
	if start == 0 && end == math.MaxInt64 {
		if suffix {
			return strings.HasSuffix(str, sub)
		}
		return strings.HasPrefix(str, sub)
	}
	ascii := isASCII(str)
	n := int64(len(str))
	if !ascii {
		n = int64(utf8.RuneCountInString(str))
	}
	start, end = pmAdjustIndices(start, end, n)
	sl := int64(pfRuneLen(sub))
	if end-sl < start {
		return false
	}
	if sl == 0 {
		return true
	}
	if suffix {
		return strings.HasSuffix(str[:pmByteOffset(str, end, ascii)], sub)
	}
	return strings.HasPrefix(str[pmByteOffset(str, start, ascii):], sub)
}

// pmStrFind is find (or rfind) with character indices.
func pmStrFind(str, sub string, start, end int64, right bool) int64 {
	if start == 0 && end == math.MaxInt64 && isASCII(str) {
		if right {
			return int64(strings.LastIndex(str, sub))
		}
		return int64(strings.Index(str, sub))
	}
	ascii := isASCII(str)
	n := int64(len(str))
	if !ascii {
		n = int64(utf8.RuneCountInString(str))
	}
	start, end = pmAdjustIndices(start, end, n)
	sl := int64(pfRuneLen(sub))
	if end-start < sl {
		return -1
	}
	if sl == 0 {
		if right {
			return end
		}
		return start
	}
	bs, be := pmByteOffset(str, start, ascii), pmByteOffset(str, end, ascii)
	var i int
	if right {
		i = strings.LastIndex(str[bs:be], sub)
	} else {
		i = strings.Index(str[bs:be], sub)
	}
	if i < 0 {
		return -1
	}
	if ascii {
		return start + int64(i)
	}
	return start + int64(utf8.RuneCountInString(str[bs:bs+i]))
}

// pmStrCount is count: non-overlapping occurrences in str[start:end].
func pmStrCount(str, sub string, start, end int64) int64 {
	if start == 0 && end == math.MaxInt64 {
		return int64(strings.Count(str, sub))
	}
	ascii := isASCII(str)
	n := int64(len(str))
	if !ascii {
		n = int64(utf8.RuneCountInString(str))
	}
	start, end = pmAdjustIndices(start, end, n)
	sl := int64(pfRuneLen(sub))
	if end-start < sl {
		return 0
	}
	if sl == 0 {
		return end - start + 1
	}
	return int64(strings.Count(str[pmByteOffset(str, start, ascii):pmByteOffset(str, end, ascii)], sub))
}

// pmStrReplace is replace, refusing results beyond the output limit.
func pmStrReplace(s *State, str, old, nw string, count int64) (string, error) {
	if count == 0 || (old != "" && !strings.Contains(str, old)) {
		return str, nil
	}
	n := int64(strings.Count(str, old))
	if count >= 0 && count < n {
		n = count
	}
	if len(nw) > len(old) {
		grow := n * int64(len(nw)-len(old))
		if grow > int64(math.MaxInt32) {
			return "", s.checkSize(math.MaxInt32)
		}
		if err := s.checkSize(len(str) + int(grow)); err != nil {
			return "", err
		}
	}
	c := int(count)
	if count < 0 || count > int64(len(str))+1 {
		c = -1
	}
	return strings.Replace(str, old, nw, c), nil
}

// pmStrJoin is sep.join(iterable); Markup.join escapes the items instead of
// requiring str.
func pmStrJoin(s *State, sep string, iterable Value, safe bool) (Value, error) {
	items, err := s.Iter(iterable)
	if err != nil {
		if safe {
			return Value{}, err
		}
		return Value{}, typeErrorf("can only join an iterable")
	}
	if iterable.k == KindUndefined && safe {
		return Markup(""), nil
	}
	total := 0
	var esc []string
	if safe {
		esc = make([]string, len(items))
		for i, it := range items {
			esc[i] = pfMarkupEscape(it)
			total += len(esc[i])
		}
	} else {
		for i, it := range items {
			if it.k != KindString {
				return Value{}, typeErrorf("sequence item %d: expected str instance, %s found", i, it.TypeName())
			}
			total += len(it.s)
		}
	}
	if len(items) > 1 {
		total += len(sep) * (len(items) - 1)
	}
	if err := s.checkSize(total); err != nil {
		return Value{}, err
	}
	if !safe && len(items) == 1 {
		return String(items[0].s), nil
	}
	var b strings.Builder
	b.Grow(total)
	for i := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		if safe {
			b.WriteString(esc[i])
		} else {
			b.WriteString(items[i].s)
		}
	}
	if safe {
		return Markup(b.String()), nil
	}
	return String(b.String()), nil
}

func pmExpandTabs(s *State, str string, tab int64) (string, error) {
	var b strings.Builder
	col := int64(0)
	for _, r := range str {
		switch r {
		case '\t':
			if tab > 0 {
				incr := tab - col%tab
				col += incr
				if err := s.checkSize(b.Len() + int(min(incr, math.MaxInt32))); err != nil {
					return "", err
				}
				pfWriteRepeat(&b, ' ', int(incr))
			}
		case '\n', '\r':
			col = 0
			b.WriteRune(r)
		default:
			col++
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

func pmStrTranslate(s *State, str string, table Value) (string, error) {
	lookup := func(r rune) (Value, bool, error) {
		switch table.k {
		case KindDict:
			v, ok := table.Dict().Get(Int(int64(r)))
			return v, ok, nil
		case KindList, KindTuple:
			items := table.List().Items
			if int(r) < len(items) {
				return items[r], true, nil
			}
			return Value{}, false, nil
		case KindString:
			if int(r) < pfRuneLen(table.s) {
				return String(runeAt(table.s, int(r))), true, nil
			}
			return Value{}, false, nil
		case KindUndefined:
			return Value{}, false, table.undefinedError()
		case KindObject:
			if ig, ok := table.p.(ItemGetter); ok {
				v, ok := ig.Item(Int(int64(r)))
				return v, ok, nil
			}
		}
		return Value{}, false, typeErrorf("'%s' object is not subscriptable", table.TypeName())
	}
	var b strings.Builder
	b.Grow(len(str))
	for _, r := range str {
		v, found, err := lookup(r)
		if err != nil {
			return "", err
		}
		if !found {
			b.WriteRune(r)
			continue
		}
		switch v.k {
		case KindNone:
		case KindInt, KindBool:
			x := v.AsInt()
			if v.isBig() || x < 0 || x > unicode.MaxRune {
				return "", Errorf("ValueError", "character mapping must be in range(0x110000)")
			}
			b.WriteRune(rune(x))
		case KindString:
			b.WriteString(v.s)
		default:
			return "", typeErrorf("character mapping must return integer, None or str")
		}
		if err := s.checkSize(b.Len()); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func pmStrMaketrans(pos []Value) (*Dict, error) {
	d := NewDict()
	if len(pos) == 1 {
		x := pos[0]
		if x.k != KindDict {
			return nil, typeErrorf("if you give only one argument to maketrans it must be a dict")
		}
		xd := x.Dict()
		for i, k := range xd.keys {
			switch k.k {
			case KindInt, KindBool:
				d.Set(k, xd.vals[i])
			case KindString:
				r, size := utf8.DecodeRuneInString(k.s)
				if size == 0 || size != len(k.s) {
					return nil, Errorf("ValueError", "string keys in translate table must be of length 1")
				}
				d.Set(Int(int64(r)), xd.vals[i])
			default:
				return nil, typeErrorf("keys in translate table must be strings or integers")
			}
		}
		return d, nil
	}
	if pos[0].k != KindString {
		return nil, typeErrorf("first maketrans argument must be a string if there is a second argument")
	}
	for i := 1; i < len(pos); i++ {
		if pos[i].k != KindString {
			return nil, typeErrorf("maketrans() argument %d must be str, not %s", i+1, pos[i].TypeName())
		}
	}
	xs, ys := []rune(pos[0].s), []rune(pos[1].s)
	if len(xs) != len(ys) {
		return nil, Errorf("ValueError", "the first two maketrans arguments must have equal length")
	}
	for i := range xs {
		d.Set(Int(int64(xs[i])), Int(int64(ys[i])))
	}
	if len(pos) > 2 {
		for _, r := range pos[2].s {
			d.Set(Int(int64(r)), None)
		}
	}
	return d, nil
}

// ---------------------------------------------------------------------------
// Splitting and stripping.

func pmIsSpaceByte(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return pmIsSpaceByte(byte(r))
	}
	return unicode.IsSpace(r)
}

// pmStripSpace strips Python whitespace: mode 0 both ends, 1 left, 2 right.
func pmStripSpace(str string, mode int) string {
	i, j := 0, len(str)
	if mode != 2 {
		for i < j {
			c := str[i]
			if c < utf8.RuneSelf {
				if !pmIsSpaceByte(c) {
					break
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(str[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
	}
	if mode != 1 {
		for j > i {
			c := str[j-1]
			if c < utf8.RuneSelf {
				if !pmIsSpaceByte(c) {
					break
				}
				j--
				continue
			}
			r, size := utf8.DecodeLastRuneInString(str[:j])
			if !unicode.IsSpace(r) {
				break
			}
			j -= size
		}
	}
	return str[i:j]
}

// pmSpaceAt reports whether the character at byte offset i of str is Python
// whitespace, and its size.
func pmSpaceAt(str string, i int) (bool, int) {
	c := str[i]
	if c < utf8.RuneSelf {
		return pmIsSpaceByte(c), 1
	}
	r, size := utf8.DecodeRuneInString(str[i:])
	return unicode.IsSpace(r), size
}

// pmSpaceBefore is pmSpaceAt for the character that ends at byte offset j.
func pmSpaceBefore(str string, j int) (bool, int) {
	c := str[j-1]
	if c < utf8.RuneSelf {
		return pmIsSpaceByte(c), 1
	}
	r, size := utf8.DecodeLastRuneInString(str[:j])
	return unicode.IsSpace(r), size
}

func pmStrVal(x string, safe bool) Value { return Value{k: KindString, s: x, safe: safe} }

// pmSplitSpace is str.split() with no separator.
func pmSplitSpace(str string, maxsplit int64, safe bool) []Value {
	if maxsplit < 0 {
		maxsplit = math.MaxInt64
	}
	// Count the fields first so the result is allocated once.
	n := 0
	for i := 0; i < len(str); {
		sp, size := pmSpaceAt(str, i)
		if sp {
			i += size
			continue
		}
		n++
		for i < len(str) {
			sp, size := pmSpaceAt(str, i)
			if sp {
				break
			}
			i += size
		}
	}
	if int64(n)-1 > maxsplit {
		n = int(maxsplit + 1)
	}
	out := make([]Value, 0, n)
	i := 0
	for ; maxsplit > 0; maxsplit-- {
		for i < len(str) {
			sp, size := pmSpaceAt(str, i)
			if !sp {
				break
			}
			i += size
		}
		if i == len(str) {
			break
		}
		j := i
		for i < len(str) {
			sp, size := pmSpaceAt(str, i)
			if sp {
				break
			}
			i += size
		}
		out = append(out, pmStrVal(str[j:i], safe))
	}
	if i < len(str) {
		for i < len(str) {
			sp, size := pmSpaceAt(str, i)
			if !sp {
				break
			}
			i += size
		}
		if i != len(str) {
			out = append(out, pmStrVal(str[i:], safe))
		}
	}
	return out
}

// pmRsplitSpace is str.rsplit() with no separator.
func pmRsplitSpace(str string, maxsplit int64, safe bool) []Value {
	if maxsplit < 0 {
		maxsplit = math.MaxInt64
	}
	var out []Value
	i := len(str)
	for ; maxsplit > 0; maxsplit-- {
		for i > 0 {
			sp, size := pmSpaceBefore(str, i)
			if !sp {
				break
			}
			i -= size
		}
		if i == 0 {
			break
		}
		j := i
		for i > 0 {
			sp, size := pmSpaceBefore(str, i)
			if sp {
				break
			}
			i -= size
		}
		out = append(out, pmStrVal(str[i:j], safe))
	}
	if i > 0 {
		for i > 0 {
			sp, size := pmSpaceBefore(str, i)
			if !sp {
				break
			}
			i -= size
		}
		if i > 0 {
			out = append(out, pmStrVal(str[:i], safe))
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

func pmSplitSep(str, sep string, maxsplit int64, safe bool) []Value {
	n := strings.Count(str, sep) + 1
	if maxsplit >= 0 && int64(n)-1 > maxsplit {
		n = int(maxsplit + 1)
	}
	out := make([]Value, 0, n)
	for len(out) < n-1 {
		i := strings.Index(str, sep)
		out = append(out, pmStrVal(str[:i], safe))
		str = str[i+len(sep):]
	}
	return append(out, pmStrVal(str, safe))
}

func pmRsplitSep(str, sep string, maxsplit int64, safe bool) []Value {
	n := strings.Count(str, sep) + 1
	if maxsplit >= 0 && int64(n)-1 > maxsplit {
		n = int(maxsplit + 1)
	}
	out := make([]Value, n)
	for k := n - 1; k > 0; k-- {
		i := strings.LastIndex(str, sep)
		out[k] = pmStrVal(str[i+len(sep):], safe)
		str = str[:i]
	}
	out[0] = pmStrVal(str, safe)
	return out
}

// pmIsLineBreak reports the line boundaries of str.splitlines.
func pmIsLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

func pmSplitLines(str string, keep, safe bool) []Value {
	var out []Value
	i, j := 0, 0
	for i < len(str) {
		size := 0
		for i < len(str) {
			r, sz := utf8.DecodeRuneInString(str[i:])
			if pmIsLineBreak(r) {
				size = sz
				break
			}
			i += sz
		}
		eol := i
		if i < len(str) {
			if str[i] == '\r' && i+1 < len(str) && str[i+1] == '\n' {
				i += 2
			} else {
				i += size
			}
			if keep {
				eol = i
			}
		}
		out = append(out, pmStrVal(str[j:eol], safe))
		j = i
	}
	if out == nil {
		out = []Value{}
	}
	return out
}

// ---------------------------------------------------------------------------
// Unicode character properties and case mappings, as Python's unicodedata
// (Unicode 14/15) has them: Go's tables plus the differences in the tables at
// the end of this file.

func pmIsLower(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z'
	}
	return unicode.Is(unicode.Ll, r) || unicode.Is(unicode.Other_Lowercase, r)
}

func pmIsUpper(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'A' && r <= 'Z'
	}
	return unicode.Is(unicode.Lu, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func pmIsTitle(r rune) bool { return r >= utf8.RuneSelf && unicode.Is(unicode.Lt, r) }

func pmIsCased(r rune) bool { return pmIsLower(r) || pmIsUpper(r) || pmIsTitle(r) }

func pmIsCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024,
		0x2027, 0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	if r < 0xa8 {
		return false
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

func pmIsAlpha(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

func pmIsDecimal(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.Is(unicode.Nd, r)
}

func pmIsDigit(r rune) bool { return pmIsDecimal(r) || unicode.Is(pmDigitExtra, r) }

func pmIsNumeric(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.IsNumber(r) || unicode.Is(pmNumericExtra, r)
}

func pmIsPrintable(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= ' ' && r < 0x7f
	}
	return unicode.IsPrint(r)
}

func pmIsXIDStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
	}
	return (unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start) &&
		!unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space)) &&
		!unicode.Is(pmNotXIDStart, r)
}

func pmIsXIDContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r >= '0' && r <= '9'
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start, unicode.Mn, unicode.Mc,
		unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) &&
		!unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space) &&
		!unicode.Is(pmNotXIDContinue, r)
}

// pmIsDigitStr is str.isdigit.
func pmIsDigitStr(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !pmIsDigit(r) {
			return false
		}
	}
	return true
}

// strPredicate is str.NAME() for the is* methods (isalpha, isdigit, istitle …).
func strPredicate(name, str string) bool {
	if name == "isascii" {
		return isASCII(str)
	}
	if name == "isprintable" {
		for _, r := range str {
			if !pmIsPrintable(r) {
				return false
			}
		}
		return true
	}
	if str == "" {
		return false
	}
	var pred func(rune) bool
	switch name {
	case "isalnum":
		pred = func(r rune) bool { return pmIsAlpha(r) || pmIsNumeric(r) || pmIsDigit(r) }
	case "isalpha":
		pred = pmIsAlpha
	case "isdecimal":
		pred = pmIsDecimal
	case "isdigit":
		pred = pmIsDigit
	case "isnumeric":
		pred = pmIsNumeric
	case "isspace":
		pred = pyIsSpace
	case "isidentifier":
		first := true
		for _, r := range str {
			if first {
				if !pmIsXIDStart(r) {
					return false
				}
				first = false
			} else if !pmIsXIDContinue(r) {
				return false
			}
		}
		return true
	case "islower", "isupper":
		cased := false
		for _, r := range str {
			if name == "islower" {
				if pmIsUpper(r) || pmIsTitle(r) {
					return false
				}
				cased = cased || pmIsLower(r)
			} else {
				if pmIsLower(r) || pmIsTitle(r) {
					return false
				}
				cased = cased || pmIsUpper(r)
			}
		}
		return cased
	case "istitle":
		cased, prev := false, false
		for _, r := range str {
			switch {
			case pmIsUpper(r) || pmIsTitle(r):
				if prev {
					return false
				}
				prev, cased = true, true
			case pmIsLower(r):
				if !prev {
					return false
				}
				prev, cased = true, true
			default:
				prev = false
			}
		}
		return cased
	}
	for _, r := range str {
		if !pred(r) {
			return false
		}
	}
	return true
}

// writeUpperFull writes Python's full upper-case mapping of r (ß → SS).
func writeUpperFull(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	if m, ok := pmUpperSpecial[r]; ok {
		b.WriteString(m)
		return
	}
	b.WriteRune(unicode.ToUpper(r))
}

// pmWriteTitleFull writes Python's full title-case mapping of r.
func pmWriteTitleFull(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		writeUpperFull(b, r)
		return
	}
	if m, ok := pmTitleSpecial[r]; ok {
		b.WriteString(m)
		return
	}
	b.WriteRune(unicode.ToTitle(r))
}

// pmWriteLowerAt lowers rs[i], with Greek final sigma in its context.
func pmWriteLowerAt(b *strings.Builder, rs []rune, i int) {
	r := rs[i]
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	if r == 0x3a3 {
		b.WriteRune(pmFinalSigma(rs, i))
		return
	}
	if m, ok := pmLowerSpecial[r]; ok {
		b.WriteString(m)
		return
	}
	b.WriteRune(unicode.ToLower(r))
}

func pmFinalSigma(rs []rune, i int) rune {
	j := i - 1
	for j >= 0 && pmIsCaseIgnorable(rs[j]) {
		j--
	}
	final := j >= 0 && pmIsCased(rs[j])
	if final && i+1 < len(rs) {
		j = i + 1
		for j < len(rs) && pmIsCaseIgnorable(rs[j]) {
			j++
		}
		final = j == len(rs) || !pmIsCased(rs[j])
	}
	if final {
		return 0x3c2
	}
	return 0x3c3
}

func pmAsciiMap(str string, needs func(byte) bool, conv func(byte, int) byte) string {
	i := 0
	for i < len(str) && !needs(str[i]) {
		i++
	}
	if i == len(str) {
		return str
	}
	var b strings.Builder
	b.Grow(len(str))
	b.WriteString(str[:i])
	for ; i < len(str); i++ {
		b.WriteByte(conv(str[i], i))
	}
	return b.String()
}

func pmIsLowerByte(c byte) bool { return c >= 'a' && c <= 'z' }
func pmIsUpperByte(c byte) bool { return c >= 'A' && c <= 'Z' }

// pyUpper is str.upper().
func pyUpper(str string) string {
	if isASCII(str) {
		return pmAsciiMap(str, pmIsLowerByte, func(c byte, _ int) byte {
			if pmIsLowerByte(c) {
				return c - 32
			}
			return c
		})
	}
	var b strings.Builder
	b.Grow(len(str))
	for _, r := range str {
		writeUpperFull(&b, r)
	}
	return b.String()
}

// pyLower is str.lower(), with Greek final sigma.
func pyLower(str string) string {
	if isASCII(str) {
		return pmAsciiMap(str, pmIsUpperByte, func(c byte, _ int) byte {
			if pmIsUpperByte(c) {
				return c + 32
			}
			return c
		})
	}
	rs := []rune(str)
	var b strings.Builder
	b.Grow(len(str))
	for i := range rs {
		pmWriteLowerAt(&b, rs, i)
	}
	return b.String()
}

// pmCasefold is str.casefold().
func pmCasefold(str string) string {
	if isASCII(str) {
		return pyLower(str)
	}
	var b strings.Builder
	b.Grow(len(str))
	var tmp strings.Builder
	for _, r := range str {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r >= 0x13a0 && r <= 0x13fd || r >= 0xab70 && r <= 0xabbf:
			b.WriteRune(unicode.ToUpper(r)) // Cherokee folds to upper case
		case r == 0x131:
			b.WriteRune(r)
		case r == 0x1e9e:
			b.WriteString("ss")
		default:
			tmp.Reset()
			writeUpperFull(&tmp, r)
			for _, u := range tmp.String() {
				if m, ok := pmLowerSpecial[u]; ok {
					b.WriteString(m)
				} else {
					b.WriteRune(unicode.ToLower(u))
				}
			}
		}
	}
	return b.String()
}

// pmSwapcase is str.swapcase().
func pmSwapcase(str string) string {
	if isASCII(str) {
		return pmAsciiMap(str, func(c byte) bool { return pmIsLowerByte(c) || pmIsUpperByte(c) }, func(c byte, _ int) byte {
			if pmIsLowerByte(c) || pmIsUpperByte(c) {
				return c ^ 32
			}
			return c
		})
	}
	rs := []rune(str)
	var b strings.Builder
	b.Grow(len(str))
	for i, r := range rs {
		switch {
		case pmIsUpper(r):
			pmWriteLowerAt(&b, rs, i)
		case pmIsLower(r):
			writeUpperFull(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pmTitle is str.title(): a cased character after a cased one is lowered,
// any other is title-cased.
func pmTitle(str string) string {
	if isASCII(str) {
		prev := false
		return pmAsciiMap(str, func(c byte) bool {
			isL, isU := pmIsLowerByte(c), pmIsUpperByte(c)
			need := prev && isU || !prev && isL
			prev = isL || isU
			return need
		}, func(c byte, i int) byte {
			prevCased := i > 0 && (pmIsLowerByte(str[i-1]) || pmIsUpperByte(str[i-1]))
			if prevCased && pmIsUpperByte(c) {
				return c + 32
			}
			if !prevCased && pmIsLowerByte(c) {
				return c - 32
			}
			return c
		})
	}
	rs := []rune(str)
	var b strings.Builder
	b.Grow(len(str))
	prev := false
	for i, r := range rs {
		if prev {
			pmWriteLowerAt(&b, rs, i)
		} else {
			pmWriteTitleFull(&b, r)
		}
		prev = pmIsCased(r)
	}
	return b.String()
}

// pyCapitalize is str.capitalize(): the first character title-cased, the
// rest lowered.
func pyCapitalize(str string) string {
	if str == "" {
		return str
	}
	if isASCII(str) {
		return pmAsciiMap(str, func(c byte) bool { return true }, func(c byte, i int) byte {
			if i == 0 && pmIsLowerByte(c) {
				return c - 32
			}
			if i > 0 && pmIsUpperByte(c) {
				return c + 32
			}
			return c
		})
	}
	rs := []rune(str)
	var b strings.Builder
	b.Grow(len(str))
	pmWriteTitleFull(&b, rs[0])
	for i := 1; i < len(rs); i++ {
		pmWriteLowerAt(&b, rs, i)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// list and tuple.

// append is list.append.
func (l *List) append(v Value) {
	if len(l.Items) == cap(l.Items) && cap(l.Items) < 4 {
		// grow a small list to 4 at once, as Python over-allocates
		items := make([]Value, len(l.Items), 4)
		copy(items, l.Items)
		l.Items = items
	}
	l.Items = append(l.Items, v)
}

func pmListMethod(s *State, recv Value, name string, a Args) (Value, bool, error) {
	l := recv.List()
	switch name {
	case "append":
		if err := pmArgsOne("list", name, a); err != nil {
			return pmFail(err)
		}
		l.append(a.Pos[0])
		return pmOK(None)
	case "extend":
		if err := pmArgsOne("list", name, a); err != nil {
			return pmFail(err)
		}
		items, err := s.Iter(a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		l.Items = append(l.Items, items...)
		return pmOK(None)
	case "clear":
		if err := pmArgsNone("list", name, a); err != nil {
			return pmFail(err)
		}
		l.Items = nil
		return pmOK(None)
	case "copy":
		if err := pmArgsNone("list", name, a); err != nil {
			return pmFail(err)
		}
		return pmOK(NewList(append([]Value(nil), l.Items...)))
	case "reverse":
		if err := pmArgsNone("list", name, a); err != nil {
			return pmFail(err)
		}
		pmReverseValues(l.Items)
		return pmOK(None)
	case "insert":
		if err := pmArgsRange("list", name, a, 2, 2); err != nil {
			return pmFail(err)
		}
		i, err := pmIndex(a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		n := int64(len(l.Items))
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		l.Items = append(l.Items, Value{})
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = a.Pos[1]
		return pmOK(None)
	case "pop":
		if err := pmArgsRange("list", name, a, 0, 1); err != nil {
			return pmFail(err)
		}
		i := int64(-1)
		if len(a.Pos) > 0 {
			var err error
			if i, err = pmIndex(a.Pos[0]); err != nil {
				return pmFail(err)
			}
		}
		n := int64(len(l.Items))
		if n == 0 {
			return pmFail(Errorf("IndexError", "pop from empty list"))
		}
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return pmFail(Errorf("IndexError", "pop index out of range"))
		}
		v := l.Items[i]
		copy(l.Items[i:], l.Items[i+1:])
		l.Items[n-1] = Value{}
		l.Items = l.Items[:n-1]
		return pmOK(v)
	case "remove":
		if err := pmArgsOne("list", name, a); err != nil {
			return pmFail(err)
		}
		for i, it := range l.Items {
			if Equal(it, a.Pos[0]) {
				n := len(l.Items)
				copy(l.Items[i:], l.Items[i+1:])
				l.Items[n-1] = Value{}
				l.Items = l.Items[:n-1]
				return pmOK(None)
			}
		}
		return pmFail(Errorf("ValueError", "list.remove(x): x not in list"))
	case "count":
		if err := pmArgsOne("list", name, a); err != nil {
			return pmFail(err)
		}
		return pmOK(Int(pmCountValues(l.Items, a.Pos[0])))
	case "index":
		i, err := pmIndexValues("list", l.Items, a)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(Int(i))
	case "sort":
		if len(a.Pos) > 0 {
			return pmFail(typeErrorf("sort() takes no positional arguments"))
		}
		var key Value = None
		reverse := false
		for _, kw := range a.Kw {
			switch kw.Name {
			case "key":
				key = kw.Value
			case "reverse":
				r, err := pmIndex(kw.Value)
				if err != nil {
					return pmFail(err)
				}
				reverse = r != 0
			default:
				return pmFail(typeErrorf("'%s' is an invalid keyword argument for sort()", kw.Name))
			}
		}
		if err := pmSort(s, l.Items, key, reverse); err != nil {
			return pmFail(err)
		}
		return pmOK(None)
	}
	return Value{}, false, nil
}

func pmTupleMethod(recv Value, name string, a Args) (Value, bool, error) {
	items := recv.List().Items
	switch name {
	case "count":
		if err := pmArgsOne("tuple", name, a); err != nil {
			return pmFail(err)
		}
		return pmOK(Int(pmCountValues(items, a.Pos[0])))
	case "index":
		i, err := pmIndexValues("tuple", items, a)
		if err != nil {
			return pmFail(err)
		}
		return pmOK(Int(i))
	}
	return Value{}, false, nil
}

func pmReverseValues(v []Value) {
	for i, j := 0, len(v)-1; i < j; i, j = i+1, j-1 {
		v[i], v[j] = v[j], v[i]
	}
}

func pmCountValues(items []Value, x Value) int64 {
	n := int64(0)
	for _, it := range items {
		if Equal(it, x) {
			n++
		}
	}
	return n
}

func pmIndexValues(typ string, items []Value, a Args) (int64, error) {
	if err := pmArgsRange(typ, "index", a, 1, 3); err != nil {
		return 0, err
	}
	n := int64(len(items))
	start, stop := int64(0), int64(math.MaxInt64)
	var err error
	if len(a.Pos) > 1 {
		if start, err = pmSliceIndex(a.Pos[1], 0, false); err != nil {
			return 0, err
		}
	}
	if len(a.Pos) > 2 {
		if stop, err = pmSliceIndex(a.Pos[2], 0, false); err != nil {
			return 0, err
		}
	}
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if stop < 0 {
		stop += n
		if stop < 0 {
			stop = 0
		}
	}
	for i := start; i < stop && i < n; i++ {
		if Equal(items[i], a.Pos[0]) {
			return i, nil
		}
	}
	if typ == "tuple" {
		return 0, Errorf("ValueError", "tuple.index(x): x not in tuple")
	}
	return 0, Errorf("ValueError", "%s is not in list", pfRepr(a.Pos[0]))
}

// pmLess is Python's a < b, as list.sort uses it.
func pmLess(a, b Value) (bool, error) {
	if a.k == KindUndefined {
		return false, a.undefinedError()
	}
	if b.k == KindUndefined {
		return false, b.undefinedError()
	}
	c, ok := Compare(a, b)
	if !ok {
		return false, typeErrorf("'<' not supported between instances of '%s' and '%s'", a.TypeName(), b.TypeName())
	}
	return c < 0, nil
}

// pmSort is list.sort: stable, with Python's key and reverse. It follows
// CPython's timsort in how it finds runs and extends them by binary
// insertion (so lists shorter than 64 items are compared exactly as CPython
// compares them, which decides which TypeError a mixed list raises).
func pmSort(s *State, items []Value, key Value, reverse bool) error {
	n := len(items)
	keys := items
	if key.k != KindNone && n > 0 {
		keys = make([]Value, n)
		for i, it := range items {
			k, err := s.Call(key, Args{Pos: []Value{it}})
			if err != nil {
				return err
			}
			keys[i] = k
		}
	}
	if n < 2 {
		return nil
	}
	sameKeys := key.k == KindNone
	if reverse {
		pmReverseValues(items)
		if !sameKeys {
			pmReverseValues(keys)
		}
	}
	st := pmSortState{keys: keys, vals: items, same: sameKeys}
	err := st.sort()
	if reverse {
		pmReverseValues(items)
		if !sameKeys {
			pmReverseValues(keys)
		}
	}
	return err
}

type pmSortState struct {
	keys, vals []Value
	same       bool // keys is vals
}

func (st *pmSortState) swapRange(lo, hi int) {
	pmReverseValues(st.keys[lo:hi])
	if !st.same {
		pmReverseValues(st.vals[lo:hi])
	}
}

// countRun is CPython's count_run: the length of the run at lo, and whether
// it is strictly descending.
func (st *pmSortState) countRun(lo, hi int) (int, bool, error) {
	if lo+1 == hi {
		return 1, false, nil
	}
	k := st.keys
	lt, err := pmLess(k[lo+1], k[lo])
	if err != nil {
		return 0, false, err
	}
	n := 2
	if lt {
		for i := lo + 2; i < hi; i++ {
			lt, err := pmLess(k[i], k[i-1])
			if err != nil {
				return 0, false, err
			}
			if !lt {
				break
			}
			n++
		}
		return n, true, nil
	}
	for i := lo + 2; i < hi; i++ {
		lt, err := pmLess(k[i], k[i-1])
		if err != nil {
			return 0, false, err
		}
		if lt {
			break
		}
		n++
	}
	return n, false, nil
}

// binarySort is CPython's binarysort: [lo, start) is sorted; insert the rest.
func (st *pmSortState) binarySort(lo, hi, start int) error {
	if lo == start {
		start++
	}
	for ; start < hi; start++ {
		l, r := lo, start
		pivot := st.keys[start]
		for l < r {
			p := l + (r-l)>>1
			lt, err := pmLess(pivot, st.keys[p])
			if err != nil {
				return err
			}
			if lt {
				r = p
			} else {
				l = p + 1
			}
		}
		copy(st.keys[l+1:start+1], st.keys[l:start])
		st.keys[l] = pivot
		if !st.same {
			pv := st.vals[start]
			copy(st.vals[l+1:start+1], st.vals[l:start])
			st.vals[l] = pv
		}
	}
	return nil
}

func pmMinRun(n int) int {
	r := 0
	for n >= 64 {
		r |= n & 1
		n >>= 1
	}
	return n + r
}

func (st *pmSortState) sort() error {
	n := len(st.keys)
	mr := pmMinRun(n)
	var runs [][2]int
	for lo := 0; lo < n; {
		rn, desc, err := st.countRun(lo, n)
		if err != nil {
			return err
		}
		if desc {
			st.swapRange(lo, lo+rn)
		}
		if rn < mr {
			force := min(n-lo, mr)
			if err := st.binarySort(lo, lo+force, lo+rn); err != nil {
				return err
			}
			rn = force
		}
		runs = append(runs, [2]int{lo, rn})
		lo += rn
	}
	// Merge neighbouring runs until one is left.
	var tk, tv []Value
	for len(runs) > 1 {
		var next [][2]int
		for i := 0; i < len(runs); i += 2 {
			if i+1 == len(runs) {
				next = append(next, runs[i])
				continue
			}
			a, b := runs[i], runs[i+1]
			var err error
			tk, tv, err = st.merge(a[0], b[0], b[0]+b[1], tk, tv)
			if err != nil {
				return err
			}
			next = append(next, [2]int{a[0], a[1] + b[1]})
		}
		runs = next
	}
	return nil
}

// merge merges the sorted ranges [lo, mid) and [mid, hi), stably, through
// the buffers tk and tv; on an error the range is left as it was.
func (st *pmSortState) merge(lo, mid, hi int, tk, tv []Value) ([]Value, []Value, error) {
	tk, tv = tk[:0], tv[:0]
	i, j := lo, mid
	for i < mid && j < hi {
		lt, err := pmLess(st.keys[j], st.keys[i])
		if err != nil {
			return tk, tv, err
		}
		from := i
		if lt {
			from = j
			j++
		} else {
			i++
		}
		tk = append(tk, st.keys[from])
		if !st.same {
			tv = append(tv, st.vals[from])
		}
	}
	tk = append(append(tk, st.keys[i:mid]...), st.keys[j:hi]...)
	copy(st.keys[lo:hi], tk)
	if !st.same {
		tv = append(append(tv, st.vals[i:mid]...), st.vals[j:hi]...)
		copy(st.vals[lo:hi], tv)
	}
	return tk, tv, nil
}

// ---------------------------------------------------------------------------
// dict.

// pmUnhashableErr is the TypeError for a value that cannot be a dict key, or
// nil when it can be one.
func pmUnhashableErr(v Value) error {
	switch v.k {
	case KindList, KindDict:
		return typeErrorf("unhashable type: '%s'", v.TypeName())
	case KindTuple:
		for _, it := range v.List().Items {
			if err := pmUnhashableErr(it); err != nil {
				return err
			}
		}
	case KindObject:
		if _, ok := v.p.(*pmDictView); ok {
			return typeErrorf("unhashable type: '%s'", v.p.(*pmDictView).TypeName())
		}
	}
	return nil
}

func pmDictMethod(s *State, recv Value, name string, a Args) (Value, bool, error) {
	d := recv.Dict()
	switch name {
	case "get":
		if len(a.Kw) == 0 && len(a.Pos) == 1 {
			k := a.Pos[0]
			if k.k == KindString {
				if v, ok := d.Get(k); ok {
					return v, true, nil
				}
				return None, true, nil
			}
		}
		if err := pmArgsRange("dict", name, a, 1, 2); err != nil {
			return pmFail(err)
		}
		if err := pmUnhashableErr(a.Pos[0]); err != nil {
			return pmFail(err)
		}
		if v, ok := d.Get(a.Pos[0]); ok {
			return pmOK(v)
		}
		if len(a.Pos) > 1 {
			return pmOK(a.Pos[1])
		}
		return pmOK(None)
	case "items", "keys", "values":
		if err := pmArgsNone("dict", name, a); err != nil {
			return pmFail(err)
		}
		kind := pmViewKeys
		if name == "values" {
			kind = pmViewValues
		} else if name == "items" {
			kind = pmViewItems
		}
		return pmOK(ObjectValue(&pmDictView{d: d, kind: kind}))
	case "clear":
		if err := pmArgsNone("dict", name, a); err != nil {
			return pmFail(err)
		}
		d.keys, d.vals, d.idx = nil, nil, nil
		return pmOK(None)
	case "copy":
		if err := pmArgsNone("dict", name, a); err != nil {
			return pmFail(err)
		}
		return pmOK(DictValue(d.Copy()))
	case "pop":
		if err := pmArgsRange("dict", name, a, 1, 2); err != nil {
			return pmFail(err)
		}
		k := a.Pos[0]
		if err := pmUnhashableErr(k); err != nil {
			return pmFail(err)
		}
		if i := d.find(k); i >= 0 {
			v := d.vals[i]
			d.Delete(k)
			return pmOK(v)
		}
		if len(a.Pos) > 1 {
			return pmOK(a.Pos[1])
		}
		return pmFail(Errorf("KeyError", "%s", pfRepr(k)))
	case "popitem":
		if err := pmArgsNone("dict", name, a); err != nil {
			return pmFail(err)
		}
		n := len(d.keys)
		if n == 0 {
			return pmFail(Errorf("KeyError", "'popitem(): dictionary is empty'"))
		}
		k, v := d.keys[n-1], d.vals[n-1]
		d.Delete(k)
		return pmOK(NewTuple([]Value{k, v}))
	case "setdefault":
		if err := pmArgsRange("dict", name, a, 1, 2); err != nil {
			return pmFail(err)
		}
		k := a.Pos[0]
		if err := pmUnhashableErr(k); err != nil {
			return pmFail(err)
		}
		if v, ok := d.Get(k); ok {
			return pmOK(v)
		}
		def := None
		if len(a.Pos) > 1 {
			def = a.Pos[1]
		}
		d.Set(k, def)
		return pmOK(def)
	case "update":
		if len(a.Pos) > 1 {
			return pmFail(typeErrorf("update expected at most 1 argument, got %d", len(a.Pos)))
		}
		if len(a.Pos) == 1 {
			if err := pmDictUpdate(s, d, a.Pos[0]); err != nil {
				return pmFail(err)
			}
		}
		for _, kw := range a.Kw {
			d.Set(String(kw.Name), kw.Value)
		}
		return pmOK(None)
	case "fromkeys":
		if err := pmArgsRange("dict", name, a, 1, 2); err != nil {
			return pmFail(err)
		}
		items, err := s.Iter(a.Pos[0])
		if err != nil {
			return pmFail(err)
		}
		val := None
		if len(a.Pos) > 1 {
			val = a.Pos[1]
		}
		nd := NewDict()
		for _, k := range items {
			if err := pmUnhashableErr(k); err != nil {
				return pmFail(err)
			}
			nd.Set(k, val)
		}
		return pmOK(DictValue(nd))
	}
	return Value{}, false, nil
}

func pmDictUpdate(s *State, d *Dict, other Value) error {
	switch other.k {
	case KindDict:
		od := other.Dict()
		if od == d {
			return nil
		}
		for i, k := range od.keys {
			d.Set(k, od.vals[i])
		}
		return nil
	case KindUndefined:
		return other.undefinedError()
	}
	items, err := s.Iter(other)
	if err != nil {
		return err
	}
	for i, it := range items {
		var pair []Value
		switch it.k {
		case KindList, KindTuple:
			pair = it.List().Items
		case KindString, KindDict:
			pair, _ = s.Iter(it)
		case KindObject:
			if _, isIt := it.p.(Iterable); isIt {
				pair, _ = s.Iter(it)
				break
			}
			fallthrough
		default:
			return typeErrorf("cannot convert dictionary update sequence element #%d to a sequence", i)
		}
		if len(pair) != 2 {
			return Errorf("ValueError", "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
		}
		if err := pmUnhashableErr(pair[0]); err != nil {
			return err
		}
		d.Set(pair[0], pair[1])
	}
	return nil
}

// pmDictView is what dict.keys(), .values() and .items() return: a live view
// of the dict that iterates, has a length and prints as Python prints it.
type pmDictView struct {
	d    *Dict
	kind uint8
}

const (
	pmViewKeys uint8 = iota
	pmViewValues
	pmViewItems
)

// Attr implements Object: a view has no attributes a template uses.
func (v *pmDictView) Attr(name string) (Value, bool) { return Value{}, false }

// Len implements Lengther.
func (v *pmDictView) Len() int { return v.d.Len() }

// Iter implements Iterable. keys and values are the dict's own slices (do
// not modify); items are built as 2-tuples in three allocations.
func (v *pmDictView) Iter() []Value {
	switch v.kind {
	case pmViewKeys:
		return v.d.keys
	case pmViewValues:
		return v.d.vals
	}
	n := len(v.d.keys)
	out := make([]Value, n)
	pairs := make([]Value, 2*n)
	lists := make([]List, n)
	for i := range n {
		pairs[2*i] = v.d.keys[i]
		pairs[2*i+1] = v.d.vals[i]
		lists[i].Items = pairs[2*i : 2*i+2 : 2*i+2]
		out[i] = Value{k: KindTuple, p: &lists[i]}
	}
	return out
}

// TypeName is Python's name of the view's type.
func (v *pmDictView) TypeName() string {
	switch v.kind {
	case pmViewKeys:
		return "dict_keys"
	case pmViewValues:
		return "dict_values"
	}
	return "dict_items"
}

// Repr implements Reprer: dict_items([('a', 1)]).
func (v *pmDictView) Repr() string {
	var b strings.Builder
	b.WriteString(v.TypeName())
	b.WriteString("([")
	for i := range v.d.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		switch v.kind {
		case pmViewKeys:
			writeRepr(&b, v.d.keys[i], 1)
		case pmViewValues:
			writeRepr(&b, v.d.vals[i], 1)
		default:
			b.WriteByte('(')
			writeRepr(&b, v.d.keys[i], 1)
			b.WriteString(", ")
			writeRepr(&b, v.d.vals[i], 1)
			b.WriteByte(')')
		}
	}
	b.WriteString("])")
	return b.String()
}

// String implements fmt.Stringer (str() of a view is its repr).
func (v *pmDictView) String() string { return v.Repr() }

// ---------------------------------------------------------------------------
// Where Python's Unicode database differs from what Go's unicode package
// gives (generated by comparing every code point with Python 3.11).

// pmDigitExtra: characters Python's str.isdigit accepts beyond category Nd.
var pmDigitExtra = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00b2, 0x00b3, 1}, {0x00b9, 0x00b9, 1}, {0x1369, 0x1371, 1}, {0x19da, 0x19da, 1},
		{0x2070, 0x2070, 1}, {0x2074, 0x2079, 1}, {0x2080, 0x2089, 1}, {0x2460, 0x2468, 1},
		{0x2474, 0x247c, 1}, {0x2488, 0x2490, 1}, {0x24ea, 0x24ea, 1}, {0x24f5, 0x24fd, 1},
		{0x24ff, 0x24ff, 1}, {0x2776, 0x277e, 1}, {0x2780, 0x2788, 1}, {0x278a, 0x2792, 1},
	},
	R32: []unicode.Range32{
		{0x10a40, 0x10a43, 1}, {0x10e60, 0x10e68, 1}, {0x11052, 0x1105a, 1}, {0x1f100, 0x1f10a, 1},
	},
}

// pmNumericExtra: characters Python's str.isnumeric accepts beyond category N (CJK numerals).
var pmNumericExtra = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x3405, 0x3405, 1}, {0x3483, 0x3483, 1}, {0x382a, 0x382a, 1}, {0x3b4d, 0x3b4d, 1},
		{0x4e00, 0x4e00, 1}, {0x4e03, 0x4e03, 1}, {0x4e07, 0x4e07, 1}, {0x4e09, 0x4e09, 1},
		{0x4e5d, 0x4e5d, 1}, {0x4e8c, 0x4e8c, 1}, {0x4e94, 0x4e94, 1}, {0x4e96, 0x4e96, 1},
		{0x4ebf, 0x4ec0, 1}, {0x4edf, 0x4edf, 1}, {0x4ee8, 0x4ee8, 1}, {0x4f0d, 0x4f0d, 1},
		{0x4f70, 0x4f70, 1}, {0x5104, 0x5104, 1}, {0x5146, 0x5146, 1}, {0x5169, 0x5169, 1},
		{0x516b, 0x516b, 1}, {0x516d, 0x516d, 1}, {0x5341, 0x5341, 1}, {0x5343, 0x5345, 1},
		{0x534c, 0x534c, 1}, {0x53c1, 0x53c4, 1}, {0x56db, 0x56db, 1}, {0x58f1, 0x58f1, 1},
		{0x58f9, 0x58f9, 1}, {0x5e7a, 0x5e7a, 1}, {0x5efe, 0x5eff, 1}, {0x5f0c, 0x5f0e, 1},
		{0x5f10, 0x5f10, 1}, {0x62fe, 0x62fe, 1}, {0x634c, 0x634c, 1}, {0x67d2, 0x67d2, 1},
		{0x6f06, 0x6f06, 1}, {0x7396, 0x7396, 1}, {0x767e, 0x767e, 1}, {0x8086, 0x8086, 1},
		{0x842c, 0x842c, 1}, {0x8cae, 0x8cae, 1}, {0x8cb3, 0x8cb3, 1}, {0x8d30, 0x8d30, 1},
		{0x9621, 0x9621, 1}, {0x9646, 0x9646, 1}, {0x964c, 0x964c, 1}, {0x9678, 0x9678, 1},
		{0x96f6, 0x96f6, 1}, {0xf96b, 0xf96b, 1}, {0xf973, 0xf973, 1}, {0xf978, 0xf978, 1},
		{0xf9b2, 0xf9b2, 1}, {0xf9d1, 0xf9d1, 1}, {0xf9d3, 0xf9d3, 1}, {0xf9fd, 0xf9fd, 1},
	},
	R32: []unicode.Range32{
		{0x20001, 0x20001, 1}, {0x20064, 0x20064, 1}, {0x200e2, 0x200e2, 1}, {0x20121, 0x20121, 1},
		{0x2092a, 0x2092a, 1}, {0x20983, 0x20983, 1}, {0x2098c, 0x2098c, 1}, {0x2099c, 0x2099c, 1},
		{0x20aea, 0x20aea, 1}, {0x20afd, 0x20afd, 1}, {0x20b19, 0x20b19, 1}, {0x22390, 0x22390, 1},
		{0x22998, 0x22998, 1}, {0x23b1b, 0x23b1b, 1}, {0x2626d, 0x2626d, 1}, {0x2f890, 0x2f890, 1},
	},
}

// pmNotXIDStart: ID_Start characters that are not XID_Start.
var pmNotXIDStart = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x037a, 0x037a, 1}, {0x0e33, 0x0e33, 1}, {0x0eb3, 0x0eb3, 1}, {0x309b, 0x309c, 1},
		{0xfc5e, 0xfc63, 1}, {0xfdfa, 0xfdfb, 1}, {0xfe70, 0xfe70, 1}, {0xfe72, 0xfe72, 1},
		{0xfe74, 0xfe74, 1}, {0xfe76, 0xfe76, 1}, {0xfe78, 0xfe78, 1}, {0xfe7a, 0xfe7a, 1},
		{0xfe7c, 0xfe7c, 1}, {0xfe7e, 0xfe7e, 1}, {0xff9e, 0xff9f, 1},
	},
}

// pmNotXIDContinue: ID_Continue characters that are not XID_Continue.
var pmNotXIDContinue = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x037a, 0x037a, 1}, {0x309b, 0x309c, 1}, {0xfc5e, 0xfc63, 1}, {0xfdfa, 0xfdfb, 1},
		{0xfe70, 0xfe70, 1}, {0xfe72, 0xfe72, 1}, {0xfe74, 0xfe74, 1}, {0xfe76, 0xfe76, 1},
		{0xfe78, 0xfe78, 1}, {0xfe7a, 0xfe7a, 1}, {0xfe7c, 0xfe7c, 1}, {0xfe7e, 0xfe7e, 1},
	},
}

var pmLowerSpecial = map[rune]string{
	0x0130: "i\u0307",
}

var pmUpperSpecial = map[rune]string{
	0x00df: "SS", 0x0149: "\u02bcN", 0x01f0: "J\u030c", 0x0390: "\u0399\u0308\u0301",
	0x03b0: "\u03a5\u0308\u0301", 0x0587: "\u0535\u0552", 0x1e96: "H\u0331", 0x1e97: "T\u0308",
	0x1e98: "W\u030a", 0x1e99: "Y\u030a", 0x1e9a: "A\u02be", 0x1f50: "\u03a5\u0313",
	0x1f52: "\u03a5\u0313\u0300", 0x1f54: "\u03a5\u0313\u0301", 0x1f56: "\u03a5\u0313\u0342", 0x1f80: "\u1f08\u0399",
	0x1f81: "\u1f09\u0399", 0x1f82: "\u1f0a\u0399", 0x1f83: "\u1f0b\u0399", 0x1f84: "\u1f0c\u0399",
	0x1f85: "\u1f0d\u0399", 0x1f86: "\u1f0e\u0399", 0x1f87: "\u1f0f\u0399", 0x1f88: "\u1f08\u0399",
	0x1f89: "\u1f09\u0399", 0x1f8a: "\u1f0a\u0399", 0x1f8b: "\u1f0b\u0399", 0x1f8c: "\u1f0c\u0399",
	0x1f8d: "\u1f0d\u0399", 0x1f8e: "\u1f0e\u0399", 0x1f8f: "\u1f0f\u0399", 0x1f90: "\u1f28\u0399",
	0x1f91: "\u1f29\u0399", 0x1f92: "\u1f2a\u0399", 0x1f93: "\u1f2b\u0399", 0x1f94: "\u1f2c\u0399",
	0x1f95: "\u1f2d\u0399", 0x1f96: "\u1f2e\u0399", 0x1f97: "\u1f2f\u0399", 0x1f98: "\u1f28\u0399",
	0x1f99: "\u1f29\u0399", 0x1f9a: "\u1f2a\u0399", 0x1f9b: "\u1f2b\u0399", 0x1f9c: "\u1f2c\u0399",
	0x1f9d: "\u1f2d\u0399", 0x1f9e: "\u1f2e\u0399", 0x1f9f: "\u1f2f\u0399", 0x1fa0: "\u1f68\u0399",
	0x1fa1: "\u1f69\u0399", 0x1fa2: "\u1f6a\u0399", 0x1fa3: "\u1f6b\u0399", 0x1fa4: "\u1f6c\u0399",
	0x1fa5: "\u1f6d\u0399", 0x1fa6: "\u1f6e\u0399", 0x1fa7: "\u1f6f\u0399", 0x1fa8: "\u1f68\u0399",
	0x1fa9: "\u1f69\u0399", 0x1faa: "\u1f6a\u0399", 0x1fab: "\u1f6b\u0399", 0x1fac: "\u1f6c\u0399",
	0x1fad: "\u1f6d\u0399", 0x1fae: "\u1f6e\u0399", 0x1faf: "\u1f6f\u0399", 0x1fb2: "\u1fba\u0399",
	0x1fb3: "\u0391\u0399", 0x1fb4: "\u0386\u0399", 0x1fb6: "\u0391\u0342", 0x1fb7: "\u0391\u0342\u0399",
	0x1fbc: "\u0391\u0399", 0x1fc2: "\u1fca\u0399", 0x1fc3: "\u0397\u0399", 0x1fc4: "\u0389\u0399",
	0x1fc6: "\u0397\u0342", 0x1fc7: "\u0397\u0342\u0399", 0x1fcc: "\u0397\u0399", 0x1fd2: "\u0399\u0308\u0300",
	0x1fd3: "\u0399\u0308\u0301", 0x1fd6: "\u0399\u0342", 0x1fd7: "\u0399\u0308\u0342", 0x1fe2: "\u03a5\u0308\u0300",
	0x1fe3: "\u03a5\u0308\u0301", 0x1fe4: "\u03a1\u0313", 0x1fe6: "\u03a5\u0342", 0x1fe7: "\u03a5\u0308\u0342",
	0x1ff2: "\u1ffa\u0399", 0x1ff3: "\u03a9\u0399", 0x1ff4: "\u038f\u0399", 0x1ff6: "\u03a9\u0342",
	0x1ff7: "\u03a9\u0342\u0399", 0x1ffc: "\u03a9\u0399", 0xfb00: "FF", 0xfb01: "FI",
	0xfb02: "FL", 0xfb03: "FFI", 0xfb04: "FFL", 0xfb05: "ST",
	0xfb06: "ST", 0xfb13: "\u0544\u0546", 0xfb14: "\u0544\u0535", 0xfb15: "\u0544\u053b",
	0xfb16: "\u054e\u0546", 0xfb17: "\u0544\u053d",
}

var pmTitleSpecial = map[rune]string{
	0x00df: "Ss", 0x0149: "\u02bcN", 0x01f0: "J\u030c", 0x0390: "\u0399\u0308\u0301",
	0x03b0: "\u03a5\u0308\u0301", 0x0587: "\u0535\u0582", 0x1e96: "H\u0331", 0x1e97: "T\u0308",
	0x1e98: "W\u030a", 0x1e99: "Y\u030a", 0x1e9a: "A\u02be", 0x1f50: "\u03a5\u0313",
	0x1f52: "\u03a5\u0313\u0300", 0x1f54: "\u03a5\u0313\u0301", 0x1f56: "\u03a5\u0313\u0342", 0x1fb2: "\u1fba\u0345",
	0x1fb4: "\u0386\u0345", 0x1fb6: "\u0391\u0342", 0x1fb7: "\u0391\u0342\u0345", 0x1fc2: "\u1fca\u0345",
	0x1fc4: "\u0389\u0345", 0x1fc6: "\u0397\u0342", 0x1fc7: "\u0397\u0342\u0345", 0x1fd2: "\u0399\u0308\u0300",
	0x1fd3: "\u0399\u0308\u0301", 0x1fd6: "\u0399\u0342", 0x1fd7: "\u0399\u0308\u0342", 0x1fe2: "\u03a5\u0308\u0300",
	0x1fe3: "\u03a5\u0308\u0301", 0x1fe4: "\u03a1\u0313", 0x1fe6: "\u03a5\u0342", 0x1fe7: "\u03a5\u0308\u0342",
	0x1ff2: "\u1ffa\u0345", 0x1ff4: "\u038f\u0345", 0x1ff6: "\u03a9\u0342", 0x1ff7: "\u03a9\u0342\u0345",
	0xfb00: "Ff", 0xfb01: "Fi", 0xfb02: "Fl", 0xfb03: "Ffi",
	0xfb04: "Ffl", 0xfb05: "St", 0xfb06: "St", 0xfb13: "\u0544\u0576",
	0xfb14: "\u0544\u0565", 0xfb15: "\u0544\u056b", 0xfb16: "\u054e\u0576", 0xfb17: "\u0544\u056d",
}
