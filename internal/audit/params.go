package audit

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/protocol"
)

// Params returns v, an operation's input or output, as CloudTrail writes
// request parameters and response elements: a JSON object whose members
// are named as in the API with a lower-case first letter ("logGroupName",
// "alarmName"), absent members left out. nil (or a nil pointer) gives
// nil, which a TrailRecord writes as null.
//
// Members are named by their `aws` tag (the generated API types), else
// their `json` tag, else their Go name. Blobs are base64, timestamps RFC
// 3339 in UTC (where AWS writes some services' in their own forms), and
// map members sorted by key.
func Params(v any) json.RawMessage {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return nil
	}
	return appendParam(make([]byte, 0, 1024), rv, 0)
}

// maxParamDepth bounds the nesting Params follows; deeper values are
// written as null.
const maxParamDepth = 64

var (
	timeType       = reflect.TypeFor[time.Time]()
	readCloserType = reflect.TypeFor[io.ReadCloser]()
)

func appendParam(b []byte, v reflect.Value, depth int) []byte {
	if depth > maxParamDepth {
		return append(b, "null"...)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return appendParam(b, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			b = append(b, '"')
			b = v.Interface().(time.Time).UTC().AppendFormat(b, time.RFC3339Nano)
			return append(b, '"')
		}
		return appendParamStruct(b, v, depth)
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...)
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, v.Bytes())
			return append(b, '"')
		}
		return appendParamList(b, v, depth)
	case reflect.Array:
		return appendParamList(b, v, depth)
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return appendParamMap(b, v, depth)
	case reflect.String:
		return protocol.AppendJSONString(b, v.String())
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32:
		return appendFloat(b, v.Float(), 32)
	case reflect.Float64:
		return appendFloat(b, v.Float(), 64)
	default: // channels, functions, complex numbers: nothing CloudTrail shows
		return append(b, "null"...)
	}
}

func appendParamStruct(b []byte, v reflect.Value, depth int) []byte {
	b = append(b, '{')
	first := true
	for _, f := range paramFieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if absentParam(fv) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = protocol.AppendJSONString(b, f.name)
		b = append(b, ':')
		if f.sensitive {
			// CloudTrail's placeholder for what a model marks sensitive
			// (passwords, API keys, client secrets).
			b = append(b, `"HIDDEN_DUE_TO_SECURITY_REASONS"`...)
			continue
		}
		b = appendParam(b, fv, depth+1)
	}
	return append(b, '}')
}

func appendParamList(b []byte, v reflect.Value, depth int) []byte {
	b = append(b, '[')
	for i := range v.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendParam(b, v.Index(i), depth+1)
	}
	return append(b, ']')
}

func appendParamMap(b []byte, v reflect.Value, depth int) []byte {
	type entry struct {
		key string
		v   reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		entries = append(entries, entry{mapKey(it.Key()), it.Value()})
	}
	slices.SortFunc(entries, func(x, y entry) int { return strings.Compare(x.key, y.key) })
	b = append(b, '{')
	for i, en := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = protocol.AppendJSONString(b, en.key)
		b = append(b, ':')
		b = appendParam(b, en.v, depth+1)
	}
	return append(b, '}')
}

func mapKey(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	case reflect.Bool:
		return strconv.FormatBool(k.Bool())
	default:
		return k.Type().String()
	}
}

// absentParam reports whether a member is absent (nil) or not data, and
// so left out.
func absentParam(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface:
		// A streamed body (S3's object data) is no parameter.
		return v.IsNil() || v.Type() == readCloserType
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.String:
		// An enum member not given (the generated types hold enums as
		// named strings, "" when absent).
		return v.Len() == 0 && v.Type().PkgPath() != ""
	}
	return false
}

// appendFloat writes f as encoding/json does; NaN and the infinities,
// which JSON has no numbers for, as the strings the AWS JSON protocols
// use.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

// paramField is a member Params writes.
type paramField struct {
	index int
	name  string
	// sensitive members (the model's "sensitive" shapes) are written as
	// CloudTrail hides them.
	sensitive bool
}

// paramFields caches the members of each struct type, by reflect.Type.
var paramFields sync.Map

func paramFieldsOf(t reflect.Type) []paramField {
	if fs, ok := paramFields.Load(t); ok {
		return fs.([]paramField)
	}
	var fs []paramField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, sensitive := sf.Name, false
		if tag, ok := sf.Tag.Lookup("aws"); ok {
			n, opts, _ := strings.Cut(tag, ",")
			if n != "" {
				name = n
			}
			sensitive = slices.Contains(strings.Split(opts, ","), "sensitive")
		} else if tag, ok := sf.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		fs = append(fs, paramField{index: i, name: lowerFirst(name), sensitive: sensitive})
	}
	paramFields.Store(t, fs)
	return fs
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
