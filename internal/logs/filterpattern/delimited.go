package filterpattern

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// delimited is a compiled [ ... ] pattern.
//
// From "Using filter patterns to match terms in space-delimited log
// events" and the metric filter examples:
//   - Fields are named and comma separated: [ip, user, username,
//     timestamp, request, status_code, bytes]. A name holds letters,
//     digits, _ and - (as AWS CDK validates), and is not all digits,
//     which would clash with the positional $N. A field may be left unnamed
//     ([..., status_code=4*,] ends with one); TestMetricFilter reports
//     unnamed fields as $N, their 1-based position in the event.
//   - "..." stands for any number of fields ("Elipsis can reference as
//     many fields as needed"); at most one is allowed (as AWS CDK
//     enforces).
//   - A field may carry conditions: name op value, joined by && and ||
//     (&& binds first). Every condition of a field must name that field:
//     AWS answers "Invalid filter pattern" for the guide's own former
//     example [..., status_code = 4* && bytes > 1000]
//     (awsdocs/amazon-cloudwatch-logs-user-guide issue 21).
//   - Values compare as in JSON patterns: numbers numerically, text with
//     leading/trailing * wildcards, %regex% searches the field.
//
// Events split at runs of whitespace; a field that starts with " runs to
// the next " and one that starts with [ to the next ], and the value is
// what lies between ("Characters between brackets ("[]") and double
// quotation marks ("") are considered single fields"). An unclosed " or [
// is an ordinary character.
//
// The documentation is silent on events with more fields than the
// pattern; it says a pattern matching "the first word" must "include a
// blank indicator" after it: [w1=ERROR, w2]. That note only makes sense if
// the last field takes the rest of the event, so without an ellipsis the
// last field does: [w1=ERROR, w2] matches "ERROR 09/25/2014 Failed to
// process request" with w2 = "09/25/2014 Failed to process request". An
// event with fewer fields than the pattern does not match.
type delimited struct {
	fields   []dfield
	ellipsis int // index of "...", or -1
	regexes  int
	// names maps each field name to its first pattern field.
	names map[string]int
}

type dfield struct {
	name     string
	ellipsis bool
	cond     *dexpr
}

// dexpr is a field's condition tree.
type dexpr struct {
	kind exprKind
	l, r *dexpr
	op   cmpOp
	val  operand
}

func parseDelimited(src string, off int, trimmed string) (*delimited, error) {
	d := &delimited{ellipsis: -1}
	end := off + len(trimmed)
	i := off + 1
	for {
		f, n, err := d.field(src, i, end)
		if err != nil {
			return nil, err
		}
		i += n
		if f.ellipsis {
			if d.ellipsis >= 0 {
				return nil, syntaxErr(i-3, "a pattern can contain only one \"...\"")
			}
			d.ellipsis = len(d.fields)
		}
		d.fields = append(d.fields, f)
		for i < end && isSpace(src[i]) {
			i++
		}
		if i >= end {
			return nil, syntaxErr(i, "missing \"]\" at the end of the pattern")
		}
		if src[i] == ',' {
			i++
			continue
		}
		if src[i] == ']' {
			i++
			break
		}
		r, _ := utf8.DecodeRuneInString(src[i:])
		return nil, syntaxErr(i, "unexpected %q, expected \",\" or \"]\"", r)
	}
	if i != end {
		return nil, syntaxErr(i, "unexpected text after the closing \"]\"")
	}
	if len(d.fields) == 1 && d.fields[0].name == "" && !d.fields[0].ellipsis {
		return nil, syntaxErr(off, "empty space-delimited pattern")
	}
	if d.regexes > maxRegexes {
		return nil, syntaxErr(off, "a space-delimited filter pattern can contain at most %d regular expressions", maxRegexes)
	}
	d.names = map[string]int{}
	for j, f := range d.fields {
		if _, dup := d.names[f.name]; f.name != "" && !dup {
			d.names[f.name] = j
		}
	}
	return d, nil
}

// field reads one field at src[i:], up to but not including "," or "]".
func (d *delimited) field(src string, i, end int) (dfield, int, error) {
	start := i
	for i < end && isSpace(src[i]) {
		i++
	}
	if strings.HasPrefix(src[i:end], "...") {
		i += 3
		for i < end && isSpace(src[i]) {
			i++
		}
		if i < end && src[i] != ',' && src[i] != ']' {
			return dfield{}, 0, syntaxErr(i, "\"...\" cannot have conditions")
		}
		return dfield{ellipsis: true}, i - start, nil
	}
	name, n := fieldName(src, i, end)
	if n == 0 {
		if i < end && (src[i] == ',' || src[i] == ']') {
			return dfield{}, i - start, nil // unnamed field
		}
		return dfield{}, 0, d.unexpected(src, i, end, "a field name")
	}
	if strings.Trim(name, "0123456789") == "" {
		// $N selects the N-th field of the event, so a number cannot
		// name a field.
		return dfield{}, 0, syntaxErr(i, "field name %q is a number; $N already names the N-th field", name)
	}
	f := dfield{name: name}
	j := i + n
	for j < end && isSpace(src[j]) {
		j++
	}
	if j >= end || src[j] == ',' || src[j] == ']' {
		return f, j - start, nil
	}
	// The name starts the first condition.
	// Conditions: cond { (&& | ||) cond }, && binding first.
	var or, and *dexpr
	for {
		c, n, err := d.cond(src, i, end, name)
		if err != nil {
			return dfield{}, 0, err
		}
		i += n
		if and == nil {
			and = c
		} else {
			and = &dexpr{kind: exprAnd, l: and, r: c}
		}
		for i < end && isSpace(src[i]) {
			i++
		}
		switch {
		case strings.HasPrefix(src[i:end], "&&"):
			i += 2
			continue
		case strings.HasPrefix(src[i:end], "||"):
			i += 2
			if or == nil {
				or = and
			} else {
				or = &dexpr{kind: exprOr, l: or, r: and}
			}
			and = nil
			continue
		}
		break
	}
	if or != nil {
		and = &dexpr{kind: exprOr, l: or, r: and}
	}
	f.cond = and
	if i < end && src[i] != ',' && src[i] != ']' {
		return dfield{}, 0, d.unexpected(src, i, end, "\"&&\", \"||\", \",\" or \"]\"")
	}
	return f, i - start, nil
}

// cond reads "name op value" for the field called field.
func (d *delimited) cond(src string, i, end int, field string) (*dexpr, int, error) {
	start := i
	for i < end && isSpace(src[i]) {
		i++
	}
	name, n := fieldName(src, i, end)
	if n == 0 {
		return nil, 0, d.unexpected(src, i, end, "a field name")
	}
	if name != field {
		return nil, 0, syntaxErr(i, "a condition on field %q cannot test %q", field, name)
	}
	i += n
	for i < end && isSpace(src[i]) {
		i++
	}
	op, n := readOp(src[:end], i)
	if n == 0 {
		if strings.HasPrefix(src[i:end], "==") {
			return nil, 0, syntaxErr(i, "\"==\" is not an operator; use \"=\"")
		}
		return nil, 0, d.unexpected(src, i, end, "a comparison operator (=, !=, <, >, <=, >=)")
	}
	i += n
	for i < end && isSpace(src[i]) {
		i++
	}
	v, n, err := readValue(src[:end], i, op, ",]&|")
	if err != nil {
		return nil, 0, err
	}
	if v.kind == opdRegex {
		d.regexes++
	}
	i += n
	return &dexpr{kind: exprCond, op: op, val: v}, i - start, nil
}

func (d *delimited) unexpected(src string, i, end int, want string) error {
	if i >= end {
		return syntaxErr(i, "unexpected end of pattern, expected %s", want)
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return syntaxErr(i, "unexpected %q, expected %s", r, want)
}

// fieldName reads a field name at src[i:end] and returns it and its length.
func fieldName(src string, i, end int) (string, int) {
	j := i
	for j < end && (isWordByte(src[j]) || src[j] == '-') {
		j++
	}
	return src[i:j], j - i
}

// span is one field of an event: raw is its extent, val its value.
type span struct {
	rawStart, rawEnd int32
	valStart, valEnd int32
}

// splitFields appends the fields of msg to out.
func splitFields(msg string, out []span) []span {
	i := 0
	// Once no closer follows one opening quote or bracket, none follows a
	// later one either (a later quote's scan falls in step with the
	// earlier one), so a failed scan is not repeated: without this, an
	// event of many unclosed "[" would take quadratic time.
	var noQuote, noBracket bool
	for {
		for i < len(msg) && isSpace(msg[i]) {
			i++
		}
		if i >= len(msg) {
			return out
		}
		sp := span{rawStart: int32(i)}
		j := -1
		switch {
		case msg[i] == '"' && !noQuote:
			j = closing(msg, i+1, '"')
			noQuote = j < 0
		case msg[i] == '[' && !noBracket:
			j = closing(msg, i+1, ']')
			noBracket = j < 0
		}
		if j >= 0 {
			sp.valStart, sp.valEnd, sp.rawEnd = int32(i+1), int32(j), int32(j+1)
			i = j + 1
		} else {
			k := i
			for k < len(msg) && !isSpace(msg[k]) {
				k++
			}
			sp.valStart, sp.valEnd, sp.rawEnd = int32(i), int32(k), int32(k)
			i = k
		}
		out = append(out, sp)
	}
}

// closing finds the closer of a grouped field; inside quotes a backslash
// escapes the next character.
func closing(msg string, i int, closer byte) int {
	for ; i < len(msg); i++ {
		c := msg[i]
		if c == '\\' && closer == '"' {
			i++
			continue
		}
		if c == closer {
			return i
		}
	}
	return -1
}

// maxPooledSpans keeps events with very many fields from pinning large
// buffers in the pool.
const maxPooledSpans = 4096

var spanPool = sync.Pool{New: func() any { s := make([]span, 0, 32); return &s }}

// assign maps pattern fields to event fields. For pattern field k it sets
// vals[k] to the value's span in msg (for "..." the span is unused). It
// reports false when the event has too few fields.
func (d *delimited) assign(msg string, fields []span, vals [][2]int32) bool {
	m, k := len(fields), len(d.fields)
	if d.ellipsis < 0 {
		if m < k {
			return false
		}
		for j := 0; j < k; j++ {
			vals[j] = [2]int32{fields[j].valStart, fields[j].valEnd}
		}
		if m > k {
			last := fields[k-1].rawStart
			end := len(msg)
			for end > 0 && isSpace(msg[end-1]) {
				end--
			}
			vals[k-1] = [2]int32{last, int32(end)}
		}
		return true
	}
	suffix := k - d.ellipsis - 1
	if m < d.ellipsis+suffix {
		return false
	}
	for j := 0; j < d.ellipsis; j++ {
		vals[j] = [2]int32{fields[j].valStart, fields[j].valEnd}
	}
	for j := 0; j < suffix; j++ {
		f := fields[m-suffix+j]
		vals[d.ellipsis+1+j] = [2]int32{f.valStart, f.valEnd}
	}
	return true
}

// maxStackFields bounds the pattern size evaluated without allocating.
const maxStackFields = 32

func (d *delimited) match(msg string) bool {
	sp := spanPool.Get().(*[]span)
	fields := splitFields(msg, (*sp)[:0])
	var buf [maxStackFields][2]int32
	var vals [][2]int32
	if len(d.fields) <= maxStackFields {
		vals = buf[:len(d.fields)]
	} else {
		vals = make([][2]int32, len(d.fields))
	}
	ok := d.assign(msg, fields, vals) && d.test(msg, vals)
	if cap(fields) <= maxPooledSpans {
		*sp = fields
		spanPool.Put(sp)
	}
	return ok
}

func (d *delimited) test(msg string, vals [][2]int32) bool {
	for j, f := range d.fields {
		if f.cond != nil && !f.cond.eval(msg[vals[j][0]:vals[j][1]]) {
			return false
		}
	}
	return true
}

func (e *dexpr) eval(v string) bool {
	switch e.kind {
	case exprAnd:
		return e.l.eval(v) && e.r.eval(v)
	case exprOr:
		return e.l.eval(v) || e.r.eval(v)
	}
	return e.val.test(e.op, v)
}

// extract matches first, with the pooled buffers of match, so that the
// many events a metric filter rejects cost no allocation.
func (d *delimited) extract(msg string) (Fields, bool) {
	if !d.match(msg) {
		return nil, false
	}
	f := &delimFields{d: d, msg: msg, fields: splitFields(msg, nil), vals: make([][2]int32, len(d.fields))}
	if !d.assign(msg, f.fields, f.vals) || !d.test(msg, f.vals) {
		panic("BUG: a space-delimited event matched, then did not")
	}
	return f, true
}

// delimFields is the Fields of a space-delimited match.
type delimFields struct {
	d      *delimited
	msg    string
	fields []span     // the event's fields
	vals   [][2]int32 // the value of each pattern field, as assign sets it
}

// pos returns the 1-based position in the event of pattern field j
// (not "..."): before "..." it is j+1, after it counts from the end.
func (f *delimFields) pos(j int) int {
	if e := f.d.ellipsis; e >= 0 && j > e {
		return len(f.fields) - (len(f.d.fields) - j) + 1
	}
	return j + 1
}

// covered returns the event positions that "..." stands for: first to
// last, inclusive (none when last < first).
func (f *delimFields) covered() (first, last int) {
	e := f.d.ellipsis
	if e < 0 {
		return 1, 0
	}
	return e + 1, len(f.fields) - (len(f.d.fields) - e - 1)
}

func (f *delimFields) val(j int) string { return f.msg[f.vals[j][0]:f.vals[j][1]] }

// Get returns a field by name ("$status_code") or by 1-based position in
// the event ("$7"): the value of the pattern field at that position, or of
// a field "..." stands for. Without "...", the last pattern field holds
// the rest of the event and no later position exists.
func (f *delimFields) Get(selector string) (string, bool) {
	name, ok := strings.CutPrefix(selector, "$")
	if !ok || name == "" {
		return "", false
	}
	if j, ok := f.d.names[name]; ok {
		return f.val(j), true
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 1 || strconv.Itoa(n) != name {
		return "", false
	}
	if first, last := f.covered(); n >= first && n <= last {
		sp := f.fields[n-1]
		return f.msg[sp.valStart:sp.valEnd], true
	}
	for j, pf := range f.d.fields {
		if !pf.ellipsis && f.pos(j) == n {
			return f.val(j), true
		}
	}
	return "", false
}

// All returns named fields as "$name" and the others (those "..." covers,
// or left unnamed) as "$N", as TestMetricFilter's extractedValues does.
func (f *delimFields) All() map[string]string {
	out := make(map[string]string, len(f.d.fields))
	for j, pf := range f.d.fields {
		switch {
		case pf.ellipsis:
			first, last := f.covered()
			for n := first; n <= last; n++ {
				sp := f.fields[n-1]
				out["$"+strconv.Itoa(n)] = f.msg[sp.valStart:sp.valEnd]
			}
		case pf.name == "":
			out["$"+strconv.Itoa(f.pos(j))] = f.val(j)
		case f.d.names[pf.name] == j:
			out["$"+pf.name] = f.val(j)
		}
	}
	return out
}

// requiredTerms returns literals every matching event contains: the text
// of each field whose conditions (joined only by &&) require it to equal
// or contain a literal. Field values are substrings of the event, so the
// literal is too. Numeric comparisons imply nothing (404 may be written
// 404.0).
func (d *delimited) requiredTerms() []string {
	var out []string
	for _, f := range d.fields {
		out = f.cond.required(out)
	}
	return out
}

func (e *dexpr) required(out []string) []string {
	if e == nil {
		return out
	}
	switch e.kind {
	case exprAnd:
		return e.r.required(e.l.required(out))
	case exprOr:
		return out
	}
	if e.op != opEq {
		return out
	}
	switch e.val.kind {
	case opdGlob:
		if t := e.val.glob.requiredText(); t != "" {
			out = append(out, t)
		}
	case opdRegex:
		out = append(out, e.val.re.lits...)
	}
	return out
}
