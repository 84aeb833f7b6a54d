package insights

import (
	"math"
	"strconv"
	"strings"
)

// exprCtx says where an expression is compiled.
type exprCtx struct {
	// stats is set for the items of a stats command: aggregates are
	// allowed, and outside them only keys and earlier items.
	stats *StatsStep
	items map[string]Node
	keys  map[string]*Ref
	inAgg bool
}

// resolve finds a field of the current relation, a member of a map
// defined earlier, or a field discovered in events.
func (c *compiler) resolve(name string, parts []string, at Pos) (Node, error) {
	if r, ok := c.scope[name]; ok {
		return r, nil
	}
	// a.b.c where a (or a.b) is a map or list from jsonParse or unnest.
	if len(parts) > 1 {
		for i := len(parts) - 1; i >= 1; i-- {
			base, ok := c.scope[strings.Join(parts[:i], ".")]
			if !ok || base.K != KindJSON {
				continue
			}
			var path []PathElem
			for _, p := range parts[i:] {
				if n, err := strconv.Atoi(p); err == nil && n >= 0 && strconv.Itoa(n) == p {
					path = append(path, PathElem{Index: n, IsIndex: true})
					continue
				}
				path = append(path, PathElem{Key: p})
			}
			return &PathNode{X: base, Path: path}, nil
		}
	}
	if !c.first {
		// AWS's wording for a field that stats did not define.
		return nil, errorf(at, "Unknown symbols found in or after stats: %s", name)
	}
	col := c.newCol("d")
	c.plan.Discovered = append(c.plan.Discovered, DiscoveredField{Name: name, Col: col})
	r := &Ref{Name: name, Col: col, K: KindAny}
	c.scope[name] = r
	return r, nil
}

func (c *compiler) expr(e Expr, ctx exprCtx) (Node, error) {
	switch e := e.(type) {
	case *FieldExpr:
		if ctx.stats != nil && !ctx.inAgg {
			if n, ok := ctx.items[e.Name]; ok {
				return n, nil
			}
			if r, ok := ctx.keys[e.Name]; ok {
				return r, nil
			}
			return nil, errorf(e.At, "field %s must be used in an aggregate function or named after by", e.Name)
		}
		return c.resolve(e.Name, e.Parts, e.At)
	case *StringExpr:
		return &Lit{K: KindString, Str: e.Value}, nil
	case *NumberExpr:
		return &Lit{K: KindNumber, Num: e.Value, Str: e.Text}, nil
	case *BoolExpr:
		return &Lit{K: KindBool, B: e.Value}, nil
	case *RegexExpr:
		re, _, err := translateRegex(e.Pattern, e.Flags, false)
		if err != nil {
			return nil, errorf(e.At, "%s", err.Error())
		}
		return &RegexLit{Pattern: re}, nil
	case *PeriodExpr:
		p, err := parsePeriod(e.Text)
		if err != nil {
			return nil, errorf(e.At, "%s", err.Error())
		}
		return p, nil
	case *ListExpr:
		return nil, errorf(e.At, "a list can only follow in")
	case *UnaryExpr:
		x, err := c.expr(e.X, ctx)
		if err != nil {
			return nil, err
		}
		if err := valueKind(x, e.X); err != nil {
			return nil, err
		}
		if e.Op == "not" {
			return &OpNode{Op: "not", Args: []Node{x}, K: KindBool}, nil
		}
		return &OpNode{Op: "neg", Args: []Node{x}, K: KindNumber}, nil
	case *BinaryExpr:
		return c.binary(e, ctx)
	case *CallExpr:
		return c.call(e, ctx)
	case *IndexExpr, *MemberExpr:
		return c.path(e, ctx)
	}
	panic("BUG: unknown expression")
}

func valueKind(n Node, e Expr) error {
	switch k := n.Kind(); k {
	case KindPeriod, KindRegex:
		return errorf(e.Position(), "unexpected %s", k)
	}
	return nil
}

func (c *compiler) binary(e *BinaryExpr, ctx exprCtx) (Node, error) {
	l, err := c.expr(e.L, ctx)
	if err != nil {
		return nil, err
	}
	if err := valueKind(l, e.L); err != nil {
		return nil, err
	}
	switch e.Op {
	case "in", "not in":
		list, ok := e.R.(*ListExpr)
		if !ok {
			return nil, errorf(e.R.Position(), "in needs a list such as [1, 2]")
		}
		args := []Node{l}
		for _, el := range list.Elems {
			n, err := c.expr(el, ctx)
			if err != nil {
				return nil, err
			}
			if err := valueKind(n, el); err != nil {
				return nil, err
			}
			args = append(args, n)
		}
		return &OpNode{Op: e.Op, Args: args, K: KindBool}, nil
	}
	r, err := c.expr(e.R, ctx)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "like", "not like", "=~":
		if k := r.Kind(); k == KindPeriod || k == KindJSON {
			return nil, errorf(e.R.Position(), "%s needs a string or a regular expression", e.Op)
		}
		if lit, ok := r.(*Lit); ok && e.Op == "=~" && lit.K == KindString {
			// =~ reads a string as a regular expression.
			re, _, err := translateRegex(lit.Str, "", false)
			if err != nil {
				return nil, errorf(e.R.Position(), "%s", err.Error())
			}
			r = &RegexLit{Pattern: re}
		}
		return &OpNode{Op: e.Op, Args: []Node{l, r}, K: KindBool}, nil
	}
	if err := valueKind(r, e.R); err != nil {
		return nil, err
	}
	switch e.Op {
	case "and", "or", "=", "!=", "<", "<=", ">", ">=":
		return &OpNode{Op: e.Op, Args: []Node{l, r}, K: KindBool}, nil
	}
	return &OpNode{Op: e.Op, Args: []Node{l, r}, K: KindNumber}, nil
}

func (c *compiler) path(e Expr, ctx exprCtx) (Node, error) {
	var elems []PathElem
	for {
		switch x := e.(type) {
		case *IndexExpr:
			n, ok := x.Index.(*NumberExpr)
			if !ok || n.Value != math.Trunc(n.Value) || n.Value < 0 {
				return nil, errorf(x.Index.Position(), "a list index must be a whole number")
			}
			elems = append([]PathElem{{Index: int(n.Value), IsIndex: true}}, elems...)
			e = x.X
			continue
		case *MemberExpr:
			elems = append([]PathElem{{Key: x.Name}}, elems...)
			e = x.X
			continue
		}
		break
	}
	base, err := c.expr(e, ctx)
	if err != nil {
		return nil, err
	}
	if base.Kind() != KindJSON {
		return nil, errorf(e.Position(), "[ ] and . need a map or list from jsonParse")
	}
	if p, ok := base.(*PathNode); ok {
		return &PathNode{X: p.X, Path: append(append([]PathElem{}, p.Path...), elems...)}, nil
	}
	return &PathNode{X: base, Path: elems}, nil
}

func (c *compiler) call(e *CallExpr, ctx exprCtx) (Node, error) {
	f, ok := LookupFunc(e.Name)
	if !ok {
		return nil, errorf(e.At, "Unknown function: %s", e.Name)
	}
	name := strings.ToLower(f.Name)
	if name == "strftime" {
		name = "formatdate"
	}
	n := len(e.Args)
	if e.Star {
		if name != "count" {
			return nil, errorf(e.At, "only count accepts *")
		}
	} else if n < f.MinArgs || (f.MaxArgs >= 0 && n > f.MaxArgs) {
		return nil, errorf(e.At, "function %s takes %s, got %d", f.Name, arity(f), n)
	}
	if f.Aggregate {
		if ctx.stats == nil {
			return nil, errorf(e.At, "aggregate function %s can only be used in stats", f.Name)
		}
		if ctx.inAgg {
			return nil, errorf(e.At, "aggregate function %s cannot be used inside another aggregate function", f.Name)
		}
	}
	argCtx := ctx
	if f.Aggregate {
		argCtx.inAgg = true
	}
	var args []Node
	for i, a := range e.Args {
		isPeriod := false
		for _, p := range f.Period {
			isPeriod = isPeriod || p == i
		}
		an, err := c.expr(a, argCtx)
		if err != nil {
			return nil, err
		}
		if isPeriod != (an.Kind() == KindPeriod) {
			if isPeriod {
				return nil, errorf(a.Position(), "argument %d of %s must be a time period such as 5m", i+1, f.Name)
			}
			return nil, errorf(a.Position(), "unexpected %s in %s", an.Kind(), f.Name)
		}
		if an.Kind() == KindRegex && name != "regexreplace" {
			return nil, errorf(a.Position(), "unexpected regular expression in %s", f.Name)
		}
		args = append(args, an)
	}
	kind := f.Result
	if f.ResultOfArg >= 0 && f.ResultOfArg < len(args) {
		kind = args[f.ResultOfArg].Kind()
		if kind == KindBool || kind == KindJSON {
			kind = KindAny
		}
	}
	switch name {
	case "regexreplace":
		if lit, ok := args[1].(*Lit); ok && lit.K == KindString {
			re, _, err := translateRegex(lit.Str, "", false)
			if err != nil {
				return nil, errorf(e.Args[1].Position(), "%s", err.Error())
			}
			args[1] = &RegexLit{Pattern: re}
		}
	case "bin":
		ts, err := c.timestamp(e, argCtx)
		if err != nil {
			return nil, err
		}
		args = []Node{ts, args[0]}
	case "pct":
		l, ok := args[1].(*Lit)
		if !ok || l.K != KindNumber || l.Num < 0 || l.Num > 100 {
			return nil, errorf(e.Args[1].Position(), "the percentile of pct must be a number from 0 to 100")
		}
	case "coalesce", "if", "case":
		kind = commonKind(valueArgs(name, args))
	case "earliest", "latest":
		ts, err := c.timestamp(e, argCtx)
		if err != nil {
			return nil, err
		}
		args = append(args, ts)
	}
	if f.Aggregate {
		agg := &AggNode{Func: name, Args: args, Star: e.Star || n == 0, K: kind}
		col := c.newCol("a")
		ctx.stats.Aggs = append(ctx.stats.Aggs, Def{Name: f.Name, Col: col, Expr: agg})
		return &Ref{Name: f.Name, Col: col, K: kind}, nil
	}
	return &CallNode{Func: name, Args: args, K: kind}, nil
}

// timestamp returns @timestamp for bin, earliest and latest, which read it
// implicitly.
func (c *compiler) timestamp(e *CallExpr, ctx exprCtx) (Node, error) {
	r, ok := c.scope["@timestamp"]
	if !ok || !c.first || r.Col != "ts" {
		return nil, errorf(e.At, "invalid reference to @timestamp field: %s uses @timestamp, which is not available after stats", e.Name)
	}
	return r, nil
}

func valueArgs(name string, args []Node) []Node {
	switch name {
	case "if":
		return args[1:]
	case "case":
		var out []Node
		for i := 1; i < len(args); i += 2 {
			out = append(out, args[i])
		}
		if len(args)%2 == 1 {
			out = append(out, args[len(args)-1])
		}
		return out
	}
	return args
}

func commonKind(args []Node) Kind {
	if len(args) == 0 {
		return KindAny
	}
	k := args[0].Kind()
	for _, a := range args[1:] {
		if a.Kind() != k {
			return KindAny
		}
	}
	if k == KindBool {
		return KindNumber
	}
	return k
}

func arity(f FuncInfo) string {
	switch {
	case f.MaxArgs < 0:
		return "at least " + plural(f.MinArgs)
	case f.MinArgs == f.MaxArgs:
		return plural(f.MinArgs)
	default:
		return strconv.Itoa(f.MinArgs) + " to " + plural(f.MaxArgs)
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return strconv.Itoa(n) + " arguments"
}

// periodUnits maps the documented unit spellings to a canonical unit.
var periodUnits = map[string]string{
	"millisecond": "ms", "ms": "ms", "msec": "ms",
	"second": "s", "s": "s", "sec": "s",
	"minute": "m", "m": "m", "min": "m",
	"hour": "h", "h": "h", "hr": "h",
	"day": "d", "d": "d",
	"week": "w", "w": "w",
	"month": "mo", "mo": "mo", "mon": "mo",
	"quarter": "q", "q": "q", "qtr": "q",
	"year": "y", "y": "y", "yr": "y",
}

// parsePeriod parses 5m, 1h, 10min, 2hrs …. As AWS does, a count larger
// than its unit's next unit is capped: 1000 for ms, 60 for s and m, 24
// for h (bin(300s) is bin(60s)).
func parsePeriod(text string) (*PeriodLit, error) {
	i := 0
	for i < len(text) && text[i] >= '0' && text[i] <= '9' {
		i++
	}
	num, unitText := text[:i], strings.ToLower(text[i:])
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return nil, &Error{Msg: "invalid time period " + text}
	}
	unit, ok := periodUnits[unitText]
	if base := strings.TrimSuffix(unitText, "s"); !ok && len(base) > 1 && base != unitText {
		// Units of more than one letter take a plural s (hrs, mins).
		unit, ok = periodUnits[base]
	}
	if !ok {
		return nil, &Error{Msg: "invalid time period " + text + ": unknown unit " + text[i:]}
	}
	caps := map[string]int64{"ms": 1000, "s": 60, "m": 60, "h": 24}
	if c, ok := caps[unit]; ok && n > c {
		n = c
	}
	unitMs := map[string]int64{"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}
	return &PeriodLit{N: n, Unit: unit, Millis: n * unitMs[unit]}, nil
}
