package eventinput

import (
	"bytes"
	"encoding/json"
	"iter"
	"unicode/utf8"
)

// The functions of this file read JSON text: they find values by their
// offsets without decoding them, and check no syntax. Given bytes that
// are not JSON they return offsets up to the end of the text, and never
// index past it.

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the offset of the first byte at or after i that is not
// white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the offset after the string whose opening quote is
// at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// structural marks the bytes that skipValue stops at in an object or an
// array.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// skipValue returns the offset after the value that starts at i.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			if !structural[b[i]] {
				continue
			}
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			default:
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// members yields the members of the object that starts at i: each name,
// as the raw string token with its quotes, and the offset of its value.
func members(b []byte, i int) iter.Seq2[[]byte, int] {
	return func(yield func([]byte, int) bool) {
		i := skipSpace(b, i+1)
		for i < len(b) && b[i] == '"' {
			end := skipString(b, i)
			name := b[i:end]
			v := skipSpace(b, skipSpace(b, end)+1)
			if !yield(name, v) {
				return
			}
			i = skipSpace(b, skipValue(b, v))
			if i >= len(b) || b[i] != ',' {
				return
			}
			i = skipSpace(b, i+1)
		}
	}
}

// elements yields the offsets of the elements of the array that starts at
// i.
func elements(b []byte, i int) iter.Seq[int] {
	return func(yield func(int) bool) {
		i := skipSpace(b, i+1)
		for i < len(b) && b[i] != ']' {
			if !yield(i) {
				return
			}
			i = skipSpace(b, skipValue(b, i))
			if i >= len(b) || b[i] != ',' {
				return
			}
			i = skipSpace(b, i+1)
		}
	}
}

// unquote returns the characters of the string token s, quotes removed
// and escapes decoded; of a token that is not JSON, the bytes between its
// first and last.
func unquote(s []byte) []byte {
	if len(s) < 2 {
		return nil
	}
	if bytes.IndexByte(s, '\\') >= 0 {
		var v string
		if json.Unmarshal(s, &v) == nil {
			return []byte(v)
		}
	}
	return s[1 : len(s)-1]
}

// appendCompact appends the JSON value v, white space outside strings
// removed.
func appendCompact(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == '"':
			end := skipString(v, i)
			dst = append(dst, v[i:end]...)
			i = end
		case isSpace(c):
			i++
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// appendQuoted appends s as a JSON string, as Jackson writes one: quote,
// backslash and control characters escaped, the rest as they are.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch short := shortEscapes[c]; {
		case short != 0:
			dst = append(dst, '\\', short)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// shortEscapes are the characters Jackson escapes with a backslash and a
// letter, or themselves.
var shortEscapes = [256]byte{'"': '"', '\\': '\\', '\b': 'b', '\t': 't', '\n': 'n', '\f': 'f', '\r': 'r'}

// utf16Len returns the length of b in UTF-16 code units, the unit of a
// Java string.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
