package duckdb

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// A Logs Insights plan runs as one SQL statement: a chain of CTEs, one per
// step, over the events of the queried groups and time range. Values are
// typed by the plan's kinds: KindAny and KindString are VARCHAR,
// KindNumber DOUBLE, KindBool BOOLEAN, KindTime BIGINT milliseconds and
// KindJSON JSON; conversions between them are rendered where a kind is
// used as another (sqlNum, sqlStr, sqlBool, sqlTime).

// insightsSQL is a rendered plan.
type insightsSQL struct {
	// with is the WITH clause and ctes; main selects the result;
	// matched counts the events that reach the first stats (or the
	// result before dedup and limit); "" when no step drops events.
	with          string
	main, matched string
	// outCols is the number of result columns before the hidden ones;
	// numeric[i] is set when column i is a DOUBLE (formatted in Go).
	outCols int
	numeric []bool
}

type sqlBuilder struct {
	q store.LogQuery
	// streams returns the names of the queried groups' streams, for
	// @logStream.
	streams func() (map[int64]string, error)
	plan    *insights.Plan
	now     int64
	ctes    []string
	n       int
	cur     string // the current relation
	first   bool   // rows are events (before the first stats)
	// carry is true once the relation has the __matched column.
	carry bool
	// unnests are the element-index columns of unnest steps since the
	// last stats: they order the rows an event became.
	unnests []string
	// matchedRel is the relation whose rows recordsMatched counts.
	matchedRel string
	filtered   bool
}

func (b *sqlBuilder) cte(body string) string {
	b.n++
	name := "r" + strconv.Itoa(b.n)
	b.ctes = append(b.ctes, name+" AS ("+body+")")
	b.cur = name
	return name
}

// renderInsights renders a plan over q's groups and time range.
func renderInsights(q store.LogQuery, now int64, limit int, streams func() (map[int64]string, error)) (*insightsSQL, error) {
	p := q.Plan
	b := &sqlBuilder{q: q, streams: streams, plan: p, now: now, first: true}
	if err := b.base(); err != nil {
		return nil, err
	}
	for _, st := range p.Steps {
		if err := b.step(st); err != nil {
			return nil, err
		}
	}
	if b.first {
		b.matchedRel = b.cur
		for _, st := range p.Steps {
			if _, ok := st.(*insights.DedupStep); ok {
				// Dedup is last: count the rows before it.
				b.matchedRel = "r" + strconv.Itoa(b.n-1)
			}
		}
	}
	out := &insightsSQL{with: "WITH " + strings.Join(b.ctes, ",\n")}
	var sel []string
	for _, c := range p.Columns {
		if c.Expr.Kind() == insights.KindNumber {
			sel = append(sel, b.expr(c.Expr))
			out.numeric = append(out.numeric, true)
			continue
		}
		sel = append(sel, b.format(c.Expr))
		out.numeric = append(out.numeric, false)
	}
	out.outCols = len(sel)
	if p.Aggregated {
		if b.carry {
			sel = append(sel, "__matched")
		} else {
			sel = append(sel, "NULL")
		}
	} else {
		sel = append(sel, "group_id", "seq")
	}
	// Sort and limit on raw values, then format only the rows kept.
	var keys, order []string
	for i, o := range p.Order {
		k := "__o" + strconv.Itoa(i)
		x, dir := b.orderKeyParts(o)
		keys = append(keys, x+" AS "+k)
		order = append(order, k+dir)
	}
	order = append(order, b.unnests...)
	inner := "SELECT *"
	if len(keys) > 0 {
		inner += ", " + strings.Join(keys, ", ")
	}
	inner += " FROM " + b.cur
	if len(order) > 0 {
		inner += " ORDER BY " + strings.Join(order, ", ")
	}
	inner += " LIMIT " + strconv.Itoa(limit)
	out.main = "SELECT " + strings.Join(sel, ", ") + " FROM (" + inner + ")"
	if len(order) > 0 {
		out.main += " ORDER BY " + strings.Join(order, ", ")
	}
	if b.first && b.filtered {
		out.matched = "SELECT count(*) FROM " + b.matchedRel
	}
	return out, nil
}

func (b *sqlBuilder) orderKey(o insights.Order) string {
	x, dir := b.orderKeyParts(o)
	return x + dir
}

// orderKeyParts renders a sort key (field values in natural order) and
// its direction.
func (b *sqlBuilder) orderKeyParts(o insights.Order) (string, string) {
	x := b.expr(o.Expr)
	switch o.Expr.Kind() {
	case insights.KindAny, insights.KindString:
		x = "vigil_natkey(" + x + ")"
	case insights.KindJSON:
		x = "vigil_natkey(" + sqlStr(o.Expr, x) + ")"
	}
	if o.Desc {
		return x, " DESC NULLS LAST"
	}
	return x, " ASC NULLS LAST"
}

// streamNames is a relation (id, name) of stream names, sorted by id.
func streamNames(names map[int64]string) string {
	if len(names) == 0 {
		return "(SELECT NULL::BIGINT AS id, NULL::VARCHAR AS name WHERE false)"
	}
	ids := make([]int64, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	b.WriteString("(VALUES ")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, %s)", id, quote(names[id]))
	}
	b.WriteString(") s(id, name)")
	return b.String()
}

// uses reports whether the plan reads column col anywhere.
func (b *sqlBuilder) uses(col string) bool {
	found := false
	var walk func(n insights.Node)
	walk = func(n insights.Node) {
		switch n := n.(type) {
		case *insights.Ref:
			found = found || n.Col == col
		case *insights.OpNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *insights.CallNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *insights.AggNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *insights.PathNode:
			walk(n.X)
		}
	}
	p := b.plan
	for _, st := range p.Steps {
		switch st := st.(type) {
		case *insights.LetStep:
			for _, d := range st.Defs {
				walk(d.Expr)
			}
		case *insights.FilterStep:
			walk(st.Cond)
		case *insights.ParseStep:
			walk(st.Source)
		case *insights.UnnestStep:
			walk(st.X)
		case *insights.StatsStep:
			for _, d := range st.Keys {
				walk(d.Expr)
			}
			for _, d := range st.Aggs {
				walk(d.Expr)
			}
		case *insights.DedupStep:
			for _, k := range st.Keys {
				walk(k)
			}
			for _, o := range st.Order {
				walk(o.Expr)
			}
		}
	}
	for _, c := range p.Columns {
		walk(c.Expr)
	}
	for _, o := range p.Order {
		walk(o.Expr)
	}
	return found
}

// base selects the events of the groups and time range with the system
// columns and the discovered fields the plan reads.
func (b *sqlBuilder) base() error {
	q := b.q
	if len(q.Groups) == 0 {
		return fmt.Errorf("BUG: query without log groups")
	}
	ids := make([]string, len(q.Groups))
	logCase := []string{"CASE e.group_id"}
	for i, g := range q.Groups {
		ids[i] = strconv.FormatInt(g.ID, 10)
		logCase = append(logCase, "WHEN "+ids[i]+" THEN "+quote(g.Log))
	}
	logCase = append(logCase, "END")
	cols := []string{"e.ts", "e.ingest", "e.seq", "e.group_id", "e.message"}
	from := "log_events e"
	if b.uses("stream") {
		names, err := b.streams()
		if err != nil {
			return err
		}
		cols = append(cols, "s.name AS stream")
		from += " LEFT JOIN " + streamNames(names) + " ON s.id = e.stream_id"
	} else {
		cols = append(cols, "NULL::VARCHAR AS stream")
	}
	cols = append(cols, strings.Join(logCase, " ")+" AS log")
	where := fmt.Sprintf("e.group_id IN (%s) AND e.ts BETWEEN %d AND %d", strings.Join(ids, ", "), q.Start, q.End)
	b.cte("SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + where)
	if len(b.plan.Discovered) == 0 {
		return nil
	}
	// JSON fields: one parse of each message for every path.
	var paths []string
	index := map[string]int{}
	addPath := func(p string) int {
		if i, ok := index[p]; ok {
			return i
		}
		paths = append(paths, quote(p))
		index[p] = len(paths)
		return len(paths)
	}
	// Platform lines: one match of each pattern gives all its groups.
	type pattern struct {
		re, col, prefix string
		groups          []string
	}
	var patterns []*pattern
	patternOf := map[string]*pattern{}
	type disc struct {
		col     string
		path    []int
		matches []*pattern
		rules   []insights.PlatformRule
	}
	var ds []disc
	for _, d := range b.plan.Discovered {
		r := insights.RuleFor(d.Name)
		x := disc{col: d.Col, rules: r.Platform}
		if len(r.JSONPath) > 0 {
			x.path = append(x.path, addPath(jsonPath(r.JSONPath)))
			if r.JSONKey != "" {
				x.path = append(x.path, addPath(`$."`+strings.ReplaceAll(r.JSONKey, `"`, `\"`)+`"`))
			}
		}
		for _, pr := range r.Platform {
			pt, ok := patternOf[pr.Pattern]
			if !ok {
				pt = &pattern{re: pr.Pattern, col: "__x" + strconv.Itoa(len(patterns)+1), prefix: pr.Prefix}
				patterns = append(patterns, pt)
				patternOf[pr.Pattern] = pt
			}
			g := "g" + strconv.Itoa(pr.Group)
			if !slices.Contains(pt.groups, g) {
				pt.groups = append(pt.groups, g)
			}
			x.matches = append(x.matches, pt)
		}
		ds = append(ds, x)
	}
	inner := "*"
	var helpers []string
	if len(paths) > 0 {
		inner += ", CASE WHEN json_valid(message) THEN json_extract(message, [" + strings.Join(paths, ", ") + "]) END AS __j"
		helpers = append(helpers, "__j")
	}
	for _, pt := range patterns {
		re := pt.re
		// regexp_extract names the groups by position: list them all.
		var names []string
		for i := 1; i <= regexp.MustCompile(pt.re).NumSubexp(); i++ {
			names = append(names, quote("g"+strconv.Itoa(i)))
		}
		v := "regexp_extract(message, " + quote(re) + ", [" + strings.Join(names, ", ") + "])"
		if pt.prefix != "" {
			v = "CASE WHEN starts_with(message, " + quote(pt.prefix) + ") THEN " + v + " END"
		}
		inner += ", " + v + " AS " + pt.col
		helpers = append(helpers, pt.col)
	}
	b.cte("SELECT " + inner + " FROM " + b.cur)
	var sel []string
	for _, x := range ds {
		var alts []string
		for i, pt := range x.matches {
			pr := x.rules[i]
			v := "nullif(" + pt.col + ".g" + strconv.Itoa(pr.Group) + ", '')"
			if pr.Scale != 0 {
				v = "CAST(TRY_CAST(" + v + " AS BIGINT) * " + strconv.FormatInt(pr.Scale, 10) + " AS VARCHAR)"
			}
			alts = append(alts, v)
		}
		for _, i := range x.path {
			alts = append(alts, jsonLeaf("__j["+strconv.Itoa(i)+"]"))
		}
		v := "NULL::VARCHAR"
		switch len(alts) {
		case 0:
		case 1:
			v = alts[0]
		default:
			v = "coalesce(" + strings.Join(alts, ", ") + ")"
		}
		sel = append(sel, v+" AS "+x.col)
	}
	exclude := ""
	if len(helpers) > 0 {
		exclude = " EXCLUDE (" + strings.Join(helpers, ", ") + ")"
	}
	b.cte("SELECT *" + exclude + ", " + strings.Join(sel, ", ") + " FROM " + b.cur)
	return nil
}

// jsonPath renders field path parts as a JSON path: keys quoted, numeric
// parts as array indexes.
func jsonPath(parts []string) string {
	var sb strings.Builder
	sb.WriteString("$")
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 && p == strconv.Itoa(n) {
			sb.WriteString("[" + p + "]")
			continue
		}
		sb.WriteString(`."` + strings.ReplaceAll(p, `"`, `\"`) + `"`)
	}
	return sb.String()
}

// jsonLeaf turns a JSON value into a field value: strings unquoted,
// numbers as the engine writes them, booleans as true/false; null, maps
// and lists are no value.
func jsonLeaf(x string) string {
	return "CASE json_type(" + x + ") WHEN 'VARCHAR' THEN " + x + "->>'$' WHEN 'DOUBLE' THEN " +
		fmtNum("CAST("+x+" AS DOUBLE)") + " WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL WHEN 'NULL' THEN NULL ELSE CAST(" + x + " AS VARCHAR) END"
}

func (b *sqlBuilder) step(st insights.Step) error {
	switch st := st.(type) {
	case *insights.LetStep:
		for _, d := range st.Defs {
			b.cte("SELECT *, " + b.expr(d.Expr) + " AS " + d.Col + " FROM " + b.cur)
		}
	case *insights.FilterStep:
		b.cte("SELECT * FROM " + b.cur + " WHERE " + sqlBool(st.Cond, b.expr(st.Cond)))
		b.filtered = true
	case *insights.ParseStep:
		if st.Literals != nil {
			b.parseGlob(st)
			break
		}
		// One regular expression match: the whole match in __all tells
		// a match from none.
		src := sqlStr(st.Source, b.expr(st.Source))
		groups := []string{"'__all'"}
		for _, g := range st.Groups {
			groups = append(groups, quote(g))
		}
		re := "(?P<__all>" + st.Regex + ")"
		if strings.HasPrefix(st.Regex, "(?") && !strings.HasPrefix(st.Regex, "(?P") {
			// Keep leading flags such as (?i) in force for the whole pattern.
			if i := strings.IndexByte(st.Regex, ')'); i > 0 && !strings.Contains(st.Regex[:i], ":") {
				re = st.Regex[:i+1] + "(?P<__all>" + st.Regex[i+1:] + ")"
			}
		}
		b.cte("SELECT *, regexp_extract(" + src + ", " + quote(re) + ", [" + strings.Join(groups, ", ") + "]) AS __p FROM " + b.cur)
		var sel []string
		for i, c := range st.Cols {
			sel = append(sel, "CASE WHEN __p.__all <> '' THEN __p."+st.Groups[i]+" END AS "+c)
		}
		b.cte("SELECT * EXCLUDE (__p), " + strings.Join(sel, ", ") + " FROM " + b.cur)
	case *insights.UnnestStep:
		x := b.expr(st.X)
		if st.X.Kind() != insights.KindJSON {
			x = "to_json(" + sqlStr(st.X, x) + ")"
		}
		list := "CASE WHEN json_type(" + x + ") = 'ARRAY' THEN CAST(" + x + " AS JSON[]) WHEN " + x + " IS NOT NULL THEN [" + x + "] END"
		// The element's index keeps the elements of an event in order.
		ord := "__un" + strconv.Itoa(len(b.unnests)+1)
		b.unnests = append(b.unnests, ord)
		b.cte("SELECT *, unnest(" + list + ") AS __u, unnest(generate_series(1, len(" + list + "))) AS " + ord + " FROM " + b.cur)
		b.cte("SELECT * EXCLUDE (__u), __u AS " + st.Col + " FROM " + b.cur)
		b.filtered = true
	case *insights.StatsStep:
		b.stats(st)
	case *insights.DedupStep:
		var keys, nulls []string
		for _, k := range st.Keys {
			x := b.expr(k)
			keys = append(keys, x)
			nulls = append(nulls, x+" IS NULL")
		}
		var order []string
		for _, o := range st.Order {
			order = append(order, b.orderKey(o))
		}
		order = append(order, b.unnests...)
		b.cte("SELECT * FROM " + b.cur + " QUALIFY " + strings.Join(nulls, " OR ") +
			" OR row_number() OVER (PARTITION BY " + strings.Join(keys, ", ") + " ORDER BY " + strings.Join(order, ", ") + ") = 1")
	default:
		return fmt.Errorf("BUG: unknown plan step %T", st)
	}
	return nil
}

// parseGlob matches a glob with string search: each wildcard ends at the
// first occurrence of the text after it (the last one, when nothing
// follows it, takes the rest), and the match starts at the first
// occurrence of the text before the first wildcard. This is what the
// glob's regular expression matches, at a fraction of the cost.
// __gN is the 1-based start of the text after literal N, null when the
// glob does not match.
func (b *sqlBuilder) parseGlob(st *insights.ParseStep) {
	lits := st.Literals
	n := len(lits) - 1 // wildcards
	src := sqlStr(st.Source, b.expr(st.Source))
	first := "1"
	if lits[0] != "" {
		p := "strpos(" + src + ", " + quote(lits[0]) + ")"
		first = "CASE WHEN " + p + " > 0 THEN " + p + " + " + strconv.Itoa(utf8.RuneCountInString(lits[0])) + " END"
	}
	b.cte("SELECT *, " + src + " AS __s, " + first + " AS __g0 FROM " + b.cur)
	helpers := []string{"__s", "__g0"}
	tail := lits[n] == "" // the last wildcard takes the rest
	for k := 1; k <= n; k++ {
		if k == n && tail {
			break
		}
		prev, e, g := "__g"+strconv.Itoa(k-1), "__e"+strconv.Itoa(k), "__g"+strconv.Itoa(k)
		end := prev
		switch {
		case lits[k] == "":
		case k == 1 && lits[0] == "":
			// The glob starts with a wildcard: search the whole value.
			p := "strpos(__s, " + quote(lits[k]) + ")"
			end = "CASE WHEN " + p + " > 0 THEN " + p + " END"
		default:
			p := "strpos(substr(__s, " + prev + "), " + quote(lits[k]) + ")"
			end = "CASE WHEN " + p + " > 0 THEN " + prev + " + " + p + " - 1 END"
		}
		b.cte("SELECT *, " + end + " AS " + e + " FROM " + b.cur)
		b.cte("SELECT *, " + e + " + " + strconv.Itoa(utf8.RuneCountInString(lits[k])) + " AS " + g + " FROM " + b.cur)
		helpers = append(helpers, e, g)
	}
	matched := "__g" + strconv.Itoa(n)
	if tail {
		matched = "__g" + strconv.Itoa(n-1)
	}
	var out []string
	for k := 1; k <= n; k++ {
		start := "__g" + strconv.Itoa(k-1)
		v := "substr(__s, " + start + ")"
		if !(k == n && tail) {
			v = "substr(__s, " + start + ", __e" + strconv.Itoa(k) + " - " + start + ")"
		}
		out = append(out, "CASE WHEN "+matched+" IS NOT NULL THEN "+v+" END AS "+st.Cols[k-1])
	}
	b.cte("SELECT * EXCLUDE (" + strings.Join(helpers, ", ") + "), " + strings.Join(out, ", ") + " FROM " + b.cur)
}

func (b *sqlBuilder) stats(st *insights.StatsStep) {
	var sel, groupBy []string
	for i, k := range st.Keys {
		sel = append(sel, b.expr(k.Expr)+" AS "+k.Col)
		groupBy = append(groupBy, strconv.Itoa(i+1))
	}
	for _, a := range st.Aggs {
		sel = append(sel, b.agg(a.Expr.(*insights.AggNode))+" AS "+a.Col)
	}
	switch {
	case st.First:
		sel = append(sel, "sum(count(*)) OVER () AS __matched")
		b.carry = true
	case b.carry:
		sel = append(sel, "max(__matched) AS __matched")
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + b.cur
	if len(groupBy) > 0 {
		body += " GROUP BY " + strings.Join(groupBy, ", ")
	} else {
		// No groups: one row, unless no rows matched at all.
		body += " HAVING count(*) > 0"
	}
	b.cte(body)
	b.first = false
	b.unnests = nil
	var out []string
	for _, k := range st.Keys {
		out = append(out, k.Col)
	}
	for _, it := range st.Items {
		out = append(out, b.expr(it.Expr)+" AS "+it.Col)
	}
	if b.carry {
		out = append(out, "__matched")
	}
	b.cte("SELECT " + strings.Join(out, ", ") + " FROM " + b.cur)
}

func (b *sqlBuilder) agg(a *insights.AggNode) string {
	arg := func(i int) string { return b.expr(a.Args[i]) }
	switch a.Func {
	case "count":
		if a.Star || len(a.Args) == 0 {
			return "count(*)"
		}
		return "count(" + arg(0) + ")"
	case "count_distinct":
		return "count(DISTINCT " + arg(0) + ")"
	case "sum":
		return "sum(" + sqlNum(a.Args[0], arg(0)) + ")"
	case "avg":
		return "avg(" + sqlNum(a.Args[0], arg(0)) + ")"
	case "stddev":
		return "stddev_samp(" + sqlNum(a.Args[0], arg(0)) + ")"
	case "pct":
		p := a.Args[1].(*insights.Lit).Num / 100
		return "quantile_disc(" + sqlNum(a.Args[0], arg(0)) + ", " + strconv.FormatFloat(p, 'g', -1, 64) + ")"
	case "min", "max":
		x := arg(0)
		if a.Args[0].Kind() != insights.KindAny {
			if a.Args[0].Kind() == insights.KindJSON {
				return a.Func + "(" + sqlStr(a.Args[0], x) + ")"
			}
			return a.Func + "(" + x + ")"
		}
		n := "TRY_CAST(" + x + " AS DOUBLE)"
		return "CASE WHEN count(" + n + ") > 0 THEN " + fmtNum(a.Func+"("+n+")") + " ELSE " + a.Func + "(" + x + ") END"
	case "earliest", "latest":
		f := "arg_min"
		if a.Func == "latest" {
			f = "arg_max"
		}
		x := arg(0)
		return f + "(" + x + ", [" + arg(1) + ", seq]) FILTER (WHERE " + x + " IS NOT NULL)"
	case "sortsfirst", "sortslast":
		f := "arg_min"
		if a.Func == "sortslast" {
			f = "arg_max"
		}
		x := arg(0)
		switch a.Args[0].Kind() {
		case insights.KindNumber, insights.KindTime, insights.KindBool:
			return strings.TrimPrefix(f, "arg_") + "(" + x + ")"
		}
		return f + "(" + x + ", vigil_natkey(" + sqlStr(a.Args[0], x) + "))"
	}
	panic("BUG: unknown aggregate " + a.Func)
}

// format renders a result column as text.
func (b *sqlBuilder) format(n insights.Node) string {
	x := b.expr(n)
	switch n.Kind() {
	case insights.KindTime:
		return "strftime(epoch_ms(" + x + "), '%Y-%m-%d %H:%M:%S.%g')"
	case insights.KindJSON:
		return "CASE WHEN json_type(" + x + ") = 'VARCHAR' THEN " + x + "->>'$' ELSE CAST(" + x + " AS VARCHAR) END"
	}
	return sqlStr(n, x)
}

// quote renders a string literal; DuckDB's parser cannot read a NUL
// byte inside one, so NULs become chr(0).
func quote(s string) string {
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}

// fmtNum renders a DOUBLE as result text: whole numbers without ".0".
func fmtNum(x string) string {
	return "CASE WHEN isfinite(" + x + ") AND " + x + " = trunc(" + x + ") AND abs(" + x + ") < 1e15 THEN CAST(CAST(" + x +
		" AS BIGINT) AS VARCHAR) ELSE CAST(" + x + " AS VARCHAR) END"
}

// sqlNum converts rendered x of n's kind to DOUBLE.
func sqlNum(n insights.Node, x string) string {
	switch n.Kind() {
	case insights.KindNumber:
		return x
	case insights.KindTime:
		return "CAST(" + x + " AS DOUBLE)"
	case insights.KindBool:
		return "CAST(" + x + " AS DOUBLE)"
	case insights.KindJSON:
		return "TRY_CAST(" + jsonLeaf(x) + " AS DOUBLE)"
	}
	return "TRY_CAST(" + x + " AS DOUBLE)"
}

// sqlStr converts rendered x of n's kind to VARCHAR.
func sqlStr(n insights.Node, x string) string {
	switch n.Kind() {
	case insights.KindNumber:
		return fmtNum(x)
	case insights.KindTime:
		return "strftime(epoch_ms(" + x + "), '%Y-%m-%d %H:%M:%S.%g')"
	case insights.KindBool:
		return "CASE WHEN " + x + " THEN '1' WHEN NOT " + x + " THEN '0' END"
	case insights.KindJSON:
		return jsonLeaf(x)
	}
	return x
}

// sqlBool converts rendered x of n's kind to a condition. Field values are
// true when present and not empty, 0 or false.
func sqlBool(n insights.Node, x string) string {
	switch n.Kind() {
	case insights.KindBool:
		return x
	case insights.KindNumber:
		return "(" + x + " <> 0)"
	case insights.KindTime, insights.KindJSON:
		return "(" + x + " IS NOT NULL)"
	}
	return "(" + x + " IS NOT NULL AND " + x + " NOT IN ('', '0', 'false'))"
}

// sqlTime converts rendered x of n's kind to BIGINT milliseconds.
func sqlTime(n insights.Node, x string) string {
	switch n.Kind() {
	case insights.KindTime:
		return x
	case insights.KindNumber:
		return "TRY_CAST(trunc(" + x + ") AS BIGINT)"
	}
	return "TRY_CAST(trunc(" + sqlNum(n, x) + ") AS BIGINT)"
}
