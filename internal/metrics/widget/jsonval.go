package widget

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// object is a JSON object being decoded field by field: each field is
// taken once, and what is left at the end is unknown to the decoder.
type object struct {
	path   string
	fields map[string]json.RawMessage
}

// asObject decodes raw as a JSON object at path.
func asObject(path string, raw json.RawMessage) (*object, error) {
	if kindOf(raw) != '{' {
		return nil, invalid("The parameter %s must be a JSON object.", path)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, invalid("The parameter %s must be a JSON object.", path)
	}
	return &object{path: path, fields: m}, nil
}

// sub returns the path of a field.
func (o *object) sub(key string) string { return o.path + "." + key }

// take removes and returns a field; a null field counts as absent.
func (o *object) take(key string) (json.RawMessage, bool) {
	raw, ok := o.fields[key]
	delete(o.fields, key)
	if !ok || kindOf(raw) == 'n' {
		return nil, false
	}
	return raw, true
}

// str takes a string field.
func (o *object) str(key string) (string, bool, error) {
	raw, ok := o.take(key)
	if !ok {
		return "", false, nil
	}
	s, err := asString(o.sub(key), raw)
	return s, true, err
}

// boolean takes a Boolean field.
func (o *object) boolean(key string) (bool, bool, error) {
	raw, ok := o.take(key)
	if !ok {
		return false, false, nil
	}
	switch kindOf(raw) {
	case 't':
		return true, true, nil
	case 'f':
		return false, true, nil
	}
	return false, true, invalid("The parameter %s must be a Boolean.", o.sub(key))
}

// number takes a finite numeric field.
func (o *object) number(key string) (float64, bool, error) {
	raw, ok := o.take(key)
	if !ok {
		return 0, false, nil
	}
	v, err := asNumber(o.sub(key), raw)
	return v, true, err
}

// integer takes an integral field within [lo, hi].
func (o *object) integer(key string, lo, hi int) (int, bool, error) {
	v, ok, err := o.number(key)
	if !ok || err != nil {
		return 0, ok, err
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, true, invalid("The value %s for parameter %s is not valid. It must be an integer from %d to %d.", fmtNumber(v), o.sub(key), lo, hi)
	}
	return int(v), true, nil
}

// rest refuses the fields nobody took: unsupported names with their
// reason, others as unknown.
func (o *object) rest(unsupportedWhy map[string]string) error {
	if len(o.fields) == 0 {
		return nil
	}
	keys := make([]string, 0, len(o.fields))
	for k := range o.fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if why, ok := unsupportedWhy[k]; ok {
			return unsupported(CodeInvalidParameterValue, "The parameter %s (%s) is not supported by Vigil.", o.sub(k), why)
		}
	}
	return invalid("The parameter %s is not a recognized field of %s.", o.sub(keys[0]), o.path)
}

// asString decodes a JSON string.
func asString(path string, raw json.RawMessage) (string, error) {
	var s string
	if kindOf(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		return "", invalid("The parameter %s must be a string.", path)
	}
	return s, nil
}

// asNumber decodes a finite JSON number.
func asNumber(path string, raw json.RawMessage) (float64, error) {
	var v float64
	k := kindOf(raw)
	if k != '0' || json.Unmarshal(raw, &v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, invalid("The parameter %s must be a finite number.", path)
	}
	return v, nil
}

// asArray decodes a JSON array.
func asArray(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	var a []json.RawMessage
	if kindOf(raw) != '[' || json.Unmarshal(raw, &a) != nil {
		return nil, invalid("The parameter %s must be an array.", path)
	}
	return a, nil
}

// kindOf classifies a JSON value by its first byte: '{', '[', '"', 't',
// 'f', 'n', or '0' for numbers (and anything else).
func kindOf(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	}
	return '0'
}

// quoteList formats valid values for a message: a, b, c.
func quoteList(vals ...string) string { return strings.Join(vals, ", ") }

// fmtNumber formats a number for a message, without an exponent.
func fmtNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
