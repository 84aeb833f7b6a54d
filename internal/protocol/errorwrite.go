package protocol

import (
	"net/http"
	"strconv"
)

// WriteError writes err as the call's protocol reports errors:
//
//   - awsJson and rpcv2Cbor: the status, X-Amzn-ErrorType, and a body with
//     __type, message and the error's modeled members; query-compatible
//     services add x-amzn-query-error: <awsQuery code>;Sender|Receiver.
//   - awsQuery: <ErrorResponse><Error><Type/><Code/><Message/></Error>…
//   - restJson1: X-Amzn-ErrorType and a JSON body.
//   - restXml: <Error><Code/><Message/>…<RequestId/><HostId/></Error>, no
//     body for HEAD.
//
// It returns the error code the client sees.
func (c *Call) WriteError(w http.ResponseWriter, r *http.Request, requestID string, err error) string {
	e := resolve(c.Service, err)
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if c.Service != nil && c.Service.QueryCompatible && c.Kind != AWSQuery && status < 500 &&
		(r == nil || r.Header.Get("X-Amzn-Query-Mode") != "true") {
		// Query-compatible services answer their awsQuery statuses only
		// to clients that ask for them; the others see 400.
		status = http.StatusBadRequest
	}
	h := w.Header()
	c.setCommonHeaders(h, requestID)
	var body []byte
	switch c.Kind {
	case AWSJSON10, AWSJSON11, RPCv2CBOR, RESTJSON:
		h.Set("X-Amzn-Errortype", e.code)
		if c.Service != nil && c.Service.QueryCompatible {
			fault := "Sender"
			if e.server {
				fault = "Receiver"
			}
			h.Set("X-Amzn-Query-Error", e.queryCode+";"+fault)
		}
		if c.Kind == RPCv2CBOR {
			body = c.cborError(e)
		} else {
			body = c.jsonError(e)
		}
	case AWSQuery:
		body = c.queryError(e, requestID)
	case RESTXML:
		if r == nil || r.Method != http.MethodHead {
			body = s3Error(e, requestID)
		}
	}
	if body != nil {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	if c.Kind == AWSQuery || c.Kind == RESTXML {
		return e.queryCode
	}
	return e.code
}

// errorType is the __type of JSON 1.0 and CBOR errors, which carry a
// smithy namespace; JSON 1.1 and REST send the bare name.
func (c *Call) errorType(e *resolved) string {
	if (c.Kind == AWSJSON10 || c.Kind == RPCv2CBOR) && e.namespace != "" {
		return e.namespace + "#" + e.code
	}
	return e.code
}

func (c *Call) jsonError(e *resolved) []byte {
	b := []byte(`{"__type":`)
	b = AppendJSONString(b, c.errorType(e))
	if e.shape.IsValid() {
		// Modeled members, the message among them when it is set.
		if members := appendJSONStruct(nil, e.shape, e.info.st); len(members) > 2 {
			b = append(b, ',')
			b = append(b, members[1:len(members)-1]...)
		}
	} else if e.message != "" {
		b = append(b, `,"message":`...)
		b = AppendJSONString(b, e.message)
	}
	for _, f := range e.fields {
		b = append(b, ',')
		b = AppendJSONString(b, f.Name)
		b = append(b, ':')
		b = AppendJSONString(b, f.Value)
	}
	return append(b, '}')
}

func (c *Call) queryError(e *resolved, requestID string) []byte {
	ns := ""
	if c.Service != nil {
		ns = c.Service.XMLNamespace
	}
	fault := "Sender"
	if e.server {
		fault = "Receiver"
	}
	b := []byte(xmlHeader)
	b = appendXMLStart(b, "ErrorResponse", ns)
	b = append(b, "<Error><Type>"+fault+"</Type><Code>"...)
	b = appendXMLText(b, e.queryCode)
	b = append(b, "</Code><Message>"...)
	b = appendXMLText(b, e.message)
	b = append(b, "</Message>"...)
	b = appendErrorDetails(b, e)
	b = append(b, "</Error><RequestId>"...)
	b = appendXMLText(b, requestID)
	b = append(b, "</RequestId>"...)
	return appendXMLEnd(b, "ErrorResponse")
}

// appendErrorDetails writes the members of an XML error other than its
// message: the extra fields of generic errors and modeled members.
func appendErrorDetails(b []byte, e *resolved) []byte {
	for _, f := range e.fields {
		b = appendXMLStart(b, f.Name, "")
		b = appendXMLText(b, f.Value)
		b = appendXMLEnd(b, f.Name)
	}
	if e.shape.IsValid() {
		for _, f := range e.info.st.body {
			if f.path == "message" {
				continue
			}
			if fv := e.shape.Field(f.index); f.t.present(fv) {
				b = appendXMLMember(b, f.wire, f.t.value(fv), f.t, f)
			}
		}
	}
	return b
}

func s3Error(e *resolved, requestID string) []byte {
	b := []byte(xmlHeader)
	b = append(b, "<Error><Code>"...)
	b = appendXMLText(b, e.queryCode)
	b = append(b, "</Code><Message>"...)
	b = appendXMLText(b, e.message)
	b = append(b, "</Message>"...)
	b = appendErrorDetails(b, e)
	b = append(b, "<RequestId>"...)
	b = appendXMLText(b, requestID)
	b = append(b, "</RequestId><HostId>"...)
	b = appendXMLText(b, requestID)
	b = append(b, "</HostId></Error>"...)
	return b
}

// ErrorCode returns the code a client would see for err in this service.
func ErrorCode(svc *Service, err error) string {
	return resolve(svc, err).code
}

// ErrorMessage returns the message a client would see for err in this
// service.
func ErrorMessage(svc *Service, err error) string {
	return resolve(svc, err).message
}
