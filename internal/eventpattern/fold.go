package eventpattern

import (
	"unicode"
	"unicode/utf8"
)

// fold returns s with each character replaced by the smallest character
// of its Unicode simple case-folding orbit, so that two strings are equal
// ignoring case, as strings.EqualFold says, exactly when their folds are
// equal; ASCII letters fold to upper case. Event Ruler compares each
// character with its Java lower- and upper-case forms instead; the two
// agree but on a few characters whose orbits have three members, such as
// the Kelvin sign.
func fold(s string) string {
	if folded(s) {
		return s
	}
	return string(appendFold(make([]byte, 0, len(s)), s))
}

// folded reports whether s is its own fold, as a string of ASCII
// without lower-case letters is.
func folded(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'a' <= c && c <= 'z' {
			return false
		}
	}
	return true
}

// appendFold appends the fold of s to b.
func appendFold(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			b = append(b, byte(r)-'a'+'A')
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		default:
			b = utf8.AppendRune(b, foldRune(r))
		}
	}
	return b
}

// foldRune returns the smallest character of r's case-folding orbit.
func foldRune(r rune) rune {
	low := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		low = min(low, f)
	}
	return low
}
