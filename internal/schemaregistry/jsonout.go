package schemaregistry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// The documents this package writes (discovered schemas, exports) keep
// their members in the order AWS writes them, which a Go map cannot: obj
// is an object whose members keep the order they were set in.

// obj is a JSON object whose members keep their order.
type obj struct {
	keys []string
	vals []any
}

// set appends a member.
func (o *obj) set(k string, v any) *obj {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// decode reads a JSON document into maps ([]any, string, json.Number,
// bool, nil), its numbers kept as written. It refuses anything after the
// document.
func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if off := d.InputOffset(); len(bytes.TrimLeft(b[off:], " \t\r\n")) > 0 {
		return nil, fmt.Errorf("invalid character after the JSON document at offset %d", off)
	}
	return v, nil
}

// sortedObj turns the maps of a decoded document into objs whose
// members are in key order, as Go's encoder writes maps.
func sortedObj(v any) any {
	switch x := v.(type) {
	case map[string]any:
		o := &obj{}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			o.set(k, sortedObj(x[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = sortedObj(e)
		}
		return out
	}
	return v
}

// marshal writes v compactly, without escaping <, > and & (AWS does not).
func marshal(v any) []byte {
	return appendJSON(nil, v)
}

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case *obj:
		b = append(b, '{')
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x.vals[i])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return appendJSON(b, l)
	case string:
		return appendString(b, x)
	case json.Number:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	case nil:
		return append(b, "null"...)
	case map[string]any:
		return appendJSON(b, sortedObj(x))
	}
	panic(fmt.Sprintf("BUG: schemaregistry: cannot write a %T as JSON", v))
}

// appendString writes s as a JSON string, as encoding/json does but for
// <, > and &, which it leaves alone.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic("BUG: schemaregistry: cannot write a string: " + err.Error())
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
