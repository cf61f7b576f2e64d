package jinja

// Jinja2 3.1's built-in tests (jinja2/tests.py and the operator aliases),
// with Python's semantics and error messages.

func builtinTests() map[string]Test {
	eq := opTest("eq", func(s *State, a, b Value) (bool, error) { return Equal(a, b), nil })
	ne := opTest("ne", func(s *State, a, b Value) (bool, error) { return !Equal(a, b), nil })
	gt := opTest("gt", func(s *State, a, b Value) (bool, error) { return pyCmp(">", a, b) })
	ge := opTest("ge", func(s *State, a, b Value) (bool, error) { return pyCmp(">=", a, b) })
	lt := opTest("lt", func(s *State, a, b Value) (bool, error) { return pyCmp("<", a, b) })
	le := opTest("le", func(s *State, a, b Value) (bool, error) { return pyCmp("<=", a, b) })
	return map[string]Test{
		"odd":         testOdd,
		"even":        testEven,
		"divisibleby": testDivisibleby,
		"defined":     testDefined,
		"undefined":   testUndefined,
		"filter":      testFilter,
		"test":        testTest,
		"none":        testNone,
		"boolean":     testBoolean,
		"false":       testFalse,
		"true":        testTrue,
		"integer":     testInteger,
		"float":       testFloat,
		"lower":       testLower,
		"upper":       testUpper,
		"string":      testString,
		"mapping":     testMapping,
		"number":      testNumber,
		"sequence":    testSequence,
		"iterable":    testIterable,
		"callable":    testCallable,
		"sameas":      testSameas,
		"escaped":     testEscaped,
		"in":          testIn,
		"==":          eq,
		"eq":          eq,
		"equalto":     eq,
		"!=":          ne,
		"ne":          ne,
		">":           gt,
		"gt":          gt,
		"greaterthan": gt,
		"ge":          ge,
		">=":          ge,
		"<":           lt,
		"lt":          lt,
		"lessthan":    lt,
		"<=":          le,
		"le":          le,
	}
}

// opTest is a test made of an operator function (operator.eq, …): two
// positional arguments, no keywords.
func opTest(name string, op func(s *State, a, b Value) (bool, error)) Test {
	return func(s *State, v Value, a Args) (bool, error) {
		if len(a.Kw) > 0 {
			return false, typeErrorf("_operator.%s() takes no keyword arguments", name)
		}
		if len(a.Pos) != 1 {
			return false, typeErrorf("%s expected 2 arguments, got %d", name, len(a.Pos)+1)
		}
		return op(s, v, a.Pos[0])
	}
}

// valueTest makes a test of the value alone, named fn for errors.
func valueTest(fn string, f func(v Value) bool) Test {
	g := &pySig{name: fn, params: []string{"value"}, hidden: 1, required: 1}
	return func(s *State, v Value, a Args) (bool, error) {
		if len(a.Pos) > 0 || len(a.Kw) > 0 {
			var p [1]Value
			if err := g.bind(a, p[:]); err != nil {
				return false, err
			}
		}
		return f(v), nil
	}
}

var (
	sigTestOdd         = &pySig{name: "test_odd", params: []string{"value"}, hidden: 1, required: 1}
	sigTestEven        = &pySig{name: "test_even", params: []string{"value"}, hidden: 1, required: 1}
	sigTestDivisibleby = &pySig{name: "test_divisibleby", params: []string{"value", "num"}, hidden: 1, required: 2}
	sigTestFilter      = &pySig{name: "test_filter", params: []string{"env", "value"}, hidden: 2, required: 2}
	sigTestTest        = &pySig{name: "test_test", params: []string{"env", "value"}, hidden: 2, required: 2}
	sigTestSameas      = &pySig{name: "test_sameas", params: []string{"value", "other"}, hidden: 1, required: 2}
	sigTestIn          = &pySig{name: "test_in", params: []string{"value", "seq"}, hidden: 1, required: 2}
)

// modEquals is value % n == want, with Python's % (ints, floats, and str %
// formatting).
func modEquals(s *State, v, n Value, want int64) (bool, error) {
	r, err := Binop(s, "%", v, n)
	if err != nil {
		return false, err
	}
	return Equal(r, Int(want)), nil
}

func testOdd(s *State, v Value, a Args) (bool, error) {
	if err := noArgs(sigTestOdd, a); err != nil {
		return false, err
	}
	return modEquals(s, v, Int(2), 1)
}

func testEven(s *State, v Value, a Args) (bool, error) {
	if err := noArgs(sigTestEven, a); err != nil {
		return false, err
	}
	return modEquals(s, v, Int(2), 0)
}

func testDivisibleby(s *State, v Value, a Args) (bool, error) {
	var p [1]Value
	if err := sigTestDivisibleby.bind(a, p[:]); err != nil {
		return false, err
	}
	return modEquals(s, v, p[0], 0)
}

var (
	testDefined   = valueTest("test_defined", func(v Value) bool { return v.k != KindUndefined })
	testUndefined = valueTest("test_undefined", func(v Value) bool { return v.k == KindUndefined })
	testNone      = valueTest("test_none", func(v Value) bool { return v.k == KindNone })
	testBoolean   = valueTest("test_boolean", func(v Value) bool { return v.k == KindBool })
	testFalse     = valueTest("test_false", func(v Value) bool { return v.k == KindBool && !v.AsBool() })
	testTrue      = valueTest("test_true", func(v Value) bool { return v.k == KindBool && v.AsBool() })
	testInteger   = valueTest("test_integer", func(v Value) bool { return v.k == KindInt })
	testFloat     = valueTest("test_float", func(v Value) bool { return v.k == KindFloat })
	testLower     = valueTest("test_lower", func(v Value) bool { return pyIsLowerStr(v.String()) })
	testUpper     = valueTest("test_upper", func(v Value) bool { return pyIsUpperStr(v.String()) })
	testString    = valueTest("test_string", func(v Value) bool { return v.k == KindString })
	testMapping   = valueTest("test_mapping", isMapping)
	testNumber    = valueTest("test_number", func(v Value) bool { return v.IsNumber() })
	testEscaped   = valueTest("test_escaped", func(v Value) bool { return v.k == KindString && v.safe })
	testSequence  = valueTest("test_sequence", isSequence)
	testIterable  = valueTest("test_iterable", isIterableTest)
)

// isSequence is test_sequence: len(value) and value.__getitem__ work.
func isSequence(v Value) bool {
	switch v.k {
	case KindString, KindList, KindTuple, KindDict, KindUndefined:
		return true
	case KindObject:
		if _, ok := v.p.(*Namespace); ok {
			return false
		}
		_, l := v.p.(Lengther)
		_, g := v.p.(ItemGetter)
		return l && g
	}
	return false
}

// isIterableTest is test_iterable: iter(value) works.
func isIterableTest(v Value) bool {
	if isIterable(v) {
		return true
	}
	if v.k == KindObject {
		if _, ok := v.p.(*Namespace); ok {
			return false
		}
		_, ok := v.p.(ItemGetter)
		return ok
	}
	return false
}

func testCallable(s *State, v Value, a Args) (bool, error) {
	if err := builtinOneArg("callable", a); err != nil {
		return false, err
	}
	switch v.k {
	case KindCallable, KindUndefined:
		return true, nil
	case KindObject:
		_, ok := v.p.(Callable)
		return ok, nil
	}
	return false, nil
}

// nameIn is `value in env.filters` (or tests).
func nameIn(v Value, has func(string) bool) (bool, error) {
	switch v.k {
	case KindString:
		return has(v.s), nil
	case KindList, KindDict:
		return false, typeErrorf("unhashable type: '%s'", v.TypeName())
	}
	return false, nil
}

func testFilter(s *State, v Value, a Args) (bool, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigTestFilter.bind(a, p[:]); err != nil {
			return false, err
		}
	}
	return nameIn(v, func(n string) bool { _, ok := s.env.Filters[n]; return ok })
}

func testTest(s *State, v Value, a Args) (bool, error) {
	if len(a.Pos) > 0 || len(a.Kw) > 0 {
		var p [1]Value
		if err := sigTestTest.bind(a, p[:]); err != nil {
			return false, err
		}
	}
	return nameIn(v, func(n string) bool { _, ok := s.env.Tests[n]; return ok })
}

// testSameas is Python's `is`. Scalars equal in kind and value count as the
// same object (as constants and small ints are in CPython); containers,
// callables and objects must be the same reference; undefined values never
// are.
func testSameas(s *State, v Value, a Args) (bool, error) {
	var p [1]Value
	if err := sigTestSameas.bind(a, p[:]); err != nil {
		return false, err
	}
	o := p[0]
	if v.k != o.k {
		return false, nil
	}
	switch v.k {
	case KindNone:
		return true, nil
	case KindBool, KindFloat:
		return v.n == o.n, nil
	case KindInt:
		return Equal(v, o), nil
	case KindString:
		return v.s == o.s && v.safe == o.safe, nil
	case KindList, KindTuple, KindDict:
		return v.p == o.p, nil
	case KindCallable, KindObject:
		return sameRef(v.p, o.p), nil
	}
	return false, nil
}

func testIn(s *State, v Value, a Args) (bool, error) {
	var p [1]Value
	if err := sigTestIn.bind(a, p[:]); err != nil {
		return false, err
	}
	seq := p[0]
	if seq.k == KindString && v.k != KindString {
		return false, typeErrorf("'in <string>' requires string as left operand, not %s", pyType(v))
	}
	return Contains(s, seq, v)
}

// isMapping is Python's isinstance(v, Mapping): a dict, or a host object that
// can be indexed and iterated like one (dbt's relations are mappings).
func isMapping(v Value) bool {
	if v.k == KindDict {
		return true
	}
	if v.k != KindObject {
		return false
	}
	_, item := v.p.(ItemGetter)
	_, iter := v.p.(Iterable)
	_, length := v.p.(Lengther)
	return item && iter && length
}
