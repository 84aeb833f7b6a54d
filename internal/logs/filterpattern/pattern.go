package filterpattern

import (
	"fmt"
	"strings"
)

// Kind is the kind of a filter pattern, which decides how a message is read.
type Kind int

const (
	// Unstructured patterns match terms, phrases or one regular expression
	// anywhere in the raw message; the empty pattern is Unstructured too.
	Unstructured Kind = iota
	// JSON patterns ({ ... }) read the message as a JSON object.
	JSON
	// SpaceDelimited patterns ([ ... ]) read the message as whitespace
	// separated fields.
	SpaceDelimited
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Unstructured:
		return "Unstructured"
	case JSON:
		return "JSON"
	case SpaceDelimited:
		return "SpaceDelimited"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// SyntaxError reports why a filter pattern is invalid. Its message is
// meant to follow "Invalid filter pattern: ".
type SyntaxError struct {
	// Offset is the byte offset in the pattern where the problem is.
	Offset int
	// Msg describes the problem.
	Msg string
}

// Error returns the problem and its 1-based position in the pattern.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at position %d", e.Msg, e.Offset+1)
}

func syntaxErr(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// maxPatternLen bounds the patterns Parse accepts, far above AWS's limit
// of 1,024 characters (which the API layer enforces), so that nesting in
// an oversized pattern cannot exhaust the stack of the recursive parser
// and evaluator.
const maxPatternLen = 64 << 10

// maxRegexes is AWS's quota: "There is a limit of 2 regex for each filter
// pattern when creating a delimited or JSON filter pattern".
const maxRegexes = 2

// Pattern is a compiled filter pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src     string
	kind    Kind
	regexes int
	terms   []string

	text  *unstructured
	json  *jsonPattern
	delim *delimited
}

// Parse compiles a filter pattern. An empty (or all-blank) pattern matches
// every event. An invalid pattern returns a *SyntaxError whose message is
// suitable to append to "Invalid filter pattern: " (the API layer answers
// InvalidParameterException).
func Parse(pattern string) (*Pattern, error) {
	if len(pattern) > maxPatternLen {
		return nil, syntaxErr(maxPatternLen, "a filter pattern can be at most %d bytes long", maxPatternLen)
	}
	p := &Pattern{src: pattern}
	trimmed := strings.TrimLeft(pattern, spaceChars)
	off := len(pattern) - len(trimmed)
	trimmed = strings.TrimRight(trimmed, spaceChars)
	var err error
	switch {
	case strings.HasPrefix(trimmed, "{"):
		p.kind = JSON
		p.json, err = parseJSONPattern(pattern, off, trimmed)
		if err == nil {
			p.regexes = p.json.regexes
		}
	case strings.HasPrefix(trimmed, "["):
		p.kind = SpaceDelimited
		p.delim, err = parseDelimited(pattern, off, trimmed)
		if err == nil {
			p.regexes = p.delim.regexes
			p.terms = p.delim.requiredTerms()
		}
	default:
		p.kind = Unstructured
		p.text, err = parseUnstructured(off, trimmed)
		if err == nil {
			if p.text.re != nil {
				p.regexes = 1
			}
			p.terms = p.text.requiredTerms()
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Match reports whether a log event message matches.
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case JSON:
		return p.json.match(message)
	case SpaceDelimited:
		return p.delim.match(message)
	}
	return p.text.match(message)
}

// Extract matches message and, when it matches, returns a Fields giving
// access to the values that selectors name: "$.a.b[0]" (JSON patterns) or
// "$name" and "$3" (named and positional fields of space-delimited
// patterns). Metric filters use it for metric values and dimensions.
func (p *Pattern) Extract(message string) (Fields, bool) {
	switch p.kind {
	case JSON:
		return p.json.extract(message)
	case SpaceDelimited:
		return p.delim.extract(message)
	}
	if !p.text.match(message) {
		return nil, false
	}
	return noFields{}, true
}

// Terms returns case-sensitive literal substrings that every matching
// message contains (nil if none are implied), so storage can pre-filter
// with a substring scan before calling Match. It is conservative: a
// matching message never lacks a returned term. JSON patterns imply none,
// because any character of a JSON key or string may be written as a \u
// escape and any number in several forms (400, 4e2, 400.0).
func (p *Pattern) Terms() []string {
	if len(p.terms) == 0 {
		return nil
	}
	return append([]string(nil), p.terms...)
}

// Kind returns the pattern's kind: Unstructured, JSON or SpaceDelimited.
func (p *Pattern) Kind() Kind { return p.kind }

// String returns the pattern as given to Parse.
func (p *Pattern) String() string { return p.src }

// RegexCount returns how many %regex% expressions the pattern contains, for
// AWS's quota of 5 regex-bearing metric or subscription filters per log
// group.
func (p *Pattern) RegexCount() int { return p.regexes }

// Fields gives access to the values a matching event holds for selectors.
type Fields interface {
	// Get returns the text of the selected value and whether it exists.
	Get(selector string) (string, bool)
	// All returns the extracted fields as TestMetricFilter reports them
	// ("extractedValues"), in a new map: for space-delimited patterns
	// "$name" for each named field and "$N" for the fields "..." stands
	// for or left unnamed; for JSON patterns each selector of the pattern
	// ("$.a.b") that reaches a string, number or boolean; nothing for
	// unstructured patterns. Every key is a selector Get accepts, with the
	// same value.
	All() map[string]string
}

// noFields is the Fields of an unstructured match: it names nothing.
type noFields struct{}

func (noFields) Get(string) (string, bool) { return "", false }
func (noFields) All() map[string]string    { return map[string]string{} }

// spaceChars is the whitespace that separates pattern tokens and message
// fields.
const spaceChars = " \t\n\r\v\f"

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
