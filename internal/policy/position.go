package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Position is a place in a policy document: a line and a column, both
// counted from 1, columns in characters as Java counts them (UTF-16 code
// units), since IAM's policy simulator reports them so.
type Position struct {
	Line, Column int
}

// locate records in each statement of p where it is in doc, the valid
// JSON object p was read from (Statement.Start and End). It scans the
// document once, without decoding it.
func (p *Policy) locate(doc []byte) {
	spans := statementSpans(doc, make([]int, 0, 2*len(p.Statements)))
	if len(spans) != 2*len(p.Statements) {
		panic("BUG: policy: the statements of a document and of its policy differ in number")
	}
	positions(doc, spans, func(k int, at Position) {
		if s := &p.Statements[k/2]; k%2 == 0 {
			s.Start = at
		} else {
			s.End = at
		}
	})
}

// statementSpans appends to spans the byte offsets where each statement
// of doc starts and ends, as Statement.Start and End define them, start
// and end in turn.
func statementSpans(doc []byte, spans []int) []int {
	i := skipSpace(doc, 0) + 1 // past the {
	for {
		i = skipSpace(doc, i)
		switch doc[i] {
		case '}':
			return spans
		case ',':
			i = skipSpace(doc, i+1)
		}
		keyEnd := skipString(doc, i)
		key := doc[i:keyEnd]
		value := skipSpace(doc, skipSpace(doc, keyEnd)+1) // past the :
		end := skipValue(doc, value)
		if isKey(key, "Statement") {
			return elementSpans(doc, value, end, spans)
		}
		i = end
	}
}

// elementSpans appends to spans those of the statements of the
// Statement element's value, doc[start:end]: one statement, or a list of
// them.
func elementSpans(doc []byte, start, end int, spans []int) []int {
	if doc[start] == '{' {
		return append(spans, start+1, end)
	}
	prev := start + 1 // past the [
	for i := prev; ; {
		i = skipSpace(doc, i)
		switch doc[i] {
		case ']':
			return spans
		case ',':
			i = skipSpace(doc, i+1)
		}
		next := skipValue(doc, i)
		spans = append(spans, prev, next)
		prev, i = next, next
	}
}

// isKey reports whether a member's key, a JSON string as written, is
// name once its escapes are decoded.
func isKey(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == name
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == name
}

// skipSpace returns the offset of the first byte at or after i that is
// not JSON white space.
func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the offset past the JSON string that starts at i.
func skipString(doc []byte, i int) int {
	for i++; doc[i] != '"'; i++ {
		if doc[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the offset past the JSON value that starts at i.
func skipValue(doc []byte, i int) int {
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch doc[i] {
			case '"':
				i = skipString(doc, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(doc) && strings.IndexByte(",]} \t\r\n", doc[i]) < 0 {
		i++
	}
	return i
}

// positions tells set the Position of each byte offset of doc, given in
// increasing order, by its index. A line ends at a line feed, a carriage
// return, or both, as Java's JSON readers count lines.
func positions(doc []byte, offsets []int, set func(k int, at Position)) {
	line, column, k := 1, 1, 0
	for i := 0; k < len(offsets); {
		for k < len(offsets) && offsets[k] <= i {
			set(k, Position{Line: line, Column: column})
			k++
		}
		if i >= len(doc) {
			break
		}
		r, size := utf8.DecodeRune(doc[i:])
		switch {
		case r == '\n', r == '\r' && (i+1 == len(doc) || doc[i+1] != '\n'):
			line, column = line+1, 1
		case r != '\r':
			column += utf16.RuneLen(r)
		}
		i += size
	}
}
