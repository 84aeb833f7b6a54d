package protocol

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
	"unicode/utf8"
)

// The decoders read untrusted bytes: they must never panic, and whatever
// they accept must survive validation and re-encoding.

func fuzzDecoded(t *testing.T, v *tAll) {
	_ = testService(AWSJSON11).Validate(v)
	rv := reflect.ValueOf(v).Elem()
	st := infoOf(reflect.TypeFor[tAll]()).st
	_ = appendJSONStruct(nil, rv, st)
	_ = appendCBORStruct(nil, rv, st)
	_ = appendXMLMembers(nil, rv, st)
}

func FuzzJSONDecode(f *testing.F) {
	for _, seed := range []string{`{}`, `{"str":"abc","list":["a"],"structs":[{"name":"x","count":2}]}`,
		`{"map":{"k":"v"},"time":1.5,"f64":"NaN","blob":"AAE=","doc":{"a":[1,null]}}`, `{"deep":{"deep":{}}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := new(tAll)
		if decodeJSON(data, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[tAll]())) == nil {
			fuzzDecoded(t, v)
		}
	})
}

func FuzzCBORDecode(f *testing.F) {
	st := infoOf(reflect.TypeFor[tAll]()).st
	f.Add(appendCBORStruct(nil, reflect.ValueOf(*sample()), st))
	f.Add([]byte{0xbf, 0x64, 'l', 'i', 's', 't', 0x9f, 0x61, 'a', 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		v := new(tAll)
		if decodeCBOR(data, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[tAll]())) == nil {
			fuzzDecoded(t, v)
		}
	})
}

func FuzzQueryDecode(f *testing.F) {
	f.Add("Action=Echo&str=abc&list.member.1=x&structs.member.1.name=a&map.entry.1.key=k&map.entry.1.value=v&deep.deep.str=x")
	f.Add("colors=&time=2023-01-01T00:00:00Z&blob=AAE%3D")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		v := new(tAll)
		if decodeQuery(form, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[tAll]())) == nil {
			fuzzDecoded(t, v)
		}
	})
}

func FuzzXMLDecode(f *testing.F) {
	f.Add([]byte(`<R><str>abc</str><list><member>x</member></list><map><entry><key>k</key><value>v</value></entry></map></R>`))
	f.Add([]byte(`<R><structs><member><name>a</name></member></structs><deep><deep/></deep></R>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := new(tAll)
		if decodeXML(data, reflect.ValueOf(v).Elem(), infoOf(reflect.TypeFor[tAll]())) == nil {
			fuzzDecoded(t, v)
		}
	})
}

// FuzzJSONString checks string decoding against encoding/json: what the
// decoder accepts must read as encoding/json reads it, and what
// encoding/json refuses the decoder must refuse too (it also refuses
// invalid UTF-8, which encoding/json replaces).
func FuzzJSONString(f *testing.F) {
	for _, seed := range []string{`abc`, `a\"b\\c\/d\b\f\n\r\t`, `\u00e9\ud83d\ude00x`, `\ud800`, `{\"level\":\"INFO\"}`, "\x01", `\`, `\x`, `\u12`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		data := []byte(`"` + body + `"`)
		d := &jsonDecoder{data: data}
		got, err := d.strBytes()
		ok := err == nil && d.pos == len(data) // the whole input is one string
		var want string
		wantErr := json.Unmarshal(data, &want)
		switch {
		case ok && wantErr != nil:
			t.Fatalf("%q: decoded %q; encoding/json refuses it: %v", data, got, wantErr)
		case ok && string(got) != want:
			t.Fatalf("%q: decoded %q; encoding/json reads %q", data, got, want)
		case !ok && wantErr == nil && utf8.Valid(data):
			t.Fatalf("%q: refused (%v); encoding/json reads %q", data, err, want)
		}
	})
}
