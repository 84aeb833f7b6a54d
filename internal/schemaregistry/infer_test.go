package schemaregistry

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

// The inference corpus: testdata/infer/NAME.events.json holds a list of
// events; NAME.openapi.json is the schema discovered from them and
// NAME.jsonschema.json its export (both golden: -update rewrites them),
// or NAME.error.txt the message GetDiscoveredSchema refuses them with.
// aws-users-created pins output AWS served, byte for byte.

// corpus returns the events of each case of the corpus, by name.
func corpus(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("testdata/infer/*.events.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := map[string][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		events := make([]string, len(raw))
		for i, r := range raw {
			events[i] = string(r)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".events.json")] = events
	}
	return out
}

func TestInferCorpus(t *testing.T) {
	for name, events := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata/infer", name+".error.txt"))
			if err == nil {
				_, err := DiscoverSchema(events, TypeOpenAPI3)
				if err == nil || err.Error() != strings.TrimSpace(string(want)) {
					t.Fatalf("DiscoverSchema = %v; want the error %s", err, want)
				}
				return
			}
			got, err := DiscoverSchema(events, TypeOpenAPI3)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "infer/"+name+".openapi.json", []byte(got+"\n"))
			if err := validateContent(TypeOpenAPI3, got); err != nil {
				t.Errorf("the discovered schema is not valid OpenAPI: %v", err)
			}
			exported, err := DiscoverSchema(events, TypeJSONSchemaDraft4)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "infer/"+name+".jsonschema.json", []byte(exported+"\n"))
			if err := validateContent(TypeJSONSchemaDraft4, exported); err != nil {
				t.Errorf("the export is not valid JSON Schema Draft 4: %v", err)
			}
			checkIncremental(t, events, got)
		})
	}
}

// checkIncremental checks that discovering events one at a time, each
// merged into the schema read back from its text (as the discovery job
// does), ends where discovering them at once does.
func checkIncremental(t *testing.T, events []string, want string) {
	t.Helper()
	content := ""
	for i, e := range events {
		x, err := sampleOf([]byte(e))
		if err != nil {
			t.Fatal(err)
		}
		d := discover([]*sample{x})
		if i > 0 {
			if d, err = parseDiscovered(content); err != nil {
				t.Fatalf("reading back %s: %v", content, err)
			}
			d.add(x)
		}
		content = d.openAPI()
	}
	if content != want {
		t.Errorf("one event at a time:\n%s\nall at once:\n%s", content, want)
	}
}

func TestSchemaNames(t *testing.T) {
	for _, c := range []struct{ source, detailType, want string }{
		{"aws.ec2", "EC2 Instance State-change Notification", "aws.ec2@EC2InstanceStateChangeNotification"},
		{"users", "userCreated", "users@UserCreated"},
		{"aws.logs", "AWS API Call via CloudTrail", "aws.logs@AWSAPICallViaCloudTrail"},
		{"com.example/orders", "order.placed", "com.exampleorders@OrderPlaced"},
		{"app", "¡¿!", "app@Event"},
		{"a@b", "x", "ab@X"},
	} {
		if got := schemaName(c.source, c.detailType); got != c.want {
			t.Errorf("schemaName(%q, %q) = %q; want %q", c.source, c.detailType, got, c.want)
		}
	}
}

func TestDateTimes(t *testing.T) {
	for s, want := range map[string]bool{
		"2024-05-06T07:08:09Z": true, "2024-05-06t07:08:09z": true, "2024-05-06T07:08:09.123456789Z": true,
		"2024-05-06T07:08:09+02:00": true, "2024-05-06T07:08:09.1-05:30": true,
		"2024-05-06": false, "2024-05-06T07:08:09": false, "2024-05-06 07:08:09Z": false, "2024-05-06T07:08:09.Z": false,
		"2024-05-06T07:08:09+0200": false, "2024-05-06T07:08:09.000+0000": false, "x024-05-06T07:08:09Z": false,
	} {
		if got := isDateTime(s); got != want {
			t.Errorf("isDateTime(%q) = %v; want %v", s, got, want)
		}
	}
}

// TestTooDeep: events nested deeper than discovery infers are refused by
// GetDiscoveredSchema and not fingerprinted.
func TestTooDeep(t *testing.T) {
	nested := func(levels int) string {
		return strings.Repeat(`{"a":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1)
	}
	event := func(detail string) string { return `{"source":"s","detail-type":"d","detail":` + detail + `}` }
	if _, err := DiscoverSchema([]string{event(nested(maxDepth))}, TypeOpenAPI3); err != nil {
		t.Errorf("%d levels: %v", maxDepth, err)
	}
	if _, ok := fingerprint("s", "d", 0, []byte(nested(maxDepth))); !ok {
		t.Errorf("no fingerprint of %d levels", maxDepth)
	}
	_, err := DiscoverSchema([]string{event(nested(maxDepth + 1))}, TypeOpenAPI3)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "255 levels") {
		t.Errorf("%d levels: %v", maxDepth+1, err)
	}
	if _, ok := fingerprint("s", "d", 0, []byte(nested(maxDepth+1))); ok {
		t.Errorf("a fingerprint of %d levels", maxDepth+1)
	}
}

// TestFingerprints: events of one shape share a fingerprint, whatever
// their values and the order of their members; any difference inference
// could see gives another.
func TestFingerprints(t *testing.T) {
	fp := func(source, detailType string, resources int, detail string) uint64 {
		t.Helper()
		h, ok := fingerprint(source, detailType, resources, []byte(detail))
		if !ok {
			t.Fatalf("no fingerprint of %s", detail)
		}
		return h
	}
	base := fp("s", "d", 1, `{"a":1,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`)
	same := []string{
		` { "b" : { "d" : [ false , true ] , "c" : "yy" } , "a" : 42 , "e" : [ { "f" : 7 } ] } `,
		`{"a":-3,"b":{"c":"\"","d":[true]},"e":[{"f":0}]}`,
	}
	for _, d := range same {
		if got := fp("s", "d", 3, d); got != base {
			t.Errorf("%s: another fingerprint", d)
		}
	}
	differ := map[string][4]string{
		"another source":          {"t", "d", "1", `{"a":1,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`},
		"another detail type":     {"s", "e", "1", `{"a":1,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`},
		"no resources":            {"s", "d", "0", `{"a":1,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`},
		"a number":                {"s", "d", "1", `{"a":1.5,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`},
		"a date-time":             {"s", "d", "1", `{"a":1,"b":{"c":"2024-01-02T03:04:05Z","d":[true]},"e":[{"f":1},{"f":2}]}`},
		"a property less":         {"s", "d", "1", `{"a":1,"b":{"d":[true]},"e":[{"f":1},{"f":2}]}`},
		"an optional item member": {"s", "d", "1", `{"a":1,"b":{"c":"x","d":[true]},"e":[{"f":1},{}]}`},
		"an empty array":          {"s", "d", "1", `{"a":1,"b":{"c":"x","d":[]},"e":[{"f":1},{"f":2}]}`},
		"a null":                  {"s", "d", "1", `{"a":null,"b":{"c":"x","d":[true]},"e":[{"f":1},{"f":2}]}`},
	}
	for name, c := range differ {
		if got := fp(c[0], c[1], int(c[2][0]-'0'), c[3]); got == base {
			t.Errorf("%s: the same fingerprint", name)
		}
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{`, `{"a"}`, `{"a":1,}`, `{"a":[1,]}`, `{"a":1} x`, `{"a":tru}`, `{"a":"x}`} {
		if _, ok := fingerprint("s", "d", 0, []byte(bad)); ok {
			t.Errorf("a fingerprint of %q", bad)
		}
	}
}
