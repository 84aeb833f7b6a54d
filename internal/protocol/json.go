package protocol

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
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
	a     arena
}

// decodeJSON decodes data into dst, which ti describes. An empty body is an
// empty object.
func decodeJSON(data []byte, dst reflect.Value, ti *typeInfo) error {
	d := &jsonDecoder{data: data}
	d.skipSpace()
	if d.pos == len(d.data) {
		return nil
	}
	if err := d.value(dst, ti, nil); err != nil {
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

func (d *jsonDecoder) mismatch(at *path, want string) error {
	return SerializationError("Cannot deserialize the value of '%s': expected %s", at, want)
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

// value decodes one JSON value into dst; at names it in errors.
func (d *jsonDecoder) value(dst reflect.Value, ti *typeInfo, at *path) error {
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
			return d.mismatch(at, "a string")
		}
		text, err := d.text()
		if err != nil {
			return err
		}
		d.a.setString(ti, dst, text)
	case kBool:
		switch {
		case d.literal("true"):
			d.a.deref(ti, dst).SetBool(true)
		case d.literal("false"):
			d.a.deref(ti, dst).SetBool(false)
		default:
			return d.mismatch(at, "a boolean")
		}
	case kInt32, kInt64:
		n, err := d.integer(at, ti.kind == kInt32)
		if err != nil {
			return err
		}
		d.a.deref(ti, dst).SetInt(n)
	case kFloat32, kFloat64:
		f, err := d.float(at)
		if err != nil {
			return err
		}
		d.a.setFloat(ti, dst, f)
	case kTime:
		t, err := d.timestamp(at)
		if err != nil {
			return err
		}
		d.a.setTime(ti, dst, t)
	case kBlob:
		if c != '"' {
			return d.mismatch(at, "a base64-encoded string")
		}
		s, err := d.strBytes()
		if err != nil {
			return err
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return SerializationError("Cannot deserialize the value of '%s': invalid base64", at)
		}
		dst.SetBytes(b[:n])
	case kList:
		return d.list(dst, ti, at)
	case kMap:
		entry := d.a.child(at)
		return d.object(at, func(key []byte) error {
			if dst.IsNil() {
				dst.Set(reflect.MakeMap(ti.typ))
			}
			k := d.a.text(key)
			ev := reflect.New(ti.elem.typ).Elem()
			entry.name = k
			if err := d.value(ev, ti.elem, entry); err != nil {
				return err
			}
			kv := reflect.New(ti.key.typ).Elem()
			kv.SetString(k)
			dst.SetMapIndex(kv, ev)
			return nil
		})
	case kStruct:
		return d.structure(dst, ti, at)
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

// list decodes a list into dst (addressable) in place.
func (d *jsonDecoder) list(dst reflect.Value, ti *typeInfo, at *path) error {
	if d.peek() != '[' {
		return d.mismatch(at, "a list")
	}
	if d.depth++; d.depth > maxDepth {
		return d.syntax("nesting too deep")
	}
	d.pos++
	dst.Set(reflect.MakeSlice(ti.typ, 0, 4))
	elem := d.a.child(at)
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for i := 1; ; i++ {
		if d.peek() == 'n' && d.literal("null") {
			// Sparse lists are not modeled: a null element is dropped.
		} else {
			elem.index = i
			if err := d.value(appendElem(dst, ti), ti.elem, elem); err != nil {
				return err
			}
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
}

// structure decodes an object into a structure.
func (d *jsonDecoder) structure(dst reflect.Value, ti *typeInfo, at *path) error {
	if d.peek() != '{' {
		return d.mismatch(at, "an object")
	}
	sv := d.a.deref(ti, dst)
	member := d.a.child(at)
	i := 0
	return d.members(func(key []byte) error {
		f, ok := d.a.field(ti, i, key)
		i++
		if !ok || f.payload {
			return d.skip()
		}
		member.name = f.path
		return d.value(sv.Field(f.index), f.t, member)
	})
}

// object walks an object, calling member for each key with the decoder
// positioned on the value; the key is valid only during the call.
func (d *jsonDecoder) object(at *path, member func(key []byte) error) error {
	if d.peek() != '{' {
		return d.mismatch(at, "an object")
	}
	return d.members(member)
}

// members walks the object the decoder is positioned on.
func (d *jsonDecoder) members(member func(key []byte) error) error {
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
		key, err := d.strBytes()
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
		_, err := d.strBytes()
		return err
	case c == '{':
		return d.object(nil, func([]byte) error { return d.skip() })
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

// number returns the text of a JSON number, valid until the next read.
func (d *jsonDecoder) number() ([]byte, error) {
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
		return nil, d.syntax("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, d.syntax("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.syntax("invalid number")
		}
	}
	return d.data[start:d.pos], nil
}

func (d *jsonDecoder) integer(at *path, is32 bool) (int64, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(at, "an integer")
	}
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		// Whole numbers written with a fraction or exponent are integers.
		f, ferr := strconv.ParseFloat(string(text), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
			return 0, d.mismatch(at, "an integer")
		}
		n = int64(f)
	}
	if is32 && (n < math.MinInt32 || n > math.MaxInt32) {
		return 0, d.mismatch(at, "a 32-bit integer")
	}
	return n, nil
}

func (d *jsonDecoder) float(at *path) (float64, error) {
	c := d.peek()
	if c == '"' {
		s, err := d.strBytes()
		if err != nil {
			return 0, err
		}
		if f, ok := nonFinite(string(s)); ok {
			return f, nil
		}
		return 0, d.mismatch(at, "a number")
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(at, "a number")
	}
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, d.mismatch(at, "a number in range")
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

func (d *jsonDecoder) timestamp(at *path) (time.Time, error) {
	if d.peek() == '"' {
		s, err := d.str()
		if err != nil {
			return time.Time{}, err
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return time.Time{}, d.mismatch(at, "a timestamp")
		}
		return t, nil
	}
	f, err := d.float(at)
	if err != nil {
		return time.Time{}, err
	}
	return epochTime(f)
}

// str decodes a JSON string at the current position.
func (d *jsonDecoder) str() (string, error) {
	b, err := d.strBytes()
	return string(b), err
}

// strBytes decodes a JSON string at the current position; the result may
// share the input's memory.
func (d *jsonDecoder) strBytes() ([]byte, error) {
	raw, s, escapes, err := d.stringToken()
	if escapes {
		return []byte(s), err
	}
	return raw, err
}

// text decodes a JSON string member's value: the input's bytes interned
// or copied once, or the unescaped string as built.
func (d *jsonDecoder) text() (string, error) {
	raw, s, escapes, err := d.stringToken()
	if escapes || err != nil {
		return s, err
	}
	return d.a.text(raw), nil
}

// stringToken decodes a JSON string at the current position: without
// escapes, raw is the input's bytes; with them, s is the unescaped string.
func (d *jsonDecoder) stringToken() (raw []byte, s string, escapes bool, err error) {
	d.pos++ // opening quote
	start := d.pos
	d.plainRun()
	if d.pos >= len(d.data) {
		return nil, "", false, d.syntax("unterminated string")
	}
	switch d.data[d.pos] {
	case '"':
		raw = d.data[start:d.pos:d.pos]
		d.pos++
		if !utf8.Valid(raw) {
			return nil, "", false, d.syntax("invalid UTF-8 in string")
		}
		return raw, "", false, nil
	case '\\':
		s, err := d.escaped(start)
		return nil, s, true, err
	}
	return nil, "", false, d.syntax("control character in string")
}

// plainByte tells the bytes a JSON string holds as they are: all but the
// quote, the backslash and control characters.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainRun advances over plain string bytes.
func (d *jsonDecoder) plainRun() {
	for d.pos < len(d.data) && plainByte[d.data[d.pos]] {
		d.pos++
	}
}

// escaped finishes a string that contains escapes, copying runs of plain
// bytes at once into a builder sized for the whole string (whose String
// does not copy).
func (d *jsonDecoder) escaped(start int) (string, error) {
	end := d.pos
	for end < len(d.data) && d.data[end] != '"' {
		if d.data[end] == '\\' {
			end++
		}
		end++
	}
	var buf strings.Builder
	buf.Grow(end - start)
	buf.Write(d.data[start:d.pos])
	for d.pos < len(d.data) {
		run := d.pos
		d.plainRun()
		buf.Write(d.data[run:d.pos])
		if d.pos >= len(d.data) {
			break
		}
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			if !utf8.ValidString(buf.String()) {
				return "", d.syntax("invalid UTF-8 in string")
			}
			return buf.String(), nil
		case c < 0x20:
			return "", d.syntax("control character in string")
		}
		d.pos++
		if d.pos >= len(d.data) {
			break
		}
		e := d.data[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			buf.WriteByte(e)
		case 'b':
			buf.WriteByte('\b')
		case 'f':
			buf.WriteByte('\f')
		case 'n':
			buf.WriteByte('\n')
		case 'r':
			buf.WriteByte('\r')
		case 't':
			buf.WriteByte('\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.syntax("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.literal(`\u`) {
					lo, ok := d.hex4()
					if !ok {
						return "", d.syntax("invalid \\u escape")
					}
					r2 = lo
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf.WriteRune(r)
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
