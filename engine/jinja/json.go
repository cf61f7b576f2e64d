package jinja

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ParseJSON decodes JSON text into a Value as Python's json.loads does:
// objects keep their key order, integers stay ints, other numbers are floats.
func ParseJSON(data []byte) (Value, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeJSON(d)
	if err != nil {
		return Value{}, err
	}
	if _, err := d.Token(); err == nil {
		return Value{}, fmt.Errorf("extra data after the JSON value")
	}
	return v, nil
}

func decodeJSON(d *json.Decoder) (Value, error) {
	tok, err := d.Token()
	if err != nil {
		return Value{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			var items []Value
			for d.More() {
				v, err := decodeJSON(d)
				if err != nil {
					return Value{}, err
				}
				items = append(items, v)
			}
			if _, err := d.Token(); err != nil {
				return Value{}, err
			}
			if items == nil {
				items = []Value{}
			}
			return NewList(items), nil
		case '{':
			out := NewDict()
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return Value{}, err
				}
				v, err := decodeJSON(d)
				if err != nil {
					return Value{}, err
				}
				out.SetStr(kt.(string), v)
			}
			if _, err := d.Token(); err != nil {
				return Value{}, err
			}
			return DictValue(out), nil
		}
	case string:
		return String(t), nil
	case bool:
		return Bool(t), nil
	case nil:
		return None, nil
	case json.Number:
		s := t.String()
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return Int(n), nil
			}
			if b, ok := new(big.Int).SetString(s, 10); ok {
				return intFromBig(b), nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return Value{}, err
		}
		return Float(f), nil
	}
	return Value{}, fmt.Errorf("unexpected JSON token %v", tok)
}
