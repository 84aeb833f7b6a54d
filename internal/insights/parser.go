package insights

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxQueryLength is the longest query string StartQuery accepts.
const MaxQueryLength = 10000

// unsupportedCommands are documented commands Vigil refuses, with why.
var unsupportedCommands = map[string]string{
	"pattern": "the pattern command (machine-learning clustering) is not supported by this server",
	"diff":    "the diff command (comparison with the previous period) is not supported by this server",
	"anomaly": "the anomaly command (machine-learning anomaly detection) is not supported by this server",
	"unmask":  "the unmask command is not supported: this server stores no masked data, so there is nothing to unmask",
	"lookup":  "the lookup command is not supported by this server (no lookup tables)",
	"join":    "the join command is not supported by this server",
}

// Parse parses a Logs Insights query. Errors are *Error values.
func Parse(query string) (*Query, error) {
	if len(query) > MaxQueryLength && utf8.RuneCountInString(query) > MaxQueryLength {
		return nil, &Error{Msg: "query string is longer than " + strconv.Itoa(MaxQueryLength) + " characters"}
	}
	if !utf8.ValidString(query) {
		return nil, &Error{Msg: "query string is not valid UTF-8"}
	}
	p := &parser{lx: newLexer(query), src: query}
	if err := p.advance(); err != nil {
		return nil, err
	}
	q := &Query{Text: query}
	for {
		if p.tok.kind == tEOF {
			if len(q.Commands) == 0 {
				return nil, errorf(p.tok.pos, "query is empty")
			}
			if p.sawPipe {
				return nil, errorf(p.tok.pos, "unexpected end of query after |")
			}
			return q, nil
		}
		cmd, err := p.command()
		if err != nil {
			return nil, err
		}
		q.Commands = append(q.Commands, cmd)
		p.sawPipe = false
		switch p.tok.kind {
		case tEOF:
		case tPipe:
			p.sawPipe = true
			if err := p.advance(); err != nil {
				return nil, err
			}
		default:
			return nil, p.unexpected()
		}
	}
}

type parser struct {
	lx      *lexer
	src     string
	tok     token
	lastEnd int // end offset of the previous token
	sawPipe bool
}

func (p *parser) advance() error {
	p.lastEnd = p.tok.pos.Offset + len(p.tok.raw)
	t, err := p.lx.lex()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected() error {
	if p.tok.kind == tEOF {
		return errorf(p.tok.pos, "unexpected end of query")
	}
	return errorf(p.tok.pos, "unexpected symbol found %s", p.tok.raw)
}

// isKeyword reports whether the current token is the bare keyword kw.
func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && !p.tok.quoted && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) expect(k tokKind, what string) (token, error) {
	if p.tok.kind != k {
		if p.tok.kind == tEOF {
			return token{}, errorf(p.tok.pos, "unexpected end of query, expected %s", what)
		}
		return token{}, errorf(p.tok.pos, "unexpected symbol found %s, expected %s", p.tok.raw, what)
	}
	t := p.tok
	return t, p.advance()
}

func (p *parser) text(start int) string {
	return strings.Join(strings.Fields(p.src[start:p.lastEnd]), " ")
}

func (p *parser) command() (Command, error) {
	t := p.tok
	if t.kind != tIdent || t.quoted {
		if t.kind == tEOF {
			return nil, p.unexpected()
		}
		return nil, errorf(t.pos, "mismatched input '%s' expecting %s", t.raw, commandTokens)
	}
	kw := strings.ToLower(t.text)
	if msg, ok := unsupportedCommands[kw]; ok {
		return nil, errorf(t.pos, "%s", msg)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch kw {
	case "fields":
		items, err := p.projections(false)
		return &FieldsCmd{At: t.pos, Items: items}, err
	case "display":
		items, err := p.projections(false)
		return &DisplayCmd{At: t.pos, Items: items}, err
	case "filter", "filterindex":
		cond, err := p.expr()
		return &FilterCmd{At: t.pos, Cond: cond, Index: kw == "filterindex"}, err
	case "stats":
		items, err := p.projections(true)
		if err != nil {
			return nil, err
		}
		c := &StatsCmd{At: t.pos, Items: items}
		if p.isKeyword("by") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if c.By, err = p.projections(false); err != nil {
				return nil, err
			}
		}
		return c, nil
	case "sort":
		return p.sortCmd(t.pos)
	case "limit":
		n, err := p.expect(tNumber, "a number")
		if err != nil {
			return nil, err
		}
		v, perr := strconv.Atoi(n.text)
		if perr != nil || v < 1 || v > 10000 {
			return nil, errorf(n.pos, "limit must be an integer between 1 and 10000")
		}
		return &LimitCmd{At: t.pos, N: v}, nil
	case "parse":
		return p.parseCmd(t.pos)
	case "dedup":
		c := &DedupCmd{At: t.pos}
		for {
			f, err := p.expect(tIdent, "a field name")
			if err != nil {
				return nil, err
			}
			c.Fields = append(c.Fields, &FieldExpr{At: f.pos, Name: f.text, Parts: f.parts})
			if p.tok.kind != tComma {
				return c, nil
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	case "unnest":
		f, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("into") {
			return nil, errorf(p.tok.pos, "unnest needs \"into <field>\"")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		into, err := p.expect(tIdent, "a field name")
		if err != nil {
			return nil, err
		}
		return &UnnestCmd{At: t.pos, Field: f, Into: into.text}, nil
	case "source":
		return p.sourceCmd(t.pos)
	}
	return nil, errorf(t.pos, "mismatched input '%s' expecting %s", t.raw, commandTokens)
}

// commandTokens lists the commands as AWS's parser names them in its
// "mismatched input" errors.
const commandTokens = "{K_PARSE, K_FIELDS, K_DISPLAY, K_FILTER, K_FILTER_INDEX, K_STATS, K_SORT, K_LIMIT, K_DEDUP, K_UNNEST, K_SOURCE}"

// projections parses "expr [as alias], …" up to a pipe, "by" (in stats)
// or the end.
func (p *parser) projections(stopAtBy bool) ([]Projection, error) {
	var out []Projection
	for {
		start := p.tok.pos.Offset
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		pr := Projection{Expr: e, Text: p.text(start)}
		if p.isKeyword("as") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			a, err := p.expect(tIdent, "an alias")
			if err != nil {
				return nil, err
			}
			pr.Alias = a.text
		}
		out = append(out, pr)
		if p.tok.kind != tComma {
			return out, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) sortCmd(at Pos) (Command, error) {
	c := &SortCmd{At: at}
	for {
		start := p.tok.pos.Offset
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		k := SortKey{Expr: e, Text: p.text(start)}
		if p.isKeyword("desc") {
			k.Desc = true
			if err := p.advance(); err != nil {
				return nil, err
			}
		} else if p.isKeyword("asc") {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		c.Keys = append(c.Keys, k)
		if p.tok.kind != tComma {
			return c, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseCmd(at Pos) (Command, error) {
	c := &ParseCmd{At: at}
	if p.tok.kind == tString || p.tok.kind == tRegex {
		c.Source = &FieldExpr{At: p.tok.pos, Name: "@message"}
	} else {
		src, err := p.unary()
		if err != nil {
			return nil, err
		}
		c.Source = src
	}
	switch p.tok.kind {
	case tString:
		c.Pattern = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("as") {
			return nil, errorf(p.tok.pos, "parse with a glob pattern needs \"as <field>, …\"")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		for {
			n, err := p.expect(tIdent, "a field name")
			if err != nil {
				return nil, err
			}
			c.Names = append(c.Names, n.text)
			if p.tok.kind != tComma {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if stars := strings.Count(c.Pattern, "*"); stars != len(c.Names) {
			return nil, errorf(at, "parse pattern has %d wildcards but %d field names", stars, len(c.Names))
		}
	case tRegex:
		c.Regex, c.Pattern, c.Flags = true, p.tok.text, p.tok.flags
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		c.Names = regexGroupNames(c.Pattern)
		if len(c.Names) == 0 {
			return nil, errorf(pos, "parse regular expression has no named capturing group such as (?<name>.*)")
		}
		if p.isKeyword("as") {
			return nil, errorf(p.tok.pos, "parse with a regular expression takes its field names from the named groups, not from \"as\"")
		}
	default:
		return nil, errorf(p.tok.pos, "parse needs a glob pattern in quotes or a regular expression in slashes")
	}
	return c, nil
}

// regexGroupNames returns the names of (?<name>…) and (?P<name>…) groups.
func regexGroupNames(re string) []string {
	var names []string
	for i := 0; i < len(re); i++ {
		if re[i] == '\\' {
			i++
			continue
		}
		rest := re[i:]
		var after string
		switch {
		case strings.HasPrefix(rest, "(?<") && !strings.HasPrefix(rest, "(?<=") && !strings.HasPrefix(rest, "(?<!"):
			after = rest[3:]
		case strings.HasPrefix(rest, "(?P<"):
			after = rest[4:]
		default:
			continue
		}
		if j := strings.IndexByte(after, '>'); j > 0 {
			names = append(names, after[:j])
		}
	}
	return names
}

func (p *parser) sourceCmd(at Pos) (Command, error) {
	c := &SourceCmd{At: at}
	fn, err := p.expect(tIdent, "logGroups(")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(fn.text, "logGroups") {
		return nil, errorf(fn.pos, "unexpected symbol found %s, expected logGroups(", fn.raw)
	}
	if _, err := p.expect(tLParen, "("); err != nil {
		return nil, err
	}
	for p.tok.kind != tRParen {
		name, err := p.expect(tIdent, "namePrefix, class or accountIdentifiers")
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tColon, ":"); err != nil {
			return nil, err
		}
		switch strings.ToLower(name.text) {
		case "nameprefix":
			if c.NamePrefixes, err = p.stringList(); err != nil {
				return nil, err
			}
		case "accountidentifiers":
			if c.AccountIDs, err = p.stringList(); err != nil {
				return nil, err
			}
		case "class":
			v, err := p.tokenText()
			if err != nil {
				return nil, err
			}
			c.Class = strings.ToUpper(v)
		default:
			return nil, errorf(name.pos, "unknown logGroups parameter %s", name.text)
		}
		if p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	return c, p.advance()
}

func (p *parser) tokenText() (string, error) {
	if p.tok.kind != tIdent && p.tok.kind != tString {
		return "", p.unexpected()
	}
	v := p.tok.text
	return v, p.advance()
}

func (p *parser) stringList() ([]string, error) {
	if p.tok.kind == tString {
		v := p.tok.text
		return []string{v}, p.advance()
	}
	if _, err := p.expect(tLBrack, "["); err != nil {
		return nil, err
	}
	var out []string
	for p.tok.kind != tRBrack {
		s, err := p.expect(tString, "a string")
		if err != nil {
			return nil, err
		}
		out = append(out, s.text)
		if p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	return out, p.advance()
}

// Expressions, lowest precedence first: or, and, not, comparison,
// additive, multiplicative, power, unary minus, postfix.

func (p *parser) expr() (Expr, error) { return p.or() }

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		at := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &BinaryExpr{At: at, Op: "or", L: l, R: r}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		at := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &BinaryExpr{At: at, Op: "and", L: l, R: r}
	}
	return l, nil
}

func (p *parser) not() (Expr, error) {
	if p.isKeyword("not") {
		at := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &UnaryExpr{At: at, Op: "not", X: x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (Expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	at := p.tok.pos
	op := ""
	switch {
	case p.tok.kind == tOp && (p.tok.text == "=" || p.tok.text == "!=" || p.tok.text == "<" || p.tok.text == "<=" ||
		p.tok.text == ">" || p.tok.text == ">=" || p.tok.text == "=~"):
		op = p.tok.text
	case p.isKeyword("like"):
		op = "like"
	case p.isKeyword("in"):
		op = "in"
	case p.isKeyword("not"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		switch {
		case p.isKeyword("like"):
			op = "not like"
		case p.isKeyword("in"):
			op = "not in"
		default:
			return nil, errorf(p.tok.pos, "unexpected symbol found %s, expected like or in after not", p.tok.raw)
		}
	default:
		return l, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var r Expr
	if op == "in" || op == "not in" {
		r, err = p.list()
	} else {
		r, err = p.additive()
	}
	if err != nil {
		return nil, err
	}
	return &BinaryExpr{At: at, Op: op, L: l, R: r}, nil
}

func (p *parser) list() (Expr, error) {
	at := p.tok.pos
	if _, err := p.expect(tLBrack, "["); err != nil {
		return nil, err
	}
	l := &ListExpr{At: at}
	for p.tok.kind != tRBrack {
		e, err := p.additive()
		if err != nil {
			return nil, err
		}
		l.Elems = append(l.Elems, e)
		if p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return nil, err
			}
		} else if p.tok.kind != tRBrack {
			return nil, p.unexpected()
		}
	}
	return l, p.advance()
}

func (p *parser) additive() (Expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOp && (p.tok.text == "+" || p.tok.text == "-") {
		op, at := p.tok.text, p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &BinaryExpr{At: at, Op: op, L: l, R: r}
	}
	return l, nil
}

func (p *parser) multiplicative() (Expr, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOp && (p.tok.text == "*" || p.tok.text == "/" || p.tok.text == "%") {
		op, at := p.tok.text, p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = &BinaryExpr{At: at, Op: op, L: l, R: r}
	}
	return l, nil
}

func (p *parser) power() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tOp && p.tok.text == "^" {
		at := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.power() // right-associative
		if err != nil {
			return nil, err
		}
		return &BinaryExpr{At: at, Op: "^", L: l, R: r}, nil
	}
	return l, nil
}

func (p *parser) unary() (Expr, error) {
	if p.tok.kind == tOp && p.tok.text == "-" {
		at := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if n, ok := x.(*NumberExpr); ok {
			return &NumberExpr{At: at, Value: -n.Value, Text: "-" + n.Text}, nil
		}
		return &UnaryExpr{At: at, Op: "-", X: x}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.tok.kind == tLBrack:
			at := p.tok.pos
			if err := p.advance(); err != nil {
				return nil, err
			}
			i, err := p.expr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tRBrack, "]"); err != nil {
				return nil, err
			}
			x = &IndexExpr{At: at, X: x, Index: i}
		case p.tok.kind == tDot:
			at := p.tok.pos
			if err := p.advance(); err != nil {
				return nil, err
			}
			n, err := p.expect(tIdent, "a field name")
			if err != nil {
				return nil, err
			}
			for _, part := range strings.Split(n.text, ".") {
				x = &MemberExpr{At: at, X: x, Name: part}
			}
		default:
			return x, nil
		}
	}
}

func (p *parser) primary() (Expr, error) {
	t := p.tok
	switch t.kind {
	case tString:
		return &StringExpr{At: t.pos, Value: t.text}, p.advance()
	case tNumber:
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errorf(t.pos, "invalid number %s", t.raw)
		}
		return &NumberExpr{At: t.pos, Value: v, Text: t.text}, p.advance()
	case tPeriod:
		return &PeriodExpr{At: t.pos, Text: t.text}, p.advance()
	case tRegex:
		return &RegexExpr{At: t.pos, Pattern: t.text, Flags: t.flags}, p.advance()
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		_, err = p.expect(tRParen, ")")
		return e, err
	case tLBrack:
		return p.list()
	case tIdent:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !t.quoted && p.tok.kind == tLParen && !strings.Contains(t.text, ".") {
			return p.call(t)
		}
		if !t.quoted {
			switch strings.ToLower(t.text) {
			case "true":
				return &BoolExpr{At: t.pos, Value: true}, nil
			case "false":
				return &BoolExpr{At: t.pos, Value: false}, nil
			}
		}
		return &FieldExpr{At: t.pos, Name: t.text, Parts: t.parts}, nil
	}
	return nil, p.unexpected()
}

func (p *parser) call(name token) (Expr, error) {
	c := &CallExpr{At: name.pos, Name: name.text}
	if err := p.advance(); err != nil { // (
		return nil, err
	}
	if p.tok.kind == tOp && p.tok.text == "*" {
		c.Star = true
		if err := p.advance(); err != nil {
			return nil, err
		}
		_, err := p.expect(tRParen, ")")
		return c, err
	}
	for p.tok.kind != tRParen {
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, a)
		if p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return nil, err
			}
		} else if p.tok.kind != tRParen {
			return nil, p.unexpected()
		}
	}
	return c, p.advance()
}
