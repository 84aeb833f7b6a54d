package protocol

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// appendJSONStruct encodes the body members of a structure as an object.
// Absent members (nil pointers, slices and maps) are omitted; an empty but
// non-nil list or map is written as [] or {}.
func appendJSONStruct(b []byte, v reflect.Value, st *structInfo) []byte {
	b = append(b, '{')
	first := true
	for _, f := range st.body {
		fv := v.Field(f.index)
		if !f.written(fv) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendJSONString(b, f.wire)
		b = append(b, ':')
		if f.ts != "" && f.ts != "unixTimestamp" && f.t.kind == kTime {
			// A member whose model names its format (schemas' iso8601
			// dates): clients parse only that format.
			b = AppendJSONString(b, formatTimestamp(f.t.value(fv).Interface().(time.Time), f.ts))
			continue
		}
		b = appendJSONValue(b, f.t.value(fv), f.t)
	}
	return append(b, '}')
}

// appendJSONValue encodes a value (not a pointer) that ti describes.
func appendJSONValue(b []byte, v reflect.Value, ti *typeInfo) []byte {
	switch ti.kind {
	case kString, kEnum:
		return AppendJSONString(b, v.String())
	case kBool:
		return strconv.AppendBool(b, v.Bool())
	case kInt32, kInt64:
		return strconv.AppendInt(b, v.Int(), 10)
	case kFloat32:
		return appendJSONFloat(b, v.Float(), 32)
	case kFloat64:
		return appendJSONFloat(b, v.Float(), 64)
	case kTime:
		return appendEpoch(b, v.Interface().(time.Time))
	case kBlob:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"')
	case kList:
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONValue(b, v.Index(i), ti.elem)
		}
		return append(b, ']')
	case kMap:
		b = append(b, '{')
		for i, k := range sortedMapKeys(v) {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k.String())
			b = append(b, ':')
			b = appendJSONValue(b, v.MapIndex(k), ti.elem)
		}
		return append(b, '}')
	case kStruct:
		return appendJSONStruct(b, v, ti.st)
	case kDocument:
		if v.IsNil() {
			return append(b, "null"...)
		}
		doc, err := json.Marshal(v.Interface())
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, doc...)
	}
	panic("BUG: protocol: unhandled kind in JSON encoder")
}

func appendJSONFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// appendEpoch writes epoch seconds with millisecond precision.
func appendEpoch(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(b, ms/1000, 10)
	}
	return strconv.AppendFloat(b, float64(ms)/1000, 'f', -1, 64)
}

// AppendJSONString writes s as a JSON string, escaping what JSON requires
// (and no more); invalid UTF-8 becomes U+FFFD. The audit hook writes
// CloudTrail records with it too.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// sortedMapKeys returns a map's keys in order, for deterministic output.
func sortedMapKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

// sortedKeys returns the keys of a document object in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
