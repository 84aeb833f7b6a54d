package protocol

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync"
	"syscall"
)

// Call is one routed request: the service, the operation, the protocol it
// arrived in and the handler that runs it.
type Call struct {
	// Service is the service the request addresses; nil when unknown.
	Service *Service
	// Op is the operation; nil when the request names no known operation.
	Op *Operation
	// Kind is the wire protocol.
	Kind Kind
	// Handler runs the operation; nil when it is not implemented.
	Handler Handler

	labels map[string]string // REST URI labels
	form   url.Values        // awsQuery parameters
}

// ContentType returns the response content type of the call's protocol.
func (c *Call) ContentType() string {
	switch c.Kind {
	case AWSJSON10:
		return "application/x-amz-json-1.0"
	case AWSJSON11:
		return "application/x-amz-json-1.1"
	case RPCv2CBOR:
		return "application/cbor"
	case AWSQuery:
		return "text/xml"
	case RESTXML:
		return "application/xml"
	}
	return "application/json"
}

// DecodeInput decodes the request into a new value of the operation's input
// type and validates it against the model; body is the decoded payload.
func (c *Call) DecodeInput(r *http.Request, body []byte) (any, error) {
	in := reflect.New(c.Op.Input)
	ti := infoOf(c.Op.Input)
	var err error
	switch c.Kind {
	case AWSJSON10, AWSJSON11:
		err = decodeJSON(body, in.Elem(), ti)
	case RPCv2CBOR:
		err = decodeCBOR(body, in.Elem(), ti)
	case AWSQuery:
		err = decodeQuery(c.form, in.Elem(), ti)
	case RESTJSON, RESTXML:
		err = c.decodeREST(r, body, in.Elem(), ti)
	}
	if err != nil {
		return nil, err
	}
	if err := c.Service.Validate(in.Interface()); err != nil {
		return nil, err
	}
	return in.Interface(), nil
}

func (c *Call) decodeREST(r *http.Request, body []byte, sv reflect.Value, ti *typeInfo) error {
	st := ti.st
	if err := decodeRESTBindings(r, c.labels, sv, st); err != nil {
		return err
	}
	if p := st.payload; p != nil {
		pv := sv.Field(p.index)
		switch p.t.kind {
		case kBlob:
			if len(body) > 0 {
				pv.SetBytes(body)
			}
			return nil
		case kStream:
			pv.Set(reflect.ValueOf(io.NopCloser(bytes.NewReader(body))))
			return nil
		case kString:
			if len(body) > 0 {
				p.t.set(pv, reflect.ValueOf(string(body)))
			}
			return nil
		case kStruct:
			if len(body) == 0 {
				return nil
			}
			if c.Kind == RESTXML {
				return decodeXML(body, pv, p.t)
			}
			return decodeJSON(body, pv, p.t)
		}
		return nil
	}
	if len(st.body) == 0 || len(body) == 0 {
		return nil
	}
	if c.Kind == RESTXML {
		return decodeXML(body, sv, ti)
	}
	return decodeJSON(body, sv, ti)
}

// WriteOutput writes a successful response; out is the handler's result (a
// pointer to the output struct, or nil for an empty one).
func (c *Call) WriteOutput(w http.ResponseWriter, requestID string, out any) {
	v := reflect.ValueOf(out)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		v = reflect.New(c.Op.Output)
	}
	v = reflect.Indirect(v)
	st := infoOf(c.Op.Output).st
	h := w.Header()
	c.setCommonHeaders(h, requestID)
	status := http.StatusOK
	var body []byte
	switch c.Kind {
	case AWSJSON10, AWSJSON11:
		body = appendJSONStruct(nil, v, st)
	case RPCv2CBOR:
		body = appendCBORStruct(nil, v, st)
	case AWSQuery:
		body = c.queryResponse(v, st, requestID)
	case RESTJSON, RESTXML:
		status = writeRESTBindings(h, v, st, c.Op.ResponseCode)
		if p := st.payload; p != nil && p.t.kind == kStream {
			writeStream(w, h, status, v.Field(p.index), c.ContentType())
			return
		}
		body = c.restBody(h, v, st)
	}
	if body != nil {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (c *Call) setCommonHeaders(h http.Header, requestID string) {
	h.Set("Content-Type", c.ContentType())
	h.Set("X-Amzn-Requestid", requestID)
	switch c.Kind {
	case RPCv2CBOR:
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
	case RESTXML:
		h.Set("X-Amz-Request-Id", requestID)
		h.Set("X-Amz-Id-2", requestID)
	}
}

func (c *Call) queryResponse(v reflect.Value, st *structInfo, requestID string) []byte {
	name := c.Op.Name
	b := []byte(xmlHeader)
	b = appendXMLStart(b, name+"Response", c.Service.XMLNamespace)
	if c.Op.HasOutput {
		wrapper := c.Op.ResultWrapper
		if wrapper == "" {
			wrapper = name + "Result"
		}
		b = appendXMLStart(b, wrapper, "")
		b = appendXMLMembers(b, v, st)
		b = appendXMLEnd(b, wrapper)
	}
	b = append(b, "<ResponseMetadata><RequestId>"...)
	b = appendXMLText(b, requestID)
	b = append(b, "</RequestId></ResponseMetadata>"...)
	return appendXMLEnd(b, name+"Response")
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// restBody encodes the payload member, or the body members, of a REST
// output.
func (c *Call) restBody(h http.Header, v reflect.Value, st *structInfo) []byte {
	if p := st.payload; p != nil {
		pv := v.Field(p.index)
		if !p.t.present(pv) {
			return nil
		}
		val := p.t.value(pv)
		switch p.t.kind {
		case kBlob:
			if h.Get("Content-Type") == c.ContentType() {
				h.Set("Content-Type", "application/octet-stream")
			}
			return val.Bytes()
		case kString:
			h.Set("Content-Type", "text/plain")
			return []byte(val.String())
		case kStruct:
			if c.Kind == RESTXML {
				name := p.wire
				if p.t.st.xmlName != "" {
					name = p.t.st.xmlName
				}
				return appendXMLMember([]byte(xmlHeader), name, val, p.t, p)
			}
			return appendJSONStruct(nil, val, p.t.st)
		}
		return nil
	}
	if len(st.body) == 0 {
		return nil
	}
	if c.Kind == RESTXML {
		name := st.xmlName
		if name == "" {
			name = v.Type().Name()
		}
		b := appendXMLStart([]byte(xmlHeader), name, "")
		b = appendXMLMembers(b, v, st)
		return appendXMLEnd(b, name)
	}
	return appendJSONStruct(nil, v, st)
}

// streamCopyBuffer is the size of the buffers streamed payloads are
// copied through.
const streamCopyBuffer = 256 << 10

var streamBuffers = sync.Pool{New: func() any { b := make([]byte, streamCopyBuffer); return &b }}

// StreamsInput reports whether the operation's input payload is a
// streaming blob, which DecodeInputStream binds to the request body
// instead of bytes read beforehand.
func (c *Call) StreamsInput() bool {
	if c.Op == nil || (c.Kind != RESTXML && c.Kind != RESTJSON) {
		return false
	}
	p := infoOf(c.Op.Input).st.payload
	return p != nil && p.t.kind == kStream
}

// DecodeInputStream decodes the request like DecodeInput, its streaming
// payload member reading from body.
func (c *Call) DecodeInputStream(r *http.Request, body io.ReadCloser) (any, error) {
	in := reflect.New(c.Op.Input)
	ti := infoOf(c.Op.Input)
	if err := decodeRESTBindings(r, c.labels, in.Elem(), ti.st); err != nil {
		return nil, err
	}
	in.Elem().Field(ti.st.payload.index).Set(reflect.ValueOf(body))
	if err := c.Service.Validate(in.Interface()); err != nil {
		return nil, err
	}
	return in.Interface(), nil
}

// writeStream writes a response whose payload is a streaming blob: the
// headers (Content-Length among them, from the output's members), then
// the stream, closed after. A failure midway can only cut the response
// short.
func writeStream(w http.ResponseWriter, h http.Header, status int, pv reflect.Value, defaultType string) {
	var body io.ReadCloser
	if !pv.IsNil() {
		body = pv.Interface().(io.ReadCloser)
		defer body.Close()
	}
	if h.Get("Content-Type") == defaultType {
		h.Set("Content-Type", "application/octet-stream")
	}
	if body == nil {
		h.Set("Content-Length", "0")
	}
	w.WriteHeader(status)
	if rf, ok := w.(io.ReaderFrom); ok && body != nil {
		if _, file := body.(syscall.Conn); file {
			// A file (an object's blob) goes out by sendfile(2) when
			// the writer takes it (net/http's does, past 512 bytes).
			_, _ = rf.ReadFrom(body)
			return
		}
	}
	if body != nil {
		buf := streamBuffers.Get().(*[]byte)
		defer streamBuffers.Put(buf)
		_, _ = io.CopyBuffer(struct{ io.Writer }{w}, body, *buf)
	}
}
