package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCase is one file of testdata: a policy, a request and, for an
// invalid policy, the error Parse must answer. The file's name says the
// outcome: allow-*, deny-* (an explicit deny), implicit-* (an implicit
// deny) or invalid-*.
type corpusCase struct {
	// Policy is the document as JSON, or a JSON string holding its text
	// when the text is not a JSON object.
	Policy  json.RawMessage `json:"policy"`
	Request *corpusRequest  `json:"request"`
	Error   string          `json:"error"`
	// Source says where the case comes from.
	Source string `json:"source"`
}

// corpusRequest is the request of a corpus case.
type corpusRequest struct {
	Principal struct {
		Account, ARN, Service, UserID string
		Tags                          map[string]string
	} `json:"principal"`
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context"`
}

func (c *corpusRequest) request() *Request {
	p := c.Principal
	return &Request{Principal: Principal{Account: p.Account, ARN: p.ARN, Service: p.Service, UserID: p.UserID, Tags: p.Tags},
		Action: c.Action, Resource: c.Resource, Context: c.Context}
}

// document returns the policy's text.
func (c *corpusCase) document(t testing.TB) []byte {
	t.Helper()
	if len(c.Policy) > 0 && c.Policy[0] == '"' {
		var s string
		if err := json.Unmarshal(c.Policy, &s); err != nil {
			t.Fatal(err)
		}
		return []byte(s)
	}
	return c.Policy
}

func readCorpus(t testing.TB) map[string]*corpusCase {
	t.Helper()
	cases := readCases[corpusCase](t, "testdata/*.json")
	if len(cases) < 120 {
		t.Errorf("the corpus has %d cases; it has shrunk", len(cases))
	}
	return cases
}

// readCases reads the JSON files a pattern names, by name without
// extension.
func readCases[T any](t testing.TB, pattern string) map[string]*T {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus %s: %v", pattern, err)
	}
	cases := map[string]*T{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c := new(T)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases[strings.TrimSuffix(filepath.Base(path), ".json")] = c
	}
	return cases
}

var outcomes = map[string]Decision{"allow": Allow, "deny": ExplicitDeny, "implicit": ImplicitDeny}

// TestCorpus parses every policy of testdata and evaluates its request.
func TestCorpus(t *testing.T) {
	cases := readCorpus(t)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			outcome, _, _ := strings.Cut(name, "-")
			p, err := Parse(c.document(t))
			if outcome == "invalid" {
				var e *Error
				switch {
				case !errors.As(err, &e):
					t.Fatalf("err = %v; want an *Error", err)
				case e.Error() != c.Error:
					t.Fatalf("error\n%s\nwant\n%s", e.Error(), c.Error)
				}
				return
			}
			want, ok := outcomes[outcome]
			if !ok || c.Request == nil {
				t.Fatalf("the name starts with neither allow-, deny-, implicit- nor invalid-, or the case has no request")
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := p.Evaluate(c.Request.request())
			if got != want {
				t.Errorf("Evaluate = %v, want %v (%s)", got, want, c.Source)
			}
		})
	}
}
