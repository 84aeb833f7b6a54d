package insightsql

import (
	"strconv"
	"strings"
)

// Function is an aggregate function of Metrics Insights: AVG, COUNT, MAX,
// MIN or SUM. The zero Function is no function.
type Function uint8

// The functions of "Metrics Insights query components and syntax".
const (
	AVG Function = iota + 1
	COUNT
	MAX
	MIN
	SUM
)

var functionNames = [...]string{AVG: "AVG", COUNT: "COUNT", MAX: "MAX", MIN: "MIN", SUM: "SUM"}

// String returns the function's name as the query writes it.
func (f Function) String() string {
	if int(f) < len(functionNames) && functionNames[f] != "" {
		return functionNames[f]
	}
	return "Function(" + strconv.Itoa(int(f)) + ")"
}

// parseFunction returns the function named s, in any case.
func parseFunction(s string) (Function, bool) {
	for f, name := range functionNames {
		if name != "" && strings.EqualFold(s, name) {
			return Function(f), true
		}
	}
	return 0, false
}

// Order is the ORDER BY clause: the function that reduces each returned
// time series to the scalar it is sorted by, and the direction.
type Order struct {
	// Function is the function; zero when the query has no ORDER BY.
	Function Function
	// Desc reports descending order; ascending is the default.
	Desc bool
}

// MaxLimit is the highest LIMIT a query may have, and the most time
// series a query returns without one ("Metrics Insights quotas").
const MaxLimit = 500

// maxDepth bounds the nesting of parentheses in WHERE, so that a hostile
// query cannot exhaust the stack. GetMetricData expressions are at most
// 2,048 characters; no real filter nests this deep.
const maxDepth = 100

// Query is a parsed Metrics Insights query:
//
//	SELECT FUNCTION(metricName)
//	FROM namespace | SCHEMA(namespace[, labelKey …])
//	[ WHERE labelKey OPERATOR labelValue [AND|OR …] ]
//	[ GROUP BY labelKey [, …] ]
//	[ ORDER BY FUNCTION() [ASC|DESC] ]
//	[ LIMIT number ]
//
// It is safe for concurrent use.
type Query struct {
	// Function aggregates the observations of each period.
	Function Function
	// MetricName is the metric queried.
	MetricName string
	// Namespace is the namespace queried, from FROM or SCHEMA.
	Namespace string
	// Schema reports whether FROM used SCHEMA: then only the metrics whose
	// dimension names are exactly SchemaKeys match.
	Schema bool
	// SchemaKeys are the label keys of SCHEMA after the namespace, as
	// written; their order does not matter.
	SchemaKeys []string
	// GroupBy are the label keys of GROUP BY, in order; empty without
	// GROUP BY.
	GroupBy []string
	// OrderBy is the ORDER BY clause; its Function is zero without one.
	OrderBy Order
	// Limit is the LIMIT, from 1 to MaxLimit; 0 without LIMIT.
	Limit int

	where *cond
}

// condOp is the operator of a WHERE condition.
type condOp uint8

const (
	opEq condOp = iota + 1
	opNe
	opIn
	opNotIn
	opAnd
	opOr
)

// cond is a WHERE condition: a comparison of a label (opEq … opNotIn,
// with key and values) or a conjunction or disjunction of conditions
// (opAnd, opOr, with kids, never directly nested in one of the same op).
type cond struct {
	op     condOp
	key    string
	values []string
	kids   []*cond
}

// Parse parses a Metrics Insights query, following "Metrics Insights
// query components and syntax"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html).
//
// Keywords and function names are case-insensitive; namespaces, metric
// names and label keys are case-sensitive. The page documents = and !=
// joined with AND; WHERE also takes OR and parentheses, which the Grafana
// CloudWatch query builder writes and AWS accepts (AND binds tighter, as
// in SQL), and IN and NOT IN, shorthands for ORs of = and ANDs of !=.
// Comments and a final semicolon are not part of the language. The errors
// are *Error values.
func Parse(query string) (*Query, error) {
	toks, err := lex(query)
	if err != nil {
		return nil, err
	}
	p := &parser{q: query, toks: toks}
	return p.query()
}

// parser is a recursive-descent parser over the tokens of a query.
type parser struct {
	q     string
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tkEOF {
		p.pos++
	}
	return t
}

// isKeyword reports whether t is the bare keyword kw, in any case.
func isKeyword(t token, kw string) bool { return t.kind == tkWord && strings.EqualFold(t.text, kw) }

// grammarWord reports whether a bare word is a keyword of the grammar,
// which cannot name a namespace, metric or label without double quotation
// marks.
//
// AWS lists more than 900 reserved keywords that "must" be quoted
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-reserved-keywords.html),
// yet its own sample queries use Class, Resource, Type and Operation —
// all on that list — unquoted (SCHEMA("AWS/Usage", Class, Resource,
// Service, Type), GROUP BY Operation, ServiceName). So Vigil, like AWS,
// reads any other bare word in a name's place as the name.
func grammarWord(w string) bool {
	switch strings.ToUpper(w) {
	case "SELECT", "FROM", "SCHEMA", "WHERE", "AND", "OR", "NOT", "IN", "GROUP", "ORDER", "BY", "ASC", "DESC", "LIMIT":
		return true
	}
	return false
}

func (p *parser) errorf(t token, format string, args ...any) *Error {
	return syntaxError(p.q, t.off, format, args...)
}

// expect consumes the keyword kw.
func (p *parser) expect(kw, context string) error {
	t := p.next()
	if !isKeyword(t, kw) {
		return p.errorf(t, "expected %s%s, found %s.", kw, context, t.describe())
	}
	return nil
}

// expectKind consumes a token of kind k, described as what.
func (p *parser) expectKind(k tokenKind, what, context string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.errorf(t, "expected %s%s, found %s.", what, context, t.describe())
	}
	return t, nil
}

// name reads a namespace, metric name or label key: a bare word that is
// not a keyword of the grammar, or a double-quoted name. what says which,
// for errors.
func (p *parser) name(what string) (string, error) {
	t := p.next()
	switch t.kind {
	case tkQuoted:
		if t.text == "" {
			return "", p.errorf(t, "the %s is empty.", what)
		}
		return t.text, nil
	case tkWord:
		if grammarWord(t.text) {
			return "", p.errorf(t, "expected the %s, found the keyword %s. To use it as a name, write it in double quotation marks: %s.", what, strings.ToUpper(t.text), quoteIdent(t.text))
		}
		return t.text, nil
	case tkString:
		return "", p.errorf(t, "expected the %s, found the label value %s. Names are bare or in double quotation marks: %s.", what, t.describe(), quoteIdent(t.text))
	}
	return "", p.errorf(t, "expected the %s, found %s.", what, t.describe())
}

// labelKey reads a label key. The dotted labels of cross-account
// observability (AWS.AccountId) and of resource tags (tag.Name) are
// refused: Vigil has neither.
func (p *parser) labelKey() (string, error) {
	start := p.peek()
	key, err := p.name("label key")
	if err != nil {
		return "", err
	}
	if p.peek().kind == tkDot {
		if start.kind == tkWord && (key == "AWS" || strings.EqualFold(key, "tag")) {
			kind := "a resource tag"
			if key == "AWS" {
				kind = "a cross-account observability"
			}
			return "", unsupported(p.q, start.off, "the label %s.%s is %s label.", key, wordAt(p.q, p.peek().off+1), kind)
		}
		return "", p.errorf(p.peek(), "a label key with a dot must be in double quotation marks, as in %s.", quoteIdent(key+"."+wordAt(p.q, p.peek().off+1)))
	}
	return key, nil
}

// function reads an aggregate function name.
func (p *parser) function(context string) (Function, error) {
	t := p.next()
	if t.kind != tkWord {
		return 0, p.errorf(t, "expected a function (AVG, COUNT, MAX, MIN or SUM)%s, found %s.", context, t.describe())
	}
	f, ok := parseFunction(t.text)
	if !ok {
		return 0, p.errorf(t, "unknown function %s: the functions are AVG, COUNT, MAX, MIN and SUM.", t.text)
	}
	return f, nil
}

func (p *parser) query() (*Query, error) {
	if !isKeyword(p.peek(), "SELECT") {
		return nil, p.errorf(p.peek(), "a Metrics Insights query starts with SELECT, found %s.", p.peek().describe())
	}
	p.next()
	q := &Query{}
	var err error
	if q.Function, err = p.function(" after SELECT"); err != nil {
		return nil, err
	}
	if _, err := p.expectKind(tkLParen, `"("`, " after "+q.Function.String()); err != nil {
		return nil, err
	}
	if q.MetricName, err = p.name("metric name"); err != nil {
		return nil, err
	}
	if _, err := p.expectKind(tkRParen, `")"`, " after the metric name"); err != nil {
		return nil, err
	}
	if err := p.expect("FROM", " after "+q.Function.String()+"(…)"); err != nil {
		return nil, err
	}
	if err := p.from(q); err != nil {
		return nil, err
	}
	if isKeyword(p.peek(), "WHERE") {
		p.next()
		if q.where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if isKeyword(p.peek(), "GROUP") {
		p.next()
		if err := p.expect("BY", " after GROUP"); err != nil {
			return nil, err
		}
		for {
			k, err := p.labelKey()
			if err != nil {
				return nil, err
			}
			q.GroupBy = append(q.GroupBy, k)
			if p.peek().kind != tkComma {
				break
			}
			p.next()
		}
	}
	if isKeyword(p.peek(), "ORDER") {
		p.next()
		if err := p.orderBy(q); err != nil {
			return nil, err
		}
	}
	if isKeyword(p.peek(), "LIMIT") {
		p.next()
		if err := p.limit(q); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind != tkEOF {
		for _, kw := range []string{"SELECT", "FROM", "WHERE", "GROUP", "ORDER", "LIMIT"} {
			if isKeyword(t, kw) {
				return nil, p.errorf(t, "unexpected %s: the clauses are SELECT, FROM, WHERE, GROUP BY, ORDER BY and LIMIT, each at most once and in this order.", kw)
			}
		}
		return nil, p.errorf(t, "expected the end of the query, found %s.", t.describe())
	}
	return q, nil
}

// from reads the source of FROM: a namespace or SCHEMA(namespace, keys…).
func (p *parser) from(q *Query) error {
	var err error
	if t := p.peek(); isKeyword(t, "SCHEMA") && p.toks[p.pos+1].kind == tkLParen {
		p.next()
		p.next()
		q.Schema = true
		if q.Namespace, err = p.name("namespace"); err != nil {
			return err
		}
		for p.peek().kind == tkComma {
			p.next()
			k, err := p.labelKey()
			if err != nil {
				return err
			}
			q.SchemaKeys = append(q.SchemaKeys, k)
		}
		_, err = p.expectKind(tkRParen, `"," or ")"`, " in SCHEMA")
		return err
	}
	q.Namespace, err = p.name("namespace")
	return err
}

// or reads conditions joined with OR.
func (p *parser) or() (*cond, error) { return p.chain("OR", opOr, p.and) }

// and reads conditions joined with AND.
func (p *parser) and() (*cond, error) { return p.chain("AND", opAnd, p.primary) }

// chain reads operands joined by keyword into one op condition.
func (p *parser) chain(keyword string, op condOp, operand func() (*cond, error)) (*cond, error) {
	c, err := operand()
	if err != nil {
		return nil, err
	}
	for isKeyword(p.peek(), keyword) {
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		c = join(op, c, r)
	}
	return c, nil
}

// join returns l op r, flattening operands of the same op.
func join(op condOp, l, r *cond) *cond {
	var kids []*cond
	for _, c := range []*cond{l, r} {
		if c.op == op {
			kids = append(kids, c.kids...)
		} else {
			kids = append(kids, c)
		}
	}
	return &cond{op: op, kids: kids}
}

// primary reads a parenthesized condition or a comparison.
func (p *parser) primary() (*cond, error) {
	if t := p.peek(); t.kind == tkLParen {
		if p.depth >= maxDepth {
			return nil, p.errorf(t, "parentheses are nested more than %d deep.", maxDepth)
		}
		p.next()
		p.depth++
		c, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if _, err := p.expectKind(tkRParen, `")"`, " to close the parenthesis"); err != nil {
			return nil, err
		}
		return c, nil
	}
	key, err := p.labelKey()
	if err != nil {
		return nil, err
	}
	c := &cond{key: key}
	t := p.next()
	switch {
	case t.kind == tkEq:
		c.op = opEq
	case t.kind == tkNe:
		c.op = opNe
	case isKeyword(t, "IN"):
		c.op = opIn
	case isKeyword(t, "NOT") && isKeyword(p.peek(), "IN"):
		p.next()
		c.op = opNotIn
	case isKeyword(t, "LIKE"):
		return nil, p.errorf(t, "LIKE is not an operator of Metrics Insights; the operators are =, !=, IN and NOT IN.")
	default:
		return nil, p.errorf(t, "expected an operator (=, !=, IN or NOT IN) after the label key %s, found %s.", quoteIdent(key), t.describe())
	}
	if c.op == opEq || c.op == opNe {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		c.values = []string{v}
		return c, nil
	}
	if _, err := p.expectKind(tkLParen, `"("`, " after IN"); err != nil {
		return nil, err
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		c.values = append(c.values, v)
		if p.peek().kind != tkComma {
			break
		}
		p.next()
	}
	if _, err := p.expectKind(tkRParen, `"," or ")"`, " in the IN list"); err != nil {
		return nil, err
	}
	return c, nil
}

// value reads a label value: a single-quoted string.
func (p *parser) value() (string, error) {
	t := p.next()
	switch t.kind {
	case tkString:
		return t.text, nil
	case tkQuoted, tkNumber, tkWord:
		if t.kind != tkWord || !grammarWord(t.text) {
			return "", p.errorf(t, "label values must be in single quotation marks, as in %s.", quoteValue(t.text))
		}
	}
	return "", p.errorf(t, "expected a label value in single quotation marks, found %s.", t.describe())
}

// orderBy reads the ORDER BY clause after ORDER.
func (p *parser) orderBy(q *Query) error {
	if err := p.expect("BY", " after ORDER"); err != nil {
		return err
	}
	if t := p.peek(); t.kind == tkWord && p.toks[p.pos+1].kind != tkLParen {
		if _, ok := parseFunction(t.text); !ok {
			return p.errorf(t, "ORDER BY sorts the series by a function of their values: AVG(), COUNT(), MAX(), MIN() or SUM(); found %s.", t.describe())
		}
	}
	f, err := p.function(" after ORDER BY")
	if err != nil {
		return err
	}
	if _, err := p.expectKind(tkLParen, `"("`, " after "+f.String()); err != nil {
		return err
	}
	if t := p.next(); t.kind != tkRParen {
		return p.errorf(t, "the function of ORDER BY takes no argument: write %s().", f)
	}
	q.OrderBy.Function = f
	switch t := p.peek(); {
	case isKeyword(t, "DESC"):
		p.next()
		q.OrderBy.Desc = true
	case isKeyword(t, "ASC"):
		p.next()
	}
	return nil
}

// limit reads the number after LIMIT.
func (p *parser) limit(q *Query) error {
	t, err := p.expectKind(tkNumber, "a number", " after LIMIT")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n > MaxLimit {
		return p.errorf(t, "LIMIT is %s; the maximum value that you can specify is %d.", t.text, MaxLimit)
	}
	if n < 1 {
		return p.errorf(t, "LIMIT must be at least 1.")
	}
	q.Limit = n
	return nil
}
