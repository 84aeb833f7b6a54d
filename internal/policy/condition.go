package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
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
	// match reports whether a value of the request matches one of the
	// policy's values (before negation); nil for Null.
	match func(v string) bool
	// null is Null's value: true when the key must be absent.
	null bool
}

// parseConditions reads a Condition element: {operator: {key: values}}.
func parseConditions(raw json.RawMessage, version string) ([]condition, error) {
	ops, err := members(raw)
	if errors.Is(err, errNotObject) {
		return nil, errors.New("Condition must be a JSON object.")
	}
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, op := range ops {
		proto, err := parseOperator(op.key)
		if err != nil {
			return nil, err
		}
		keys, err := members(op.value)
		if errors.Is(err, errNotObject) {
			return nil, fmt.Errorf("Condition %s must map condition keys to values.", op.key)
		}
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			c := proto
			c.key = k.key
			if vendor, name, ok := strings.Cut(k.key, ":"); !ok || vendor == "" || name == "" {
				return nil, errors.New("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			values, err := conditionValues(k.value)
			if err != nil {
				return nil, fmt.Errorf("Condition %s of %s: %v", op.key, k.key, err)
			}
			if err := c.compile(values, version); err != nil {
				return nil, fmt.Errorf("Condition %s of %s: %v", op.key, k.key, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// parseOperator reads an operator's name: [ForAnyValue:|ForAllValues:]
// OPERATOR[IfExists].
func parseOperator(name string) (condition, error) {
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
		return c, fmt.Errorf("Invalid Condition type: %s (Null takes neither a set operator nor IfExists).", name)
	}
	c.operator = op
	return c, nil
}

// conditionValues reads a key's values: a string, number or boolean, or
// a non-empty list of them, each as text.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if !isArray(raw) {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
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

// compile checks the policy's values for the operator and makes match.
func (c *condition) compile(values []string, version string) error {
	switch c.kind {
	case kindString, kindStringIgnoreCase, kindStringLike, kindARN, kindBool:
		for _, v := range values {
			if err := checkVariables(v, version); err != nil {
				return err
			}
		}
	}
	switch c.kind {
	case kindString:
		c.match = func(v string) bool { return slices.Contains(values, v) }
	case kindStringIgnoreCase:
		c.match = func(v string) bool {
			return slices.ContainsFunc(values, func(w string) bool { return strings.EqualFold(v, w) })
		}
	case kindStringLike:
		c.match = func(v string) bool { return anyMatch(values, v, glob) }
	case kindARN:
		c.match = func(v string) bool { return anyMatch(values, v, arnMatch) }
	case kindNumeric:
		return compileOrdered(c, values, parseNumber, compareNumbers)
	case kindDate:
		return compileOrdered(c, values, parseDate, time.Time.Compare)
	case kindBool, kindNull:
		for _, v := range values {
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return fmt.Errorf("%q is not a boolean.", v)
			}
		}
		if c.kind == kindNull {
			if len(values) != 1 {
				return errors.New("Null takes one value, true or false.")
			}
			c.null = strings.EqualFold(values[0], "true")
			return nil
		}
		c.match = func(v string) bool {
			return slices.ContainsFunc(values, func(w string) bool { return strings.EqualFold(v, w) })
		}
	case kindBinary:
		decoded := make([]string, len(values))
		for i, v := range values {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return fmt.Errorf("%q is not base64.", v)
			}
			decoded[i] = string(b)
		}
		c.match = func(v string) bool { return slices.Contains(decoded, v) }
	case kindIP:
		prefixes := make([]netip.Prefix, len(values))
		for i, v := range values {
			p, err := parseIPRange(v)
			if err != nil {
				return err
			}
			prefixes[i] = p
		}
		c.match = func(v string) bool {
			a, err := netip.ParseAddr(v)
			return err == nil && slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(a.Unmap()) })
		}
	}
	return nil
}

// compileOrdered makes the match of a numeric or date operator: the
// request's value compared with each of the policy's.
func compileOrdered[T any](c *condition, values []string, parse func(string) (T, bool), compare func(a, b T) int) error {
	parsed := make([]T, len(values))
	for i, v := range values {
		p, ok := parse(v)
		if !ok {
			return fmt.Errorf("%q is not a valid value for this operator.", v)
		}
		parsed[i] = p
	}
	o := c.order
	c.match = func(v string) bool {
		got, ok := parse(v)
		return ok && slices.ContainsFunc(parsed, func(want T) bool { return o.holds(compare(got, want)) })
	}
	return nil
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

// dateLayouts are the W3C profiles of ISO 8601 AWS takes for dates
// (https://www.w3.org/TR/NOTE-datetime). A date may also be given in
// seconds since the epoch: digits, more of them than a year has.
var dateLayouts = []string{
	"2006", "2006-01", "2006-01-02", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00", time.RFC3339Nano,
}

func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 4 {
		return time.Unix(n, 0), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseIPRange reads an IpAddress value: a CIDR range, or an address (a
// range of one: /32, or /128 for IPv6).
func parseIPRange(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR range.", s)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// holds evaluates the condition on the request.
func (c *condition) holds(e *evaluation) bool {
	values := e.value(c.key)
	if c.kind == kindNull {
		return c.null == (len(values) == 0)
	}
	if len(values) == 0 {
		switch {
		case c.ifExists || c.set == forAllValues:
			return true
		case c.set == forAnyValue:
			return false
		}
		return c.negate
	}
	passes := func(v string) bool { return c.match(v) != c.negate }
	switch {
	case c.set == forAllValues || c.set == single && c.negate:
		return !slices.ContainsFunc(values, func(v string) bool { return !passes(v) })
	}
	return slices.ContainsFunc(values, passes)
}
