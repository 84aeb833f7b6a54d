package protocol

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// restRoute matches requests to one REST operation: the method, the path
// template of the model's requestUri ({Label} and greedy {Label+}) and the
// query literals it requires (?acl, ?list-type=2).
type restRoute struct {
	op     *Operation
	re     *regexp.Regexp
	labels []string
	query  [][2]string // key, and value when the template gives one
	// headers and params are the required members bound to headers
	// and the query string, which tell apart operations of one template
	// (S3's CopyObject from PutObject by x-amz-copy-source,
	// AbortMultipartUpload from DeleteObject by uploadId).
	headers, params []string
	score           int
}

// compileRoutes builds the REST routes of a service, most specific first.
func compileRoutes(svc *Service) []*restRoute {
	var routes []*restRoute
	for _, op := range svc.Operations {
		path, rawQuery, _ := strings.Cut(op.RequestURI, "?")
		rt := &restRoute{op: op}
		var pat strings.Builder
		pat.WriteString("^")
		rest := path
		for rest != "" {
			i := strings.IndexByte(rest, '{')
			if i < 0 {
				pat.WriteString(regexp.QuoteMeta(rest))
				rt.score += 10 * len(rest)
				break
			}
			pat.WriteString(regexp.QuoteMeta(rest[:i]))
			rt.score += 10 * i
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				panic("BUG: protocol: unterminated label in " + op.RequestURI)
			}
			label := rest[i+1 : i+j]
			if strings.HasSuffix(label, "+") {
				label = strings.TrimSuffix(label, "+")
				pat.WriteString("(.+)")
				rt.score -= 5
			} else {
				pat.WriteString("([^/]+)")
			}
			rt.labels = append(rt.labels, label)
			rest = rest[i+j+1:]
		}
		pat.WriteString("$")
		rt.re = regexp.MustCompile(pat.String())
		// S3's operations share methods and paths and differ by their
		// required headers and query members (PutObject, CopyObject,
		// UploadPart): those route. Elsewhere a missing required member
		// is the operation's validation error, not an unknown operation.
		if op.Input != nil && slices.Contains(svc.Protocols, RESTXML) {
			for _, f := range infoOf(op.Input).st.fields {
				switch {
				case f.loc == locHeader && f.required:
					rt.headers = append(rt.headers, f.wire)
					rt.score += 1000
				case f.loc == locQuery && f.required:
					rt.params = append(rt.params, f.wire)
					rt.score += 1000
				}
			}
		}
		if rawQuery != "" {
			for _, kv := range strings.Split(rawQuery, "&") {
				k, v, _ := strings.Cut(kv, "=")
				rt.query = append(rt.query, [2]string{k, v})
				rt.score += 1000
			}
		}
		routes = append(routes, rt)
	}
	sort.SliceStable(routes, func(i, j int) bool {
		if routes[i].score != routes[j].score {
			return routes[i].score > routes[j].score
		}
		return routes[i].op.Name < routes[j].op.Name
	})
	return routes
}

// match returns the labels of a request that matches the route.
func (rt *restRoute) match(method, escapedPath string, query url.Values, h http.Header) (map[string]string, bool) {
	if rt.op.Method != method {
		return nil, false
	}
	for _, name := range rt.headers {
		if h.Get(name) == "" {
			return nil, false
		}
	}
	for _, name := range rt.params {
		if !query.Has(name) {
			return nil, false
		}
	}
	for _, q := range rt.query {
		vals, ok := query[q[0]]
		if !ok || (q[1] != "" && (len(vals) == 0 || vals[0] != q[1])) {
			return nil, false
		}
	}
	m := rt.re.FindStringSubmatch(escapedPath)
	if m == nil {
		return nil, false
	}
	labels := make(map[string]string, len(rt.labels))
	for i, name := range rt.labels {
		v, err := url.PathUnescape(m[i+1])
		if err != nil {
			return nil, false
		}
		labels[name] = v
	}
	return labels, true
}

// decodeRESTBindings fills the members bound to the URI, query string and
// headers of the request.
func decodeRESTBindings(r *http.Request, labels map[string]string, sv reflect.Value, st *structInfo) error {
	query := r.URL.Query()
	for _, f := range st.fields {
		fv := sv.Field(f.index)
		switch f.loc {
		case locURI:
			if v, ok := labels[f.wire]; ok {
				if err := setScalarText(fv, f.t, v, f.wire); err != nil {
					return err
				}
			}
		case locQuery:
			if err := decodeQueryString(query, fv, f); err != nil {
				return err
			}
		case locHeader:
			if err := decodeHeader(r.Header, fv, f); err != nil {
				return err
			}
		case locHeaders:
			prefix := strings.ToLower(f.wire)
			for name, vals := range r.Header {
				lower := strings.ToLower(name)
				if !strings.HasPrefix(lower, prefix) || f.t.kind != kMap {
					continue
				}
				if fv.IsNil() {
					fv.Set(reflect.MakeMap(f.t.typ))
				}
				k := reflect.New(f.t.key.typ).Elem()
				k.SetString(lower[len(prefix):])
				v := reflect.New(f.t.elem.typ).Elem()
				v.SetString(strings.Join(vals, ","))
				fv.SetMapIndex(k, v)
			}
		}
	}
	return nil
}

func decodeQueryString(query url.Values, fv reflect.Value, f *fieldInfo) error {
	switch f.t.kind {
	case kMap:
		// A map bound to the query string takes every parameter.
		if len(query) == 0 {
			return nil
		}
		m := reflect.MakeMap(f.t.typ)
		for k, vals := range query {
			kv := reflect.New(f.t.key.typ).Elem()
			kv.SetString(k)
			ev := reflect.New(f.t.elem.typ).Elem()
			if f.t.elem.kind == kList {
				ev.Set(reflect.ValueOf(append([]string(nil), vals...)).Convert(f.t.elem.typ))
			} else {
				ev.SetString(vals[0])
			}
			m.SetMapIndex(kv, ev)
		}
		fv.Set(m)
	case kList:
		vals, ok := query[f.wire]
		if !ok {
			return nil
		}
		sv := reflect.MakeSlice(f.t.typ, len(vals), len(vals))
		for i, v := range vals {
			if err := setScalarText(sv.Index(i), f.t.elem, v, f.wire); err != nil {
				return err
			}
		}
		fv.Set(sv)
	default:
		if vals, ok := query[f.wire]; ok {
			return setScalarText(fv, f.t, vals[0], f.wire)
		}
	}
	return nil
}

func decodeHeader(h http.Header, fv reflect.Value, f *fieldInfo) error {
	vals := h.Values(f.wire)
	if len(vals) == 0 {
		return nil
	}
	text := strings.Join(vals, ",")
	switch {
	case f.t.kind == kList:
		parts := strings.Split(text, ",")
		sv := reflect.MakeSlice(f.t.typ, len(parts), len(parts))
		for i, p := range parts {
			if err := setScalarText(sv.Index(i), f.t.elem, strings.TrimSpace(p), f.wire); err != nil {
				return err
			}
		}
		fv.Set(sv)
		return nil
	case f.jsonValue:
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return SerializationError("Header %s is not base64-encoded JSON", f.wire)
		}
		text = string(b)
	}
	return setScalarText(fv, f.t, text, f.wire)
}

// writeRESTBindings sets the headers of a REST response and returns its
// status, which an output member may override.
func writeRESTBindings(h http.Header, v reflect.Value, st *structInfo, status int) int {
	for _, f := range st.fields {
		fv := v.Field(f.index)
		if !f.t.present(fv) {
			continue
		}
		val := f.t.value(fv)
		switch f.loc {
		case locStatus:
			status = int(val.Int())
		case locHeader:
			h.Set(f.wire, headerText(val, f))
		case locHeaders:
			// Written as S3 writes them, in lower case (not in Go's
			// canonical form): clients keep the case of the name after
			// the prefix (botocore's Metadata["signature"]).
			prefix := strings.ToLower(f.wire)
			for _, k := range sortedMapKeys(val) {
				h[prefix+k.String()] = []string{val.MapIndex(k).String()}
			}
		}
	}
	if status == http.StatusOK && h.Get("Content-Range") != "" {
		// A response carrying a range of its representation is partial
		// (RFC 9110 section 15.3.7): S3's ranged GetObject.
		status = http.StatusPartialContent
	}
	return status
}

func headerText(v reflect.Value, f *fieldInfo) string {
	switch {
	case f.t.kind == kList:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = xmlScalarText(v.Index(i), f.t.elem, f.ts)
		}
		return strings.Join(parts, ",")
	case f.jsonValue:
		return base64.StdEncoding.EncodeToString([]byte(v.String()))
	case f.t.kind == kTime:
		ts := f.ts
		if ts == "" {
			ts = "rfc822"
		}
		return xmlScalarText(v, f.t, ts)
	}
	return xmlScalarText(v, f.t, f.ts)
}
