package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// identityCase is one file of testdata/identity: a policy attached to
// its principal, of a kind ("managed" when it names none), and a request
// or, for an invalid policy, the message AWS answers. The file's name
// says the outcome, as in testdata.
type identityCase struct {
	corpusCase
	Kind string `json:"kind"`
}

var kinds = map[string]Kind{"": KindManaged, "managed": KindManaged, "inline": KindInline, "session": KindSession, "scp": KindSCP}

// TestIdentityCorpus parses every policy of testdata/identity and
// evaluates its request, alone and as a Set.
func TestIdentityCorpus(t *testing.T) {
	cases := readCases[identityCase](t, "testdata/identity/*.json")
	if len(cases) < 100 {
		t.Errorf("the corpus has %d cases; it has shrunk", len(cases))
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			kind, ok := kinds[c.Kind]
			if !ok {
				t.Fatalf("unknown kind %q", c.Kind)
			}
			outcome, _, _ := strings.Cut(name, "-")
			p, err := ParseIdentity(c.document(t), kind)
			if outcome == "invalid" {
				var e *Error
				switch {
				case !errors.As(err, &e):
					t.Fatalf("err = %v; want an *Error", err)
				case e.Statement != -1 || e.Error() != c.Error:
					t.Fatalf("error %+v\n%s\nwant\n%s", e, e.Error(), c.Error)
				}
				return
			}
			want, ok := outcomes[outcome]
			if !ok || c.Request == nil {
				t.Fatalf("the name starts with neither allow-, deny-, implicit- nor invalid-, or the case has no request")
			}
			if err != nil {
				t.Fatalf("ParseIdentity: %v", err)
			}
			r := c.Request.request()
			if got := p.Evaluate(r); got != want {
				t.Errorf("Evaluate = %v, want %v (%s)", got, want, c.Source)
			}
			if got := NewSet(p).Evaluate(r); got != want {
				t.Errorf("Set.Evaluate = %v, want %v (%s)", got, want, c.Source)
			}
		})
	}
}

// TestParseIdentityKinds: what each kind takes of the Version and
// Principal elements.
func TestParseIdentityKinds(t *testing.T) {
	f := func(kind Kind, doc, want string) {
		t.Helper()
		_, err := ParseIdentity([]byte(doc), kind)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ParseIdentity(%s, kind %d) = %q, want %q", doc, kind, got, want)
		}
	}
	const statement = `"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
	for _, kind := range []Kind{KindInline, KindSession} {
		f(kind, `{`+statement+`}`, "")
		f(kind, `{"Version":"2008-10-17",`+statement+`}`, "")
		f(kind, `{"Version":"2012-10-17",`+statement+`}`, "")
	}
	f(KindManaged, `{`+statement+`}`, msgVersion)
	f(KindManaged, `{"Version":"2008-10-17",`+statement+`}`, msgVersion)
	f(KindSCP, `{"Version":"2008-10-17",`+statement+`}`, scpMalformed)
	f(KindSCP, `{"Version":"2012-10-17",`+statement+`}`, "")
	f(KindInline, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, msgPrincipal)
}

// TestParseIdentityFields: the parsed policy keeps what the document
// says.
func TestParseIdentityFields(t *testing.T) {
	p, err := ParseIdentity([]byte(`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotAction":"s3:*","NotResource":["arn:aws:s3:::b",null]}]}`), KindManaged)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Statements[0]
	if p.Version != Version2012 || p.ID != "x" || s.Sid != "A" || s.Effect != EffectDeny || !s.NotAction || !s.NotResource ||
		len(s.Actions) != 1 || len(s.Resources) != 1 || s.Resources[0] != "arn:aws:s3:::b" {
		t.Errorf("ParseIdentity = %+v, statement %+v", p, s)
	}
}

func TestSize(t *testing.T) {
	f := func(doc string, want int) {
		t.Helper()
		if got := Size([]byte(doc)); got != want {
			t.Errorf("Size(%q) = %d, want %d", doc, got, want)
		}
	}
	f(``, 0)
	f(`{ "a" : "b c" }`, 10)
	f("{\n\t\"Version\": \"2012-10-17\"\r\n}", 24)
	f(`{"é":"中"}`, 9) // characters, not bytes
	f("\u00a0{}\u2003", 2)
	// A managed policy of the quota's size, white space aside, fits.
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
		strings.Repeat("b", MaxManagedPolicySize-106) + `"}}`
	if got := Size([]byte(strings.ReplaceAll(doc, ",", ",\n  "))); got != MaxManagedPolicySize {
		t.Errorf("Size = %d, want %d", got, MaxManagedPolicySize)
	}
	if MaxUserInlineSize >= MaxGroupInlineSize || MaxGroupInlineSize >= MaxRoleInlineSize {
		t.Error("the inline quotas are out of order")
	}
}

// authorizeCase is one file of testdata/authorize: the policies that
// govern a request, the request, and how Authorize decides it: its
// outcome (the file's name says it), the type of policy that decides
// and, for a deny, AWS's message.
type authorizeCase struct {
	Source          string              `json:"source"`
	Identity        []json.RawMessage   `json:"identity"`
	Boundary        []json.RawMessage   `json:"boundary"`
	Session         []json.RawMessage   `json:"session"`
	SCPs            [][]json.RawMessage `json:"scps"`
	Resource        json.RawMessage     `json:"resource"`
	ResourceAccount string              `json:"resourceAccount"`
	Request         *corpusRequest      `json:"request"`
	By              string              `json:"by"`
	Message         string              `json:"message"`
}

// policies parses the case's policies.
func (c *authorizeCase) policies(t testing.TB) *Policies {
	t.Helper()
	set := func(docs []json.RawMessage, kind Kind) *Set {
		if docs == nil {
			return nil
		}
		var ps []*Policy
		for _, d := range docs {
			p, err := ParseIdentity(d, kind)
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			ps = append(ps, p)
		}
		return NewSet(ps...)
	}
	ps := &Policies{Identity: set(c.Identity, KindInline), Boundary: set(c.Boundary, KindManaged), Session: set(c.Session, KindSession),
		ResourceAccount: c.ResourceAccount}
	for _, level := range c.SCPs {
		ps.SCPs = append(ps.SCPs, set(level, KindSCP))
	}
	if c.Resource != nil {
		p, err := Parse(c.Resource)
		if err != nil {
			t.Fatalf("resource policy: %v", err)
		}
		ps.Resource = p
	}
	return ps
}

// TestAuthorizeCorpus decides the request of every case of
// testdata/authorize.
func TestAuthorizeCorpus(t *testing.T) {
	cases := readCases[authorizeCase](t, "testdata/authorize/*.json")
	if len(cases) < 30 {
		t.Errorf("the corpus has %d cases; it has shrunk", len(cases))
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			outcome, _, _ := strings.Cut(name, "-")
			want, ok := outcomes[outcome]
			if !ok || c.Request == nil {
				t.Fatalf("the name starts with neither allow-, deny- nor implicit-, or the case has no request")
			}
			r := c.Request.request()
			res := Authorize(r, c.policies(t))
			if res.Decision != want || res.By.String() != c.By {
				t.Errorf("Authorize = %v by %v, want %v by %s (%s)", res.Decision, res.By, want, c.By, c.Source)
			}
			if got := res.Message(r); got != c.Message {
				t.Errorf("Message =\n%s\nwant\n%s", got, c.Message)
			}
		})
	}
}

// TestIAMPathMessage: the message lists the paths IAM takes.
func TestIAMPathMessage(t *testing.T) {
	if !strings.Contains(msgIAMPath, " start with "+strings.Join(iamPaths, ", ")+".") {
		t.Errorf("%q does not list %q", msgIAMPath, iamPaths)
	}
}
