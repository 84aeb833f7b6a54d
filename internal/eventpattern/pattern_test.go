package eventpattern

import (
	"errors"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		p, err := Parse([]byte(src))
		if err != nil {
			t.Fatalf("Parse(%s): %v", src, err)
		}
		if got := p.String(); got != want {
			t.Errorf("Parse(%s).String() = %s; want %s", src, got, want)
		}
	}
	f(`{ "source" : [ "aws.ec2" , 1.50 , true , null ] }`, `{"source":["aws.ec2",1.50,true,null]}`)
	f(`{"a": [{"numeric": [">", 0, "<=", 5e0]}]} trailing text`, `{"a":[{"numeric":[">",0,"<=",5e0]}]}`)
	f(`{"a": ["\u00e9\n\"\\\/\u0001"], "a": ["x"]}`, `{"a":["é\n\"\\/\u0001"],"a":["x"]}`)
	f(`{"$or": [{"a": [{"exists": false}]}, {"b": {"c": [{"anything-but": {"prefix": "x"}}]}}]}`,
		`{"$or":[{"a":[{"exists":false}]},{"b":{"c":[{"anything-but":{"prefix":"x"}}]}}]}`)
}

func TestErrorOffset(t *testing.T) {
	f := func(src, at string) {
		t.Helper()
		_, err := Parse([]byte(src))
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse(%s) = %v; want an *Error", src, err)
		}
		if e.Error() != e.Message {
			t.Errorf("Error() = %q; want the Message %q", e.Error(), e.Message)
		}
		if want := strings.Index(src, at); e.Offset != want {
			t.Errorf("Parse(%s): %q at offset %d; want %d (%q)", src, e.Reason, e.Offset, want, at)
		}
	}
	f(`{"a": "x"}`, `"x"`)
	f(`{"a": [], "b": ["y"]}`, `]`)
	f(`{"a": [{"prefix": 5}]}`, `5`)
	f(`{"a": ["x"] "b"}`, `"b"`)
	f(`{"a": [{"wildcard": "a**"}]}`, `"a**"`)
	f(`{"a": ["\q"]}`, `\q`)
}

func TestParseFilterPolicyScope(t *testing.T) {
	nested := []byte(`{"a": {"b": ["c"]}}`)
	for _, scope := range []string{"", "MessageAttributes"} {
		if _, err := ParseFilterPolicy(nested, scope); err == nil || !strings.Contains(err.Error(), "does not support nested") {
			t.Errorf("scope %q: %v; want the nesting refused", scope, err)
		}
	}
	p, err := ParseFilterPolicy(nested, "MessageBody")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Matches([]byte(`{"a": {"b": "c"}}`)); !ok || err != nil {
		t.Errorf("Matches = %v, %v; want true", ok, err)
	}
}

// TestParseCost checks that costly wildcards are refused quickly.
func TestParseCost(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"a": [`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"wildcard": "*`)
		for j := range 10 {
			b.WriteByte(byte('a' + (i+j)%26))
		}
		b.WriteString(`*"}`)
	}
	b.WriteString(`]}`)
	if _, err := Parse([]byte(b.String())); err == nil || !strings.Contains(err.Error(), "too complex") {
		t.Errorf("200 wildcards: %v; want too complex", err)
	}
	many := `{"a": [{"wildcard": "` + strings.Repeat("ab*", 1000) + `"}]}`
	if _, err := Parse([]byte(many)); err == nil || !strings.Contains(err.Error(), "too complex") {
		t.Errorf("1000 wildcards: %v; want too complex", err)
	}
}
