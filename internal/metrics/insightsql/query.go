package insightsql

import (
	"slices"
	"strconv"
	"strings"
)

// Match reports whether a metric is one the query reads: its namespace and
// name are the query's, its dimensions fit FROM and satisfy WHERE.
//
// FROM namespace takes the metrics of any dimensions. SCHEMA(namespace,
// k1, k2) takes only those whose dimension names are exactly {k1, k2}, in
// any order, and SCHEMA(namespace) those without dimensions.
//
// In WHERE a condition on a label the metric does not have is false, for
// != and NOT IN as well as = and IN: labels are SQL columns and a missing
// one is NULL, which no comparison matches (there is no NOT to turn such
// an unknown into true). AWS does not say; this is also what keeps
// WHERE InstanceType != 'c3.4xlarge' from matching the fleet-wide
// aggregate metrics that have no InstanceType.
func (q *Query) Match(namespace, metricName string, dims map[string]string) bool {
	if namespace != q.Namespace || metricName != q.MetricName {
		return false
	}
	if q.Schema && !sameKeys(q.SchemaKeys, dims) {
		return false
	}
	return q.where == nil || q.where.match(dims)
}

// sameKeys reports whether the set of keys is exactly the set of names of
// dims.
func sameKeys(keys []string, dims map[string]string) bool {
	n := 0
	for i, k := range keys {
		if slices.Contains(keys[:i], k) {
			continue
		}
		if _, ok := dims[k]; !ok {
			return false
		}
		n++
	}
	return n == len(dims)
}

func (c *cond) match(dims map[string]string) bool {
	switch c.op {
	case opAnd:
		for _, k := range c.kids {
			if !k.match(dims) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range c.kids {
			if k.match(dims) {
				return true
			}
		}
		return false
	}
	v, ok := dims[c.key]
	if !ok {
		return false
	}
	switch c.op {
	case opEq:
		return v == c.values[0]
	case opNe:
		return v != c.values[0]
	case opIn:
		return slices.Contains(c.values, v)
	case opNotIn:
		return !slices.Contains(c.values, v)
	}
	panic("BUG: insightsql: unknown condition operator " + strconv.Itoa(int(c.op)))
}

// String returns the query in canonical form: keywords in upper case,
// names quoted only where they must be, single spaces, parentheses in
// WHERE only where AND and OR need them. Parse(q.String()) is a query
// equal to q.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(q.Function.String())
	b.WriteString("(")
	b.WriteString(quoteIdent(q.MetricName))
	b.WriteString(") FROM ")
	if q.Schema {
		b.WriteString("SCHEMA(")
		b.WriteString(quoteIdent(q.Namespace))
		for _, k := range q.SchemaKeys {
			b.WriteString(", ")
			b.WriteString(quoteIdent(k))
		}
		b.WriteString(")")
	} else {
		b.WriteString(quoteIdent(q.Namespace))
	}
	if q.where != nil {
		b.WriteString(" WHERE ")
		q.where.write(&b, false)
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		for i, k := range q.GroupBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteIdent(k))
		}
	}
	if q.OrderBy.Function != 0 {
		b.WriteString(" ORDER BY ")
		b.WriteString(q.OrderBy.Function.String())
		b.WriteString("()")
		if q.OrderBy.Desc {
			b.WriteString(" DESC")
		} else {
			b.WriteString(" ASC")
		}
	}
	if q.Limit > 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	return b.String()
}

// write writes the condition; inAnd reports whether it is an operand of
// AND, where an OR needs parentheses.
func (c *cond) write(b *strings.Builder, inAnd bool) {
	switch c.op {
	case opAnd, opOr:
		sep := " AND "
		if c.op == opOr {
			sep = " OR "
		}
		paren := c.op == opOr && inAnd
		if paren {
			b.WriteString("(")
		}
		for i, k := range c.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.write(b, c.op == opAnd)
		}
		if paren {
			b.WriteString(")")
		}
		return
	}
	b.WriteString(quoteIdent(c.key))
	switch c.op {
	case opEq:
		b.WriteString(" = ")
	case opNe:
		b.WriteString(" != ")
	case opIn:
		b.WriteString(" IN (")
	case opNotIn:
		b.WriteString(" NOT IN (")
	}
	for i, v := range c.values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteValue(v))
	}
	if c.op == opIn || c.op == opNotIn {
		b.WriteString(")")
	}
}

// quoteIdent returns a name as a query writes it: bare when it is a word
// that is not a keyword of the grammar, in double quotation marks
// otherwise.
func quoteIdent(s string) string {
	if s != "" && isWordStart(s[0]) && !grammarWord(s) && !strings.ContainsFunc(s, func(r rune) bool { return r > 0x7f || !isWordByte(byte(r)) }) {
		return s
	}
	return quote(s, '"')
}

// quoteValue returns a label value in single quotation marks.
func quoteValue(s string) string { return quote(s, '\'') }

// quote encloses s in the quotation mark q, escaping q and backslashes.
func quote(s string, q byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := range len(s) {
		if s[i] == q || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(q)
	return b.String()
}
