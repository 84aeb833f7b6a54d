package policy

import (
	"strings"
	"unicode/utf8"
)

// glob reports whether s matches pattern, in which * matches any run of
// characters, the empty one included, and ? any one character; nothing
// escapes them, as in AWS's policies. It is the classic backtracking
// match, which on a mismatch lets the last * take one more character:
// linear for most patterns, quadratic at worst.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == '?':
			_, n := utf8.DecodeRuneInString(s[i:])
			p, i = p+1, i+n
		case p < len(pattern) && pattern[p] == s[i]:
			p, i = p+1, i+1
		case star >= 0:
			_, n := utf8.DecodeRuneInString(s[mark:])
			mark += n
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// arnMatch is the match of the ARN condition operators: "Each of the six
// colon-delimited components of the ARN is checked separately and each
// can include multi-character match wildcards (*) or single-character
// match wildcards (?)", so a * stays within its component (the last
// component, the resource, may itself hold colons).
func arnMatch(pattern, arn string) bool {
	ps, as := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(ps) != 6 || len(as) != 6 {
		return false
	}
	for i := range ps {
		if !glob(ps[i], as[i]) {
			return false
		}
	}
	return true
}
