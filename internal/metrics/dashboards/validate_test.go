package dashboards

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

// TestValidateCorpus validates the bodies of testdata/bodies: valid-*
// are accepted with the warnings of their .messages.json golden, and
// invalid-* refused with InvalidInput, the message and validation
// messages of their .error.txt golden.
func TestValidateCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/bodies/*.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasSuffix(name, ".messages.json") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			stem := strings.TrimSuffix(name, ".json")
			warns, err := Validate(string(body))
			switch {
			case strings.HasPrefix(name, "valid-"):
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				got, _ := json.MarshalIndent(warns, "", "  ")
				golden.Check(t, "bodies/"+stem+".messages.json", append(got, '\n'))
			case strings.HasPrefix(name, "invalid-"):
				var e *Error
				if !errors.As(err, &e) || e.Code != InvalidInput {
					t.Fatalf("Validate = %v, %v; want InvalidInput", warns, err)
				}
				got := e.Message + "\n"
				for _, m := range e.Messages {
					got += m.DataPath + ": " + m.Message + "\n"
				}
				golden.Check(t, "bodies/"+stem+".error.txt", []byte(got))
			default:
				t.Fatalf("%s is neither valid-* nor invalid-*", name)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d bodies in testdata/bodies", n)
	}
}

// FuzzValidate feeds untrusted bytes to Validate: it never panics, and
// what it accepts is a JSON object, what it refuses an *Error.
func FuzzValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/bodies/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := Validate(body)
		if err == nil {
			var top map[string]json.RawMessage
			if json.Unmarshal([]byte(body), &top) != nil || top == nil {
				t.Fatalf("accepted %q, which is no JSON object", body)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != InvalidInput {
			t.Fatalf("Validate(%q) = %v, want an InvalidInput *Error", body, err)
		}
	})
}
