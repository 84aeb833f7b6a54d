package policy

import (
	"testing"
)

func TestParseTemplate(t *testing.T) {
	f := func(s string, wildcards bool, want ...part) {
		t.Helper()
		got, ok := parseTemplate(s, wildcards)
		if !ok && want == nil {
			return
		}
		if ok != (want != nil) || len(got.parts) != len(want) {
			t.Fatalf("parseTemplate(%q) = %+v, %v; want %+v", s, got.parts, ok, want)
		}
		vars := 0
		for i := range want {
			if got.parts[i] != want[i] {
				t.Errorf("parseTemplate(%q) part %d = %+v, want %+v", s, i, got.parts[i], want[i])
			}
			if want[i].kind == partVar {
				vars++
			}
		}
		if got.vars != vars {
			t.Errorf("parseTemplate(%q) has %d variables, want %d", s, got.vars, vars)
		}
	}
	text := func(s string) part { return part{kind: partText, text: s} }
	variable := func(key string) part { return part{kind: partVar, text: key} }
	star, one := part{kind: partStar}, part{kind: partOne}
	f("arn:aws:s3:::b/*", true)    // no variable
	f("${aws:username", true)      // not closed
	f("a${}b", true)               // empty
	f("${aws:user name}", true)    // a space
	f("${aws:x, 'unclosed}", true) // a default without its quote
	f("${aws:x, 'd'e'}", true)     // a quote in the default
	f("home/${aws:username}/*", true, text("home/"), variable("aws:username"), text("/"), star)
	f("home/${aws:username}/*", false, text("home/"), variable("aws:username"), text("/*"))
	f("a?${*}${?}${$}b", true, text("a"), one, text("*?$b"))
	f("${aws:PrincipalTag/team, 'company-wide'}-x", true,
		part{kind: partVar, text: "aws:PrincipalTag/team", def: "company-wide", hasDef: true}, text("-x"))
	f("${aws:x, ''}", false, part{kind: partVar, text: "aws:x", hasDef: true})
	f("$${${a:b}", false, text("$${"), variable("a:b"))
}

func TestTemplateMatch(t *testing.T) {
	r := &Request{Principal: Principal{Account: "1", ARN: "arn:aws:iam::1:user/alice", Tags: map[string]string{"team": "red"}},
		Context: map[string][]string{"custom:two": {"a", "b"}, "custom:star": {"*"}, "custom:empty": {},
			"aws:SourceIp": {"203.0.113.7"}, "aws:CurrentTime": {"2025-01-02T03:04:05Z"}}}
	var e evaluation
	e.init(r)
	f := func(pattern, s string, wildcards, want bool) {
		t.Helper()
		tm, ok := parseTemplate(pattern, wildcards)
		if !ok {
			t.Fatalf("%q holds no variable", pattern)
		}
		var got bool
		if wildcards {
			got = tm.match(&e, s)
		} else {
			got = tm.equal(&e, s, false)
		}
		if got != want {
			t.Errorf("%q ~ %q = %v, want %v", pattern, s, got, want)
		}
	}
	f("home/${aws:username}/*", "home/alice/a/b", true, true)
	f("home/${aws:username}/*", "home/alice", true, false)
	f("home/${aws:username}/*", "home/bob/x", true, false)
	f("*${aws:username}*", "xxalicexx", true, true)
	f("*${aws:username}?", "alicealice!", true, true)
	f("*/${aws:username}", "a/alice/alice", true, true)
	f("*/${aws:username}", "a/alicex", true, false)
	f("*/${aws:username}", "a/b/alice", true, true)
	f("${custom:star}", "x", true, false) // a value is text, not a wildcard
	f("${custom:star}", "*", true, true)
	f("${custom:two}", "a", true, false)    // multivalued: no value
	f("${custom:empty}", "", true, false)   // no value
	f("${custom:absent}", "", false, false) // absent
	f("${custom:absent, 'dflt'}", "dflt", false, true)
	f("b-${aws:PrincipalTag/TEAM}", "b-red", false, true)
	f("b-${aws:PrincipalTag/team}", "b-red!", false, false)
	f("${aws:username}${aws:username}", "alicealice", false, true)
	f("${aws:principaltype}:${AWS:UserName}", "User:alice", false, true)
	f("ip-${aws:sourceip}", "ip-203.0.113.7", false, true)
	f("${aws:CurrentTime}", "2025-01-02T03:04:05Z", false, true)

	tm, _ := parseTemplate("arn:aws:s3:::b/${aws:username}/?*", true)
	if got, ok := tm.expand(&e); !ok || got != "arn:aws:s3:::b/alice/?*" {
		t.Errorf("expand = %q, %v", got, ok)
	}
	tm, _ = parseTemplate("${aws:PrincipalTag/absent}", true)
	if _, ok := tm.expand(&e); ok {
		t.Error("expand without a value succeeded")
	}
	many, _ := parseTemplate("${a:1, 'x'}${a:2, 'x'}${a:3, 'x'}${a:4, 'x'}${a:5, 'x'}${a:6, 'x'}${a:7, 'x'}${a:8, 'x'}${a:9, 'y'}", false)
	if !many.equal(&e, "xxxxxxxxy", false) {
		t.Error("a template of nine variables does not match")
	}
	fold, _ := parseTemplate("HOME/${aws:username}", false)
	if !fold.equal(&e, "home/ALICE", true) || fold.equal(&e, "home/ALICE", false) {
		t.Error("equal does not fold case as asked")
	}
}
