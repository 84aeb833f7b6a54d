package filterpattern

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// unstructured is a term pattern or a standalone regular expression,
// matched against the raw message.
//
// The rules, from "Using filter patterns to match terms in unstructured
// log events":
//   - Terms match as case-sensitive substrings: ERROR matches
//     "Exiting with ERRORCODE: -1". All plain terms must occur.
//   - "A quoted phrase" matches exactly; " " (a blank phrase) matches every
//     event ("Example: Match everything").
//   - -term excludes events containing term ("ERROR -ARGUMENTS").
//   - ?term makes terms optional: "?ERROR ?ARGUMENTS" matches events with
//     either. AWS: "If you combine "?" with other filter patterns, all
//     question mark terms will be ignored": "?ERROR ?ARGUMENTS REQUEST"
//     matches every event containing REQUEST.
//   - Terms "that include non-alphanumeric characters" must be quoted.
//     Unquoted terms are therefore runs of letters, digits and underscores;
//     any other unquoted character is rejected, except "-" and "?", which
//     start a new excluded or optional term wherever they appear. So the
//     unquoted request-id-42 means request -id -42 (request, but neither id
//     nor 42), which is why AWS users searching unquoted ids get nothing
//     back, and -1 excludes "1" rather than matching "-1"; quote them:
//     "request-id-42", "-1". A "-" or "?" may be separated from its term
//     by blanks (the older guide's "ERROR" - "Exiting").
//   - %regex% must be the whole pattern ("Regular expressions (regex) can
//     be used to create standalone filter patterns").
type unstructured struct {
	all  []string // terms that must all occur
	none []string // terms none of which may occur
	any  []string // terms one of which must occur
	// anyBlank records an optional blank phrase (?" "), which any event
	// satisfies.
	anyBlank bool
	re       *regex
}

// term is one lexed term and its prefix operator ('?', '-' or 0).
type term struct {
	text  string
	op    byte
	blank bool
}

func parseUnstructured(off int, src string) (*unstructured, error) {
	u := &unstructured{}
	if strings.HasPrefix(src, "%") {
		return u, u.parseRegex(off, src)
	}
	var terms []term
	for i := 0; i < len(src); {
		c := src[i]
		if isSpace(c) {
			i++
			continue
		}
		var op byte
		if c == '?' || c == '-' {
			op = c
			opAt := i
			i++
			for i < len(src) && isSpace(src[i]) {
				i++
			}
			if i == len(src) {
				return nil, syntaxErr(off+opAt, "%q must be followed by a term", op)
			}
			if src[i] == '?' || src[i] == '-' {
				return nil, syntaxErr(off+i, "%q cannot follow %q", src[i], op)
			}
		}
		t := term{op: op}
		switch r, size := utf8.DecodeRuneInString(src[i:]); {
		case src[i] == '"':
			text, next, ok := readQuoted(src, i)
			if !ok {
				return nil, syntaxErr(off+i, "unterminated quoted string")
			}
			t.text, t.blank = text, strings.TrimSpace(text) == ""
			if t.blank && op == '-' {
				return nil, syntaxErr(off+i, "cannot exclude a blank phrase")
			}
			i = next
		case src[i] == '%':
			return nil, syntaxErr(off+i, "a regular expression must be the whole filter pattern; quote the term to match a literal %%")
		case isTermRune(r):
			j := i + size
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if !isTermRune(r) {
					break
				}
				j += size
			}
			t.text = src[i:j]
			i = j
		default:
			return nil, syntaxErr(off+i, "unexpected %q; enclose terms that contain characters other than letters, digits and underscores in double quotes", r)
		}
		terms = append(terms, t)
	}
	hasPlain := false
	for _, t := range terms {
		switch t.op {
		case 0:
			hasPlain = true
			if !t.blank {
				u.all = append(u.all, t.text)
			}
		case '-':
			u.none = append(u.none, t.text)
		case '?':
			if t.blank {
				u.anyBlank = true
			} else {
				u.any = append(u.any, t.text)
			}
		}
	}
	if hasPlain || len(u.none) > 0 {
		u.any, u.anyBlank = nil, false
	}
	if u.anyBlank {
		u.any = nil
	}
	return u, nil
}

func (u *unstructured) parseRegex(off int, src string) error {
	end := strings.IndexByte(src[1:], '%')
	if end < 0 {
		return syntaxErr(off, "unterminated regular expression")
	}
	end++
	if end != len(src)-1 {
		return syntaxErr(off+end+1, "a regular expression must be the whole filter pattern")
	}
	re, err := compileRegex(src[1:end], off+1)
	if err != nil {
		return err
	}
	u.re = re
	return nil
}

// isTermRune reports whether r may appear in an unquoted term.
func isTermRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (u *unstructured) match(msg string) bool {
	if u.re != nil {
		return u.re.match(msg)
	}
	for _, t := range u.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range u.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(u.any) == 0 {
		return true
	}
	for _, t := range u.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

// requiredTerms returns the substrings every matching message contains.
func (u *unstructured) requiredTerms() []string {
	if u.re != nil {
		return u.re.lits
	}
	if len(u.all) > 0 {
		return u.all
	}
	if len(u.any) == 1 {
		return u.any
	}
	return nil
}
