package mathexpr

import (
	"strings"
	"unicode"
)

// Search tokenization, after "CloudWatch search expressions:
// Tokenization" and "Partial matches"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html#search-expression-syntax-tokenization).
//
// A string splits into atomic tokens at non-alphanumeric characters, at
// camel-case boundaries (a capital after a small letter, and the last
// capital of a run before a small letter: SDBFailure is SDB Failure) and
// where digits start or stop (Project2-trial333 is Project 2 trial 333).
// Besides its atomic tokens a string has one whole token: its letters and
// digits run together (project2trial333). Tokens compare in lower case.
//
// A partial search term matches a string when
//   - its whole token equals the string's whole token (customcount1 finds
//     CustomCount1);
//   - it is one atomic token that equals, ignoring case, one of the
//     string's atomic tokens (count, Count and COUNT find CustomCount1); or
//   - its atomic tokens, a composite, appear consecutively among the
//     string's. The documentation makes camel-case composites
//     case-sensitive (CustomCount and Count1 find CustomCount1, customcount,
//     count1 and couNT do not) yet has network/errors find
//     Network-Errors-2; so a composite is compared case-sensitively when one
//     of its words (the parts between non-alphanumeric characters) holds
//     several atomic tokens, and ignoring case when it is made only of
//     words of one token each.

// strTokens is a tokenized metric name, namespace or dimension.
type strTokens struct {
	whole string   // letters and digits, lower case
	toks  []string // atomic tokens, case preserved
	lower []string // atomic tokens, lower case
}

// termTokens is a tokenized partial search term.
type termTokens struct {
	strTokens
	// caseSensitive is set when a word of the term holds several atomic
	// tokens.
	caseSensitive bool
}

// tokenize tokenizes a metric's string.
func tokenize(s string) strTokens {
	var t strTokens
	var whole strings.Builder
	for _, w := range words(s) {
		whole.WriteString(w)
		t.toks = append(t.toks, atomize(w)...)
	}
	t.whole = strings.ToLower(whole.String())
	t.lower = make([]string, len(t.toks))
	for i, x := range t.toks {
		t.lower[i] = strings.ToLower(x)
	}
	return t
}

// tokenizeTerm tokenizes a partial search term.
func tokenizeTerm(s string) termTokens {
	t := termTokens{strTokens: tokenize(s)}
	for _, w := range words(s) {
		if len(atomize(w)) > 1 {
			t.caseSensitive = true
		}
	}
	return t
}

// words splits s into its runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// atomize splits a run of letters and digits into atomic tokens.
func atomize(w string) []string {
	rs := []rune(w)
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		p, r := rs[i-1], rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		split := unicode.IsDigit(p) != unicode.IsDigit(r) ||
			(!unicode.IsUpper(p) && !unicode.IsDigit(p) && unicode.IsUpper(r)) ||
			(unicode.IsUpper(p) && unicode.IsUpper(r) && unicode.IsLower(next))
		if split {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	if len(rs) > 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

// partialMatch reports whether a partial search term matches a string.
func partialMatch(term termTokens, s strTokens) bool {
	if term.whole != "" && term.whole == s.whole {
		return true
	}
	n := len(term.toks)
	if n == 0 || n > len(s.toks) {
		return false
	}
	want, have := term.lower, s.lower
	if term.caseSensitive {
		want, have = term.toks, s.toks
	}
	if n == 1 {
		for _, h := range s.lower {
			if h == term.lower[0] {
				return true
			}
		}
		return false
	}
outer:
	for i := 0; i+n <= len(have); i++ {
		for k := range n {
			if have[i+k] != want[k] {
				continue outer
			}
		}
		return true
	}
	return false
}
