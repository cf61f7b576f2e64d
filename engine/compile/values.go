package compile

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// toGo converts a template value into plain Go data: nil, bool, int, float64,
// string, []any, map[string]any, or one of this package's objects (relations,
// datetimes) unchanged.
func toGo(v *exec.Value) any {
	if v == nil || v.IsNil() {
		return nil
	}
	return plain(v.Interface())
}

func plain(x any) any {
	switch t := x.(type) {
	case nil:
		return nil
	case *exec.Value:
		return toGo(t)
	case string, bool, int, float64:
		return t
	case exec.ValuesList:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toGo(e)
		}
		return out
	case *exec.ValuesList:
		return plain(*t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	case *[]any:
		return plain(*t)
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out
	case *exec.Dict:
		out := make(map[string]any, len(t.Pairs))
		for _, p := range t.Pairs {
			out[p.Key.String()] = toGo(p.Value)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = plain(e)
		}
		return out
	case safeString:
		return string(t)
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		for _, k := range rv.MapKeys() {
			out[fmt.Sprint(k.Interface())] = plain(rv.MapIndex(k).Interface())
		}
		return out
	case reflect.Pointer:
		if rv.Elem().Kind() == reflect.Slice {
			return plain(rv.Elem().Interface())
		}
	}
	return x
}

type safeString string

// pyRepr renders a Go value the way Python's str() would inside a container
// (strings quoted), used for var() values and tojson-free printing.
func pyStr(x any) string {
	switch t := x.(type) {
	case nil:
		return "None"
	case string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(t)
	case float64:
		return exec.AsValue(t).String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = "'" + k + "': " + pyRepr(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(x)
}

func pyRepr(x any) string {
	if s, ok := x.(string); ok {
		return "'" + s + "'"
	}
	return pyStr(x)
}

// argString returns a positional or keyword argument as a string.
func argAt(va *exec.VarArgs, i int, kw string) (*exec.Value, bool) {
	if i >= 0 && i < len(va.Args) {
		return va.Args[i], true
	}
	if kw != "" {
		if v, ok := va.KwArgs[kw]; ok {
			return v, true
		}
	}
	return nil, false
}

func argStr(va *exec.VarArgs, i int, kw string) (string, bool) {
	v, ok := argAt(va, i, kw)
	if !ok || v.IsNil() {
		return "", false
	}
	return v.String(), true
}

func errValue(err error) *exec.Value { return exec.AsValue(err) }
