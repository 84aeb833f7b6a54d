package protocol

import (
	"context"
	"math"
	"reflect"
	"time"
)

// Test types shaped like generated API types, covering every kind.

type tColor string

func (tColor) Values() []string { return []string{"RED", "GREEN"} }

type tInner struct {
	Name  *string `aws:"name,req,min=1"`
	Count *int32  `aws:"count,min=1,max=10"`
}

type tAll struct {
	Str     *string           `aws:"str,min=2,max=5,pat=0"`
	Color   tColor            `aws:"color"`
	I32     *int32            `aws:"i32"`
	I64     *int64            `aws:"i64"`
	F32     *float32          `aws:"f32"`
	F64     *float64          `aws:"f64"`
	Bool    *bool             `aws:"bool"`
	Time    *time.Time        `aws:"time"`
	Blob    []byte            `aws:"blob"`
	List    []string          `aws:"list,max=3,e.min=1"`
	Colors  []tColor          `aws:"colors"`
	Structs []tInner          `aws:"structs"`
	Map     map[string]string `aws:"map,k.max=3"`
	Nested  *tInner           `aws:"nested"`
	Deep    *tAll             `aws:"deep"`
	Doc     any               `aws:"doc,document"`
}

type tRequired struct {
	Need  *string  `aws:"Need,req"`
	Items []tInner `aws:"Items,member=item"`
}

// tAlways is an output whose lists responses always carry.
type tAlways struct {
	Values []float64 `aws:"Values,always"`
	Flat   []string  `aws:"Flat,flat"`
	Opt    []string  `aws:"Opt"`
}

type tFlat struct {
	Flat  []string          `aws:"Flat,flat"`
	Named []string          `aws:"Named,member=Item"`
	Entry map[string]string `aws:"Entry,flat,key=K,value=V"`
}

type tREST struct {
	Bucket  *string           `aws:"Bucket,req,loc=uri"`
	Key     *string           `aws:"Key,req,loc=uri"`
	MaxKeys *int32            `aws:"max-keys,loc=query"`
	Tags    []string          `aws:"tag,loc=query"`
	Since   *time.Time        `aws:"If-Modified-Since,loc=header"`
	Meta    map[string]string `aws:"x-amz-meta-,loc=headers"`
	Body    []byte            `aws:"Body,payload,streaming"`
}

type tRESTOut struct {
	ETag   *string    `aws:"ETag,loc=header"`
	Status *int32     `aws:"Status,loc=status"`
	When   *time.Time `aws:"Last-Modified,loc=header"`
	Items  []string   `aws:"items"`
}

type tNotFound struct {
	Message  *string `aws:"message"`
	Resource *string `aws:"resourceName"`
}

func (e *tNotFound) Error() string     { return "tNotFound" }
func (e *tNotFound) ErrorCode() string { return "ResourceNotFoundException" }

func ptr[T any](v T) *T { return &v }

// testService is a small model using the test types.
func testService(kinds ...Kind) *Service {
	svc := &Service{
		ID: "test", ServiceID: "Test Service", SigningName: "test", EndpointPrefix: "test", IAMPrefix: "test",
		APIVersion: "2020-01-01", TargetPrefix: "Test_20200101", XMLNamespace: "http://test.example.com/doc/2020-01-01/",
		Namespace: "com.example.test", Protocols: kinds, ValidationError: "ValidationException",
		Patterns: []string{`[a-z]+`},
		Operations: map[string]*Operation{
			"Echo":     {Name: "Echo", Method: "POST", RequestURI: "/", ResponseCode: 200, Input: reflect.TypeFor[tAll](), Output: reflect.TypeFor[tAll](), HasOutput: true},
			"Require":  {Name: "Require", Method: "POST", RequestURI: "/", ResponseCode: 200, Input: reflect.TypeFor[tRequired](), Output: reflect.TypeFor[tRequired]()},
			"GetThing": {Name: "GetThing", Method: "GET", RequestURI: "/{Bucket}/{Key+}", ResponseCode: 200, Input: reflect.TypeFor[tREST](), Output: reflect.TypeFor[tRESTOut](), HasOutput: true},
			"GetAcl":   {Name: "GetAcl", Method: "GET", RequestURI: "/{Bucket}/{Key+}?acl", ResponseCode: 200, Input: reflect.TypeFor[tREST](), Output: reflect.TypeFor[tRESTOut](), HasOutput: true},
			"PutThing": {Name: "PutThing", Method: "PUT", RequestURI: "/{Bucket}/{Key+}", ResponseCode: 201, Input: reflect.TypeFor[tREST](), Output: reflect.TypeFor[tRESTOut](), HasOutput: true},
		},
		Errors: map[string]*ErrorShape{
			"ResourceNotFoundException": {Name: "ResourceNotFoundException", QueryCode: "ResourceNotFound", Status: 404, Type: reflect.TypeFor[tNotFound]()},
		},
	}
	return svc
}

// echoHandlers returns handlers that echo their input.
func echoHandlers() map[string]Handler {
	h := map[string]Handler{}
	Bind(h, "Echo", func(_ context.Context, in *tAll) (*tAll, error) { return in, nil })
	Bind(h, "Require", func(_ context.Context, in *tRequired) (*tRequired, error) { return in, nil })
	return h
}

// sample is a value with every kind set.
func sample() *tAll {
	return &tAll{
		Str: ptr("abc"), Color: "GREEN", I32: ptr(int32(-7)), I64: ptr(int64(1) << 40),
		F32: ptr(float32(1.5)), F64: ptr(math.Inf(-1)), Bool: ptr(true),
		Time: ptr(time.UnixMilli(1700000000123).UTC()), Blob: []byte{0, 1, 2, 255},
		List: []string{"x", "y"}, Colors: []tColor{"RED"}, Structs: []tInner{{Name: ptr("a"), Count: ptr(int32(3))}},
		Map: map[string]string{"k": "v", "a": "é\n\"\\"}, Nested: &tInner{Name: ptr("n")},
		Deep: &tAll{Str: ptr("deep"), List: []string{}},
		Doc:  map[string]any{"a": []any{1.0, "two", true, nil}},
	}
}
