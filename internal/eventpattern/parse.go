package eventpattern

import "strconv"

// reserved are the names Event Ruler refuses as fields inside $or
// (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP), and whose presence
// makes SNS read $or as a plain field name.
var reserved = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true, "=": true, "<": true, "<=": true,
	">": true, ">=": true, "regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true,
	"in-date-range": true, "ip-address-in-range": true, "ip-address-not-in-range": true,
}

// maxRules is EventBridge's limit on the rules a pattern's $or make: the
// guide's "APIs that accept an event pattern ... will throw an
// InvalidEventPatternException if the use of $or results in over 1000
// rule combinations".
const maxRules = 1000

// maxRulesBuilt bounds the rules an $or may build before the limit is
// checked at its end, to bound the memory a pattern takes.
const maxRulesBuilt = 100 * maxRules

// maxComplexitySNS is SNS's limit on a filter policy's complexity: "the
// total combination of values must not exceed 150".
const maxComplexitySNS = 150

// ruleBuilder is a rule being compiled: its fields in the order they were
// first written, a later write of a path replacing the earlier one ("if
// you include a key more than once the last reference will be the one
// used to evaluate events").
type ruleBuilder struct {
	fields []field
	index  map[string]int
}

func (b *ruleBuilder) put(f field) {
	if i, ok := b.index[f.path]; ok {
		b.fields[i] = f
		return
	}
	b.index[f.path] = len(b.fields)
	b.fields = append(b.fields, f)
}

func (b *ruleBuilder) clone() *ruleBuilder {
	c := &ruleBuilder{fields: append([]field(nil), b.fields...), index: make(map[string]int, len(b.index))}
	for k, v := range b.index {
		c.index[k] = v
	}
	return c
}

// walker compiles a pattern's tokens in Event Ruler's order
// (JsonRuleCompiler), so that of several faults the one AWS reports is
// found first.
type walker struct {
	d     dialect
	toks  []token
	i     int
	rules []*ruleBuilder
}

// next returns the next token, or the syntax error it is.
func (w *walker) next() (token, *Error) {
	if w.i >= len(w.toks) {
		panic("BUG: eventpattern: read past the end of a pattern")
	}
	t := w.toks[w.i]
	if t.kind == tokError {
		return t, w.syntax(t.off, t.text)
	}
	w.i++
	return t, nil
}

// syntax returns the error for a fault of JSON.
func (w *walker) syntax(off int, msg string) *Error {
	if w.d.sns() {
		return newError(w.d, off, snsJSON+msg)
	}
	return newError(w.d, off, msg)
}

// fail returns the error for a fault found at token t.
func (w *walker) fail(t token, format string, args ...any) *Error {
	return errorf(w.d, t.off, format, args...)
}

// text returns the text of a string token, raising the fault of its
// content, which Jackson raises when the text is read.
func (w *walker) text(t token) (string, *Error) {
	if t.bad != "" {
		return "", w.syntax(t.badOff, t.bad)
	}
	return t.text, nil
}

// walk compiles the whole pattern.
func (w *walker) walk() *Error {
	t, err := w.next()
	if err != nil {
		return err
	}
	if t.kind != tokObject {
		return w.fail(t, reasonNotObject)
	}
	return w.object("", 1, false, true)
}

// object compiles the members of an object whose fields are at prefix.
func (w *walker) object(prefix string, depth int, inOr, top bool) *Error {
	fields := false
	for {
		t, err := w.next()
		if err != nil {
			return err
		}
		if t.kind == tokObjectEnd {
			if !fields && !(top && w.d.sns()) {
				return w.fail(t, reasonEmptyObject)
			}
			return nil
		}
		fields = true
		name := t.text
		if name == "$or" && (w.d == eventBridge || w.orShape()) {
			if err := w.or(prefix, depth); err != nil {
				return err
			}
			continue
		}
		if inOr && w.d == eventBridge && reserved[name] {
			return w.fail(t, "%s is Ruler reserved fieldName which cannot be used inside $or.", name)
		}
		v, err := w.next()
		if err != nil {
			return err
		}
		path := name
		if depth > 1 {
			path = prefix + "." + name
		}
		switch v.kind {
		case tokObject:
			if w.d == snsAttributes {
				return newError(w.d, v.off, snsNestedReason)
			}
			if err := w.object(path, depth+1, inOr, false); err != nil {
				return err
			}
		case tokArray:
			if err := w.values(path, depth); err != nil {
				return err
			}
		default:
			return w.fail(v, "%q must be an object or an array", name)
		}
	}
}

// orShape reports whether the value after an SNS "$or" name makes it the
// OR operator: "Amazon SNS only recognizes an "$or" relationship when the
// policy has met all of the following conditions. When all of these
// conditions are not met, "$or" is treated as a regular attribute name":
// it is an array of two or more objects, none of which uses one of Event
// Ruler's keywords as a field name.
// (https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html)
func (w *walker) orShape() bool {
	i := w.i
	if w.toks[i].kind != tokArray {
		return false
	}
	objects := 0
	// open holds, for each open object or array, whether it is an object
	// reached through objects only (so its names are field names).
	var open []bool
	for i++; i < len(w.toks); i++ {
		t := w.toks[i]
		if len(open) == 0 {
			switch t.kind {
			case tokArrayEnd:
				return objects >= 2
			case tokObject:
				objects++
				open = append(open, true)
				continue
			}
			return false
		}
		switch t.kind {
		case tokObject:
			open = append(open, open[len(open)-1] && w.toks[i-1].kind == tokName)
		case tokArray:
			open = append(open, false)
		case tokObjectEnd, tokArrayEnd:
			open = open[:len(open)-1]
		case tokName:
			if open[len(open)-1] && reserved[t.text] {
				return false
			}
		case tokError:
			return false
		}
	}
	return false
}

// or compiles an $or: each object of its array is compiled into a copy of
// the rules so far, and the rules become the union of the copies.
func (w *walker) or(prefix string, depth int) *Error {
	current := w.rules
	w.rules = nil
	t, err := w.next()
	if err != nil {
		return err
	}
	if t.kind != tokArray {
		return w.fail(t, reasonOrArray)
	}
	var all []*ruleBuilder
	n := 0
	for {
		t, err := w.next()
		if err != nil {
			return err
		}
		if t.kind == tokArrayEnd {
			break
		}
		n++
		if t.kind != tokObject {
			return w.fail(t, reasonOrObject)
		}
		w.rules = make([]*ruleBuilder, 0, len(current))
		for _, r := range current {
			w.rules = append(w.rules, r.clone())
		}
		if len(w.rules) == 0 {
			w.rules = append(w.rules, &ruleBuilder{index: map[string]int{}})
		}
		if err := w.object(prefix, depth, true, false); err != nil {
			return err
		}
		all = append(all, w.rules...)
		if len(all) > maxRulesBuilt {
			return w.tooMany(t, len(all))
		}
	}
	if n < 2 {
		return w.fail(t, reasonOrTwo)
	}
	if w.d == eventBridge && len(all) > maxRules || w.d.sns() && len(all) > maxComplexitySNS {
		return w.tooMany(t, len(all))
	}
	w.rules = all
	return nil
}

// tooMany refuses a pattern whose $or make n rules, too many.
func (w *walker) tooMany(t token, n int) *Error {
	if w.d.sns() {
		// Each rule counts at least 1 in SNS's complexity.
		return w.fail(t, snsTooComplex)
	}
	return w.fail(t, reasonOrCombinations, n)
}

// values compiles a field's array of values and writes the field into
// every rule.
func (w *walker) values(path string, depth int) *Error {
	f := field{path: path, depth: depth}
	for {
		t, err := w.next()
		if err != nil {
			return err
		}
		var c *cond
		switch t.kind {
		case tokArrayEnd:
			if f.values == 0 {
				return w.fail(t, reasonEmptyArray)
			}
			if len(w.rules) == 0 {
				w.rules = append(w.rules, &ruleBuilder{index: map[string]int{}})
			}
			for _, r := range w.rules {
				r.put(f)
			}
			return nil
		case tokObject:
			var absent bool
			c, absent, err = w.match()
			if err != nil {
				return err
			}
			if absent {
				f.absent = true
			}
		case tokString:
			s, err := w.text(t)
			if err != nil {
				return err
			}
			c = &cond{kind: opString, s: s}
			if a, _, ok := parseIP(s); ok {
				c = &cond{kind: opIP, s: s, ip: a}
			}
		case tokNumber:
			c = &cond{kind: opNumber, s: t.text}
			c.key, c.keyOK = numberKey(t.text)
		case tokTrue, tokFalse, tokNull:
			c = &cond{kind: opLiteral, s: t.text}
		default:
			return w.fail(t, reasonMatchValue)
		}
		f.values++
		if c != nil {
			f.conds = append(f.conds, *c)
		}
	}
}

// match compiles a match expression, the object in a list of values. It
// returns absent for {"exists": false}, which is no condition on a value.
func (w *walker) match() (c *cond, absent bool, err *Error) {
	t, err := w.next()
	if err != nil {
		return nil, false, err
	}
	if t.kind != tokName {
		return nil, false, w.fail(t, reasonNoMatchName)
	}
	switch op := t.text; {
	case op == "exactly":
		s, err := w.stringValue(reasonExactString)
		if err != nil {
			return nil, false, err
		}
		return &cond{kind: opString, s: s}, false, w.end(reasonOneKey)
	case op == "prefix" || op == "suffix":
		c, err = w.affix(op)
		return c, false, err
	case op == "equals-ignore-case":
		s, err := w.stringValue(reasonFoldString)
		if err != nil {
			return nil, false, err
		}
		return &cond{kind: opEqualsFold, s: fold(s)}, false, w.end(reasonOneKey)
	case op == "wildcard" && w.d == eventBridge:
		v, err := w.next()
		if err != nil {
			return nil, false, err
		}
		g, err := w.globValue(v, reasonWildcardString)
		if err != nil {
			return nil, false, err
		}
		return &cond{kind: opWildcard, glob: g}, false, w.end(reasonOneKey)
	case op == "numeric":
		v, err := w.next()
		if err != nil {
			return nil, false, err
		}
		if v.kind != tokArray {
			return nil, false, w.fail(v, reasonNumericArray)
		}
		r, err := w.numeric()
		if err != nil {
			return nil, false, err
		}
		return &cond{kind: opNumeric, rng: r}, false, w.end(reasonTooManyElements)
	case op == "anything-but":
		c, err = w.anythingBut()
		return c, false, err
	case op == "exists":
		v, err := w.next()
		if err != nil {
			return nil, false, err
		}
		if v.kind != tokTrue && v.kind != tokFalse {
			return nil, false, w.fail(v, reasonExists)
		}
		if err := w.end(reasonOneKey); err != nil {
			return nil, false, err
		}
		if v.kind == tokFalse {
			return nil, true, nil
		}
		return &cond{kind: opExists}, false, nil
	case op == "cidr":
		s, err := w.stringValue(reasonPrefixString)
		if err != nil {
			return nil, false, err
		}
		block, reason := parseCIDR(s)
		if reason != "" {
			return nil, false, w.fail(w.toks[w.i-1], "%s", reason)
		}
		return &cond{kind: opCIDR, block: block}, false, w.end(reasonOneKey)
	default:
		return nil, false, w.fail(t, "Unrecognized match type %s", op)
	}
}

// end reads the closing brace of a match expression, refusing anything
// else with reason.
func (w *walker) end(reason string) *Error {
	t, err := w.next()
	if err != nil {
		return err
	}
	if t.kind != tokObjectEnd {
		return w.fail(t, "%s", reason)
	}
	return nil
}

// stringValue reads the string value of an operator, refusing another
// value with reason.
func (w *walker) stringValue(reason string) (string, *Error) {
	v, err := w.next()
	if err != nil {
		return "", err
	}
	if v.kind != tokString {
		return "", w.fail(v, "%s", reason)
	}
	return w.text(v)
}

// globValue reads the wildcard pattern of token v.
func (w *walker) globValue(v token, reason string) (glob, *Error) {
	if v.kind != tokString {
		return glob{}, w.fail(v, "%s", reason)
	}
	s, err := w.text(v)
	if err != nil {
		return glob{}, err
	}
	g, fault := parseGlob(s)
	if fault != "" {
		return glob{}, w.fail(v, "%s", fault)
	}
	return g, nil
}

// affix compiles prefix and suffix, and EventBridge's {"prefix":
// {"equals-ignore-case": ...}} and its suffix twin.
func (w *walker) affix(op string) (*cond, *Error) {
	kind, foldKind := opPrefix, opPrefixFold
	reason, noName := reasonPrefixString, reasonPrefixName
	if op == "suffix" {
		kind, foldKind = opSuffix, opSuffixFold
		reason, noName = reasonSuffixString, reasonSuffixName
	}
	v, err := w.next()
	if err != nil {
		return nil, err
	}
	if v.kind == tokObject && w.d == eventBridge {
		n, err := w.next()
		if err != nil {
			return nil, err
		}
		if n.kind != tokName {
			return nil, w.fail(n, "%s", noName)
		}
		if n.text != "equals-ignore-case" {
			return nil, w.fail(n, "Unsupported %s pattern: %s", op, n.text)
		}
		s, err := w.stringValue(reasonFoldString)
		if err != nil {
			return nil, err
		}
		if err := w.end(reasonOneKey); err != nil {
			return nil, err
		}
		return &cond{kind: foldKind, s: fold(s)}, w.end(reasonOneKey)
	}
	if v.kind != tokString {
		return nil, w.fail(v, "%s", reason)
	}
	s, err := w.text(v)
	if err != nil {
		return nil, err
	}
	return &cond{kind: kind, s: s}, w.end(reasonOneKey)
}

// numberValue returns the key of a number in a numeric or anything-but
// match, refusing one out of range.
func (w *walker) numberValue(t token) (int64, *Error) {
	k, ok := numberKey(t.text)
	if !ok {
		return 0, w.fail(t, reasonNumberRange)
	}
	return k, nil
}

// numeric compiles the array of a numeric match, after its "[".
func (w *walker) numeric() (numRange, *Error) {
	full := numRange{lo: minKey, hi: maxKey}
	t, err := w.next()
	if err != nil {
		return full, err
	}
	if t.kind != tokString {
		return full, w.fail(t, "Invalid member in numeric match: %s", t.text)
	}
	op, err := w.text(t)
	if err != nil {
		return full, err
	}
	v, err := w.next()
	if err != nil {
		return full, err
	}
	switch op {
	case "=", ">=", ">", "<=", "<":
	default:
		return full, w.fail(t, "Unrecognized numeric range operator: %s", op)
	}
	if !v.isNumber() {
		name := op
		if op == "=" {
			name = "equals"
		}
		return full, w.fail(v, "Value of %s must be numeric", name)
	}
	e, err := w.next()
	if err != nil {
		return full, err
	}
	if op == ">=" || op == ">" {
		if e.kind != tokArrayEnd {
			return w.numericRange(e, v, op == ">")
		}
		k, err := w.numberValue(v)
		full.lo, full.loOpen = k, op == ">"
		return full, err
	}
	if e.kind != tokArrayEnd {
		return full, w.fail(e, reasonTooManyElements)
	}
	k, err := w.numberValue(v)
	switch op {
	case "=":
		full = numRange{lo: k, hi: k}
	default:
		full.hi, full.hiOpen = k, op == "<"
	}
	return full, err
}

// numericRange compiles the upper bound of a numeric range whose lower
// bound is bottom; t is the token after bottom.
func (w *walker) numericRange(t, bottom token, openBottom bool) (numRange, *Error) {
	var r numRange
	if t.kind != tokString {
		return r, w.fail(t, "Bad value in numeric range: %s", t.text)
	}
	op, err := w.text(t)
	if err != nil {
		return r, err
	}
	if op != "<" && op != "<=" {
		return r, w.fail(t, "Bad numeric range operator: %s", op)
	}
	top, err := w.next()
	if err != nil {
		return r, err
	}
	if !top.isNumber() {
		return r, w.fail(top, "Value of %s must be numeric", op)
	}
	e, err := w.next()
	if err != nil {
		return r, err
	}
	if e.kind != tokArrayEnd {
		return r, w.fail(e, reasonTooManyTerms)
	}
	lo, _ := strconv.ParseFloat(bottom.text, 64)
	hi, _ := strconv.ParseFloat(top.text, 64)
	if lo >= hi {
		return r, w.fail(top, reasonBottomTop)
	}
	if r.lo, err = w.numberValue(bottom); err != nil {
		return r, err
	}
	if r.hi, err = w.numberValue(top); err != nil {
		return r, err
	}
	r.loOpen, r.hiOpen = openBottom, op == "<"
	return r, nil
}

// abKind is what an anything-but applies to.
var abKinds = map[string]opKind{
	"equals-ignore-case": opAnythingButFold,
	"prefix":             opAnythingButPrefix,
	"suffix":             opAnythingButSuffix,
	"wildcard":           opAnythingButWildcard,
}

// anythingBut compiles an anything-but match, after its name.
func (w *walker) anythingBut() (*cond, *Error) {
	v, err := w.next()
	if err != nil {
		return nil, err
	}
	kind := opAnythingBut
	if v.kind == tokObject {
		n, err := w.next()
		if err != nil {
			return nil, err
		}
		if n.kind != tokName {
			return nil, w.fail(n, reasonAnythingButName)
		}
		k, ok := abKinds[n.text]
		if !ok || w.d.sns() && k != opAnythingButPrefix {
			return nil, w.fail(n, "Unsupported anything-but pattern: %s", n.text)
		}
		if w.d.sns() {
			return w.snsAnythingButPrefix()
		}
		kind = k
		if v, err = w.next(); err != nil {
			return nil, err
		}
	}
	if v.kind != tokArray && v.kind != tokString && !v.isNumber() {
		return nil, w.fail(v, reasonAnythingButValue)
	}
	c := &cond{kind: kind}
	if kind == opAnythingBut {
		if err := w.anythingButValues(c, v); err != nil {
			return nil, err
		}
	} else if err := w.anythingButSet(c, v); err != nil {
		return nil, err
	}
	if err := w.end(reasonTooManyElements); err != nil {
		return nil, err
	}
	if kind != opAnythingBut {
		return c, w.end(reasonTooManyElements)
	}
	return c, nil
}

// anythingButValues compiles the strings or numbers of a plain
// anything-but, starting at token v.
func (w *walker) anythingButValues(c *cond, v token) *Error {
	add := func(t token) *Error {
		switch {
		case t.kind == tokString:
			s, err := w.text(t)
			c.strs = append(c.strs, s)
			return err
		case t.isNumber():
			k, err := w.numberValue(t)
			c.keys = append(c.keys, k)
			return err
		}
		return w.fail(t, reasonAnythingButList)
	}
	if v.kind != tokArray {
		return add(v)
	}
	for {
		t, err := w.next()
		if err != nil {
			return err
		}
		if t.kind == tokArrayEnd {
			if len(c.strs) > 0 == (len(c.keys) > 0) {
				return w.fail(t, reasonAnythingButMixed)
			}
			return nil
		}
		if err := add(t); err != nil {
			return err
		}
	}
}

// anythingButSet compiles the strings of an anything-but on a prefix,
// suffix, equals-ignore-case or wildcard, starting at token v.
func (w *walker) anythingButSet(c *cond, v token) *Error {
	var toks []token
	add := func(t token) *Error {
		if t.kind != tokString {
			switch c.kind {
			case opAnythingButFold:
				return w.fail(t, reasonAnythingButFold)
			case opAnythingButWildcard:
				return w.fail(t, reasonWildcardString)
			}
			return w.fail(t, reasonAffixString)
		}
		s, err := w.text(t)
		if err != nil {
			return err
		}
		if s == "" && (c.kind == opAnythingButPrefix || c.kind == opAnythingButSuffix) {
			return w.fail(t, reasonNullAffix)
		}
		if c.kind == opAnythingButFold {
			s = fold(s)
		}
		c.strs = append(c.strs, s)
		toks = append(toks, t)
		return nil
	}
	if v.kind == tokArray {
		for {
			t, err := w.next()
			if err != nil {
				return err
			}
			if t.kind == tokArrayEnd {
				break
			}
			if err := add(t); err != nil {
				return err
			}
		}
	} else if err := add(v); err != nil {
		return err
	}
	if c.kind == opAnythingButWildcard {
		// Event Ruler checks the wildcards once the list is read.
		for _, t := range toks {
			g, err := w.globValue(t, reasonWildcardString)
			if err != nil {
				return err
			}
			c.globs = append(c.globs, g)
		}
		c.strs = nil
	}
	return nil
}

// snsAnythingButPrefix compiles SNS's {"anything-but": {"prefix": ...}},
// after the name prefix; SNS's engine takes no other operator there and
// words its faults as Event Ruler did before anything-but took suffixes.
func (w *walker) snsAnythingButPrefix() (*cond, *Error) {
	v, err := w.next()
	if err != nil {
		return nil, err
	}
	if v.kind != tokString {
		return nil, w.fail(v, reasonPrefixString)
	}
	s, err := w.text(v)
	if err != nil {
		return nil, err
	}
	if s == "" {
		return nil, w.fail(v, reasonNullPrefix)
	}
	if err := w.end(reasonOneKey); err != nil {
		return nil, err
	}
	return &cond{kind: opAnythingButPrefix, strs: []string{s}}, w.end(reasonOneKey)
}
