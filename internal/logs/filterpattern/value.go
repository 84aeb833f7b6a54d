package filterpattern

import (
	"strings"
)

// cmpOp is a comparison operator of JSON and space-delimited conditions.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opGt
	opLe
	opGe
)

func (o cmpOp) String() string {
	return [...]string{"=", "!=", "<", ">", "<=", ">="}[o]
}

// relational reports whether o is one of < > <= >=, which need numbers.
func (o cmpOp) relational() bool { return o >= opLt }

// readOp reads a comparison operator at s[i:] and returns it and its
// length, or length 0 when there is none. "==" is not an operator.
func readOp(s string, i int) (cmpOp, int) {
	if i >= len(s) {
		return 0, 0
	}
	next := byte(0)
	if i+1 < len(s) {
		next = s[i+1]
	}
	switch s[i] {
	case '=':
		if next == '=' {
			return 0, 0
		}
		return opEq, 1
	case '!':
		if next == '=' {
			return opNe, 2
		}
	case '<':
		if next == '=' {
			return opLe, 2
		}
		return opLt, 1
	case '>':
		if next == '=' {
			return opGe, 2
		}
		return opGt, 1
	}
	return 0, 0
}

// operandKind says how a condition's right-hand side compares.
type operandKind uint8

const (
	// opdGlob compares text, with a leading and/or trailing * wildcard.
	opdGlob operandKind = iota
	// opdNumber compares numerically.
	opdNumber
	// opdRegex searches the text with a regular expression.
	opdRegex
)

// operand is the right-hand side of a condition.
type operand struct {
	kind operandKind
	glob glob
	num  decimal
	re   *regex
}

// test applies "value op operand". Text that is not a number never
// satisfies a numeric =, < , >, <= or >=, and always satisfies a numeric
// != (it is a value, and not that number).
func (o *operand) test(op cmpOp, v string) bool {
	var eq bool
	switch o.kind {
	case opdGlob:
		eq = o.glob.match(v)
	case opdRegex:
		eq = o.re.match(v)
	case opdNumber:
		d, ok := parseDecimal(v)
		if !ok {
			return op == opNe
		}
		c := compareDecimal(d, o.num)
		switch op {
		case opLt:
			return c < 0
		case opGt:
			return c > 0
		case opLe:
			return c <= 0
		case opGe:
			return c >= 0
		}
		eq = c == 0
	}
	if op == opNe {
		return !eq
	}
	return eq
}

// newOperand classifies an operand read from a pattern. Quoted text is
// always text; unquoted text that reads as a number compares numerically.
// AWS: "Strings don't support scientific notation", that is a quoted
// "1e3" is the string 1e3, while an unquoted 1e3 is the number 1000.
func newOperand(text string, quoted bool) operand {
	if !quoted {
		if d, ok := parseDecimal(text); ok {
			return operand{kind: opdNumber, num: d}
		}
	}
	return operand{kind: opdGlob, glob: newGlob(text)}
}

// glob is a string comparison with optional wildcards. AWS: "You can use
// the asterisk '*' wildcard character to match any text at, before, or
// after a search term ... Ev*ent will only match the actual string Ev*ent";
// only leading and trailing asterisks are wildcards.
type glob struct {
	lit      string
	pre, suf bool
}

func newGlob(s string) glob {
	if strings.Trim(s, "*") == "" && s != "" {
		return glob{pre: true, suf: true}
	}
	var g glob
	t := strings.TrimLeft(s, "*")
	g.pre = len(t) < len(s)
	u := strings.TrimRight(t, "*")
	g.suf = len(u) < len(t)
	g.lit = u
	return g
}

func (g glob) match(v string) bool {
	switch {
	case g.pre && g.suf:
		return strings.Contains(v, g.lit)
	case g.pre:
		return strings.HasSuffix(v, g.lit)
	case g.suf:
		return strings.HasPrefix(v, g.lit)
	}
	return v == g.lit
}

// requiredText returns the literal a matching value contains, if any.
func (g glob) requiredText() string { return g.lit }

// decimal is a decimal number kept as written, compared exactly (so the
// 19-digit ids some logs carry compare correctly, unlike float64).
type decimal struct {
	neg  bool
	mant string // digits with at most one '.'
	dot  int    // index of '.' in mant, or -1
	exp  int64
}

// maxExp bounds exponents so that arithmetic on them cannot overflow.
const maxExp = 1 << 40

// parseDecimal reads [+-]digits[.digits][(e|E)[+-]digits] (".5" and "5."
// too). It accepts nothing else: no spaces, hex, Inf or NaN.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	start := i
	d.dot = -1
	digits := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
			continue
		}
		if c == '.' && d.dot < 0 {
			d.dot = i - start
			continue
		}
		break
	}
	if digits == 0 {
		return d, false
	}
	d.mant = s[start:i]
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return d, false
		}
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return d, false
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return d, false
			}
			if d.exp < maxExp {
				d.exp = d.exp*10 + int64(c-'0')
			}
		}
		if neg {
			d.exp = -d.exp
		}
	}
	return d, true
}

// ndigits is the number of digits in the mantissa.
func (d *decimal) ndigits() int {
	if d.dot >= 0 {
		return len(d.mant) - 1
	}
	return len(d.mant)
}

// digit returns the k-th mantissa digit, '0' past the end.
func (d *decimal) digit(k int) byte {
	if d.dot >= 0 && k >= d.dot {
		k++
	}
	if k >= len(d.mant) {
		return '0'
	}
	return d.mant[k]
}

// shape returns the index of the first significant digit (ndigits when
// the number is zero) and the decimal exponent of that digit's position.
func (d *decimal) shape() (first int, pos int64) {
	n := d.ndigits()
	for first < n && d.digit(first) == '0' {
		first++
	}
	intDigits := n
	if d.dot >= 0 {
		intDigits = d.dot
	}
	return first, int64(intDigits-first) + d.exp
}

// compareDecimal returns -1, 0 or 1 as a is less than, equal to or greater
// than b.
func compareDecimal(a, b decimal) int {
	fa, pa := a.shape()
	fb, pb := b.shape()
	za, zb := fa == a.ndigits(), fb == b.ndigits()
	switch {
	case za && zb:
		return 0
	case za:
		if b.neg {
			return 1
		}
		return -1
	case zb:
		if a.neg {
			return -1
		}
		return 1
	}
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := 0
	switch {
	case pa > pb:
		c = 1
	case pa < pb:
		c = -1
	default:
		na, nb := a.ndigits()-fa, b.ndigits()-fb
		for k := 0; k < na || k < nb; k++ {
			x, y := a.digit(fa+k), b.digit(fb+k)
			if x != y {
				if x > y {
					c = 1
				} else {
					c = -1
				}
				break
			}
		}
	}
	if a.neg {
		return -c
	}
	return c
}

// readQuoted reads a double-quoted string starting at s[i] == '"'. A
// backslash makes the next '"' or '\' literal; before any other character
// it stays a backslash. It returns the content and the index after the
// closing quote, or ok false when the string is not terminated.
func readQuoted(s string, i int) (text string, next int, ok bool) {
	j := i + 1
	esc := false
	for ; j < len(s); j++ {
		if s[j] == '\\' && j+1 < len(s) {
			esc = true
			j++
			continue
		}
		if s[j] == '"' {
			break
		}
	}
	if j >= len(s) {
		return "", j, false
	}
	raw := s[i+1 : j]
	if !esc {
		return raw, j + 1, true
	}
	var b strings.Builder
	for k := 0; k < len(raw); k++ {
		if raw[k] == '\\' && k+1 < len(raw) && (raw[k+1] == '"' || raw[k+1] == '\\') {
			k++
		}
		b.WriteByte(raw[k])
	}
	return b.String(), j + 1, true
}
