package alarms

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The limits of an AlarmRule.
const (
	// MaxRuleLength is the most characters a rule may have.
	MaxRuleLength = 10240
	// MaxRuleChildren is the most distinct alarms a rule may reference.
	MaxRuleChildren = 100
	// MaxRuleElements is the most elements a rule may have: state
	// functions, TRUE and FALSE, and pairs of grouping parentheses.
	MaxRuleElements = 500
)

// The expectations an error message names.
const (
	expectOperand  = "'(', 'NOT', TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
	expectLParen   = "'('"
	expectRef      = "alarm name or ARN"
	expectRParen   = "')'"
	expectOpOrEnd  = "'AND', 'OR' or end of rule"
	expectOpOrRPar = "'AND', 'OR' or ')'"
)

// maxTokenShown bounds the characters of a token an error message quotes.
const maxTokenShown = 64

// Rule is a parsed AlarmRule, the rule of a composite alarm, as
// PutCompositeAlarm documents it
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html)
// and the user guide's "Creating a composite alarm"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html):
//
//	rule    = or
//	or      = and { "OR" and }
//	and     = not { "AND" not }
//	not     = "NOT" not | primary
//	primary = "(" or ")" | "TRUE" | "FALSE" | state "(" ref ")"
//	state   = "ALARM" | "OK" | "INSUFFICIENT_DATA"
//	ref     = '"' { any character but '"' } '"'
//	        | { any character but space, tab, CR, LF, '(', ')' and '"' }
//
// Keywords are upper case, as every example of the guide writes them (and
// as the AWS CDK renders TRUE and FALSE). Tokens may be separated by
// spaces, tabs and newlines; the guide's console example breaks its rule
// over lines. "Alarm names specified in AlarmRule can be surrounded with
// double-quotes ("), but do not have to be": a quoted reference ends at
// the next '"', since AWS documents no escape, so a backslash is an
// ordinary character, and a name with spaces or parentheses must be
// quoted. The guide names no precedence; the conventional one, NOT before
// AND before OR, reads its examples as they are meant
// ("ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)").
// AT_LEAST, which CloudWatch accepts since November 2025 (by the AWS
// CDK's AlarmRule.atLeast) but PutCompositeAlarm does not document, is
// not supported: it is refused as an unsupported token.
//
// The limits are the guide's: "An AlarmRule expression can specify as many
// as 100 "child" alarms. The AlarmRule expression can have as many as 500
// elements. Elements are child alarms, TRUE or FALSE statements, and
// parentheses. A pair of parentheses counts as one element." Children are
// counted once per distinct reference, elements once per occurrence; the
// parentheses of ALARM(...) belong to their child alarm. The API model
// bounds AlarmRule to 10240 characters.
type Rule struct {
	root     *ruleNode
	children []string
}

// ruleOp is the kind of a node of a rule.
type ruleOp uint8

const (
	opConst ruleOp = iota // TRUE or FALSE
	opState               // ALARM(ref), OK(ref) or INSUFFICIENT_DATA(ref)
	opNot
	opAnd
	opOr
)

// ruleNode is a node of a parsed rule. AND and OR are n-ary: a group
// of the same operator is merged into its parent, which changes nothing
// of their meaning.
type ruleNode struct {
	op    ruleOp
	value bool   // opConst
	state State  // opState
	ref   string // opState, unquoted
	args  []*ruleNode
}

// ParseRule parses an AlarmRule. Its errors are the text of the
// ValidationError PutCompositeAlarm answers, worded as those AWS answers
// are:
//
//	Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']
//	Error in AlarmRule [Unsupported token ')' at char 1]
//
// (the first for an unquoted name with spaces, the second for "()", as
// CloudFormation relayed them in aws/aws-cdk issues 13953 and 34662), so
// char is the 0-based offset of the token in characters. Vigil names what
// was expected in every message, and words its own the errors AWS was not
// seen to answer: the end of the rule, an unterminated quote, the limits.
func ParseRule(s string) (*Rule, error) {
	if n := utf8.RuneCountInString(s); n > MaxRuleLength {
		return nil, fmt.Errorf("Error in AlarmRule [Rule has %d characters, more than the maximum of %d]", n, MaxRuleLength)
	}
	p := &ruleParser{src: s, seen: map[string]bool{}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.unexpected(expectOpOrEnd)
	}
	if len(p.children) > MaxRuleChildren {
		return nil, fmt.Errorf("Error in AlarmRule [Rule references %d alarms, more than the maximum of %d]", len(p.children), MaxRuleChildren)
	}
	if p.elements > MaxRuleElements {
		return nil, fmt.Errorf("Error in AlarmRule [Rule has %d elements, more than the maximum of %d]", p.elements, MaxRuleElements)
	}
	return &Rule{root: root, children: p.children}, nil
}

// Children returns the distinct alarm references of r (names or ARNs as
// written, unquoted) in order of first appearance.
func (r *Rule) Children() []string {
	return append([]string(nil), r.children...)
}

// Eval evaluates r given the state of each child: state returns the state
// of the alarm a reference names and whether that alarm exists.
//
// A missing child counts as INSUFFICIENT_DATA: ALARM(x) and OK(x) are
// false, INSUFFICIENT_DATA(x) is true. AWS leaves no room for one: it
// refuses a rule whose children do not exist ("Could not save the
// composite alarm as alarms ... in the alarm rule do not exist", as
// CloudFormation users report it), and an alarm a composite alarm depends
// on cannot be deleted (DeleteAlarms: "you can't delete any composite
// alarm that is part of the cycle because there is always still a
// composite alarm that depends on that alarm"). A child that is missing
// all the same, renamed or deleted by a path AWS does not have, is read
// as an alarm about which nothing is known.
func (r *Rule) Eval(state func(ref string) (State, bool)) bool {
	return r.root.eval(state)
}

func (n *ruleNode) eval(state func(ref string) (State, bool)) bool {
	switch n.op {
	case opConst:
		return n.value
	case opState:
		s, ok := state(n.ref)
		if !ok {
			s = StateInsufficientData
		}
		return s == n.state
	case opNot:
		return !n.args[0].eval(state)
	case opAnd:
		for _, a := range n.args {
			if !a.eval(state) {
				return false
			}
		}
		return true
	case opOr:
		for _, a := range n.args {
			if a.eval(state) {
				return true
			}
		}
		return false
	}
	panic(fmt.Sprintf("BUG: alarms: rule node op %d", n.op))
}

// String renders r in canonical form: keywords separated by single
// spaces, every reference quoted, and parentheses only where precedence
// needs them, as in
//
//	(ALARM("CPUUtilizationTooHigh") OR ALARM("DiskReadOpsTooHigh")) AND OK("NetworkOutTooHigh")
//
// ParseRule reads it back to the same rule.
func (r *Rule) String() string {
	var b strings.Builder
	r.root.write(&b, precOr)
	return b.String()
}

// The precedences of the operators, loosest first.
const (
	precOr = iota
	precAnd
	precNot
)

// write renders n where an operand of precedence prec is expected,
// parenthesized when n binds more loosely.
func (n *ruleNode) write(b *strings.Builder, prec int) {
	switch n.op {
	case opConst:
		if n.value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case opState:
		b.WriteString(string(n.state))
		b.WriteString(`("`)
		b.WriteString(n.ref)
		b.WriteString(`")`)
	case opNot:
		b.WriteString("NOT ")
		n.args[0].write(b, precNot)
	case opAnd:
		n.writeList(b, prec, precAnd, " AND ")
	case opOr:
		n.writeList(b, prec, precOr, " OR ")
	default:
		panic(fmt.Sprintf("BUG: alarms: rule node op %d", n.op))
	}
}

// writeList renders the operands of an AND or OR of precedence own joined
// by sep, in parentheses when an operand of precedence prec is expected.
func (n *ruleNode) writeList(b *strings.Builder, prec, own int, sep string) {
	if prec > own {
		b.WriteByte('(')
	}
	for i, a := range n.args {
		if i > 0 {
			b.WriteString(sep)
		}
		a.write(b, own+1)
	}
	if prec > own {
		b.WriteByte(')')
	}
}

// RuleRefName returns the alarm name a rule reference names: NAME for an
// alarm ARN arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME (a name may
// hold colons), else ref itself.
func RuleRefName(ref string) string {
	parts := strings.SplitN(ref, ":", 7)
	if len(parts) == 7 && parts[0] == "arn" && parts[2] == "cloudwatch" && parts[5] == "alarm" && parts[6] != "" {
		return parts[6]
	}
	return ref
}

// tokKind is the kind of a token of a rule.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokLParen         // (
	tokRParen         // )
	tokWord           // a keyword or an unquoted reference
	tokQuoted         // a quoted reference, quotes included
)

// token is a token of a rule; pos is its byte offset.
type token struct {
	kind tokKind
	text string
	pos  int
}

// ruleParser parses a rule by recursive descent, one token ahead.
type ruleParser struct {
	src  string
	off  int // byte offset of the next token
	tok  token
	seen map[string]bool
	// children are the distinct references in order of appearance.
	children []string
	// elements counts state functions, constants and grouping pairs.
	elements int
}

// isRuleSpace reports whether c separates tokens.
func isRuleSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// advance reads the next token into p.tok.
func (p *ruleParser) advance() error {
	s := p.src
	i := p.off
	for i < len(s) && isRuleSpace(s[i]) {
		i++
	}
	start := i
	switch {
	case i == len(s):
		p.tok = token{kind: tokEOF, pos: i}
	case s[i] == '(':
		p.tok = token{kind: tokLParen, text: "(", pos: i}
		i++
	case s[i] == ')':
		p.tok = token{kind: tokRParen, text: ")", pos: i}
		i++
	case s[i] == '"':
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return fmt.Errorf("Error in AlarmRule [Unterminated quote at char %d]", p.char(start))
		}
		i += end + 2
		p.tok = token{kind: tokQuoted, text: s[start:i], pos: start}
	default:
		for i < len(s) && !isRuleSpace(s[i]) && s[i] != '(' && s[i] != ')' && s[i] != '"' {
			i++
		}
		p.tok = token{kind: tokWord, text: s[start:i], pos: start}
	}
	p.off = i
	return nil
}

// char returns the character offset of byte offset pos.
func (p *ruleParser) char(pos int) int {
	return utf8.RuneCountInString(p.src[:pos])
}

// unexpected returns the error for the current token where want was
// expected.
func (p *ruleParser) unexpected(want string) error {
	if p.tok.kind == tokEOF {
		return fmt.Errorf("Error in AlarmRule [Unexpected end of rule at char %d, must be: %s]", p.char(p.tok.pos), want)
	}
	text := p.tok.text
	if utf8.RuneCountInString(text) > maxTokenShown {
		text = string([]rune(text)[:maxTokenShown]) + "..."
	}
	return fmt.Errorf("Error in AlarmRule [Unsupported token '%s' at char %d, must be: %s]", text, p.char(p.tok.pos), want)
}

// isWord reports whether the current token is the keyword w.
func (p *ruleParser) isWord(w string) bool {
	return p.tok.kind == tokWord && p.tok.text == w
}

func (p *ruleParser) parseOr() (*ruleNode, error) {
	return p.parseList(opOr, "OR", p.parseAnd)
}

func (p *ruleParser) parseAnd() (*ruleNode, error) {
	return p.parseList(opAnd, "AND", p.parseNot)
}

// parseList parses operands joined by the keyword of op.
func (p *ruleParser) parseList(op ruleOp, keyword string, operand func() (*ruleNode, error)) (*ruleNode, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.isWord(keyword) {
		return first, nil
	}
	n := &ruleNode{op: op}
	n.add(first)
	for p.isWord(keyword) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := operand()
		if err != nil {
			return nil, err
		}
		n.add(next)
	}
	return n, nil
}

// add appends operand a to the AND or OR n, merging a's operands when a
// is the same operator.
func (n *ruleNode) add(a *ruleNode) {
	if a.op == n.op {
		n.args = append(n.args, a.args...)
		return
	}
	n.args = append(n.args, a)
}

func (p *ruleParser) parseNot() (*ruleNode, error) {
	if !p.isWord("NOT") {
		return p.parsePrimary()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	a, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	return &ruleNode{op: opNot, args: []*ruleNode{a}}, nil
}

func (p *ruleParser) parsePrimary() (*ruleNode, error) {
	switch {
	case p.tok.kind == tokLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.unexpected(expectOpOrRPar)
		}
		p.elements++
		return n, p.advance()
	case p.isWord("TRUE"), p.isWord("FALSE"):
		p.elements++
		n := &ruleNode{op: opConst, value: p.tok.text == "TRUE"}
		return n, p.advance()
	case p.isWord(string(StateAlarm)), p.isWord(string(StateOK)), p.isWord(string(StateInsufficientData)):
		return p.parseState()
	}
	return nil, p.unexpected(expectOperand)
}

// parseState parses a state function, its name the current token.
func (p *ruleParser) parseState() (*ruleNode, error) {
	n := &ruleNode{op: opState, state: State(p.tok.text)}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokLParen {
		return nil, p.unexpected(expectLParen)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch {
	case p.tok.kind == tokWord:
		n.ref = p.tok.text
	case p.tok.kind == tokQuoted && len(p.tok.text) > 2:
		n.ref = p.tok.text[1 : len(p.tok.text)-1]
	default:
		return nil, p.unexpected(expectRef)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.unexpected(expectRParen)
	}
	if !p.seen[n.ref] {
		p.seen[n.ref] = true
		p.children = append(p.children, n.ref)
	}
	p.elements++
	return n, p.advance()
}
