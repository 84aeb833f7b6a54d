package cloudtrail

import (
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// LakeStatement is a checked CloudTrail Lake query: one SELECT over one
// event data store, of the columns, functions and keywords Vigil knows,
// as tokens the store renders as its own SQL.
//
// Why a checker and not a full parser: CloudTrail Lake's SQL is Trino's
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html);
// the database parses the statement, and the checker's job is that
// nothing but a SELECT over the store's events reaches it: every word is
// a known keyword, column, alias, function or type, there is one SELECT
// and one FROM, and the FROM names the event data store.
type LakeStatement struct {
	// Store is the event data store the FROM names: its ID or ARN.
	Store string
	// Tokens is the statement, with the store as a LakeTable token.
	Tokens []store.LakeToken
	// Matched counts the events of the statement's WHERE (nil: none).
	Matched []store.LakeToken
}

// lakeColumnNames are the columns of an event data store, by lower-case
// name.
var lakeColumnNames = func() map[string]string {
	m := map[string]string{}
	for _, c := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements",
		"requestID", "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"} {
		m[strings.ToLower(c)] = c
	}
	return m
}()

// lakeFunctions are the functions a query may call (the store maps them
// to its own).
var lakeFunctions = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "approx_distinct": true, "count_if": true,
	"lower": true, "upper": true, "length": true, "substr": true, "substring": true, "trim": true, "ltrim": true,
	"rtrim": true, "replace": true, "concat": true, "strpos": true, "starts_with": true, "split_part": true,
	"regexp_like": true, "regexp_extract": true, "regexp_replace": true, "coalesce": true, "nullif": true,
	"abs": true, "round": true, "floor": true, "ceil": true, "date_trunc": true, "date_diff": true,
	"year": true, "month": true, "day": true, "hour": true, "minute": true,
	"json_extract_scalar": true, "json_extract": true,
}

// lakeKeywords are the keywords a query may use.
var lakeKeywords = map[string]bool{
	"SELECT": true, "DISTINCT": true, "ALL": true, "AS": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true,
	"HAVING": true, "ORDER": true, "ASC": true, "DESC": true, "NULLS": true, "FIRST": true, "LAST": true,
	"LIMIT": true, "OFFSET": true, "AND": true, "OR": true, "NOT": true, "IN": true, "IS": true, "NULL": true,
	"LIKE": true, "ESCAPE": true, "BETWEEN": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true,
	"TRUE": true, "FALSE": true, "CAST": true, "TRY_CAST": true, "OVER": true, "PARTITION": true, "INTERVAL": true,
}

// lakeRefused are the words that make a statement something Vigil does
// not run, with why.
var lakeRefused = map[string]string{
	"JOIN": "joins", "UNION": "UNION", "INTERSECT": "INTERSECT", "EXCEPT": "EXCEPT", "WITH": "WITH clauses",
	"VALUES": "VALUES", "UNNEST": "UNNEST",
}

var lakeIntervalUnits = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true}

var lakeTypeNames = map[string]bool{"varchar": true, "bigint": true, "integer": true, "int": true, "double": true,
	"boolean": true, "timestamp": true, "date": true, "real": true}

// lexeme is a token before it is classified.
type lexeme struct {
	kind   byte // 'w' word, 'q' quoted identifier, 's' string, 'n' number, 'p' punctuation, 't' store reference
	text   string
	offset int
}

func queryError(format string, args ...any) *Error {
	return errorf(InvalidQueryStatement, format, args...)
}

// lex splits a statement into lexemes; the word after FROM is read as a
// store reference (an ID or ARN, which hold - : and /).
func lex(src string) ([]lexeme, error) {
	var out []lexeme
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case len(out) > 0 && out[len(out)-1].kind == 'w' && strings.EqualFold(out[len(out)-1].text, "FROM"):
			start := i
			if c == '"' || c == '`' {
				end := strings.IndexByte(src[i+1:], c)
				if end < 0 {
					return nil, queryError("Unterminated event data store name at offset %d.", i)
				}
				out = append(out, lexeme{'t', src[i+1 : i+1+end], start})
				i += end + 2
				continue
			}
			for i < len(src) && (isWordByte(src[i]) || strings.IndexByte(":/-", src[i]) >= 0) {
				i++
			}
			if i == start {
				return nil, queryError("FROM must name an event data store (its ID or ARN) at offset %d.", start)
			}
			out = append(out, lexeme{'t', src[start:i], start})
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, queryError("Unterminated string literal at offset %d.", i)
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			out = append(out, lexeme{'s', b.String(), i})
			i = j + 1
		case c == '"':
			end := strings.IndexByte(src[i+1:], '"')
			if end < 0 {
				return nil, queryError("Unterminated quoted identifier at offset %d.", i)
			}
			out = append(out, lexeme{'q', src[i+1 : i+1+end], i})
			i += end + 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if strings.Count(src[i:j], ".") > 1 || (j < len(src) && isWordByte(src[j])) {
				return nil, queryError("Invalid number at offset %d.", i)
			}
			out = append(out, lexeme{'n', src[i:j], i})
			i = j
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			out = append(out, lexeme{'w', src[i:j], i})
			i = j
		default:
			p := ""
			for _, op := range []string{"<>", "!=", "<=", ">=", "||", "(", ")", ",", ".", "*", "+", "-", "/", "%", "=", "<", ">", ";"} {
				if strings.HasPrefix(src[i:], op) {
					p = op
					break
				}
			}
			if p == "" {
				return nil, queryError("Unexpected character %q at offset %d.", c, i)
			}
			out = append(out, lexeme{'p', p, i})
			i += len(p)
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ParseLakeQuery checks a query statement: one SELECT over one event
// data store. A statement it refuses is an *Error of code
// InvalidQueryStatement saying why.
func ParseLakeQuery(src string) (*LakeStatement, error) {
	lx, err := lex(src)
	if err != nil {
		return nil, err
	}
	if n := len(lx); n > 0 && lx[n-1].kind == 'p' && lx[n-1].text == ";" {
		lx = lx[:n-1]
	}
	if len(lx) == 0 || lx[0].kind != 'w' || !strings.EqualFold(lx[0].text, "SELECT") {
		return nil, queryError("Only SELECT statements are supported.")
	}
	// The aliases the statement defines: the word after AS, and the one
	// after the store reference.
	aliases := map[string]bool{}
	for i, l := range lx {
		if i+1 < len(lx) && ((l.kind == 'w' && strings.EqualFold(l.text, "AS")) || l.kind == 't') {
			if a := lx[i+1]; a.kind == 'q' || (a.kind == 'w' && !lakeKeywords[strings.ToUpper(a.text)] && !lakeTypeNames[strings.ToLower(a.text)]) {
				aliases[strings.ToLower(a.text)] = true
			}
		}
	}
	st := &LakeStatement{}
	var casts []int // the depths of the CAST parentheses open
	depth, selects, whereAt, whereEnd := 0, 0, -1, -1
	for i := 0; i < len(lx); i++ {
		l := lx[i]
		next := func(k byte, text string) bool {
			return i+1 < len(lx) && lx[i+1].kind == k && (text == "" || strings.EqualFold(lx[i+1].text, text))
		}
		prevKeyword := func(kw string) bool {
			return len(st.Tokens) > 0 && st.Tokens[len(st.Tokens)-1].Kind == store.LakeKeyword && st.Tokens[len(st.Tokens)-1].Text == kw
		}
		switch l.kind {
		case 't':
			if st.Store != "" {
				return nil, queryError("A query reads one event data store: only one FROM is supported.")
			}
			if depth != 0 {
				return nil, queryError("Subqueries are not supported.")
			}
			st.Store = l.text
			st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeTable})
			// What may follow the store: an alias, then a clause.
			j := i + 1
			if j < len(lx) && lx[j].kind == 'w' && strings.EqualFold(lx[j].text, "AS") {
				j++
			}
			if j < len(lx) && aliases[strings.ToLower(lx[j].text)] && (lx[j].kind == 'q' || lx[j].kind == 'w') {
				j++
			}
			if j < len(lx) && !(lx[j].kind == 'w' && slicesContainsFold([]string{"WHERE", "GROUP", "ORDER", "LIMIT", "HAVING"}, lx[j].text)) {
				if lx[j].kind == 'p' && lx[j].text == "," {
					return nil, queryError("A query reads one event data store: joins are not supported.")
				}
				return nil, queryError("Unexpected %q after the event data store at offset %d.", lx[j].text, lx[j].offset)
			}
		case 's':
			st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeString, Text: l.text})
		case 'n':
			st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeNumber, Text: l.text})
		case 'p':
			switch l.text {
			case ";":
				return nil, queryError("Only one statement is supported.")
			case "(":
				depth++
			case ")":
				depth--
				if depth < 0 {
					return nil, queryError("Unbalanced parentheses at offset %d.", l.offset)
				}
				if n := len(casts); n > 0 && casts[n-1] == depth+1 {
					casts = casts[:n-1]
				}
			case ".":
				return nil, queryError("Unexpected \".\" at offset %d.", l.offset)
			}
			st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakePunct, Text: l.text})
		case 'w', 'q':
			upper, lower := strings.ToUpper(l.text), strings.ToLower(l.text)
			switch {
			case l.kind == 'w' && lower == "now" && next('p', "("):
				if i+2 >= len(lx) || lx[i+2].text != ")" || lx[i+2].kind != 'p' {
					return nil, queryError("now() takes no arguments.")
				}
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeNow})
				i += 2
			case l.kind == 'w' && upper == "CURRENT_TIMESTAMP":
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeNow})
			case l.kind == 'w' && (upper == "TIMESTAMP" || upper == "DATE") && next('s', ""):
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeKeyword, Text: upper})
			case l.kind == 'w' && lakeIntervalUnits[upper] && len(st.Tokens) >= 2 && st.Tokens[len(st.Tokens)-2].Text == "INTERVAL":
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeKeyword, Text: upper})
			case l.kind == 'w' && len(casts) > 0 && casts[len(casts)-1] == depth && prevKeyword("AS"):
				if !lakeTypeNames[lower] {
					return nil, queryError("Unsupported type %q in CAST at offset %d.", l.text, l.offset)
				}
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeType, Text: lower})
			case l.kind == 'w' && lakeRefused[upper] != "":
				return nil, queryError("%s are not supported: a query is one SELECT over one event data store.", lakeRefused[upper])
			case l.kind == 'w' && lakeKeywords[upper]:
				switch upper {
				case "SELECT":
					if selects++; selects > 1 {
						return nil, queryError("Subqueries are not supported: a query is one SELECT over one event data store.")
					}
				case "CAST", "TRY_CAST":
					if !next('p', "(") {
						return nil, queryError("CAST must be followed by \"(\" at offset %d.", l.offset)
					}
					casts = append(casts, depth+1)
				case "WHERE":
					if depth == 0 {
						whereAt = len(st.Tokens) + 1
					}
				case "GROUP", "ORDER", "LIMIT", "HAVING", "OFFSET":
					if depth == 0 && whereAt >= 0 && whereEnd < 0 {
						whereEnd = len(st.Tokens)
					}
				}
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeKeyword, Text: upper})
			case l.kind == 'w' && next('p', "("):
				if !lakeFunctions[lower] {
					return nil, queryError("Unsupported function %s at offset %d.", l.text, l.offset)
				}
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeFunc, Text: lower})
			default:
				path, n, err := columnPath(lx[i:], aliases)
				if err != nil {
					return nil, err
				}
				st.Tokens = append(st.Tokens, store.LakeToken{Kind: store.LakeColumn, Text: path})
				i += n - 1
			}
		}
	}
	if depth != 0 {
		return nil, queryError("Unbalanced parentheses.")
	}
	if st.Store == "" {
		return nil, queryError("A query must read an event data store: FROM followed by its ID or ARN.")
	}
	if whereAt >= 0 {
		if whereEnd < 0 {
			whereEnd = len(st.Tokens)
		}
		if whereEnd <= whereAt {
			return nil, queryError("WHERE needs a condition.")
		}
		st.Matched = lakeCount(st.Tokens, whereAt, whereEnd)
	}
	return st, nil
}

// lakeCount is SELECT count(*) FROM <the table and its alias> WHERE
// <tokens[from:to]>.
func lakeCount(tokens []store.LakeToken, from, to int) []store.LakeToken {
	out := []store.LakeToken{{Kind: store.LakeKeyword, Text: "SELECT"}, {Kind: store.LakeFunc, Text: "count"},
		{Kind: store.LakePunct, Text: "("}, {Kind: store.LakePunct, Text: "*"}, {Kind: store.LakePunct, Text: ")"},
		{Kind: store.LakeKeyword, Text: "FROM"}}
	for i, t := range tokens {
		if t.Kind == store.LakeTable {
			out = append(out, t)
			for _, a := range tokens[i+1:] {
				if a.Kind == store.LakeKeyword && a.Text == "WHERE" {
					break
				}
				out = append(out, a)
			}
		}
	}
	out = append(out, store.LakeToken{Kind: store.LakeKeyword, Text: "WHERE"})
	return append(out, tokens[from:to]...)
}

// columnPath reads a column, alias or field path (userIdentity.arn,
// t.eventName) and returns it with the number of lexemes it took.
func columnPath(lx []lexeme, aliases map[string]bool) (string, int, error) {
	first := lx[0]
	lower := strings.ToLower(first.text)
	name, isColumn := lakeColumnNames[lower]
	if !isColumn {
		if !aliases[lower] {
			return "", 0, queryError("Unknown column %q at offset %d.", first.text, first.offset)
		}
		name = first.text
	}
	parts, n := []string{name}, 1
	for n+1 < len(lx) && lx[n].kind == 'p' && lx[n].text == "." && (lx[n+1].kind == 'w' || lx[n+1].kind == 'q') {
		field := lx[n+1].text
		if len(parts) == 1 && !isColumn { // alias.column
			c, ok := lakeColumnNames[strings.ToLower(field)]
			if !ok {
				return "", 0, queryError("Unknown column %q at offset %d.", field, lx[n+1].offset)
			}
			field, isColumn = c, true
		} else if n+2 < len(lx) && lx[n+2].kind == 'p' && lx[n+2].text == "(" {
			return "", 0, queryError("Unsupported method call %s at offset %d.", field, lx[n+1].offset)
		}
		parts = append(parts, field)
		n += 2
	}
	if n < len(lx) && lx[n].kind == 'p' && lx[n].text == "(" {
		return "", 0, queryError("Unsupported function %s at offset %d.", first.text, first.offset)
	}
	return strings.Join(parts, "."), n, nil
}

func slicesContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// lakeTokensString renders tokens for messages and tests.
func lakeTokensString(ts []store.LakeToken) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch t.Kind {
		case store.LakeTable:
			b.WriteString("<table>")
		case store.LakeNow:
			b.WriteString("<now>")
		case store.LakeString:
			fmt.Fprintf(&b, "%q", t.Text)
		default:
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
