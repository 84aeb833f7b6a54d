package insightsql

import (
	"strings"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind uint8

const (
	tkEOF    tokenKind = iota
	tkWord             // a bare word: a keyword, a function or an identifier
	tkQuoted           // a double-quoted identifier
	tkString           // a single-quoted label value
	tkNumber           // a run of decimal digits
	tkLParen
	tkRParen
	tkComma
	tkEq
	tkNe
	tkDot
)

// token is a lexical token: its kind, its text (unquoted and unescaped
// for tkQuoted and tkString) and its byte offset in the query.
type token struct {
	kind tokenKind
	text string
	off  int
}

// describe names the token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tkEOF:
		return "the end of the query"
	case tkQuoted:
		return quoteIdent(t.text)
	case tkString:
		return quoteValue(t.text)
	}
	return `"` + t.text + `"`
}

// lex splits a query into tokens, the last of them tkEOF.
//
// "What needs quotation marks or escape characters?"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html#cloudwatch-metrics-insights-syntaxdetails):
// label values are in single quotation marks; namespaces, metric names and
// label keys with characters other than letters, digits and underscore are
// in double quotation marks; a quotation mark inside either is escaped
// with a backslash. A backslash escapes any character, so "a\\b" is a\b.
// A bare word starts with a letter or an underscore: names that start
// with a digit ("4xxErrorRate") are quoted.
// punctuation gives the kind of one-character tokens.
var punctuation = [256]tokenKind{'(': tkLParen, ')': tkRParen, ',': tkComma, '.': tkDot, '=': tkEq}

func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case isWordStart(c):
			j := i + 1
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			toks = append(toks, token{tkWord, q[i:j], i})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(q) && isDigit(q[j]) {
				j++
			}
			if j < len(q) && isWordStart(q[j]) {
				return nil, syntaxError(q, i, "a name that starts with a digit must be in double quotation marks, as in %s.", quoteIdent(wordAt(q, i)))
			}
			toks = append(toks, token{tkNumber, q[i:j], i})
			i = j
		case c == '"' || c == '\'':
			text, n, ok := unquote(q[i:])
			if !ok {
				if c == '"' {
					return nil, syntaxError(q, i, "the double quotation mark is not closed.")
				}
				return nil, syntaxError(q, i, "the single quotation mark is not closed.")
			}
			kind := tkQuoted
			if c == '\'' {
				kind = tkString
			}
			toks = append(toks, token{kind, text, i})
			i += n
		case punctuation[c] != 0:
			toks = append(toks, token{punctuation[c], q[i : i+1], i})
			i++
		case c == '!' && i+1 < len(q) && q[i+1] == '=':
			toks = append(toks, token{tkNe, "!=", i})
			i += 2
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			if r == utf8.RuneError {
				return nil, syntaxError(q, i, "the query is not valid UTF-8.")
			}
			switch r {
			case '<', '>', '!':
				return nil, syntaxError(q, i, "unexpected character %q: the operators are =, !=, IN and NOT IN.", r)
			case '/', '-', '.', ':', '#', '@', '$', '%', '&', '+', '~':
				return nil, syntaxError(q, i, "unexpected character %q. Names with characters other than letters, digits and underscore must be in double quotation marks.", r)
			}
			if r > utf8.RuneSelf {
				return nil, syntaxError(q, i, "unexpected character %q. Names with characters other than letters, digits and underscore must be in double quotation marks.", r)
			}
			return nil, syntaxError(q, i, "unexpected character %q.", r)
		}
	}
	return append(toks, token{tkEOF, "", len(q)}), nil
}

// unquote reads the quoted text at the start of s, whose first byte is
// the quotation mark, and returns its content unescaped and the length of
// the quoted text. It reports false when the quotation is not closed.
func unquote(s string) (string, int, bool) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case quote:
			return b.String(), i + 1, true
		case '\\':
			if i+1 == len(s) {
				return "", 0, false
			}
			i++
		}
		b.WriteByte(s[i])
	}
	return "", 0, false
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isWordByte(c byte) bool  { return isWordStart(c) || isDigit(c) }

// wordAt returns the run of word bytes at offset i of q.
func wordAt(q string, i int) string {
	j := i
	for j < len(q) && isWordByte(q[j]) {
		j++
	}
	return q[i:j]
}
