package protocol

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON protocols (awsJson1.0, awsJson1.1 and restJson1 bodies) encode
// structures as objects keyed by wire name, timestamps as epoch seconds,
// blobs as base64 and non-finite doubles as the strings "NaN", "Infinity"
// and "-Infinity". The decoder reads request bytes straight into the
// generated Go types.

// maxDepth bounds the nesting of decoded documents.
const maxDepth = 128

type jsonDecoder struct {
	data  []byte
	pos   int
	depth int
}

// decodeJSON decodes data into dst, which ti describes. An empty body is an
// empty object.
func decodeJSON(data []byte, dst reflect.Value, ti *typeInfo) error {
	d := &jsonDecoder{data: data}
	d.skipSpace()
	if d.pos == len(d.data) {
		return nil
	}
	if err := d.value(dst, ti, ""); err != nil {
		return err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.syntax("unexpected data after the top-level value")
	}
	return nil
}

func (d *jsonDecoder) syntax(msg string) error {
	return SerializationError("Malformed JSON at offset %d: %s", d.pos, msg)
}

func (d *jsonDecoder) mismatch(path, want string) error {
	return SerializationError("Cannot deserialize the value of '%s': expected %s", path, want)
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) peek() byte {
	d.skipSpace()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *jsonDecoder) literal(lit string) bool {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

// value decodes one JSON value into dst; path names it in errors.
func (d *jsonDecoder) value(dst reflect.Value, ti *typeInfo, path string) error {
	c := d.peek()
	if c == 'n' {
		if !d.literal("null") {
			return d.syntax("invalid literal")
		}
		return nil // null leaves the member absent
	}
	switch ti.kind {
	case kString, kEnum:
		if c != '"' {
			return d.mismatch(path, "a string")
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		ti.deref(dst).SetString(s)
	case kBool:
		switch {
		case d.literal("true"):
			ti.deref(dst).SetBool(true)
		case d.literal("false"):
			ti.deref(dst).SetBool(false)
		default:
			return d.mismatch(path, "a boolean")
		}
	case kInt32, kInt64:
		n, err := d.integer(path, ti.kind == kInt32)
		if err != nil {
			return err
		}
		ti.deref(dst).SetInt(n)
	case kFloat32, kFloat64:
		f, err := d.float(path)
		if err != nil {
			return err
		}
		ti.deref(dst).SetFloat(f)
	case kTime:
		t, err := d.timestamp(path)
		if err != nil {
			return err
		}
		ti.deref(dst).Set(reflect.ValueOf(t))
	case kBlob:
		if c != '"' {
			return d.mismatch(path, "a base64-encoded string")
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return SerializationError("Cannot deserialize the value of '%s': invalid base64", path)
		}
		dst.SetBytes(b)
	case kList:
		return d.list(dst, ti, path)
	case kMap:
		return d.object(path, func(key string) error {
			if dst.IsNil() {
				dst.Set(reflect.MakeMap(ti.typ))
			}
			ev := reflect.New(ti.elem.typ).Elem()
			if err := d.value(ev, ti.elem, path+"."+key); err != nil {
				return err
			}
			kv := reflect.New(ti.key.typ).Elem()
			kv.SetString(key)
			dst.SetMapIndex(kv, ev)
			return nil
		})
	case kStruct:
		sv := ti.deref(dst)
		return d.object(path, func(key string) error {
			f, ok := ti.st.byWire[key]
			if !ok || f.payload {
				return d.skip()
			}
			return d.value(sv.Field(f.index), f.t, joinPath(path, f.path))
		})
	case kDocument:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(d.data[start:d.pos], &doc); err != nil {
			return d.syntax(err.Error())
		}
		dst.Set(reflect.ValueOf(&doc).Elem())
	}
	return nil
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *jsonDecoder) list(dst reflect.Value, ti *typeInfo, path string) error {
	if d.peek() != '[' {
		return d.mismatch(path, "a list")
	}
	if d.depth++; d.depth > maxDepth {
		return d.syntax("nesting too deep")
	}
	d.pos++
	sv := reflect.MakeSlice(ti.typ, 0, 4)
	if d.peek() == ']' {
		d.pos++
		dst.Set(sv)
		d.depth--
		return nil
	}
	for i := 1; ; i++ {
		if d.peek() == 'n' && d.literal("null") {
			// Sparse lists are not modeled: a null element is dropped.
		} else {
			sv = reflect.Append(sv, reflect.Zero(ti.elem.typ))
			if err := d.value(sv.Index(sv.Len()-1), ti.elem, fmt.Sprintf("%s.%d", path, i)); err != nil {
				return err
			}
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			dst.Set(sv)
			d.depth--
			return nil
		default:
			return d.syntax("expected ',' or ']'")
		}
	}
}

// object walks an object, calling member for each key with the decoder
// positioned on the value.
func (d *jsonDecoder) object(path string, member func(key string) error) error {
	if d.peek() != '{' {
		return d.mismatch(path, "an object")
	}
	if d.depth++; d.depth > maxDepth {
		return d.syntax("nesting too deep")
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntax("expected a member name")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntax("expected ':'")
		}
		d.pos++
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntax("expected ',' or '}'")
		}
	}
}

// skip consumes one value of any type, checking its syntax.
func (d *jsonDecoder) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		return d.object("", func(string) error { return d.skip() })
	case c == '[':
		if d.depth++; d.depth > maxDepth {
			return d.syntax("nesting too deep")
		}
		d.pos++
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			if err := d.skip(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return nil
			default:
				return d.syntax("expected ',' or ']'")
			}
		}
	case c == 't':
		if d.literal("true") {
			return nil
		}
	case c == 'f':
		if d.literal("false") {
			return nil
		}
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	}
	return d.syntax("invalid value")
}

// number returns the text of a JSON number.
func (d *jsonDecoder) number() (string, error) {
	start := d.pos
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if digits() == 0 {
		return "", d.syntax("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return "", d.syntax("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return "", d.syntax("invalid number")
		}
	}
	return string(d.data[start:d.pos]), nil
}

func (d *jsonDecoder) integer(path string, is32 bool) (int64, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(path, "an integer")
	}
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// Whole numbers written with a fraction or exponent are integers.
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
			return 0, d.mismatch(path, "an integer")
		}
		n = int64(f)
	}
	if is32 && (n < math.MinInt32 || n > math.MaxInt32) {
		return 0, d.mismatch(path, "a 32-bit integer")
	}
	return n, nil
}

func (d *jsonDecoder) float(path string) (float64, error) {
	c := d.peek()
	if c == '"' {
		s, err := d.str()
		if err != nil {
			return 0, err
		}
		if f, ok := nonFinite(s); ok {
			return f, nil
		}
		return 0, d.mismatch(path, "a number")
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(path, "a number")
	}
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, d.mismatch(path, "a number in range")
	}
	return f, nil
}

// nonFinite maps the strings the JSON protocols use for non-finite numbers.
func nonFinite(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

func (d *jsonDecoder) timestamp(path string) (time.Time, error) {
	if d.peek() == '"' {
		s, err := d.str()
		if err != nil {
			return time.Time{}, err
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return time.Time{}, d.mismatch(path, "a timestamp")
		}
		return t, nil
	}
	f, err := d.float(path)
	if err != nil {
		return time.Time{}, err
	}
	return epochTime(f)
}

// str decodes a JSON string at the current position.
func (d *jsonDecoder) str() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			if !utf8.Valid(s) {
				return "", d.syntax("invalid UTF-8 in string")
			}
			return string(s), nil
		}
		if c == '\\' {
			return d.escaped(start)
		}
		if c < 0x20 {
			return "", d.syntax("control character in string")
		}
		d.pos++
	}
	return "", d.syntax("unterminated string")
}

// escaped finishes a string that contains escapes.
func (d *jsonDecoder) escaped(start int) (string, error) {
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(buf) {
				return "", d.syntax("invalid UTF-8 in string")
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.syntax("control character in string")
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		d.pos++
		if d.pos >= len(d.data) {
			break
		}
		e := d.data[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.syntax("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.literal(`\u`) {
					if lo, ok := d.hex4(); ok {
						r2 = lo
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", d.syntax("invalid escape")
		}
	}
	return "", d.syntax("unterminated string")
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}

// epochTime converts epoch seconds, with a fraction, to a time.
func epochTime(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return time.Time{}, SerializationError("Timestamp %v is out of range", f)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
}

// parseTimestamp accepts the textual timestamp forms clients send.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05Z0700", time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return epochTime(f)
	}
	return time.Time{}, fmt.Errorf("cannot parse timestamp %q", s)
}
