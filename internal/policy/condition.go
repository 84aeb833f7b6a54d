package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Conditions follow "IAM JSON policy elements: Condition operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
// and "Creating a condition with multiple keys or values"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html):
// the operators of a Condition and the keys of an operator must all hold;
// the values of a key are alternatives, except for a negated operator,
// which holds when the request's value matches none of them.

// kind is what an operator compares.
type kind int

const (
	kindString kind = iota
	kindStringIgnoreCase
	kindStringLike
	kindNumeric
	kindDate
	kindBool
	kindBinary
	kindIP
	kindARN
	kindNull
)

// order is how a numeric or date operator compares the request's value
// with the policy's.
type order int

const (
	equal order = iota
	less
	lessOrEqual
	greater
	greaterOrEqual
)

func (o order) holds(c int) bool {
	switch o {
	case less:
		return c < 0
	case lessOrEqual:
		return c <= 0
	case greater:
		return c > 0
	case greaterOrEqual:
		return c >= 0
	}
	return c == 0
}

// operator is a condition operator without its set prefix and IfExists
// suffix.
type operator struct {
	kind   kind
	negate bool
	order  order
}

// operators are the condition operators by name.
var operators = map[string]operator{
	"StringEquals":              {kind: kindString},
	"StringNotEquals":           {kind: kindString, negate: true},
	"StringEqualsIgnoreCase":    {kind: kindStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {kind: kindStringIgnoreCase, negate: true},
	"StringLike":                {kind: kindStringLike},
	"StringNotLike":             {kind: kindStringLike, negate: true},
	"NumericEquals":             {kind: kindNumeric},
	"NumericNotEquals":          {kind: kindNumeric, negate: true},
	"NumericLessThan":           {kind: kindNumeric, order: less},
	"NumericLessThanEquals":     {kind: kindNumeric, order: lessOrEqual},
	"NumericGreaterThan":        {kind: kindNumeric, order: greater},
	"NumericGreaterThanEquals":  {kind: kindNumeric, order: greaterOrEqual},
	"DateEquals":                {kind: kindDate},
	"DateNotEquals":             {kind: kindDate, negate: true},
	"DateLessThan":              {kind: kindDate, order: less},
	"DateLessThanEquals":        {kind: kindDate, order: lessOrEqual},
	"DateGreaterThan":           {kind: kindDate, order: greater},
	"DateGreaterThanEquals":     {kind: kindDate, order: greaterOrEqual},
	"Bool":                      {kind: kindBool},
	"BinaryEquals":              {kind: kindBinary},
	"IpAddress":                 {kind: kindIP},
	"NotIpAddress":              {kind: kindIP, negate: true},
	"ArnEquals":                 {kind: kindARN},
	"ArnLike":                   {kind: kindARN},
	"ArnNotEquals":              {kind: kindARN, negate: true},
	"ArnNotLike":                {kind: kindARN, negate: true},
	"Null":                      {kind: kindNull},
}

// setOperator is how an operator treats a key with several values.
type setOperator int

const (
	// single: no set operator. The operator holds when one of the
	// request's values matches (a negated one when none does).
	single setOperator = iota
	// forAnyValue holds when one of the request's values passes the
	// operator, and not when the key is absent.
	forAnyValue
	// forAllValues holds when every value of the request passes the
	// operator, and when the key is absent.
	forAllValues
)

// condition is one key of one operator of a Condition element.
type condition struct {
	operator
	set      setOperator
	ifExists bool
	key      string
	// The policy's values, compiled for the operator's kind: strs for the
	// string, ARN and Bool operators (tmpls for those with policy
	// variables), nums, dates, prefixes, or strs decoded for BinaryEquals.
	strs     []string
	tmpls    []template
	nums     []float64
	dates    []time.Time
	prefixes []netip.Prefix
	// Null holds when the key is absent and nullTrue, or present and
	// nullFalse.
	nullTrue, nullFalse bool
}

// dialect is how strictly a document's conditions are read: a
// resource-based policy's as Vigil always has, refusing values its
// operator cannot use; an identity-based one's as IAM does, which
// accepts them, and whose condition then never matches them.
type dialect struct {
	version string
	lenient bool
}

// parseConditions reads a Condition element: {operator: {key: values}}.
func parseConditions(raw json.RawMessage, d dialect) ([]condition, error) {
	ops, err := members(raw)
	if errors.Is(err, errNotObject) {
		return nil, errors.New("Condition must be a JSON object.")
	}
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, op := range ops {
		keys, err := members(op.value)
		if errors.Is(err, errNotObject) {
			return nil, fmt.Errorf("Condition %s must map condition keys to values.", op.key)
		}
		if err != nil {
			return nil, err
		}
		proto, err := parseOperator(op.key, d.lenient)
		if err != nil {
			if d.lenient && len(keys) == 0 {
				continue // IAM takes an unknown operator without keys
			}
			return nil, err
		}
		for _, k := range keys {
			c := proto
			c.key = k.key
			if vendor, name, ok := strings.Cut(k.key, ":"); !d.lenient && (!ok || vendor == "" || name == "") {
				return nil, errors.New("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			values, err := conditionValues(k.value, d.lenient)
			if err != nil {
				return nil, fmt.Errorf("Condition %s of %s: %v", op.key, k.key, err)
			}
			if err := c.compile(values, d); err != nil {
				return nil, fmt.Errorf("Condition %s of %s: %v", op.key, k.key, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// parseOperator reads an operator's name: [ForAnyValue:|ForAllValues:]
// OPERATOR[IfExists]. IAM (lenient) takes Null with either; it is Null.
func parseOperator(name string, lenient bool) (condition, error) {
	var c condition
	base := name
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		base, c.set = rest, forAnyValue
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		base, c.set = rest, forAllValues
	}
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, c.ifExists = rest, true
	}
	op, ok := operators[base]
	if !ok {
		return c, fmt.Errorf("Invalid Condition type: %s.", name)
	}
	if op.kind == kindNull && (c.ifExists || c.set != single) {
		if !lenient {
			return c, fmt.Errorf("Invalid Condition type: %s (Null takes neither a set operator nor IfExists).", name)
		}
		c.ifExists, c.set = false, single
	}
	c.operator = op
	return c, nil
}

// conditionValues reads a key's values: a string, number or boolean, or
// a non-empty list of them, each as text. IAM (lenient) takes an empty
// list, which no value matches.
func conditionValues(raw json.RawMessage, lenient bool) ([]string, error) {
	var list []json.RawMessage
	if !isArray(raw) {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 && !lenient {
		return nil, errors.New("the values must be a value or a non-empty list of values.")
	}
	out := make([]string, len(list))
	for i, v := range list {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &out[i]); err != nil {
				return nil, err
			}
		case string(v) == "true" || string(v) == "false" || len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9'):
			out[i] = string(v)
		default:
			return nil, fmt.Errorf("%s is not a string, number or boolean.", compact(v))
		}
	}
	return out, nil
}

// compile checks the policy's values for the operator and compiles them.
// Policy variables are substituted in the values of the string and ARN
// operators only
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-conditionelement).
func (c *condition) compile(values []string, d dialect) error {
	switch c.kind {
	case kindString, kindStringIgnoreCase, kindStringLike, kindARN:
		for _, v := range values {
			if d.version == Version2012 {
				if t, ok := parseTemplate(v, c.kind == kindStringLike || c.kind == kindARN); ok {
					c.tmpls = append(c.tmpls, t)
					continue
				}
			}
			c.strs = append(c.strs, v)
		}
	case kindNumeric:
		return compileEach(values, d, parseNumber, &c.nums, "%q is not a valid value for this operator.")
	case kindDate:
		return compileEach(values, d, parseDate, &c.dates, "%q is not a valid value for this operator.")
	case kindIP:
		return compileEach(values, d, parseIPRange, &c.prefixes, "%q is not an IP address or CIDR range.")
	case kindBinary:
		return compileEach(values, d, decodeBase64, &c.strs, "%q is not base64.")
	case kindBool, kindNull:
		for _, v := range values {
			isTrue, isFalse := strings.EqualFold(v, "true"), strings.EqualFold(v, "false")
			if !isTrue && !isFalse && !d.lenient {
				return fmt.Errorf("%q is not a boolean.", v)
			}
			if c.kind == kindBool {
				c.strs = append(c.strs, v)
			}
			c.nullTrue, c.nullFalse = c.nullTrue || isTrue, c.nullFalse || isFalse
		}
		if c.kind == kindNull && len(values) != 1 && !d.lenient {
			return errors.New("Null takes one value, true or false.")
		}
	}
	return nil
}

// compileEach parses each value for a numeric, date, IP or binary
// operator; leniently, it leaves out those that do not parse, which no
// request then matches.
func compileEach[T any](values []string, d dialect, parse func(string) (T, bool), out *[]T, refusal string) error {
	for _, v := range values {
		p, ok := parse(v)
		if !ok {
			if d.lenient {
				continue
			}
			return fmt.Errorf(refusal, v)
		}
		*out = append(*out, p)
	}
	return nil
}

func decodeBase64(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err == nil
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func compareNumbers(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseIPRange reads an IpAddress value: a CIDR range, or an address (a
// range of one: /32, or /128 for IPv6).
func parseIPRange(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), true
}

// holds evaluates the condition on the request.
func (c *condition) holds(e *evaluation) bool {
	vs := e.lookup(c.key)
	if c.kind == kindNull {
		if vs.n == 0 {
			return c.nullTrue
		}
		return c.nullFalse
	}
	if vs.n == 0 {
		e.missing(c.key)
		switch {
		case c.ifExists || c.set == forAllValues:
			return true
		case c.set == forAnyValue:
			return false
		}
		return c.negate
	}
	all := c.set == forAllValues || c.set == single && c.negate
	for i := range vs.n {
		passes := c.match(e, vs.at(i)) != c.negate
		if passes != all {
			return passes
		}
	}
	return all
}

// match reports whether a value of the request matches one of the
// policy's values, before negation.
func (c *condition) match(e *evaluation, v string) bool {
	switch c.kind {
	case kindString, kindStringIgnoreCase:
		fold := c.kind == kindStringIgnoreCase
		for _, w := range c.strs {
			if v == w || fold && strings.EqualFold(v, w) {
				return true
			}
		}
		for i := range c.tmpls {
			if c.tmpls[i].equal(e, v, fold) {
				return true
			}
		}
	case kindStringLike:
		for _, w := range c.strs {
			if glob(w, v) {
				return true
			}
		}
		for i := range c.tmpls {
			if c.tmpls[i].match(e, v) {
				return true
			}
		}
	case kindARN:
		for _, w := range c.strs {
			if arnMatch(w, v) {
				return true
			}
		}
		for i := range c.tmpls {
			if w, ok := c.tmpls[i].expand(e); ok && arnMatch(w, v) {
				return true
			}
		}
	case kindBool:
		for _, w := range c.strs {
			if strings.EqualFold(v, w) {
				return true
			}
		}
	case kindBinary:
		for _, w := range c.strs {
			if v == w {
				return true
			}
		}
	case kindNumeric:
		got, ok := parseNumber(v)
		for _, want := range c.nums {
			if ok && c.order.holds(compareNumbers(got, want)) {
				return true
			}
		}
	case kindDate:
		got, ok := parseDate(v)
		for _, want := range c.dates {
			if ok && c.order.holds(got.Compare(want)) {
				return true
			}
		}
	case kindIP:
		a, err := netip.ParseAddr(v)
		for _, p := range c.prefixes {
			if err == nil && p.Contains(a.Unmap()) {
				return true
			}
		}
	}
	return false
}
