package eventinput

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// The corpus: testdata/*.txtar, one target and one event a file, whose
// name says the outcome:
//
//	# What the case shows, and where AWS's behaviour comes from.
//	-- target.json --   the Target of PutTargets: Id, Input, InputPath,
//	                    InputTransformer
//	-- event.json --    the event; testdata/event.json, the guide's EC2
//	                    event, when absent
//	-- want --          ok-*: what the target receives
//	-- error --         invalid-*: the message PutTargets refuses it with
//
// An undeliverable-* file has neither want nor error: Apply fails with
// ErrUndeliverable. Each section, and testdata/event.json, ends with a
// newline that is not part of it.

// corpusContext is the rule every case's event is matched by, that of the
// guide's examples.
var corpusContext = Context{
	RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
	RuleName:      "example",
	IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC),
}

// corpusTarget is a Target as PutTargets takes it, its input fields only.
type corpusTarget struct {
	ID               string `json:"Id"`
	Input            *string
	InputPath        *string
	InputTransformer *struct {
		InputPathsMap map[string]string
		InputTemplate string
	}
}

// config returns the target's input configuration.
func (t *corpusTarget) config() Config {
	c := Config{Input: t.Input, InputPath: t.InputPath}
	if it := t.InputTransformer; it != nil {
		c.Transformer = &Transformer{PathsMap: it.InputPathsMap, Template: it.InputTemplate}
	}
	return c
}

type corpusCase struct {
	name       string
	target     corpusTarget
	event      []byte
	want, err  string
	hasWant    bool
	hasErr     bool
	isJSONTmpl bool
}

// section returns a section's text without its final newline.
func section(data []byte) []byte { return bytes.TrimSuffix(data, []byte("\n")) }

func readCorpus(t testing.TB) []*corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	defaultEvent, err := os.ReadFile("testdata/event.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []*corpusCase
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c := &corpusCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), event: section(defaultEvent)}
		for _, s := range txtar.Parse(data).Files {
			switch s.Name {
			case "target.json":
				if err := json.Unmarshal(s.Data, &c.target); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
			case "event.json":
				c.event = section(s.Data)
			case "want":
				c.want, c.hasWant = string(section(s.Data)), true
			case "error":
				c.err, c.hasErr = string(section(s.Data)), true
			default:
				t.Fatalf("%s: unknown section %q", path, s.Name)
			}
		}
		if it := c.target.InputTransformer; it != nil {
			c.isJSONTmpl = isJSONTemplate(it.InputTemplate)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestCorpus compiles every target of testdata and applies it to its
// event.
func TestCorpus(t *testing.T) {
	cases := readCorpus(t)
	if len(cases) < 100 {
		t.Errorf("the corpus has %d cases; it has shrunk", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outcome, _, _ := strings.Cut(c.name, "-")
			if (outcome == "ok") != c.hasWant || (outcome == "invalid") != c.hasErr {
				t.Fatalf("an %s-* case has want %v and error %v", outcome, c.hasWant, c.hasErr)
			}
			in, err := Compile(c.target.ID, c.target.config())
			if outcome == "invalid" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Compile error %v (%T); want an *Error", err, err)
				}
				if e.Message != c.err {
					t.Fatalf("message\n%s\nwant\n%s", e.Message, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := in.Apply(c.event, corpusContext)
			switch outcome {
			case "ok":
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if string(got) != c.want {
					t.Fatalf("got\n%s\nwant\n%s", got, c.want)
				}
				if c.isJSONTmpl && !json.Valid(got) {
					t.Fatalf("a JSON template gave %s", got)
				}
			case "undeliverable":
				if !errors.Is(err, ErrUndeliverable) {
					t.Fatalf("Apply = %s, %v; want ErrUndeliverable", got, err)
				}
			default:
				t.Fatalf("the name starts with neither ok-, invalid- nor undeliverable-")
			}
		})
	}
}
