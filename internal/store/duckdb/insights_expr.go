package duckdb

import (
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/insights"
)

// expr renders a plan expression in its kind's SQL type.
func (b *sqlBuilder) expr(n insights.Node) string {
	switch n := n.(type) {
	case *insights.Ref:
		return n.Col
	case *insights.Lit:
		switch n.K {
		case insights.KindNumber:
			return "CAST(" + strconv.FormatFloat(n.Num, 'g', -1, 64) + " AS DOUBLE)"
		case insights.KindBool:
			if n.B {
				return "true"
			}
			return "false"
		}
		return quote(n.Str)
	case *insights.RegexLit:
		return quote(n.Pattern)
	case *insights.PeriodLit:
		return strconv.FormatInt(n.Millis, 10)
	case *insights.PathNode:
		return "json_extract(" + b.expr(n.X) + ", " + quote(pathOf(n.Path)) + ")"
	case *insights.OpNode:
		return b.op(n)
	case *insights.CallNode:
		return b.call(n)
	case *insights.AggNode:
		return b.agg(n)
	}
	panic("BUG: unknown plan node")
}

func pathOf(elems []insights.PathElem) string {
	var sb strings.Builder
	sb.WriteString("$")
	for _, e := range elems {
		if e.IsIndex {
			sb.WriteString("[" + strconv.Itoa(e.Index) + "]")
		} else {
			sb.WriteString(`."` + strings.ReplaceAll(e.Key, `"`, `\"`) + `"`)
		}
	}
	return sb.String()
}

func isNumeric(k insights.Kind) bool { return k == insights.KindNumber || k == insights.KindTime }

// compare renders l op r with AWS's coercions: two values compare as
// numbers when both are numbers; = and != compare other values as text
// (so "baz" = 1 is false); <, <=, > and >= need numbers when either side
// is a number, and compare text otherwise. A missing value makes the
// comparison unknown, which no filter passes, negated or not.
func (b *sqlBuilder) compare(op string, l, r insights.Node) string {
	lx, rx := b.expr(l), b.expr(r)
	lk, rk := l.Kind(), r.Kind()
	eq := op == "=" || op == "!="
	switch {
	case lk == insights.KindBool || rk == insights.KindBool:
		if eq {
			return "(" + sqlBool(l, lx) + " " + sqlOp(op) + " " + sqlBool(r, rx) + ")"
		}
		return "(" + sqlNum(l, lx) + " " + sqlOp(op) + " " + sqlNum(r, rx) + ")"
	case isNumeric(lk) && isNumeric(rk):
		return "(" + lx + " " + sqlOp(op) + " " + rx + ")"
	case (isNumeric(lk) || isNumeric(rk)) && !eq:
		return "(" + sqlNum(l, lx) + " " + sqlOp(op) + " " + sqlNum(r, rx) + ")"
	case isNumeric(lk) || isNumeric(rk) || lk == insights.KindAny || rk == insights.KindAny || lk == insights.KindJSON || rk == insights.KindJSON:
		ls, rs := sqlStr(l, lx), sqlStr(r, rx)
		ln, rn := sqlNum(l, lx), sqlNum(r, rx)
		return "(CASE WHEN " + ln + " IS NOT NULL AND " + rn + " IS NOT NULL THEN " + ln + " " + sqlOp(op) + " " + rn +
			" ELSE " + ls + " " + sqlOp(op) + " " + rs + " END)"
	}
	return "(" + sqlStr(l, lx) + " " + sqlOp(op) + " " + sqlStr(r, rx) + ")"
}

func sqlOp(op string) string {
	if op == "!=" {
		return "<>"
	}
	return op
}

func (b *sqlBuilder) op(n *insights.OpNode) string {
	a := n.Args
	num := func(i int) string { return sqlNum(a[i], b.expr(a[i])) }
	switch n.Op {
	case "not":
		return "(NOT " + sqlBool(a[0], b.expr(a[0])) + ")"
	case "neg":
		return "(-" + num(0) + ")"
	case "and", "or":
		return "(" + sqlBool(a[0], b.expr(a[0])) + " " + strings.ToUpper(n.Op) + " " + sqlBool(a[1], b.expr(a[1])) + ")"
	case "=", "!=", "<", "<=", ">", ">=":
		return b.compare(n.Op, a[0], a[1])
	case "+", "-", "*", "/":
		return "(" + num(0) + " " + n.Op + " " + num(1) + ")"
	case "%":
		return "fmod(" + num(0) + ", " + num(1) + ")"
	case "^":
		return "pow(" + num(0) + ", " + num(1) + ")"
	case "like", "not like", "=~":
		s := sqlStr(a[0], b.expr(a[0]))
		var m string
		switch r := a[1].(type) {
		case *insights.RegexLit:
			m = "regexp_matches(" + s + ", " + quote(r.Pattern) + ")"
		default:
			if n.Op == "=~" {
				m = "regexp_matches(" + s + ", " + sqlStr(a[1], b.expr(a[1])) + ")"
			} else {
				m = "contains(" + s + ", " + sqlStr(a[1], b.expr(a[1])) + ")"
			}
		}
		if n.Op == "not like" {
			return "(NOT " + m + ")"
		}
		return m
	case "in", "not in":
		var ors []string
		for _, e := range a[1:] {
			ors = append(ors, b.compare("=", a[0], e))
		}
		x := "false"
		if len(ors) > 0 {
			x = "(" + strings.Join(ors, " OR ") + ")"
		}
		if n.Op == "not in" {
			return "(NOT " + x + ")"
		}
		return x
	}
	panic("BUG: unknown operator " + n.Op)
}

// periodFloor renders the start of the period that contains ts.
func periodFloor(ts string, p *insights.PeriodLit) string {
	months := map[string]int64{"mo": 1, "q": 3, "y": 12}[p.Unit] * p.N
	if months == 0 {
		if p.Unit == "w" {
			// Weeks start on Monday (1970-01-05 is one).
			const monday = 4 * 86_400_000
			return "((" + ts + " - " + strconv.Itoa(monday) + ") // " + strconv.FormatInt(p.Millis, 10) + " * " +
				strconv.FormatInt(p.Millis, 10) + " + " + strconv.Itoa(monday) + ")"
		}
		return "(" + ts + " // " + strconv.FormatInt(p.Millis, 10) + " * " + strconv.FormatInt(p.Millis, 10) + ")"
	}
	m := "((year(epoch_ms(" + ts + ")) - 1970) * 12 + month(epoch_ms(" + ts + ")) - 1)"
	fl := "(" + m + " // " + strconv.FormatInt(months, 10) + " * " + strconv.FormatInt(months, 10) + ")"
	return "epoch_ms(make_timestamp(CAST(1970 + " + fl + " // 12 AS BIGINT), CAST(" + fl + " % 12 + 1 AS BIGINT), 1, 0, 0, 0))"
}

// periodNext renders the start of the period after the one that starts
// at floor.
func periodNext(floor string, p *insights.PeriodLit) string {
	months := map[string]int64{"mo": 1, "q": 3, "y": 12}[p.Unit] * p.N
	if months == 0 {
		return "(" + floor + " + " + strconv.FormatInt(p.Millis, 10) + ")"
	}
	return "epoch_ms(epoch_ms(" + floor + ") + to_months(" + strconv.FormatInt(months, 10) + "))"
}

// ipTests maps the IP functions to the test vigil_ip_is and
// vigil_ip_in_subnet apply.
var ipTests = map[string]string{
	"isvalidip": "any", "isvalidipv4": "v4", "isvalidipv6": "v6",
	"isprivateip": "private", "ispublicip": "public", "isreservedip": "reserved",
	"isipinsubnet": "any", "isipv4insubnet": "v4", "isipv6insubnet": "v6",
}

func (b *sqlBuilder) call(n *insights.CallNode) string {
	a := n.Args
	x := func(i int) string { return b.expr(a[i]) }
	num := func(i int) string { return sqlNum(a[i], x(i)) }
	str := func(i int) string { return sqlStr(a[i], x(i)) }
	one := func(cond string) string {
		return "CASE WHEN " + cond + " THEN CAST(1 AS DOUBLE) ELSE CAST(0 AS DOUBLE) END"
	}
	conv := func(i int) string {
		switch n.K {
		case insights.KindNumber:
			return num(i)
		case insights.KindTime:
			return sqlTime(a[i], x(i))
		case insights.KindJSON:
			return x(i)
		case insights.KindAny, insights.KindString:
			return str(i)
		}
		return x(i)
	}
	switch n.Func {
	case insights.TextFunc:
		return str(0)
	// Numeric.
	case "abs", "ceil", "floor", "sqrt":
		return n.Func + "(" + num(0) + ")"
	case "log":
		return "CASE WHEN " + num(0) + " > 0 THEN ln(" + num(0) + ") END"
	case "round":
		if len(a) == 2 {
			return "round(" + num(0) + ", CAST(" + num(1) + " AS INTEGER))"
		}
		return "round(" + num(0) + ")"
	case "greatest", "least":
		var args []string
		for i := range a {
			args = append(args, num(i))
		}
		return n.Func + "(" + strings.Join(args, ", ") + ")"
	case "haversine":
		lat1, lon1, lat2, lon2 := num(0), num(1), num(2), num(3)
		return "(12742 * asin(sqrt(pow(sin(radians(" + lat2 + " - " + lat1 + ") / 2), 2) + cos(radians(" + lat1 + ")) * cos(radians(" +
			lat2 + ")) * pow(sin(radians(" + lon2 + " - " + lon1 + ") / 2), 2))))"
	case "tonumber", "todouble":
		return num(0)
	case "toint":
		return "CASE WHEN trunc(" + num(0) + ") BETWEEN -2147483648 AND 2147483647 THEN trunc(" + num(0) + ") END"
	case "tolong":
		return "CASE WHEN trunc(" + num(0) + ") BETWEEN -9223372036854775808 AND 9223372036854775807 THEN trunc(" + num(0) + ") END"
	// Datetime.
	case "bin", "datefloor":
		return periodFloor(sqlTime(a[0], x(0)), a[1].(*insights.PeriodLit))
	case "dateceil":
		p := a[1].(*insights.PeriodLit)
		ts := sqlTime(a[0], x(0))
		fl := periodFloor(ts, p)
		return "CASE WHEN " + fl + " = " + ts + " THEN " + ts + " ELSE " + periodNext(fl, p) + " END"
	case "frommillis":
		return sqlTime(a[0], x(0))
	case "tomillis":
		return "CAST(" + sqlTime(a[0], x(0)) + " AS DOUBLE)"
	case "now":
		return "CAST(" + strconv.FormatInt(b.now/1000, 10) + " AS DOUBLE)"
	case "querystarttime":
		return "CAST(" + strconv.FormatInt(b.q.Start, 10) + " AS DOUBLE)"
	case "queryendtime":
		return "CAST(" + strconv.FormatInt(b.q.End, 10) + " AS DOUBLE)"
	case "querytimerange":
		return "CAST(" + strconv.FormatInt(b.q.End-b.q.Start, 10) + " AS DOUBLE)"
	case "parsedate":
		tz := "'UTC'"
		if len(a) == 3 {
			tz = str(2)
		}
		return "vigil_parse_date(" + str(0) + ", " + str(1) + ", " + tz + ")"
	case "formatdate":
		tz := "'UTC'"
		if len(a) == 3 {
			tz = str(2)
		}
		return "vigil_format_date(" + sqlTime(a[0], x(0)) + ", " + str(1) + ", " + tz + ")"
	// General.
	case "ispresent":
		return "(" + x(0) + " IS NOT NULL)"
	case "coalesce":
		var args []string
		for i := range a {
			args = append(args, conv(i))
		}
		return "coalesce(" + strings.Join(args, ", ") + ")"
	case "if":
		return "CASE WHEN " + sqlBool(a[0], x(0)) + " THEN " + conv(1) + " ELSE " + conv(2) + " END"
	case "case":
		var sb strings.Builder
		sb.WriteString("CASE")
		i := 0
		for ; i+1 < len(a); i += 2 {
			sb.WriteString(" WHEN " + sqlBool(a[i], x(i)) + " THEN " + conv(i+1))
		}
		if i < len(a) {
			sb.WriteString(" ELSE " + conv(i))
		}
		sb.WriteString(" END")
		return sb.String()
	case "isnumeric":
		if isNumeric(a[0].Kind()) {
			return "(" + x(0) + " IS NOT NULL)"
		}
		return "coalesce(TRY_CAST(" + str(0) + " AS DOUBLE) IS NOT NULL, false)"
	case "messagesize":
		return "CAST(strlen(" + str(0) + ") AS DOUBLE)"
	// JSON.
	case "jsonparse":
		if a[0].Kind() == insights.KindJSON {
			return x(0)
		}
		s := str(0)
		return "CASE WHEN json_valid(" + s + ") AND json_type(" + s + ") IN ('OBJECT', 'ARRAY') THEN CAST(" + s + " AS JSON) END"
	case "jsonstringify":
		if a[0].Kind() != insights.KindJSON {
			return "NULL::VARCHAR"
		}
		return "CASE WHEN json_type(" + x(0) + ") IN ('OBJECT', 'ARRAY') THEN CAST(" + x(0) + " AS VARCHAR) END"
	case "jsonarraysize":
		s := str(0)
		if a[0].Kind() == insights.KindJSON {
			s = "CAST(" + x(0) + " AS VARCHAR)"
		}
		return "CASE WHEN json_valid(" + s + ") AND json_type(" + s + ") = 'ARRAY' THEN CAST(json_array_length(" + s + ") AS DOUBLE) END"
	case "jsonarraycontains":
		s := str(0)
		if a[0].Kind() == insights.KindJSON {
			s = "CAST(" + x(0) + " AS VARCHAR)"
		}
		return "coalesce(CASE WHEN json_valid(" + s + ") AND json_type(" + s + ") = 'ARRAY' THEN list_contains(json_extract_string(" + s +
			", '$[*]'), " + str(1) + ") END, false)"
	// IP addresses.
	case "isvalidip", "isvalidipv4", "isvalidipv6", "isprivateip", "ispublicip", "isreservedip":
		return "coalesce(vigil_ip_is(" + str(0) + ", '" + ipTests[n.Func] + "'), false)"
	case "isipinsubnet", "isipv4insubnet", "isipv6insubnet":
		return "coalesce(vigil_ip_in_subnet(" + str(0) + ", " + str(1) + ", '" + ipTests[n.Func] + "'), false)"
	case "ipv4tonumber":
		return "vigil_ipv4_number(" + str(0) + ")"
	// Strings.
	case "isempty":
		return one("coalesce(" + str(0) + ", '') = ''")
	case "isblank":
		return one("trim(coalesce(" + str(0) + ", ''), ' \t\n\r') = ''")
	case "concat":
		var args []string
		for i := range a {
			args = append(args, str(i))
		}
		return "concat(" + strings.Join(args, ", ") + ")"
	case "ltrim", "rtrim", "trim":
		chars := quote(" \t\n\r\f\v")
		if len(a) == 2 {
			chars = str(1)
		}
		return n.Func + "(" + str(0) + ", " + chars + ")"
	case "strlen":
		return "CAST(length(" + str(0) + ") AS DOUBLE)"
	case "toupper":
		return "upper(" + str(0) + ")"
	case "tolower":
		return "lower(" + str(0) + ")"
	case "substr":
		start := "CAST(trunc(" + num(1) + ") AS BIGINT) + 1"
		if len(a) == 3 {
			return "substr(" + str(0) + ", " + start + ", CAST(greatest(trunc(" + num(2) + "), 0) AS BIGINT))"
		}
		return "substr(" + str(0) + ", " + start + ")"
	case "replace":
		return "replace(" + str(0) + ", " + str(1) + ", " + str(2) + ")"
	case "regexreplace":
		pat := str(1)
		if r, ok := a[1].(*insights.RegexLit); ok {
			pat = quote(r.Pattern)
		}
		return "regexp_replace(" + str(0) + ", " + pat + ", " + str(2) + ", 'g')"
	case "strcontains":
		s, v := str(0), str(1)
		if len(a) == 3 {
			return one("CASE WHEN " + sqlBool(a[2], x(2)) + " THEN contains(lower(" + s + "), lower(" + v + ")) ELSE contains(" + s + ", " + v + ") END")
		}
		return one("contains(" + s + ", " + v + ")")
	case "startswith":
		return one("starts_with(" + str(0) + ", " + str(1) + ")")
	case "endswith":
		return one("ends_with(" + str(0) + ", " + str(1) + ")")
	case "urlencode":
		return "url_encode(" + str(0) + ")"
	case "urldecode":
		return "url_decode(" + str(0) + ")"
	case "base64encode":
		return "to_base64(encode(" + str(0) + "))"
	case "base64decode":
		return "vigil_b64decode(" + str(0) + ")"
	case "split":
		return "to_json(string_split(" + str(0) + ", " + str(1) + "))"
	case "hextoascii":
		return "vigil_hex_to_ascii(" + str(0) + ")"
	case "hextodec":
		return "vigil_hex_to_dec(" + str(0) + ")"
	case "dectohex":
		v := "CAST(trunc(" + num(0) + ") AS BIGINT)"
		return "CASE WHEN " + v + " < 0 THEN '-0x' || lower(hex(-" + v + ")) ELSE '0x' || lower(hex(" + v + ")) END"
	}
	panic("BUG: unknown function " + n.Func)
}
