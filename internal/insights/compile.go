package insights

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// TextFunc is the internal function that turns a map member into a field
// value (stats keys); it is not part of the language.
const TextFunc = "__text"

// Options tune compilation. The zero value follows AWS.
type Options struct {
	// MaxStats bounds the stats commands of a query (AWS: 2).
	MaxStats int
}

// Compile checks a parsed query and compiles it to a Plan. Errors are
// *Error values.
func Compile(q *Query, opt Options) (*Plan, error) {
	if opt.MaxStats == 0 {
		opt.MaxStats = 2
	}
	c := &compiler{opt: opt, plan: &Plan{Query: q.Text}, scope: map[string]*Ref{}, first: true}
	for name, sc := range SystemColumn {
		c.scope[name] = &Ref{Name: name, Col: sc.Col, K: sc.Kind}
	}
	for i, cmd := range q.Commands {
		if err := c.command(i, cmd); err != nil {
			return nil, err
		}
	}
	c.finish()
	return c.plan, nil
}

// MustCompile parses and compiles a query and panics on error; for tests
// and constant queries.
func MustCompile(query string) *Plan {
	q, err := Parse(query)
	if err != nil {
		panic("BUG: " + err.Error())
	}
	p, err := Compile(q, Options{})
	if err != nil {
		panic("BUG: " + err.Error())
	}
	return p
}

type compiler struct {
	opt   Options
	plan  *Plan
	scope map[string]*Ref
	first bool // before the first stats: events' fields are available
	cols  int
	stats int

	// The segment since the last stats.
	listed     []string // names listed by fields, parse and unnest, in order
	fieldsSeen bool
	display    []Column
	order      []Order
	sortPos    *Pos
	limit      int
	dedup      bool
	statsNames []string
	statsKeys  []*Ref
}

func (c *compiler) newCol(prefix string) string {
	c.cols++
	return prefix + strconv.Itoa(c.cols)
}

func (c *compiler) list(name string) {
	for _, n := range c.listed {
		if n == name {
			return
		}
	}
	c.listed = append(c.listed, name)
}

func (c *compiler) define(name string, n Node) Def {
	col := c.newCol("c")
	c.scope[name] = &Ref{Name: name, Col: col, K: n.Kind()}
	return Def{Name: name, Col: col, Expr: n}
}

func (c *compiler) command(i int, cmd Command) error {
	if src, ok := cmd.(*SourceCmd); ok {
		if i != 0 {
			return errorf(src.At, "SOURCE must be the first command of the query")
		}
		c.plan.Source = src
		return nil
	}
	if c.dedup {
		if _, ok := cmd.(*LimitCmd); !ok {
			return errorf(cmd.Position(), "only limit can follow dedup, found %s", cmd.Keyword())
		}
	}
	switch cmd := cmd.(type) {
	case *FieldsCmd:
		c.fieldsSeen = true
		var defs []Def
		for _, it := range cmd.Items {
			n, err := c.expr(it.Expr, exprCtx{})
			if err != nil {
				return err
			}
			name := it.Name()
			if r, ok := n.(*Ref); ok && r.Name == name {
				c.list(name)
				continue
			}
			if n.Kind() == KindPeriod || n.Kind() == KindRegex {
				return errorf(it.Expr.Position(), "a %s is not a field value", n.Kind())
			}
			defs = append(defs, c.define(name, n))
			c.list(name)
		}
		if len(defs) > 0 {
			c.plan.Steps = append(c.plan.Steps, &LetStep{Defs: defs})
		}
	case *DisplayCmd:
		c.display = c.display[:0]
		var defs []Def
		for _, it := range cmd.Items {
			n, err := c.expr(it.Expr, exprCtx{})
			if err != nil {
				return err
			}
			name := it.Name()
			if _, ok := n.(*Ref); !ok {
				d := c.define(name, n)
				defs = append(defs, d)
				n = c.scope[name]
			}
			c.display = append(c.display, Column{Name: name, Expr: n})
		}
		if len(defs) > 0 {
			c.plan.Steps = append(c.plan.Steps, &LetStep{Defs: defs})
		}
	case *FilterCmd:
		n, err := c.expr(cmd.Cond, exprCtx{})
		if err != nil {
			return err
		}
		if k := n.Kind(); k == KindPeriod || k == KindRegex || k == KindJSON {
			return errorf(cmd.Cond.Position(), "filter needs a condition, found a %s", k)
		}
		c.plan.Steps = append(c.plan.Steps, &FilterStep{Cond: n})
	case *ParseCmd:
		return c.parseCmd(cmd)
	case *UnnestCmd:
		n, err := c.expr(cmd.Field, exprCtx{})
		if err != nil {
			return err
		}
		col := c.newCol("c")
		c.scope[cmd.Into] = &Ref{Name: cmd.Into, Col: col, K: KindJSON}
		c.plan.Steps = append(c.plan.Steps, &UnnestStep{X: n, Name: cmd.Into, Col: col})
		c.list(cmd.Into)
	case *StatsCmd:
		return c.statsCmd(cmd)
	case *SortCmd:
		c.order = c.order[:0]
		for _, k := range cmd.Keys {
			n, err := c.sortKey(k)
			if err != nil {
				return err
			}
			c.order = append(c.order, Order{Expr: n, Desc: k.Desc})
		}
		at := cmd.At
		c.sortPos = &at
	case *LimitCmd:
		c.limit = cmd.N
	case *DedupCmd:
		var keys []Node
		for _, f := range cmd.Fields {
			n, err := c.expr(f, exprCtx{})
			if err != nil {
				return err
			}
			keys = append(keys, n)
		}
		c.plan.Steps = append(c.plan.Steps, &DedupStep{Keys: keys, Order: c.finalOrder()})
		c.dedup = true
	default:
		return errorf(cmd.Position(), "unexpected command %s", cmd.Keyword())
	}
	return nil
}

// sortKey resolves a sort key; after stats an unaliased aggregate such as
// count(*) names the column of that text.
func (c *compiler) sortKey(k SortKey) (Node, error) {
	if !c.first {
		if r, ok := c.scope[k.Text]; ok {
			return r, nil
		}
	}
	n, err := c.expr(k.Expr, exprCtx{})
	if err != nil {
		return nil, err
	}
	if kd := n.Kind(); kd == KindPeriod || kd == KindRegex {
		return nil, errorf(k.Expr.Position(), "cannot sort by a %s", kd)
	}
	return n, nil
}

// finalOrder is the segment's sort, or the default order.
func (c *compiler) finalOrder() []Order {
	var out []Order
	out = append(out, c.order...)
	if c.first {
		// Events: newest first, ties in reverse ingestion order.
		if len(c.order) == 0 {
			out = append(out, Order{Expr: c.scope["@timestamp"], Desc: true})
		}
		out = append(out, Order{Expr: &Ref{Name: "", Col: "seq", K: KindNumber}, Desc: true})
		return out
	}
	for _, k := range c.statsKeys {
		out = append(out, Order{Expr: k})
	}
	return out
}

func (c *compiler) finish() {
	p := c.plan
	p.Order = c.finalOrder()
	p.Limit = c.limit
	switch {
	case c.display != nil && len(c.display) > 0:
		p.Columns = c.display
	case !c.first:
		var names []string
		names = append(names, c.statsNames...)
		for _, n := range c.listed {
			dup := false
			for _, m := range names {
				dup = dup || m == n
			}
			if !dup {
				names = append(names, n)
			}
		}
		for _, n := range names {
			p.Columns = append(p.Columns, Column{Name: n, Expr: c.scope[n]})
		}
	default:
		names := c.listed
		if !c.fieldsSeen {
			names = append([]string{"@timestamp", "@message"}, c.listed...)
		}
		for _, n := range names {
			r, ok := c.scope[n]
			if !ok {
				panic("BUG: listed field " + n + " is not in scope")
			}
			p.Columns = append(p.Columns, Column{Name: n, Expr: r})
		}
	}
}

func (c *compiler) parseCmd(cmd *ParseCmd) error {
	src, err := c.expr(cmd.Source, exprCtx{})
	if err != nil {
		return err
	}
	if k := src.Kind(); k == KindPeriod || k == KindRegex {
		return errorf(cmd.Source.Position(), "parse needs a field, found a %s", k)
	}
	st := &ParseStep{Source: src}
	if cmd.Regex {
		re, groups, err := translateRegex(cmd.Pattern, cmd.Flags, true)
		if err != nil {
			return errorf(cmd.At, "%s", err.Error())
		}
		st.Regex, st.Groups, st.Names = re, groups, regexGroupNames(cmd.Pattern)
	} else {
		st.Regex, st.Groups = GlobToRegex(cmd.Pattern)
		st.Literals = strings.Split(cmd.Pattern, "*")
		st.Names = cmd.Names
	}
	seen := map[string]bool{}
	for _, n := range st.Names {
		if seen[n] {
			return errorf(cmd.At, "parse defines field %s twice", n)
		}
		seen[n] = true
		col := c.newCol("c")
		c.scope[n] = &Ref{Name: n, Col: col, K: KindAny}
		st.Cols = append(st.Cols, col)
		c.list(n)
	}
	c.plan.Steps = append(c.plan.Steps, st)
	return nil
}

// GlobToRegex translates a parse glob ("[*] * The error was: *") to an RE2
// expression with one group per wildcard, named g1, g2 …. The match is
// searched anywhere in the value, wildcards match as little as possible
// except a final one, which takes the rest of the value.
func GlobToRegex(glob string) (re string, groups []string) {
	parts := strings.Split(glob, "*")
	var b strings.Builder
	b.WriteString("(?s)")
	for i, part := range parts {
		b.WriteString(regexp.QuoteMeta(part))
		if i == len(parts)-1 {
			break
		}
		g := "g" + strconv.Itoa(i+1)
		groups = append(groups, g)
		if i == len(parts)-2 && parts[len(parts)-1] == "" {
			b.WriteString("(?P<" + g + ">.*)")
		} else {
			b.WriteString("(?P<" + g + ">.*?)")
		}
	}
	return b.String(), groups
}

// translateRegex turns an Insights regular expression into RE2 syntax:
// flags become (?flags); when named is set, named groups (?<name>…)
// become (?P<gN>…) (their names returned in order) and the other groups
// stop capturing, so that group N+1 of the result is the Nth named group
// (the store's regexp_extract names groups by position). It rejects what RE2 cannot
// run (Insights uses Hyperscan; look-around and back-references are
// unsupported there too).
func translateRegex(pattern, flags string, named bool) (string, []string, error) {
	for _, f := range flags {
		if f != 'i' {
			return "", nil, fmt.Errorf("unknown regular expression flag %q", f)
		}
	}
	var b strings.Builder
	if flags != "" {
		b.WriteString("(?" + flags + ")")
	}
	var groups []string
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		if ch == '\\' && i+1 < len(pattern) {
			b.WriteByte(ch)
			b.WriteByte(pattern[i+1])
			i++
			continue
		}
		rest := pattern[i:]
		prefix := ""
		switch {
		case strings.HasPrefix(rest, "(?<") && !strings.HasPrefix(rest, "(?<=") && !strings.HasPrefix(rest, "(?<!"):
			prefix = "(?<"
		case strings.HasPrefix(rest, "(?P<"):
			prefix = "(?P<"
		}
		if named && strings.HasPrefix(rest, "(") && !strings.HasPrefix(rest, "(?") {
			// Unnamed groups capture nothing a query can use; making them
			// non-capturing keeps the named ones in order.
			b.WriteString("(?:")
			continue
		}
		if prefix != "" {
			if j := strings.IndexByte(rest[len(prefix):], '>'); j > 0 {
				g := "g" + strconv.Itoa(len(groups)+1)
				groups = append(groups, g)
				if named {
					b.WriteString("(?P<" + g + ">")
				} else {
					b.WriteString("(")
				}
				i += len(prefix) + j
				continue
			}
		}
		b.WriteByte(ch)
	}
	re := b.String()
	if _, err := regexp.Compile(re); err != nil {
		return "", nil, fmt.Errorf("invalid regular expression /%s/: %v", pattern, unwrapRegexErr(err))
	}
	return re, groups, nil
}

func unwrapRegexErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func (c *compiler) statsCmd(cmd *StatsCmd) error {
	if c.stats >= c.opt.MaxStats {
		return errorf(cmd.At, "a query can have at most %d stats commands", c.opt.MaxStats)
	}
	if c.sortPos != nil {
		return errorf(*c.sortPos, "sort must come after the last stats command")
	}
	if c.limit != 0 {
		return errorf(cmd.At, "limit must come after the last stats command")
	}
	c.stats++
	st := &StatsStep{First: c.first}
	newScope := map[string]*Ref{}
	var names []string
	var keys []*Ref
	for _, k := range cmd.By {
		n, err := c.expr(k.Expr, exprCtx{})
		if err != nil {
			return err
		}
		if kd := n.Kind(); kd == KindPeriod || kd == KindRegex {
			return errorf(k.Expr.Position(), "cannot group by a %s", kd)
		}
		if n.Kind() == KindJSON {
			// A member of a map groups by its value.
			n = &CallNode{Func: TextFunc, Args: []Node{n}, K: KindAny}
		}
		name := k.Name()
		col := c.newCol("k")
		r := &Ref{Name: name, Col: col, K: n.Kind()}
		st.Keys = append(st.Keys, Def{Name: name, Col: col, Expr: n})
		newScope[name] = r
		names = append(names, name)
		keys = append(keys, r)
	}
	items := map[string]Node{}
	for _, it := range cmd.Items {
		ctx := exprCtx{stats: st, items: items, keys: newScope}
		n, err := c.expr(it.Expr, ctx)
		if err != nil {
			return err
		}
		if !containsAgg(n, st) {
			return errorf(it.Expr.Position(), "stats needs an aggregate function such as count() or avg(), found %s", it.Text)
		}
		name := it.Name()
		col := c.newCol("s")
		st.Items = append(st.Items, Def{Name: name, Col: col, Expr: n})
		items[name] = n
		newScope[name] = &Ref{Name: name, Col: col, K: n.Kind()}
		names = append(names, name)
	}
	c.plan.Steps = append(c.plan.Steps, st)
	c.plan.Aggregated = true
	c.scope = newScope
	c.first = false
	c.listed, c.display, c.order, c.sortPos, c.fieldsSeen = nil, nil, nil, nil, false
	c.statsNames, c.statsKeys = names, keys
	return nil
}

// containsAgg reports whether n reads an aggregate column of st.
func containsAgg(n Node, st *StatsStep) bool {
	switch n := n.(type) {
	case *Ref:
		for _, a := range st.Aggs {
			if a.Col == n.Col {
				return true
			}
		}
	case *OpNode:
		for _, a := range n.Args {
			if containsAgg(a, st) {
				return true
			}
		}
	case *CallNode:
		for _, a := range n.Args {
			if containsAgg(a, st) {
				return true
			}
		}
	case *PathNode:
		return containsAgg(n.X, st)
	}
	return false
}
