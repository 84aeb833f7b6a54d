package mathexpr

import (
	"slices"
)

// maxDepth bounds the nesting of an expression so that a hostile one
// cannot exhaust the stack. AWS's 2,048-character limit on Expression
// allows about a thousand nested parentheses; real expressions nest a
// handful of levels.
const maxDepth = 200

// Expr is a parsed metric math expression.
type Expr struct {
	src  string
	root node
	refs []string
	fns  []string
}

// node is a node of the syntax tree.
type node interface{ exprNode() }

// The syntax tree's nodes.
type (
	numNode struct {
		v float64
	}
	// refNode is a query Id.
	refNode struct {
		id string
	}
	// strNode is a quoted string, allowed only where a function takes one.
	strNode struct {
		at int
		s  string
	}
	// kwNode is a bare uppercase word such as REPEAT or DESC, allowed only
	// where a function takes a keyword.
	kwNode struct {
		at   int
		name string
	}
	// negNode is unary minus.
	negNode struct {
		x node
	}
	binNode struct {
		op   tokKind
		x, y node
	}
	// arrNode is [a, b, …].
	arrNode struct {
		elems []node
	}
	callNode struct {
		fn   *funcSpec
		args []node
		// search is the parsed query of SEARCH, stat its statistic.
		search *SearchQuery
		stat   string
	}
)

func (*numNode) exprNode()  {}
func (*refNode) exprNode()  {}
func (*strNode) exprNode()  {}
func (*kwNode) exprNode()   {}
func (*negNode) exprNode()  {}
func (*binNode) exprNode()  {}
func (*arrNode) exprNode()  {}
func (*callNode) exprNode() {}

// Parse parses a metric math expression. Errors are *Error values worded
// as AWS words them ("Invalid syntax", "Function 'FOO' not found"), without
// the query Id, which PlanQueries and Step.Eval add.
func Parse(expr string) (*Expr, error) {
	p := &parser{lex: lexer{src: expr}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, syntaxError(p.tok.pos, "unexpected %q", p.tok.text)
	}
	if err := operand(root); err != nil {
		return nil, err
	}
	e := &Expr{src: expr, root: root}
	walk(root, func(n node) {
		switch n := n.(type) {
		case *refNode:
			if !slices.Contains(e.refs, n.id) {
				e.refs = append(e.refs, n.id)
			}
		case *callNode:
			if !slices.Contains(e.fns, n.fn.name) {
				e.fns = append(e.fns, n.fn.name)
			}
		}
	})
	return e, nil
}

// String returns the expression as it was written.
func (e *Expr) String() string { return e.src }

// Refs lists the query Ids the expression reads, in order of first use,
// each once. METRICS() reads every MetricStat query of the request besides.
func (e *Expr) Refs() []string { return slices.Clone(e.refs) }

// Functions lists the functions the expression calls, in order of first
// use, each once: callers check, for example, that an alarm does not use
// SEARCH.
func (e *Expr) Functions() []string { return slices.Clone(e.fns) }

// walk calls f on n and every node below it.
func walk(n node, f func(node)) {
	f(n)
	switch n := n.(type) {
	case *negNode:
		walk(n.x, f)
	case *binNode:
		walk(n.x, f)
		walk(n.y, f)
	case *arrNode:
		for _, c := range n.elems {
			walk(c, f)
		}
	case *callNode:
		for _, c := range n.args {
			walk(c, f)
		}
	}
}

// parser is a recursive-descent parser over the lexer's tokens.
//
// Precedence, loosest first: OR and ||; AND and &&; the comparisons; + and
// -; * and /; unary minus; ^ (right-associative, so 2^3^2 is 2^9 and -2^2
// is -4). AWS documents the operators but not their precedence; this is
// the usual order of arithmetic and of C.
type parser struct {
	lex   lexer
	tok   token
	depth int
}

// advance moves to the next token.
func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// enter and leave track nesting depth.
func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return syntaxError(p.tok.pos, "expression nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// isWordOp reports whether the current token is the word operator w (AND,
// OR).
func (p *parser) isWordOp(w string) bool { return p.tok.kind == tokName && p.tok.text == w }

func (p *parser) parseOr() (node, error) {
	return p.parseBinary(p.parseAnd, func() (tokKind, bool) {
		if p.tok.kind == tokOrOr || p.isWordOp("OR") {
			return tokOrOr, true
		}
		return 0, false
	})
}

func (p *parser) parseAnd() (node, error) {
	return p.parseBinary(p.parseCompare, func() (tokKind, bool) {
		if p.tok.kind == tokAndAnd || p.isWordOp("AND") {
			return tokAndAnd, true
		}
		return 0, false
	})
}

func (p *parser) parseCompare() (node, error) {
	return p.parseBinary(p.parseAdd, func() (tokKind, bool) {
		switch p.tok.kind {
		case tokLT, tokLE, tokGT, tokGE, tokEQ, tokNE:
			return p.tok.kind, true
		}
		return 0, false
	})
}

func (p *parser) parseAdd() (node, error) {
	return p.parseBinary(p.parseMul, func() (tokKind, bool) {
		return p.tok.kind, p.tok.kind == tokPlus || p.tok.kind == tokMinus
	})
}

func (p *parser) parseMul() (node, error) {
	return p.parseBinary(p.parseUnary, func() (tokKind, bool) {
		return p.tok.kind, p.tok.kind == tokStar || p.tok.kind == tokSlash
	})
}

// parseBinary parses a left-associative chain of operands joined by the
// operators op recognises.
func (p *parser) parseBinary(operandFn func() (node, error), op func() (tokKind, bool)) (node, error) {
	x, err := operandFn()
	if err != nil {
		return nil, err
	}
	for {
		k, ok := op()
		if !ok {
			return x, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := operandFn()
		if err != nil {
			return nil, err
		}
		if err := operand(x); err != nil {
			return nil, err
		}
		if err := operand(y); err != nil {
			return nil, err
		}
		x = &binNode{op: k, x: x, y: y}
	}
}

func (p *parser) parseUnary() (node, error) {
	if p.tok.kind != tokMinus {
		return p.parsePow()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if err := operand(x); err != nil {
		return nil, err
	}
	return &negNode{x: x}, nil
}

func (p *parser) parsePow() (node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokCaret {
		return x, nil
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	y, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if err := operand(x); err != nil {
		return nil, err
	}
	if err := operand(y); err != nil {
		return nil, err
	}
	return &binNode{op: tokCaret, x: x, y: y}, nil
}

func (p *parser) parsePrimary() (node, error) {
	t := p.tok
	switch t.kind {
	case tokNumber:
		return &numNode{v: t.num}, p.advance()
	case tokString:
		return &strNode{at: t.pos, s: t.text}, p.advance()
	case tokID:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokLParen {
			// "All functions must be written in uppercase letters."
			return nil, unknownFunction(t.text)
		}
		return &refNode{id: t.text}, nil
	case tokName:
		if t.text == "AND" || t.text == "OR" {
			return nil, syntaxError(t.pos, "unexpected %s", t.text)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokLParen {
			return p.parseCall(t)
		}
		return &kwNode{at: t.pos, name: t.text}, nil
	case tokLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, syntaxError(p.tok.pos, "expected ')'")
		}
		return x, p.advance()
	case tokLBrack:
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		elems, err := p.parseList(tokRBrack)
		if err != nil {
			return nil, err
		}
		if len(elems) == 0 {
			return nil, syntaxError(t.pos, "empty array")
		}
		for _, e := range elems {
			if err := operand(e); err != nil {
				return nil, err
			}
		}
		return &arrNode{elems: elems}, nil
	case tokEOF:
		return nil, syntaxError(t.pos, "unexpected end of expression")
	}
	return nil, syntaxError(t.pos, "unexpected %q", t.text)
}

// parseList parses comma-separated expressions after an opening bracket or
// parenthesis, up to and including the closing token.
func (p *parser) parseList(closing tokKind) ([]node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	var out []node
	if p.tok.kind == closing {
		return out, p.advance()
	}
	for {
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		case closing:
			return out, p.advance()
		default:
			return nil, syntaxError(p.tok.pos, "expected ',' or closing bracket")
		}
	}
}

// parseCall parses the arguments of the function named by t and checks them
// against the function's signature.
func (p *parser) parseCall(t token) (node, error) {
	fn, ok := functions[t.text]
	if !ok {
		return nil, unknownFunction(t.text)
	}
	if fn.unsupported != "" {
		return nil, unsupported("Function '%s' is not supported: it needs %s.", fn.name, fn.unsupported)
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	args, err := p.parseList(tokRParen)
	if err != nil {
		return nil, err
	}
	c := &callNode{fn: fn, args: args}
	return c, fn.check(c)
}

// operand checks that n can be used as a value: strings and keywords are
// allowed only as function arguments that take them.
func operand(n node) error {
	switch n := n.(type) {
	case *strNode:
		return syntaxError(n.at, "a string is allowed only as an argument of METRICS or SEARCH")
	case *kwNode:
		return syntaxError(n.at, "unexpected %s", n.name)
	}
	return nil
}
