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
func glob(pattern, s string) bool { return globMatch(pattern, s, false) }

// globFold is glob with ASCII letters matched case-insensitively; pattern
// is in lower case. Action names are ASCII, and match so.
func globFold(pattern, s string) bool { return globMatch(pattern, s, true) }

func globMatch(pattern, s string, fold bool) bool {
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
		case p < len(pattern) && (pattern[p] == s[i] || fold && pattern[p] == lowerASCII(s[i])):
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

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// toLowerASCII returns s with its ASCII letters in lower case, s itself
// when it has none in upper case.
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII reports whether s equals lower, in lower case, with the
// ASCII letters of s matched case-insensitively.
func equalFoldASCII(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower[i] != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

// arnMatch is the match of ARNs, in the Resource element and in the ARN
// condition operators: "Each of the six colon-delimited components of
// the ARN is checked separately and each can include multi-character
// match wildcards (*) or single-character match wildcards (?)", so a *
// stays within its component; the last component, the resource, may
// itself hold colons, which its wildcards cross ("log-group:*" covers
// "log-group:g:log-stream:s")
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
// A pattern and an ARN with fewer than six components match when they
// have as many, each matching. It does not allocate.
func arnMatch(pattern, arn string) bool {
	for range 5 {
		pc, prest, pok := strings.Cut(pattern, ":")
		ac, arest, aok := strings.Cut(arn, ":")
		if pok != aok || !glob(pc, ac) {
			return false
		}
		if !pok {
			return true
		}
		pattern, arn = prest, arest
	}
	return glob(pattern, arn)
}
