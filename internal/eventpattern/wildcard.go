package eventpattern

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Wildcards follow the EventBridge guide: "You can specify any number of
// wildcard characters in a given string value, but consecutive wildcard
// characters are not supported. EventBridge supports using the backslash
// character (\) to specify the literal * and \ characters in wildcard
// filters: The string \* represents the literal * character; The string
// \\ represents the literal \ character. Using the backslash to escape
// other characters is not supported."
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching)
// A * matches any run of characters, the empty one included.

// glob is a parsed wildcard pattern: the literal runs between its
// wildcards, so a pattern with n wildcards has n+1 runs.
type glob struct {
	runs []string
}

// parseGlob parses a wildcard pattern, refusing it with Event Ruler's
// reasons, "Consecutive wildcard characters at pos 26" (recorded) and
// "Invalid escape character at pos N". Event Ruler counts positions in
// bytes from the opening quote of the JSON string, so the first character
// is at position 1.
func parseGlob(s string) (glob, string) {
	var (
		g   glob
		run strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return glob{}, fmt.Sprintf("Consecutive wildcard characters at pos %d", i+1)
			}
			g.runs = append(g.runs, run.String())
			run.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				run.WriteByte(s[i+1])
				i++
				continue
			}
			return glob{}, fmt.Sprintf("Invalid escape character at pos %d", i+1)
		default:
			run.WriteByte(s[i])
		}
	}
	g.runs = append(g.runs, run.String())
	return g, ""
}

// match reports whether s matches the pattern. Matching the runs between
// the first and the last leftmost-first is correct when * is the only
// wildcard.
func (g glob) match(s string) bool {
	n := len(g.runs)
	if n == 1 {
		return s == g.runs[0]
	}
	first, last := g.runs[0], g.runs[n-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, run := range g.runs[1 : n-1] {
		i := strings.Index(s, run)
		if i < 0 {
			return false
		}
		s = s[i+len(run):]
	}
	return true
}

// maxComplexity is the largest wildcard complexity EventBridge accepts in
// one pattern. The guide says only that "If a rule is too complex,
// EventBridge returns an InvalidEventPatternException"; Event Ruler's
// README suggests limiting "each single-rule machine to complexity of 10,
// and allow for 30 rules containing wildcard patterns", and 30 is
// EventBridge's documented quota of rules with wildcards per bus. The
// bound agrees with AWS's answers known to Vigil: it accepts
// "arn:aws:events:us-east-1:*:event-bus/*", "/Users/*/dir/dir/dir/dir/dir/doc.txt"
// and two of "*/datasync/*.bif" and the like on one field, and refuses
// "*:*:*:*:*:event-bus/*" and four such on one field.
const maxComplexity = 10

// complexityStates bounds the states the evaluation explores; a pattern
// set that needs more is too complex.
const complexityStates = 20000

// globComplexity returns Event Ruler's complexity of the wildcard patterns
// of one field (MachineComplexityEvaluator): the largest number, over all
// input strings, of prefixes of the patterns that match the whole input,
// a prefix being the pattern's first k tokens for k >= 1 (each literal
// byte and each * is a token). It stops counting above limit.
//
// It explores the subsets of positions a nondeterministic matcher of all
// the patterns can be in. A position is an index into toks, the tokens of
// all patterns, each pattern followed by an end marker: "the tokens of its
// pattern before this index are matched".
func globComplexity(globs []glob, limit int) int {
	type tok struct {
		star, end bool
		b         byte
	}
	var toks []tok
	start := []int{}
	isStart := map[int]bool{}
	alphabet := map[byte]bool{}
	for _, g := range globs {
		start = append(start, len(toks))
		isStart[len(toks)] = true
		for i, run := range g.runs {
			if i > 0 {
				toks = append(toks, tok{star: true})
			}
			for j := 0; j < len(run); j++ {
				toks = append(toks, tok{b: run[j]})
				alphabet[run[j]] = true
			}
		}
		toks = append(toks, tok{end: true})
	}
	// The input bytes worth trying: those the patterns name and one they
	// do not.
	letters := []byte{}
	for b := range alphabet {
		letters = append(letters, b)
	}
	for b := 0; b < 256; b++ {
		if !alphabet[byte(b)] {
			letters = append(letters, byte(b))
			break
		}
	}
	// closure adds the positions after a * that matches nothing.
	closure := func(set []int) []int {
		for i := 0; i < len(set); i++ {
			if p := set[i]; toks[p].star && !slices.Contains(set, p+1) {
				set = append(set, p+1)
			}
		}
		slices.Sort(set)
		return set
	}
	count := func(set []int) int {
		n := 0
		for _, p := range set {
			if !isStart[p] {
				n++
			}
		}
		return n
	}
	key := func(set []int) string {
		b := make([]byte, 0, 4*len(set))
		for _, p := range set {
			b = binary.AppendUvarint(b, uint64(p))
		}
		return string(b)
	}
	first := closure(start)
	best := count(first)
	seen := map[string]bool{key(first): true}
	queue := [][]int{first}
	for len(queue) > 0 && best <= limit {
		if len(seen) > complexityStates {
			return limit + 1
		}
		set := queue[0]
		queue = queue[1:]
		for _, c := range letters {
			var next []int
			for _, p := range set {
				// A * just matched may take this byte too.
				if !isStart[p] && toks[p-1].star && !slices.Contains(next, p) {
					next = append(next, p)
				}
				if t := toks[p]; !t.star && !t.end && t.b == c && !slices.Contains(next, p+1) {
					next = append(next, p+1)
				}
			}
			if len(next) == 0 {
				continue
			}
			next = closure(next)
			k := key(next)
			if seen[k] {
				continue
			}
			seen[k] = true
			best = max(best, count(next))
			queue = append(queue, next)
		}
	}
	return best
}
