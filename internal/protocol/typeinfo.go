package protocol

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// The generated API types describe their wire form in struct tags:
//
//	Field *string `aws:"wireName,opt,opt=value,…"`
//
// The first element is the member's wire name (JSON key, CBOR key, query
// parameter, XML element, header, URI label or query-string name). Options:
//
//	req                      the member is required
//	min=N max=N pat=I        length (strings, blobs, lists, maps) or range
//	                         (numbers) bounds; pattern I of Service.Patterns
//	e.… k.… v.…              the same constraints on list elements, map keys
//	                         and map values
//	loc=header|headers|uri|query|status
//	                         REST location (default: the body)
//	payload                  the member is the REST body
//	flat member=N key=N value=N
//	                         XML and query list/map naming
//	query=N                  the member's name in awsQuery requests and
//	                         responses when it differs from its JSON name
//	                         (SQS, whose JSON model dropped the query names)
//	always                   a list responses carry even when empty
//	attr ns=URI              XML attribute; XML namespace
//	ts=iso8601|unixTimestamp|rfc822
//	                         timestamp format override
//	jsonvalue sensitive idempotency hostlabel streaming eventstream
//	eventpayload eventheader document
//
// A blank field `_ struct{} `aws:",union,xmlname=N,ns=URI,nsprefix=P"``
// carries options of the structure itself.

// kind classifies Go types the protocol layer handles.
type kind uint8

const (
	kString kind = iota
	kEnum
	kBool
	kInt32
	kInt64
	kFloat32
	kFloat64
	kTime
	kBlob
	kList
	kMap
	kStruct
	kDocument
	// kStream is a streaming blob (io.ReadCloser): a REST payload read
	// and written as it travels.
	kStream
)

// streamType is the Go type of streaming blobs.
var streamType = reflect.TypeFor[io.ReadCloser]()

// location is where a REST member travels.
type location uint8

const (
	locBody location = iota
	locHeader
	locHeaders
	locURI
	locQuery
	locStatus
)

// typeInfo describes one Go type of the generated API.
type typeInfo struct {
	id   int // small and unique: decoders index per-request state by it
	kind kind
	typ  reflect.Type // the type itself, pointer included
	ptr  bool         // typ is a pointer to the value
	base reflect.Type // the pointed-to type when ptr
	st   *structInfo  // kStruct
	elem *typeInfo    // kList, kMap values
	key  *typeInfo    // kMap keys
	enum []string     // kEnum values
}

// constraints are the model's validation constraints on one value.
type constraints struct {
	min, max       float64
	hasMin, hasMax bool
	pat            int // index into Service.Patterns, -1 for none
}

func (c constraints) any() bool { return c.hasMin || c.hasMax || c.pat >= 0 }

// fieldInfo describes one member of a structure.
type fieldInfo struct {
	index     int
	bodyIndex int    // position in structInfo.body, -1 when not there
	name      string // Go field name
	wire      string // wire name
	path      string // name in validation messages (lowerCamel)
	t         *typeInfo
	loc       location
	required  bool
	c         constraints
	elem      constraints // list elements and map values
	key       constraints // map keys

	member, keyName, valueName  string
	flat, attr, payload, always bool
	sensitive, jsonValue        bool
	streaming, eventStream      bool
	ns                          string
	ts                          string
	// query is the name in awsQuery requests and responses ("": wire).
	query string
}

// queryName is the member's name in awsQuery requests and responses.
func (f *fieldInfo) queryName() string {
	if f.query != "" {
		return f.query
	}
	return f.wire
}

// structInfo describes a generated structure.
type structInfo struct {
	fields   []*fieldInfo
	byWire   map[string]*fieldInfo // body members by wire name
	union    bool
	xmlName  string
	ns       string
	nsPrefix string
	payload  *fieldInfo
	body     []*fieldInfo // members that travel in the body
}

var (
	typeCache sync.Map // reflect.Type → *typeInfo
	typeIDs   atomic.Int64
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	enumIface = reflect.TypeFor[Enum]()
)

// infoOf returns the (cached) description of t.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := buildInfo(t, map[reflect.Type]*typeInfo{})
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

// buildInfo describes t; inProgress breaks the recursion of recursive
// structures.
func buildInfo(t reflect.Type, inProgress map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	if ti, ok := inProgress[t]; ok {
		return ti
	}
	ti := &typeInfo{typ: t, id: int(typeIDs.Add(1))}
	inProgress[t] = ti
	base := t
	if t.Kind() == reflect.Pointer {
		ti.ptr, base = true, t.Elem()
		ti.base = base
	}
	switch {
	case base == timeType:
		ti.kind = kTime
	case base.Kind() == reflect.String:
		ti.kind = kString
		if base.Implements(enumIface) {
			ti.kind = kEnum
			ti.enum = reflect.Zero(base).Interface().(Enum).Values()
		}
	case base.Kind() == reflect.Bool:
		ti.kind = kBool
	case base.Kind() == reflect.Int32:
		ti.kind = kInt32
	case base.Kind() == reflect.Int64:
		ti.kind = kInt64
	case base.Kind() == reflect.Float32:
		ti.kind = kFloat32
	case base.Kind() == reflect.Float64:
		ti.kind = kFloat64
	case base.Kind() == reflect.Slice && base.Elem().Kind() == reflect.Uint8:
		ti.kind = kBlob
	case base.Kind() == reflect.Slice:
		ti.kind = kList
		ti.elem = buildInfo(base.Elem(), inProgress)
	case base.Kind() == reflect.Map:
		ti.kind = kMap
		ti.key = buildInfo(base.Key(), inProgress)
		ti.elem = buildInfo(base.Elem(), inProgress)
	case base.Kind() == reflect.Struct:
		ti.kind = kStruct
		ti.st = buildStruct(base, inProgress)
	case base == streamType:
		ti.kind = kStream
	case base.Kind() == reflect.Interface:
		ti.kind = kDocument
	default:
		panic(fmt.Sprintf("BUG: protocol: unsupported API type %s", t))
	}
	return ti
}

func buildStruct(t reflect.Type, inProgress map[reflect.Type]*typeInfo) *structInfo {
	st := &structInfo{byWire: map[string]*fieldInfo{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("aws")
		if !ok {
			continue
		}
		parts := strings.Split(tag, ",")
		if sf.Name == "_" {
			for _, p := range parts[1:] {
				k, v, _ := strings.Cut(p, "=")
				switch k {
				case "union":
					st.union = true
				case "xmlname":
					st.xmlName = v
				case "ns":
					st.ns = v
				case "nsprefix":
					st.nsPrefix = v
				}
			}
			continue
		}
		f := &fieldInfo{
			index: i, name: sf.Name, wire: parts[0], path: lowerFirst(parts[0]),
			c: constraints{pat: -1}, elem: constraints{pat: -1}, key: constraints{pat: -1},
		}
		f.t = buildInfo(sf.Type, inProgress)
		for _, p := range parts[1:] {
			parseOption(f, p)
		}
		st.fields = append(st.fields, f)
		if f.payload {
			st.payload = f
		}
		f.bodyIndex = -1
		if f.loc == locBody {
			st.byWire[f.wire] = f
			if !f.payload {
				f.bodyIndex = len(st.body)
				st.body = append(st.body, f)
			}
		}
	}
	return st
}

func parseOption(f *fieldInfo, opt string) {
	k, v, _ := strings.Cut(opt, "=")
	target := &f.c
	switch {
	case strings.HasPrefix(k, "e."), strings.HasPrefix(k, "v."):
		target, k = &f.elem, k[2:]
	case strings.HasPrefix(k, "k."):
		target, k = &f.key, k[2:]
	}
	switch k {
	case "min":
		target.min, target.hasMin = mustFloat(v), true
	case "max":
		target.max, target.hasMax = mustFloat(v), true
	case "pat":
		target.pat = int(mustFloat(v))
	case "req":
		f.required = true
	case "loc":
		f.loc = map[string]location{"header": locHeader, "headers": locHeaders, "uri": locURI, "query": locQuery, "status": locStatus}[v]
	case "payload":
		f.payload = true
	case "flat":
		f.flat = true
	case "always":
		f.always = true
	case "member":
		f.member = v
	case "key":
		f.keyName = v
	case "value":
		f.valueName = v
	case "attr":
		f.attr = true
	case "ns":
		f.ns = v
	case "query":
		f.query = v
	case "ts":
		f.ts = v
	case "sensitive":
		f.sensitive = true
	case "jsonvalue":
		f.jsonValue = true
	case "streaming":
		f.streaming = true
	case "eventstream":
		f.eventStream = true
	}
}

func mustFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(fmt.Sprintf("BUG: protocol: bad number %q in struct tag", s))
	}
	return v
}

// lowerFirst returns s with its first letter in lower case, as AWS writes
// member names in validation messages.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// listMemberName is the XML/query element name of list members.
func (f *fieldInfo) listMemberName() string {
	if f.member != "" {
		return f.member
	}
	return "member"
}

func (f *fieldInfo) mapKeyName() string {
	if f.keyName != "" {
		return f.keyName
	}
	return "key"
}

func (f *fieldInfo) mapValueName() string {
	if f.valueName != "" {
		return f.valueName
	}
	return "value"
}

// set stores v (of the base type) into dst, allocating the pointer when the
// field is a pointer.
func (ti *typeInfo) set(dst reflect.Value, v reflect.Value) {
	if ti.ptr {
		p := reflect.New(ti.base)
		p.Elem().Set(v)
		dst.Set(p)
		return
	}
	dst.Set(v)
}

// deref returns the value behind dst, allocating it for pointers; it is how
// decoders reach the storage of a value they fill in.
func (ti *typeInfo) deref(dst reflect.Value) reflect.Value {
	if !ti.ptr {
		return dst
	}
	if dst.IsNil() {
		dst.Set(reflect.New(ti.base))
	}
	return dst.Elem()
}

// present reports whether a value is set: nil pointers, slices and maps and
// empty enums are absent.
func (ti *typeInfo) present(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return !v.IsNil()
	case reflect.String:
		return v.Len() > 0
	}
	return true
}

// written reports whether an encoder writes the member of value v: when
// it is present, and lists marked always (as empty) when absent.
func (f *fieldInfo) written(v reflect.Value) bool {
	return f.always || f.t.present(v)
}

// value returns the value behind v (v itself for non-pointers); the caller
// has checked present.
func (ti *typeInfo) value(v reflect.Value) reflect.Value {
	if ti.ptr {
		return v.Elem()
	}
	return v
}
