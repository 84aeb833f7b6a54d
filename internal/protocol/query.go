package protocol

import (
	"encoding/base64"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// awsQuery requests are forms: Action=Op&Version=V&Member=…, nested members
// as A.B, lists as A.member.N (1-based; the list member's locationName
// replaces "member"; flattened lists A.N), maps as A.entry.N.key and
// A.entry.N.value (custom names possible; flattened maps A.N.key), and an
// empty list as A= with no value.

type queryDecoder struct {
	form     url.Values
	prefixes map[string]bool // every dotted prefix of every key
}

// decodeQuery decodes the form into dst, which ti describes.
func decodeQuery(form url.Values, dst reflect.Value, ti *typeInfo) error {
	q := &queryDecoder{form: form, prefixes: make(map[string]bool, len(form)*2)}
	for k := range form {
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				q.prefixes[k[:i]] = true
			}
		}
	}
	return q.structure("", ti.deref(dst), ti.st)
}

func (q *queryDecoder) has(name string) bool {
	if _, ok := q.form[name]; ok {
		return true
	}
	return q.prefixes[name]
}

func (q *queryDecoder) structure(prefix string, sv reflect.Value, st *structInfo) error {
	for _, f := range st.fields {
		if f.loc != locBody {
			continue
		}
		if err := q.value(prefix+f.queryName(), sv.Field(f.index), f.t, f); err != nil {
			return err
		}
	}
	return nil
}

// value decodes the parameter(s) named name into dst; f carries list and
// map naming and is nil for nested elements.
func (q *queryDecoder) value(name string, dst reflect.Value, ti *typeInfo, f *fieldInfo) error {
	switch ti.kind {
	case kStruct:
		if !q.prefixes[name] {
			return nil
		}
		return q.structure(name+".", ti.deref(dst), ti.st)
	case kList:
		return q.list(name, dst, ti, f)
	case kMap:
		return q.mapValue(name, dst, ti, f)
	}
	vals, ok := q.form[name]
	if !ok {
		return nil
	}
	return setScalarText(dst, ti, vals[0], name)
}

func (q *queryDecoder) list(name string, dst reflect.Value, ti *typeInfo, f *fieldInfo) error {
	if vals, ok := q.form[name]; ok && len(vals) > 0 && vals[0] == "" && !q.prefixes[name] {
		dst.Set(reflect.MakeSlice(ti.typ, 0, 0))
		return nil
	}
	itemPrefix := name + ".member"
	if f != nil {
		itemPrefix = name + "." + f.listMemberName()
		if f.flat {
			itemPrefix = name
			if f.member != "" {
				// A flattened list whose member has a locationName uses
				// that name in place of the list's own last segment.
				if i := strings.LastIndexByte(name, '.'); i >= 0 {
					itemPrefix = name[:i+1] + f.member
				} else {
					itemPrefix = f.member
				}
			}
		}
	}
	if !q.prefixes[itemPrefix] {
		return nil
	}
	sv := reflect.MakeSlice(ti.typ, 0, 4)
	for i := 1; ; i++ {
		key := itemPrefix + "." + strconv.Itoa(i)
		if !q.has(key) {
			break
		}
		sv = reflect.Append(sv, reflect.Zero(ti.elem.typ))
		if err := q.value(key, sv.Index(i-1), ti.elem, nil); err != nil {
			return err
		}
	}
	dst.Set(sv)
	return nil
}

func (q *queryDecoder) mapValue(name string, dst reflect.Value, ti *typeInfo, f *fieldInfo) error {
	entryPrefix, keyName, valueName := name+".entry", "key", "value"
	if f != nil {
		keyName, valueName = f.mapKeyName(), f.mapValueName()
		if f.flat {
			entryPrefix = name
		}
	}
	if !q.prefixes[entryPrefix] {
		return nil
	}
	m := reflect.MakeMap(ti.typ)
	for i := 1; ; i++ {
		entry := entryPrefix + "." + strconv.Itoa(i)
		keys, ok := q.form[entry+"."+keyName]
		if !ok {
			break
		}
		kv := reflect.New(ti.key.typ).Elem()
		kv.SetString(keys[0])
		ev := reflect.New(ti.elem.typ).Elem()
		if err := q.value(entry+"."+valueName, ev, ti.elem, nil); err != nil {
			return err
		}
		m.SetMapIndex(kv, ev)
	}
	dst.Set(m)
	return nil
}

// setScalarText parses the text form of a scalar (query parameters, XML
// text, REST headers and query strings) into dst.
func setScalarText(dst reflect.Value, ti *typeInfo, s, name string) error {
	bad := func(want string) error {
		return &Error{Code: "SerializationException", QueryCode: "MalformedInput", Status: 400,
			Message: "Value '" + s + "' for parameter " + name + " is invalid: expected " + want}
	}
	switch ti.kind {
	case kString, kEnum:
		ti.deref(dst).SetString(s)
	case kBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return bad("true or false")
		}
		ti.deref(dst).SetBool(b)
	case kInt32, kInt64:
		bits := 64
		if ti.kind == kInt32 {
			bits = 32
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return bad("an integer")
		}
		ti.deref(dst).SetInt(n)
	case kFloat32, kFloat64:
		f, ok := nonFinite(s)
		if !ok {
			var err error
			f, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil && !math.IsInf(f, 0) {
				return bad("a number")
			}
		}
		ti.deref(dst).SetFloat(f)
	case kTime:
		t, err := parseTimestamp(s)
		if err != nil {
			return bad("a timestamp")
		}
		ti.deref(dst).Set(reflect.ValueOf(t))
	case kBlob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad("base64 data")
		}
		dst.SetBytes(b)
	case kDocument:
		dst.Set(reflect.ValueOf(s))
	default:
		return bad("a scalar")
	}
	return nil
}
