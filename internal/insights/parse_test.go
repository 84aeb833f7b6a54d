package insights

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{"", "query is empty at line 1 and position 1"},
		{"   # only a comment", "query is empty at line 1 and position 20"},
		{"fields", "unexpected end of query at line 1 and position 7"},
		{"fields a,, b", "unexpected symbol found , at line 1 and position 10"},
		{"fields a | ", "unexpected end of query after | at line 1 and position 12"},
		{"fields a || fields b", "mismatched input '|' expecting {K_PARSE, K_FIELDS, K_DISPLAY, K_FILTER, K_FILTER_INDEX, K_STATS, K_SORT, K_LIMIT, K_DEDUP, K_UNNEST, K_SOURCE} at line 1 and position 11"},
		{"foo bar", "mismatched input 'foo' expecting {K_PARSE, K_FIELDS, K_DISPLAY, K_FILTER, K_FILTER_INDEX, K_STATS, K_SORT, K_LIMIT, K_DEDUP, K_UNNEST, K_SOURCE} at line 1 and position 1"},
		{"`fields` a", "mismatched input '`fields`' expecting {K_PARSE, K_FIELDS, K_DISPLAY, K_FILTER, K_FILTER_INDEX, K_STATS, K_SORT, K_LIMIT, K_DEDUP, K_UNNEST, K_SOURCE} at line 1 and position 1"},
		{"fields x | count()", "mismatched input 'count' expecting {K_PARSE, K_FIELDS, K_DISPLAY, K_FILTER, K_FILTER_INDEX, K_STATS, K_SORT, K_LIMIT, K_DEDUP, K_UNNEST, K_SOURCE} at line 1 and position 12"},
		{"fields ~x", "unexpected symbol found ~ at line 1 and position 8"},
		{`filter a = "abc`, "unterminated string at line 1 and position 12"},
		{"filter a like /abc", "unterminated regular expression at line 1 and position 15"},
		{"fields `abc", "unterminated field name at line 1 and position 8"},
		{"filter x like", "unexpected end of query at line 1 and position 14"},
		{"fields a\n| filter b = )", "unexpected symbol found ) at line 2 and position 14"},
		{"fields a\n\n  | stats count(*) by", "unexpected end of query at line 3 and position 22"},
		{"limit 0", "limit must be an integer between 1 and 10000 at line 1 and position 7"},
		{"limit 10001", "limit must be an integer between 1 and 10000 at line 1 and position 7"},
		{"limit 2.5", "limit must be an integer between 1 and 10000 at line 1 and position 7"},
		{"limit x", "unexpected symbol found x, expected a number at line 1 and position 7"},
		{`parse @message "* *" as a`, "parse pattern has 2 wildcards but 1 field names at line 1 and position 1"},
		{`parse @message "*"`, `parse with a glob pattern needs "as <field>, …" at line 1 and position 19`},
		{`parse @message /(\d+)/`, "parse regular expression has no named capturing group such as (?<name>.*) at line 1 and position 16"},
		{`parse @message /(?<a>\d+)/ as b`, `parse with a regular expression takes its field names from the named groups, not from "as" at line 1 and position 28`},
		{`parse @message 42`, "parse needs a glob pattern in quotes or a regular expression in slashes at line 1 and position 16"},
		{"pattern @message", "the pattern command (machine-learning clustering) is not supported by this server at line 1 and position 1"},
		{"fields a | diff previousPeriod", "the diff command (comparison with the previous period) is not supported by this server at line 1 and position 12"},
		{"unmask(@message)", "the unmask command is not supported: this server stores no masked data, so there is nothing to unmask at line 1 and position 1"},
		{"lookup tbl id", "the lookup command is not supported by this server (no lookup tables) at line 1 and position 1"},
		{"filter a not b", "unexpected symbol found b, expected like or in after not at line 1 and position 14"},
		{"filter a in 1", "unexpected symbol found 1, expected [ at line 1 and position 13"},
		{"filter a in [1, 2", "unexpected end of query at line 1 and position 18"},
		{"fields abs(1", "unexpected end of query at line 1 and position 13"},
		{"fields x as", "unexpected end of query, expected an alias at line 1 and position 12"},
		{"unnest a b", `unnest needs "into <field>" at line 1 and position 10`},
		{"dedup", "unexpected end of query, expected a field name at line 1 and position 6"},
		{"SOURCE groups(x)", "unexpected symbol found groups, expected logGroups( at line 1 and position 8"},
		{`SOURCE logGroups(prefix: ["a"])`, "unknown logGroups parameter prefix at line 1 and position 18"},
		{strings.Repeat("x", MaxQueryLength+1), "query string is longer than 10000 characters"},
		{"fields \xff", "query string is not valid UTF-8"},
		{"fields no.", "invalid field name no. at line 1 and position 8"},
		{"fields a..b", "invalid field name a..b at line 1 and position 8"},
		{"fields ``", "invalid field name `` at line 1 and position 8"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		if err == nil {
			t.Errorf("Parse(%q) succeeded; want error %q", tt.query, tt.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error %T is not *Error", tt.query, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %q\nwant %q", tt.query, err, tt.want)
		}
	}
}

// TestQueryLengthInCharacters: the limit counts characters, as its
// message says, not UTF-8 bytes.
func TestQueryLengthInCharacters(t *testing.T) {
	q := "fields @message | filter @message like /" + strings.Repeat("é", MaxQueryLength-60) + "/"
	if _, err := Parse(q); err != nil {
		t.Errorf("Parse(a query of %d characters, %d bytes) = %v", utf8.RuneCountInString(q), len(q), err)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{"fields foo(x)", "Unknown function: foo at line 1 and position 8"},
		{"fields abs(1, 2)", "function abs takes 1 argument, got 2 at line 1 and position 8"},
		{"fields substr()", "function substr takes 2 to 3 arguments, got 0 at line 1 and position 8"},
		{"fields concat()", "function concat takes at least 1 argument, got 0 at line 1 and position 8"},
		{"fields count(*)", "aggregate function count can only be used in stats at line 1 and position 8"},
		{"filter sum(x) > 1", "aggregate function sum can only be used in stats at line 1 and position 8"},
		{"fields abs(*)", "only count accepts * at line 1 and position 8"},
		{"stats x", "field x must be used in an aggregate function or named after by at line 1 and position 7"},
		{"stats strlen(x) by x", "stats needs an aggregate function such as count() or avg(), found strlen(x) at line 1 and position 7"},
		{"stats avg(max(x))", "aggregate function max cannot be used inside another aggregate function at line 1 and position 11"},
		{"stats count(*) by y | sort z", "Unknown symbols found in or after stats: z at line 1 and position 28"},
		{"limit 5 | stats count(*)", "limit must come after the last stats command at line 1 and position 11"},
		{"fields bin(5)", "argument 1 of bin must be a time period such as 5m at line 1 and position 12"},
		{"fields bin(5x)", "invalid time period 5x: unknown unit x at line 1 and position 12"},
		{"fields datefloor(@timestamp)", "function datefloor takes 2 arguments, got 1 at line 1 and position 8"},
		{"fields abs(5m)", "unexpected period in abs at line 1 and position 12"},
		{"filter x like /(?<=a)b/", "invalid regular expression /(?<=a)b/: invalid named capture: `(?<=a)b` at line 1 and position 15"},
		{"filter x like /a/z", `unknown regular expression flag 'z' at line 1 and position 15`},
		{`filter x =~ "("`, "invalid regular expression /(/: missing closing ): `(` at line 1 and position 13"},
		{`fields regexReplace(x, "[", "")`, "invalid regular expression /[/: missing closing ]: `[` at line 1 and position 24"},
		{"stats pct(x, 200)", "the percentile of pct must be a number from 0 to 100 at line 1 and position 14"},
		{"stats pct(x, y)", "the percentile of pct must be a number from 0 to 100 at line 1 and position 14"},
		{`fields a | SOURCE logGroups(namePrefix: ["x"])`, "SOURCE must be the first command of the query at line 1 and position 12"},
		{"filter /abc/", "filter needs a condition, found a regular expression at line 1 and position 8"},
		{"fields x[0]", "[ ] and . need a map or list from jsonParse at line 1 and position 8"},
		{"fields jsonParse(@message) as j | fields j[1.5]", "a list index must be a whole number at line 1 and position 44"},
		{"filter x in [1, /a/]", "unexpected regular expression at line 1 and position 17"},
		{"fields [1, 2]", "a list can only follow in at line 1 and position 8"},
		{"stats count(*) | stats earliest(x)", "Unknown symbols found in or after stats: x at line 1 and position 33"},
		{`parse @message /(?<a>x)(?<a>y)/`, "parse defines field a twice at line 1 and position 1"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.query, err)
			continue
		}
		_, err = Compile(q, Options{})
		if err == nil {
			t.Errorf("Compile(%q) succeeded; want error %q", tt.query, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Compile(%q):\n got %q\nwant %q", tt.query, err, tt.want)
		}
	}
}

func columnNames(p *Plan) []string {
	var out []string
	for _, c := range p.Columns {
		out = append(out, c.Name)
	}
	return out
}

func TestPlanColumns(t *testing.T) {
	tests := []struct {
		query      string
		cols       string
		aggregated bool
	}{
		{"filter x = 1", "@timestamp,@message", false},
		{"fields a, b | fields c", "a,b,c", false},
		{"fields a, abs(b) | display b", "b", false},
		{`parse @message "* *" as x, y`, "@timestamp,@message,x,y", false},
		{`fields a | parse @message "* *" as x, y`, "a,x,y", false},
		{"stats count(*) by bin(5m), level", "bin(5m),level,count(*)", true},
		{"stats count(*) as n, avg ( x ) | fields n * 2 as m", "n,avg ( x ),m", true},
		{"stats count(*) by x | stats max(`count(*)`) as top", "top", true},
		{"fields jsonParse(@message) as j | unnest j.items into item", "j,item", false},
		{"FIELDS `foo-bar`, @@example.com", "foo-bar,@@example.com", false},
	}
	for _, tt := range tests {
		p, err := compile(tt.query)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		if got := strings.Join(columnNames(p), ","); got != tt.cols || p.Aggregated != tt.aggregated {
			t.Errorf("%q: columns %s aggregated %v; want %s %v", tt.query, got, p.Aggregated, tt.cols, tt.aggregated)
		}
	}
}

func TestParseSource(t *testing.T) {
	p, err := compile(`SOURCE logGroups(namePrefix: ["/aws/lambda", "/app"], class: STANDARD, accountIdentifiers: ["111122223333"]) | filter x = 1`)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Source
	if s == nil || strings.Join(s.NamePrefixes, ",") != "/aws/lambda,/app" || s.Class != "STANDARD" || strings.Join(s.AccountIDs, ",") != "111122223333" {
		t.Fatalf("Source = %+v", s)
	}
}

func TestBacktickParts(t *testing.T) {
	q, err := Parse("fields a.`b.c`.d, `x-y`.z, m.`n`")
	if err != nil {
		t.Fatal(err)
	}
	f := q.Commands[0].(*FieldsCmd)
	var got []string
	for _, it := range f.Items {
		fe := it.Expr.(*FieldExpr)
		got = append(got, fe.Name+"="+strings.Join(fe.Parts, "|"))
	}
	want := "a.b.c.d=a|b.c|d x-y.z=x-y|z m.n=m|n"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, " "), want)
	}
}
