package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/protocol/cbor"
)

func decodeInto[T any](t *testing.T, decode func([]byte, reflect.Value, *typeInfo) error, data []byte) (*T, error) {
	t.Helper()
	v := new(T)
	err := decode(data, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[T]()))
	return v, err
}

func TestRoundTrips(t *testing.T) {
	want := sample()
	st := infoOf(reflect.TypeFor[tAll]()).st
	v := reflect.ValueOf(want).Elem()

	for _, c := range []struct {
		name   string
		encode func([]byte, reflect.Value, *structInfo) []byte
		decode func([]byte, reflect.Value, *typeInfo) error
	}{{"json", appendJSONStruct, decodeJSON}, {"cbor", appendCBORStruct, decodeCBOR}} {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeInto[tAll](t, c.decode, c.encode(nil, v, st))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	t.Run("xml", func(t *testing.T) {
		noDoc := *want
		noDoc.Doc = nil
		ti := infoOf(reflect.TypeFor[tAll]())
		data := appendXMLMember(nil, "Root", reflect.ValueOf(noDoc), ti, nil)
		got, err := decodeInto[tAll](t, decodeXML, data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, &noDoc) {
			t.Errorf("XML round trip of %s:\n got %+v\nwant %+v", data, got, &noDoc)
		}
	})
}

func TestJSONDecodeForms(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(*tAll) bool
	}{
		{"empty body", ``, func(v *tAll) bool { return reflect.DeepEqual(v, &tAll{}) }},
		{"null members are absent", `{"str":null,"list":null}`, func(v *tAll) bool { return v.Str == nil && v.List == nil }},
		{"unknown members are ignored", `{"zzz":{"a":[1,2,{"b":null}]},"i32":5}`, func(v *tAll) bool { return *v.I32 == 5 }},
		{"integer timestamp", `{"time":1700000000}`, func(v *tAll) bool { return v.Time.Equal(time.Unix(1700000000, 0)) }},
		{"fractional timestamp", `{"time":1700000000.25}`, func(v *tAll) bool { return v.Time.Equal(time.UnixMilli(1700000000250)) }},
		{"ISO timestamp", `{"time":"2023-11-14T22:13:20Z"}`, func(v *tAll) bool { return v.Time.Equal(time.Unix(1700000000, 0)) }},
		{"NaN", `{"f64":"NaN"}`, func(v *tAll) bool { return math.IsNaN(*v.F64) }},
		{"Infinity", `{"f64":"Infinity","f32":"-Infinity"}`, func(v *tAll) bool { return math.IsInf(*v.F64, 1) && math.IsInf(float64(*v.F32), -1) }},
		{"whole number with fraction", `{"i64":3.0e2}`, func(v *tAll) bool { return *v.I64 == 300 }},
		{"escapes", `{"str":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, func(v *tAll) bool { return *v.Str == "a\"\\/\b\f\n\r\té😀" }},
		{"empty list", `{"list":[]}`, func(v *tAll) bool { return v.List != nil && len(v.List) == 0 }},
		{"null list element dropped", `{"list":["a",null,"b"]}`, func(v *tAll) bool { return reflect.DeepEqual(v.List, []string{"a", "b"}) }},
		{"whitespace", " \n{ \"i32\" : 1 , \"bool\" : false } \n", func(v *tAll) bool { return *v.I32 == 1 && !*v.Bool }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeInto[tAll](t, decodeJSON, []byte(tt.body))
			if err != nil {
				t.Fatalf("decode(%s): %v", tt.body, err)
			}
			if !tt.check(got) {
				t.Errorf("decode(%s) = %+v", tt.body, got)
			}
		})
	}
}

func TestJSONDecodeErrors(t *testing.T) {
	for _, body := range []string{
		`{`, `{"str":}`, `{"str":"a"`, `{"str":"a",}`, `[]`, `{"str":1}`, `{"i32":"1"}`, `{"i32":2147483648}`,
		`{"i64":1.5}`, `{"bool":"true"}`, `{"blob":"!!"}`, `{"list":{}}`, `{"map":[]}`, `{"f64":"nan"}`,
		`{"str":"\x01"}`, "{\"str\":\"\xff\"}", `{"str":"\u12"}`, `{} {}`, `{"time":1e300}`,
		strings.Repeat(`{"deep":`, 200) + `{}` + strings.Repeat(`}`, 200),
		`{"doc":` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `}`,
	} {
		_, err := decodeInto[tAll](t, decodeJSON, []byte(body))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != "SerializationException" {
			t.Errorf("decode(%.60s) = %v; want a SerializationException", body, err)
		}
	}
}

func TestJSONEncoding(t *testing.T) {
	v := &tAll{F64: ptr(math.NaN()), F32: ptr(float32(0.1)), Time: ptr(time.Unix(1700000000, 0)), Str: ptr("\x00<\xff"), List: []string{}}
	got := string(appendJSONStruct(nil, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[tAll]()).st))
	want := `{"str":"\u0000<\ufffd","f32":0.1,"f64":"NaN","time":1700000000,"list":[]}`
	if got != want {
		t.Errorf("JSON = %s\nwant %s", got, want)
	}
}

func TestCBORDecodeForms(t *testing.T) {
	// Indefinite-length map and list, whole-number tagged timestamp,
	// float16 NaN, an integer for a float and a skipped unknown member.
	b := cbor.AppendMapStart(nil)
	b = cbor.AppendText(b, "list")
	b = cbor.AppendArrayStart(b)
	b = cbor.AppendText(b, "a")
	b = cbor.AppendBreak(b)
	b = cbor.AppendText(b, "time")
	b = cbor.AppendTag(b, 1)
	b = cbor.AppendUint(b, 1700000000)
	b = cbor.AppendText(b, "f64")
	b = cbor.AppendFloat64(b, math.NaN())
	b = cbor.AppendText(b, "f32")
	b = cbor.AppendUint(b, 2)
	b = cbor.AppendText(b, "unknown")
	b = cbor.AppendMapHeader(b, 1)
	b = cbor.AppendText(b, "x")
	b = cbor.AppendBytes(b, []byte{1})
	b = cbor.AppendText(b, "str")
	b = cbor.AppendNull(b)
	b = cbor.AppendBreak(b)
	got, err := decodeInto[tAll](t, decodeCBOR, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.List, []string{"a"}) || !got.Time.Equal(time.Unix(1700000000, 0)) ||
		!math.IsNaN(*got.F64) || *got.F32 != 2 || got.Str != nil {
		t.Errorf("decode = %+v", got)
	}
	for _, bad := range [][]byte{{0xbf}, {0xa1, 0x63, 'i', '3', '2', 0x63, 'a', 'b', 'c'}, {0x01}, {0xa1, 0x64, 't', 'i', 'm', 'e', 0xc2, 0x01}} {
		if _, err := decodeInto[tAll](t, decodeCBOR, bad); err == nil {
			t.Errorf("decode(% x) succeeded; want an error", bad)
		}
	}
}

func TestQueryDecode(t *testing.T) {
	form, _ := url.ParseQuery(strings.Join([]string{
		"Action=Echo", "str=abc", "color=RED", "i32=-3", "f64=NaN", "bool=true", "time=2023-11-14T22:13:20.000Z",
		"blob=AAEC", "list.member.1=x", "list.member.2=y", "structs.member.1.name=a", "structs.member.1.count=2",
		"structs.member.2.name=b", "map.entry.1.key=k", "map.entry.1.value=v", "nested.name=n", "colors=",
		"deep.list.member.1=z",
	}, "&"))
	got := new(tAll)
	if err := decodeQuery(form, reflect.ValueOf(got).Elem(), infoOf(reflect.TypeFor[tAll]())); err != nil {
		t.Fatal(err)
	}
	want := &tAll{Str: ptr("abc"), Color: "RED", I32: ptr(int32(-3)), Bool: ptr(true), Time: ptr(time.Unix(1700000000, 0).UTC()),
		Blob: []byte{0, 1, 2}, List: []string{"x", "y"}, Structs: []tInner{{Name: ptr("a"), Count: ptr(int32(2))}, {Name: ptr("b")}},
		Map: map[string]string{"k": "v"}, Nested: &tInner{Name: ptr("n")}, Colors: []tColor{}, Deep: &tAll{List: []string{"z"}}}
	if !math.IsNaN(*got.F64) {
		t.Errorf("f64 = %v; want NaN", *got.F64)
	}
	got.F64 = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query decode:\n got %+v\nwant %+v", got, want)
	}

	form, _ = url.ParseQuery("Flat.1=a&Flat.2=b&Named.Item.1=c&Entry.1.K=k&Entry.1.V=v&Entry.2.K=k2&Entry.2.V=v2")
	flat := new(tFlat)
	if err := decodeQuery(form, reflect.ValueOf(flat).Elem(), infoOf(reflect.TypeFor[tFlat]())); err != nil {
		t.Fatal(err)
	}
	wantFlat := &tFlat{Flat: []string{"a", "b"}, Named: []string{"c"}, Entry: map[string]string{"k": "v", "k2": "v2"}}
	if !reflect.DeepEqual(flat, wantFlat) {
		t.Errorf("flattened query decode = %+v; want %+v", flat, wantFlat)
	}

	for _, bad := range []string{"i32=x", "bool=yes", "time=yesterday", "blob=!!", "i32=99999999999"} {
		form, _ := url.ParseQuery(bad)
		err := decodeQuery(form, reflect.ValueOf(new(tAll)).Elem(), infoOf(reflect.TypeFor[tAll]()))
		if err == nil {
			t.Errorf("decodeQuery(%s) succeeded; want an error", bad)
		}
	}
}

func TestXMLEncoding(t *testing.T) {
	v := tFlat{Flat: []string{"a", "b"}, Named: []string{"c"}, Entry: map[string]string{"k": "<&>"}}
	got := string(appendXMLMembers(nil, reflect.ValueOf(v), infoOf(reflect.TypeFor[tFlat]()).st))
	want := `<Flat>a</Flat><Flat>b</Flat><Named><Item>c</Item></Named><Entry><K>k</K><V>&lt;&amp;&gt;</V></Entry>`
	if got != want {
		t.Errorf("XML = %s\nwant %s", got, want)
	}
}

// TestAlwaysLists: a list marked always is written empty when absent (AWS
// returns GetMetricData's Values: [] and boto3 code reads it), in every
// encoding; other absent lists stay absent.
func TestAlwaysLists(t *testing.T) {
	v := reflect.ValueOf(tAlways{})
	st := infoOf(reflect.TypeFor[tAlways]()).st
	if got, want := string(appendJSONStruct(nil, v, st)), `{"Values":[]}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	if got, want := string(appendXMLMembers(nil, v, st)), `<Values></Values>`; got != want {
		t.Errorf("XML = %s, want %s", got, want)
	}
	b := appendCBORStruct(nil, v, st)
	if got, err := cborAny(cbor.NewReader(b)); err != nil || fmt.Sprint(got) != "map[Values:[]]" {
		t.Errorf("CBOR = %v, %v; want map[Values:[]]", got, err)
	}
}

func TestXMLDecodeErrors(t *testing.T) {
	for _, body := range []string{`<a><str>x</a>`, `<a><i32>x</i32></a>`, strings.Repeat(`<deep>`, 200)} {
		if _, err := decodeInto[tAll](t, decodeXML, []byte(body)); err == nil {
			t.Errorf("decodeXML(%.40s) succeeded; want an error", body)
		}
	}
}

// cborOf converts a JSON document to CBOR, keeping member order
// (indefinite-length maps and arrays, numbers as float64).
func cborOf(t *testing.T, doc string) []byte {
	t.Helper()
	var b []byte
	dec := json.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b
		}
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				b = cbor.AppendMapStart(b)
			case '[':
				b = cbor.AppendArrayStart(b)
			default:
				b = cbor.AppendBreak(b)
			}
		case string:
			b = cbor.AppendText(b, v)
		case float64:
			b = cbor.AppendFloat64(b, v)
		default:
			t.Fatalf("cborOf: unsupported token %v", tok)
		}
	}
}

// TestDecodeErrorPath: a type mismatch names the member by its path, list
// elements by their 1-based index, in both decoders.
func TestDecodeErrorPath(t *testing.T) {
	for name, tc := range map[string]struct {
		decode func([]byte, reflect.Value, *typeInfo) error
		body   []byte
		want   string
	}{
		"json":           {decodeJSON, []byte(`{"structs":[{}, {"count":1.5}]}`), "structs.2.count"},
		"cbor":           {decodeCBOR, cborOf(t, `{"structs":[{}, {"count":1.5}]}`), "structs.2.count"},
		"json deep list": {decodeJSON, []byte(`{"structs":[{}],"deep":{"nested":{},"structs":[{"count":1},{"count":"x"}]}}`), "deep.structs.2.count"},
		"json deep map":  {decodeJSON, []byte(`{"map":{"a":"b"},"deep":{"deep":{"map":{"a":"ok","k":1}}}}`), "deep.deep.map.k"},
		// Path nodes are reused by depth: a map or list under another
		// must not lose or repeat segments.
		"cbor after a map":  {decodeCBOR, cborOf(t, `{"structs":[],"deep":{"map":{"a":"ok"},"structs":[{},{"count":1.5}]}}`), "deep.structs.2.count"},
		"json after a list": {decodeJSON, []byte(`{"deep":{"structs":[{"count":1}],"nested":{"count":"x"}}}`), "deep.nested.count"},
	} {
		_, err := decodeInto[tAll](t, tc.decode, tc.body)
		if err == nil || !strings.Contains(err.Error(), "'"+tc.want+"'") {
			t.Errorf("%s: err = %v; want it to name '%s'", name, err, tc.want)
		}
	}
}
