package eventpattern

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Pattern is a parsed event pattern or filter policy. It is immutable and
// safe for concurrent use.
type Pattern struct {
	d       dialect
	compact string
	rules   []*rule
	// tab and fids locate the rules' fields for Matches.
	tab  *pathTable
	fids [][]int32
}

// Parse parses and validates an EventBridge event pattern (the
// EventPattern of PutRule, CreateArchive, UpdateArchive and
// TestEventPattern). A pattern that is not valid yields an *Error whose
// Message is that of AWS's InvalidEventPatternException.
//
// Parse does not check the pattern's length: the API refuses an
// EventPattern over 4096 characters, and the "Event pattern size" quota
// (2048 characters by default) is the events service's to apply.
func Parse(pattern []byte) (*Pattern, error) {
	return parse(pattern, eventBridge)
}

// ParseFilterPolicy parses and validates an SNS subscription's
// FilterPolicy for its FilterPolicyScope, "MessageAttributes" (the
// default, also taken for "") or "MessageBody". A policy that is not valid
// yields an *Error whose Message is that of SNS's
// InvalidParameterException to SetSubscriptionAttributes.
//
// SNS reads policies with the engine EventBridge uses, in an older
// version. The differences implemented here are SNS's:
//   - a policy of attribute scope may not nest objects ("Filter policy
//     scope MessageAttributes does not support nested filter policy");
//   - "{}" is a valid policy that accepts every message (the guide's way
//     to remove a policy);
//   - a policy has at most five keys at its top level ("Filter policy can
//     not have more than 5 keys"), and the "total combination of values
//     must not exceed 150" ("Filter policy is too complex"), counted as
//     SNS counts it: for each combination of $or branches, the product,
//     over its fields, of the number of values times the depth of the
//     field's key, summed over the combinations;
//   - "$or" is the operator only when its value is an array of two or
//     more objects that use no operator name as a field name; otherwise it
//     is a field name;
//   - there is no wildcard, no equals-ignore-case under prefix or suffix,
//     and anything-but takes only a prefix ("Unsupported anything-but
//     pattern: suffix");
//   - malformed JSON is refused as "FilterPolicy: failed to parse JSON. "
//     and Jackson's message, whatever else is wrong.
//
// Not implemented: SNS documents numbers from -10^9 to 10^9 with five
// decimals, but accepts larger ones; the engine's limits (-5.0e9 to 5.0e9,
// six decimals) apply, as for EventBridge. The policy size limit (256 KB)
// and the number of policies per topic and account are the SNS service's.
//
// To match a policy of attribute scope, pass Matches the message's
// attributes as a JSON object of name to value: a String attribute as a
// JSON string, a Number as a JSON number, a String.Array as its JSON
// array; Binary attributes are left out, as SNS ignores them.
func ParseFilterPolicy(policy []byte, scope string) (*Pattern, error) {
	switch scope {
	case "", "MessageAttributes":
		return parse(policy, snsAttributes)
	case "MessageBody":
		return parse(policy, snsBody)
	}
	reason := "FilterPolicyScope: Invalid value [" + scope + "]. Please use either MessageBody or MessageAttributes"
	return nil, &Error{Message: snsPrefix + reason, Reason: reason}
}

func parse(src []byte, d dialect) (*Pattern, error) {
	w := &walker{d: d, toks: tokenize(src)}
	if d.sns() {
		// SNS reads the whole policy as JSON before compiling it, and
		// counts its keys first.
		for _, t := range w.toks {
			switch {
			case t.kind == tokError:
				return nil, w.syntax(t.off, t.text)
			case t.bad != "":
				return nil, w.syntax(t.badOff, t.bad)
			}
		}
		if topKeys(w.toks) > 5 {
			return nil, newError(d, 0, snsTooManyKeys)
		}
	}
	if err := w.walk(); err != nil {
		return nil, err
	}
	p := &Pattern{d: d, compact: compactJSON(w.toks), tab: newPathTable()}
	for _, b := range w.rules {
		r := &rule{fields: b.fields}
		slices.SortFunc(r.fields, func(a, b field) int { return strings.Compare(a.path, b.path) })
		p.rules = append(p.rules, r)
	}
	if len(p.rules) == 0 { // SNS's "{}"
		p.rules = []*rule{{}}
	}
	if err := p.limits(); err != nil {
		return nil, err
	}
	for _, r := range p.rules {
		ids := make([]int32, len(r.fields))
		for i, f := range r.fields {
			ids[i] = p.tab.add(f.path)
		}
		p.fids = append(p.fids, ids)
	}
	return p, nil
}

// limits checks the limits that apply to a whole pattern.
func (p *Pattern) limits() *Error {
	if !p.d.sns() {
		// Event Ruler evaluates the wildcards of all the rules together;
		// identical patterns on a path are one.
		byPath := map[string][]glob{}
		seen := map[string]bool{}
		for _, r := range p.rules {
			for _, f := range r.fields {
				for _, c := range f.conds {
					gs := c.globs
					if c.kind == opWildcard {
						gs = []glob{c.glob}
					}
					for _, g := range gs {
						if k := f.path + "\x00" + strings.Join(g.runs, "\x00*"); !seen[k] {
							seen[k] = true
							byPath[f.path] = append(byPath[f.path], g)
						}
					}
				}
			}
		}
		for _, gs := range byPath {
			if globComplexity(gs, maxComplexity) > maxComplexity {
				return newError(p.d, 0, reasonTooComplex)
			}
		}
		return nil
	}
	total := 0
	for _, r := range p.rules {
		n := 1
		for _, f := range r.fields {
			n = min(n*f.values*f.depth, 1000)
		}
		total = min(total+n, 1000)
	}
	if total > maxComplexitySNS {
		return newError(p.d, 0, snsTooComplex)
	}
	return nil
}

// topKeys counts the keys at the top level of a policy, $or counting as
// one, as SNS counts them: "A filter policy can have a maximum of five
// keys".
func topKeys(toks []token) int {
	keys, depth := 0, 0
	for _, t := range toks {
		switch t.kind {
		case tokObject, tokArray:
			depth++
		case tokObjectEnd, tokArrayEnd:
			depth--
		case tokName:
			if depth == 1 {
				keys++
			}
		}
	}
	return keys
}

// String returns the pattern as compact JSON: without white space, with
// strings escaped minimally and numbers as written. It parses to the same
// pattern.
func (p *Pattern) String() string { return p.compact }

// events recycles the buffers of events being matched.
var events = sync.Pool{New: func() any { return new(event) }}

// Matches reports whether the pattern matches an event, which must be a
// JSON object; it is TestEventPattern's answer. An event that is not a
// JSON object yields an error (TestEventPattern answers "Parameter Event
// is not valid.").
func (p *Pattern) Matches(evt []byte) (bool, error) {
	e := events.Get().(*event)
	defer func() {
		e.release()
		events.Put(e)
	}()
	if err := e.load(p.tab, evt); err != nil {
		return false, err
	}
	for i, r := range p.rules {
		if e.satisfies(r.fields, p.fids[i]) {
			return true, nil
		}
	}
	return false, nil
}

// compactJSON writes tokens back as JSON.
func compactJSON(toks []token) string {
	var b strings.Builder
	after := false // whether a value or member just ended, so a comma may be due
	for _, t := range toks {
		switch t.kind {
		case tokObjectEnd, tokArrayEnd:
			b.WriteString(t.text)
			after = true
			continue
		case tokEOF, tokError:
			continue
		}
		if after {
			b.WriteByte(',')
		}
		switch t.kind {
		case tokName:
			writeString(&b, t.text)
			b.WriteByte(':')
			after = false
		case tokString:
			writeString(&b, t.text)
			after = true
		case tokObject, tokArray:
			b.WriteString(t.text)
			after = false
		default:
			b.WriteString(t.text)
			after = true
		}
	}
	return b.String()
}

// writeString writes s as a JSON string.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatInt(int64(r)>>4, 16))
			b.WriteString(strconv.FormatInt(int64(r)&15, 16))
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
