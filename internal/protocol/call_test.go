package protocol

import (
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/protocol/cbor"
)

func TestValidate(t *testing.T) {
	svc := testService(AWSJSON11)
	tests := []struct {
		name string
		in   any
		want string // "" for valid
	}{
		{"valid", &tAll{Str: ptr("abc"), List: []string{"a"}}, ""},
		{"missing required", &tRequired{}, "1 validation error detected: Value null at 'need' failed to satisfy constraint: Member must not be null"},
		{"nested required", &tRequired{Need: ptr("x"), Items: []tInner{{Name: ptr("a")}, {}}},
			"1 validation error detected: Value null at 'items.2.member.name' failed to satisfy constraint: Member must not be null"},
		{"length and pattern", &tAll{Str: ptr("A")},
			"2 validation errors detected: Value 'A' at 'str' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
				"Value 'A' at 'str' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"max length counts characters", &tAll{Str: ptr("ééééé")}, "1 validation error detected: Value 'ééééé' at 'str' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"enum", &tAll{Color: "BLUE"}, "1 validation error detected: Value 'BLUE' at 'color' failed to satisfy constraint: Member must satisfy enum value set: [RED, GREEN]"},
		{"range", &tAll{Nested: &tInner{Name: ptr("x"), Count: ptr(int32(11))}},
			"1 validation error detected: Value '11' at 'nested.count' failed to satisfy constraint: Member must have value less than or equal to 10"},
		{"list length and elements", &tAll{List: []string{"", "a", "b", "c"}},
			"2 validation errors detected: Value '[, a, b, c]' at 'list' failed to satisfy constraint: Member must have length less than or equal to 3; " +
				"Value '[, a, b, c]' at 'list' failed to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or equal to 1]"},
		{"enum list elements", &tAll{Colors: []tColor{"RED", "X"}},
			"1 validation error detected: Value '[RED, X]' at 'colors' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [RED, GREEN]]"},
		{"map keys", &tAll{Map: map[string]string{"long": "v"}},
			"1 validation error detected: Value '{long=v}' at 'map' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.Validate(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v; want nil", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != "ValidationException" || pe.Message != tt.want {
				t.Errorf("Validate = %v\nwant ValidationException: %s", err, tt.want)
			}
		})
	}

	t.Run("missing parameters reported apart", func(t *testing.T) {
		svc := testService(AWSQuery)
		svc.MissingParameterError = "MissingParameter"
		err := svc.Validate(&tRequired{Items: []tInner{{}}})
		var pe *Error
		want := "The parameter Need is required.\nThe parameter Items.item.1.name is required."
		if !errors.As(err, &pe) || pe.Code != "MissingParameter" || pe.Message != want {
			t.Errorf("Validate = %v; want MissingParameter: %q", err, want)
		}
	})
}

func TestRouter(t *testing.T) {
	rt := NewRouter()
	js := testService(AWSJSON10, RPCv2CBOR, AWSQuery)
	js.QueryCompatible = true
	js.TargetPrefix = "com.example.Test_20200101"
	rt.Register(js, echoHandlers())
	rest := testService(RESTXML)
	rest.ID, rest.SigningName, rest.TargetPrefix, rest.APIVersion = "rest", "s3", "", "2006-03-01"
	rt.Register(rest, nil)

	req := func(method, target string, body string, hdr ...string) *Request {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return &Request{HTTP: r, Body: []byte(body)}
	}
	tests := []struct {
		name    string
		req     *Request
		kind    Kind
		op      string
		errCode string
	}{
		{"json target", req("POST", "/", "{}", "X-Amz-Target", "com.example.Test_20200101.Echo"), AWSJSON10, "Echo", ""},
		{"json short target", req("POST", "/", "{}", "X-Amz-Target", "Test_20200101.Echo"), AWSJSON10, "Echo", ""},
		{"json unknown op", req("POST", "/", "{}", "X-Amz-Target", "Test_20200101.Nope"), AWSJSON10, "", "UnknownOperationException"},
		{"json unknown service", req("POST", "/", "{}", "X-Amz-Target", "Other.Echo"), AWSJSON11, "", "UnknownOperationException"},
		{"cbor", req("POST", "/service/com.example.Test_20200101/operation/Echo", ""), RPCv2CBOR, "Echo", ""},
		{"query", req("POST", "/", "Action=Echo&Version=2020-01-01", "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), AWSQuery, "Echo", ""},
		{"query get", req("GET", "/?Action=Echo&Version=2020-01-01", ""), AWSQuery, "Echo", ""},
		{"query unknown action", req("POST", "/", "Action=Nope&Version=2020-01-01", "Content-Type", "application/x-www-form-urlencoded"), AWSQuery, "", "InvalidAction"},
		{"rest greedy key", req("GET", "/bucket/a/b%20c", ""), RESTXML, "GetThing", "NotImplemented"},
		{"rest query literal wins", req("GET", "/bucket/key?acl", ""), RESTXML, "GetAcl", "NotImplemented"},
		{"rest unimplemented", req("PUT", "/bucket/key", "data"), RESTXML, "PutThing", "NotImplemented"},
		{"rest unknown path", req("DELETE", "/bucket/key", ""), RESTXML, "", "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := rt.Route(tt.req)
			if call.Kind != tt.kind {
				t.Errorf("kind = %s; want %s", call.Kind, tt.kind)
			}
			gotOp := ""
			if call.Op != nil {
				gotOp = call.Op.Name
			}
			if gotOp != tt.op {
				t.Errorf("op = %q; want %q", gotOp, tt.op)
			}
			gotCode := ""
			if err != nil {
				gotCode = ErrorCode(call.Service, err)
			}
			if gotCode != tt.errCode {
				t.Errorf("error = %v; want code %q", err, tt.errCode)
			}
		})
	}

	restReq := req("GET", "/bucket/a/b%20c?max-keys=5&tag=x&tag=y", "", "If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT", "X-Amz-Meta-Color", "blue")
	call, err := rt.Route(restReq)
	if !errors.As(err, new(*Error)) || call.Op == nil {
		t.Fatalf("Route = %v, %v; want the op, not implemented", call, err)
	}
	in, err := call.DecodeInput(restReq.HTTP, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &tREST{Bucket: ptr("bucket"), Key: ptr("a/b c"), MaxKeys: ptr(int32(5)), Tags: []string{"x", "y"},
		Since: ptr(time.Unix(1700000000, 0).UTC()), Meta: map[string]string{"color": "blue"}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("REST input = %+v; want %+v", in, want)
	}
}

func TestWriteError(t *testing.T) {
	notFound := &tNotFound{Message: ptr("no such thing"), Resource: ptr("r1")}
	tests := []struct {
		name     string
		kind     Kind
		compat   bool
		err      error
		status   int
		headers  map[string]string
		body     string
		bodyPart string
	}{
		{name: "json 1.1 modeled", kind: AWSJSON11, err: notFound, status: 404,
			headers: map[string]string{"X-Amzn-Errortype": "ResourceNotFoundException", "X-Amzn-Query-Error": ""},
			body:    `{"__type":"ResourceNotFoundException","message":"no such thing","resourceName":"r1"}`},
		{name: "json 1.0 query compatible without query mode", kind: AWSJSON10, compat: true, err: notFound, status: 400,
			headers: map[string]string{"X-Amzn-Query-Error": "ResourceNotFound;Sender"},
			body:    `{"__type":"com.example.test#ResourceNotFoundException","message":"no such thing","resourceName":"r1"}`},
		{name: "json 1.0 generic", kind: AWSJSON10, err: SerializationError("bad"), status: 400,
			body: `{"__type":"com.amazon.coral.service#SerializationException","message":"bad"}`},
		{name: "query", kind: AWSQuery, err: notFound, status: 404,
			bodyPart: `<ErrorResponse xmlns="http://test.example.com/doc/2020-01-01/"><Error><Type>Sender</Type><Code>ResourceNotFound</Code><Message>no such thing</Message><resourceName>r1</resourceName></Error><RequestId>req-1</RequestId></ErrorResponse>`},
		{name: "s3", kind: RESTXML, err: &Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist.", Fields: []Field{{"Key", "k"}}}, status: 404,
			headers:  map[string]string{"X-Amz-Request-Id": "req-1"},
			bodyPart: `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>req-1</RequestId><HostId>req-1</HostId></Error>`},
		{name: "unknown error hides its cause", kind: AWSJSON11, err: errors.New("disk on fire"), status: 500,
			body: `{"__type":"InternalFailure","message":"The request processing has failed because of an unknown error, exception or failure."}`},
		{name: "rest json", kind: RESTJSON, err: NotImplemented(testService(), "Foo"), status: 501,
			headers: map[string]string{"X-Amzn-Errortype": "NotImplemented"},
			body:    `{"__type":"NotImplemented","message":"The operation Foo of service Test Service is not implemented by Vigil yet."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := testService(tt.kind)
			svc.QueryCompatible = tt.compat
			c := &Call{Kind: tt.kind, Service: svc}
			w := httptest.NewRecorder()
			c.WriteError(w, httptest.NewRequest("POST", "/", nil), "req-1", tt.err)
			if w.Code != tt.status {
				t.Errorf("status = %d; want %d", w.Code, tt.status)
			}
			for k, v := range tt.headers {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q; want %q", k, got, v)
				}
			}
			if tt.body != "" && w.Body.String() != tt.body {
				t.Errorf("body = %s\nwant %s", w.Body, tt.body)
			}
			if tt.bodyPart != "" && !strings.Contains(w.Body.String(), tt.bodyPart) {
				t.Errorf("body = %s\nwant it to contain %s", w.Body, tt.bodyPart)
			}
		})
	}

	t.Run("query mode keeps the modeled status", func(t *testing.T) {
		svc := testService(AWSJSON10)
		svc.QueryCompatible = true
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("X-Amzn-Query-Mode", "true")
		w := httptest.NewRecorder()
		(&Call{Kind: AWSJSON10, Service: svc}).WriteError(w, r, "id", notFound)
		if w.Code != 404 {
			t.Errorf("status = %d; want 404", w.Code)
		}
	})

	t.Run("cbor", func(t *testing.T) {
		w := httptest.NewRecorder()
		(&Call{Kind: RPCv2CBOR, Service: testService(RPCv2CBOR)}).WriteError(w, nil, "id", notFound)
		r := cbor.NewReader(w.Body.Bytes())
		got := map[string]string{}
		n, _ := r.ReadMapHeader()
		for i := 0; r.More(n, i); i++ {
			k, _ := r.ReadText()
			v, _ := r.ReadText()
			got[k] = v
		}
		want := map[string]string{"__type": "com.example.test#ResourceNotFoundException", "message": "no such thing", "resourceName": "r1"}
		if !reflect.DeepEqual(got, want) || w.Header().Get("Smithy-Protocol") != "rpc-v2-cbor" {
			t.Errorf("CBOR error = %v, headers %v; want %v", got, w.Header(), want)
		}
	})

	t.Run("head has no body", func(t *testing.T) {
		w := httptest.NewRecorder()
		(&Call{Kind: RESTXML, Service: testService(RESTXML)}).WriteError(w, httptest.NewRequest("HEAD", "/b/k", nil), "id", notFound)
		if w.Code != 404 || w.Body.Len() != 0 {
			t.Errorf("HEAD error = %d %q; want 404 without a body", w.Code, w.Body)
		}
	})
}

func TestWriteOutput(t *testing.T) {
	t.Run("query", func(t *testing.T) {
		svc := testService(AWSQuery)
		c := &Call{Kind: AWSQuery, Service: svc, Op: &Operation{Name: "Echo", Output: reflect.TypeFor[tFlat](), HasOutput: true, ResultWrapper: "EchoResult"}}
		w := httptest.NewRecorder()
		c.WriteOutput(w, "req-1", &tFlat{Named: []string{"a"}})
		want := `<EchoResponse xmlns="http://test.example.com/doc/2020-01-01/"><EchoResult><Named><Item>a</Item></Named></EchoResult>` +
			`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></EchoResponse>`
		if !strings.HasSuffix(w.Body.String(), want) || w.Header().Get("Content-Type") != "text/xml" {
			t.Errorf("query response = %s", w.Body)
		}
	})
	t.Run("query without output", func(t *testing.T) {
		c := &Call{Kind: AWSQuery, Service: testService(AWSQuery), Op: &Operation{Name: "Delete", Output: reflect.TypeFor[struct{}]()}}
		w := httptest.NewRecorder()
		c.WriteOutput(w, "r", nil)
		if strings.Contains(w.Body.String(), "Result") {
			t.Errorf("response of an operation without output has a Result element: %s", w.Body)
		}
	})
	t.Run("rest bindings", func(t *testing.T) {
		c := &Call{Kind: RESTJSON, Service: testService(RESTJSON), Op: &Operation{Name: "Get", Output: reflect.TypeFor[tRESTOut](), ResponseCode: 200, HasOutput: true}}
		w := httptest.NewRecorder()
		c.WriteOutput(w, "r", &tRESTOut{ETag: ptr(`"abc"`), Status: ptr(int32(206)), When: ptr(time.Unix(1700000000, 0)), Items: []string{"i"}})
		if w.Code != 206 || w.Header().Get("ETag") != `"abc"` || w.Header().Get("Last-Modified") != "Tue, 14 Nov 2023 22:13:20 GMT" ||
			w.Body.String() != `{"items":["i"]}` {
			t.Errorf("REST response = %d %v %s", w.Code, w.Header(), w.Body)
		}
	})
	t.Run("rest blob payload", func(t *testing.T) {
		type out struct {
			Body []byte `aws:"Body,payload"`
		}
		c := &Call{Kind: RESTXML, Service: testService(RESTXML), Op: &Operation{Name: "Get", Output: reflect.TypeFor[out](), ResponseCode: 200, HasOutput: true}}
		w := httptest.NewRecorder()
		c.WriteOutput(w, "r", &out{Body: []byte("raw bytes")})
		if !bytes.Equal(w.Body.Bytes(), []byte("raw bytes")) || w.Header().Get("Content-Type") != "application/octet-stream" {
			t.Errorf("payload response = %q %v", w.Body, w.Header())
		}
	})
	t.Run("rest streaming payload", func(t *testing.T) {
		type out struct {
			Length *int64        `aws:"Content-Length,loc=header"`
			Body   io.ReadCloser `aws:"Body,payload,streaming"`
		}
		c := &Call{Kind: RESTXML, Service: testService(RESTXML), Op: &Operation{Name: "Get", Output: reflect.TypeFor[out](), ResponseCode: 200, HasOutput: true}}
		w := httptest.NewRecorder()
		body := &closeCounter{Reader: strings.NewReader("streamed bytes")}
		c.WriteOutput(w, "r", &out{Length: ptr(int64(14)), Body: body})
		if w.Body.String() != "streamed bytes" || w.Header().Get("Content-Length") != "14" || body.closed != 1 ||
			w.Header().Get("Content-Type") != "application/octet-stream" {
			t.Errorf("streamed response = %q %v, closed %d times", w.Body, w.Header(), body.closed)
		}
	})
}

// closeCounter is a body that counts its closes.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestStreamingInput: an operation whose payload is a streaming blob
// binds it to the request body, unread.
func TestStreamingInput(t *testing.T) {
	type in struct {
		Key  *string       `aws:"Key,loc=header"`
		Body io.ReadCloser `aws:"Body,payload,streaming"`
	}
	type plain struct {
		Body []byte `aws:"Body,payload"`
	}
	svc := testService(RESTXML)
	c := &Call{Kind: RESTXML, Service: svc, Op: &Operation{Name: "Put", Input: reflect.TypeFor[in]()}}
	if !c.StreamsInput() || (&Call{Kind: RESTXML, Service: svc, Op: &Operation{Name: "Put", Input: reflect.TypeFor[plain]()}}).StreamsInput() ||
		(&Call{Kind: AWSJSON11, Service: svc, Op: &Operation{Name: "Put", Input: reflect.TypeFor[in]()}}).StreamsInput() {
		t.Fatal("StreamsInput does not tell the streaming REST payload alone")
	}
	r := httptest.NewRequest("PUT", "/b/k", nil)
	r.Header.Set("Key", "k")
	body := io.NopCloser(strings.NewReader("payload"))
	v, err := c.DecodeInputStream(r, body)
	if err != nil {
		t.Fatal(err)
	}
	got := v.(*in)
	if got.Body != body || *got.Key != "k" {
		t.Errorf("decoded %+v; want the request body itself and the header", got)
	}
	// Decoded from bytes (a body read beforehand), it reads them.
	v, err = c.DecodeInput(r, []byte("bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(v.(*in).Body); string(b) != "bytes" {
		t.Errorf("body decoded from bytes reads %q", b)
	}
}
