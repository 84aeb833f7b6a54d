package eventpattern

import (
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	f := func(pattern, s string, want bool) {
		t.Helper()
		g, reason := parseGlob(pattern)
		if reason != "" {
			t.Fatalf("parseGlob(%q): %s", pattern, reason)
		}
		if got := g.match(s); got != want {
			t.Errorf("%q matches %q: %v; want %v", pattern, s, got, want)
		}
	}
	f("*", "", true)
	f("*", "abc", true)
	f("", "", true)
	f("", "a", false)
	f("a*", "a", true)
	f("*a", "ba", true)
	f("*a", "ab", false)
	f("a*a", "a", false)
	f("a*a", "aa", true)
	f("a*b*c", "abc", true)
	f("a*b*c", "aXbYc", true)
	f("a*b*c", "acb", false)
	f("*/lib/*", "/usr/lib/x.so", true)
	f("*/lib/*", "/usr/lib64/x", false)
	f(`a\*b`, "a*b", true)
	f(`a\*b`, "axb", false)
	f(`a\\*`, `a\bc`, true)
	f("arn:aws:events:us-east-1:*:event-bus/*", "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus", true)
	f("/Users/*/dir/dir/dir/dir/dir/doc.txt", "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt", true)
	f("/Users/*/dir/dir/dir/dir/dir/doc.txt", "/Users/ls_user/dir/dir/dir/dir/otherdir/doc.txt", false)
}

func TestParseGlobErrors(t *testing.T) {
	f := func(pattern, want string) {
		t.Helper()
		if _, reason := parseGlob(pattern); reason != want {
			t.Errorf("parseGlob(%q) = %q; want %q", pattern, reason, want)
		}
	}
	// AWS answered "Consecutive wildcard characters at pos 26" for this
	// ARN (LocalStack's snapshot, with the partition and region masked).
	f("arn:aws:events:us-east-1:**:event-bus/*", "Consecutive wildcard characters at pos 26")
	f("**", "Consecutive wildcard characters at pos 1")
	f(`a\b`, "Invalid escape character at pos 2")
	f(`a\`, "Invalid escape character at pos 2")
}

// TestGlobComplexity checks the complexity against Event Ruler's own
// examples (MachineComplexityEvaluatorTest) and the bound against AWS's
// answers.
func TestGlobComplexity(t *testing.T) {
	f := func(want int, patterns ...string) {
		t.Helper()
		var globs []glob
		for _, p := range patterns {
			g, reason := parseGlob(p)
			if reason != "" {
				t.Fatal(reason)
			}
			globs = append(globs, g)
		}
		if got := globComplexity(globs, 100); got != want {
			t.Errorf("complexity of %q = %d; want %d", patterns, got, want)
		}
	}
	f(1, "*")
	f(1, "abc")
	f(3, "*", "ab*c")
	f(2, "*ab")
	f(3, "*aa")
	f(2, "a*b")
	f(2, "aa*")
	f(2, "a*bc")
	f(3, "a*bb")
	f(3, "a*bcb")
	f(4, "a*bbb")
	f(4, "*ab*ad")
	f(3, "*ab*d")
	f(4, "*aba*")
	f(5, "a*b*bb")
	f(4, "a*b*cb")
	f(3, "a*b*cd")
	f(4, "a*b*b")
	f(4, "a*bb*")
	f(3, "ab*b*")
	f(3, "ab*c", "x*xx")
	f(4, "*abc", "*abcde")
	f(4, "a*bcd", "ab*cd")
	f(4, "a*bc", "a*bcde")
	f(7, "a*aaa", "aa*aa")
	f(4, "a*bc", "abc*d")
	f(6, "a*aaa", "aaa*a")
	f(5, "a*aax", "aaa*x")

	bound := func(ok bool, patterns ...string) {
		t.Helper()
		var globs []glob
		for _, p := range patterns {
			g, _ := parseGlob(p)
			globs = append(globs, g)
		}
		if got := globComplexity(globs, maxComplexity); (got <= maxComplexity) != ok {
			t.Errorf("complexity of %q = %d; want accepted %v", patterns, got, ok)
		}
	}
	bound(true, "arn:aws:events:us-east-1:*:event-bus/*")
	bound(true, "/Users/*/dir/dir/dir/dir/dir/doc.txt")
	bound(true, "*.bif", "*.tiff", "*.tif", "*.svs")
	bound(true, "*/datasync/*.bif", "*/datasync/*.tif")
	bound(true, "*/datasync/*.tiff", "*/datasync/*.svs")
	bound(false, "*/datasync/*.bif", "*/datasync/*.tif", "*/datasync/*.tiff", "*/datasync/*.svs")
	bound(false, "*:*:*:*:*:event-bus/*")
	bound(false, strings.Repeat("a*", 40))
}
