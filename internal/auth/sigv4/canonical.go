package sigv4

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Building the canonical request, step 1 of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload

// canonicalURIs returns the canonical URI of u and, when it differs, a second
// candidate.
//
// For S3 the canonical URI is the path exactly as sent. For every other
// service it is the path as sent, URI-encoded once more (so "%20" becomes
// "%2520"). The AWS documentation also asks for RFC 3986 normalization,
// which botocore performs (it removes "." and ".." segments and collapses
// "//") but aws-sdk-go-v2 does not; when normalization changes the path both
// forms are returned, normalized second, and either may match.
func canonicalURIs(u *url.URL, s3 bool) (string, string) {
	p := rawPath(u)
	if p == "" {
		p = "/"
	}
	if s3 {
		return p, ""
	}
	first := escapePath(p)
	if n := removeDotSegments(p); n != p {
		if second := escapePath(n); second != first {
			return first, second
		}
	}
	return first, ""
}

// rawPath returns the path of u as the client sent it. Go keeps the sent form
// in RawPath whenever it differs from the default encoding of Path; otherwise
// EscapedPath reproduces it.
func rawPath(u *url.URL) string {
	if u.Opaque != "" {
		// "//host/path", as the aws-sdk-go-v2 signer documents, or "scheme:opaque".
		o, _, _ := strings.Cut(u.Opaque, "?")
		if rest, ok := strings.CutPrefix(o, "//"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return rest[i:]
			}
			return "/"
		}
		return o
	}
	if u.RawPath != "" {
		if p, err := url.PathUnescape(u.RawPath); err == nil && p == u.Path {
			return u.RawPath
		}
	}
	return u.EscapedPath()
}

// removeDotSegments applies RFC 3986 section 5.2.4 and collapses empty
// segments, as botocore's remove_dot_segments does.
func removeDotSegments(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && !strings.HasPrefix(p, ".") {
		return p
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var b strings.Builder
	if strings.HasPrefix(p, "/") {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		b.WriteByte('/')
	}
	return b.String()
}

// unreserved reports whether c is an RFC 3986 unreserved character, the only
// bytes SigV4 leaves unencoded.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// escapePath percent-encodes every byte of p except unreserved ones and '/'.
func escapePath(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if !unreserved(p[i]) && p[i] != '/' {
			n++
		}
	}
	if n == 0 {
		return p
	}
	b := make([]byte, 0, len(p)+2*n)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if unreserved(c) || c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// escapeQuery percent-encodes every byte of s except unreserved ones.
func escapeQuery(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// unescapeQuery decodes one query name or value. A '+' is a space, as in
// HTML forms: botocore sends a space in request parameters as '+' while it
// signs it as "%20", and Go's url.ParseQuery, which the protocol layer uses,
// reads it the same way.
func unescapeQuery(s string) (string, error) {
	return url.QueryUnescape(s)
}

type queryParam struct{ key, value string }

// canonicalQuery returns the canonical query string of a raw query: names
// and values decoded, re-encoded per RFC 3986, sorted by name then value and
// joined. A name without '=' has an empty value. For a presigned request
// X-Amz-Signature is left out.
func canonicalQuery(raw string, presigned bool) (string, error) {
	if raw == "" {
		return "", nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	size := 0
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := unescapeQuery(k)
		if err != nil {
			return "", fmt.Errorf("cannot unescape query parameter name %q: %w", truncate(k, 64), err)
		}
		if presigned && key == qSignature {
			continue
		}
		val, err := unescapeQuery(v)
		if err != nil {
			return "", fmt.Errorf("cannot unescape query parameter %q: %w", truncate(key, 64), err)
		}
		p := queryParam{escapeQuery(key), escapeQuery(val)}
		size += len(p.key) + len(p.value) + 2
		params = append(params, p)
	}
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	b := make([]byte, 0, size)
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.key...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	return string(b), nil
}

// appendCanonicalHeaders appends "name:value\n" for every signed header, in
// the order of names. Values are trimmed, runs of spaces inside them become
// one space, and repeated headers are joined with ','.
func appendCanonicalHeaders(b []byte, r *http.Request, names []string) []byte {
	for _, name := range names {
		b = append(b, name...)
		b = append(b, ':')
		switch name {
		case "host":
			// Go's server moves Host to r.Host.
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			b = appendTrimmed(b, host)
		case "content-length":
			if v := r.Header["Content-Length"]; len(v) > 0 {
				b = appendValues(b, v)
			} else if r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
			}
		case "transfer-encoding":
			// Go's server moves Transfer-Encoding to r.TransferEncoding.
			if v := r.Header["Transfer-Encoding"]; len(v) > 0 {
				b = appendValues(b, v)
			} else {
				b = appendValues(b, r.TransferEncoding)
			}
		default:
			b = appendValues(b, headerValues(r.Header, name))
		}
		b = append(b, '\n')
	}
	return b
}

func appendValues(b []byte, values []string) []byte {
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// headerValues returns the values of the header with the lowercase token
// name. It canonicalizes the name as net/textproto does, but on the stack.
func headerValues(h http.Header, name string) []string {
	var buf [128]byte
	if len(name) <= len(buf) {
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			buf[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(buf[:len(name)])]; ok {
			return v
		}
	} else if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	// A name Go could not canonicalize is stored as sent.
	var vs []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			vs = append(vs, v...)
		}
	}
	return vs
}

// appendTrimmed appends v without leading and trailing spaces and tabs and
// with each run of spaces inside it collapsed to one ("Trimall" in the AWS
// documentation). Like aws-sdk-go-v2 it leaves inner tabs alone.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, c)
	}
	return b
}
