package schemaregistry

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The decoders of untrusted bytes: the fingerprint of an event's detail
// (every PutEvents on a bus with a discoverer), the inference of
// GetDiscoveredSchema and of the discovery job, and the validation (and
// export) of a schema's content.

// FuzzFingerprint: the fingerprint never panics; it takes every JSON
// object no deeper than discovery infers, and whitespace does not change
// it.
func FuzzFingerprint(f *testing.F) {
	for _, events := range corpus(f) {
		for _, e := range events {
			var env envelope
			if json.Unmarshal([]byte(e), &env) == nil {
				f.Add([]byte(env.Detail))
			}
		}
	}
	f.Add([]byte(`{"a":[1,{"b":"2024-01-02T03:04:05Z"},null,true,-1.5e3]}`))
	f.Fuzz(func(t *testing.T, detail []byte) {
		fp, ok := fingerprint("s", "d", 0, detail)
		v, err := decode(detail)
		if _, object := v.(map[string]any); err != nil || !object {
			return
		}
		if _, err := shapeOf(v, 1); err != nil {
			return // too deep
		}
		if !ok {
			t.Fatalf("no fingerprint of the JSON object %q", detail)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, detail); err != nil {
			t.Fatal(err)
		}
		if again, _ := fingerprint("s", "d", 0, compact.Bytes()); again != fp {
			t.Fatalf("%q and %q have different fingerprints", detail, compact.Bytes())
		}
	})
}

// FuzzDiscoverSchema: inference never panics, and what it writes is
// valid OpenAPI that reads back to itself and exports to valid JSON
// Schema Draft 4.
func FuzzDiscoverSchema(f *testing.F) {
	for _, events := range corpus(f) {
		for _, e := range events {
			f.Add(e)
		}
	}
	f.Fuzz(func(t *testing.T, event string) {
		content, err := DiscoverSchema([]string{event}, TypeOpenAPI3)
		if err != nil {
			return
		}
		if err := validateContent(TypeOpenAPI3, content); err != nil {
			t.Fatalf("invalid discovered schema %s: %v", content, err)
		}
		d, err := parseDiscovered(content)
		if err != nil {
			t.Fatalf("reading back %s: %v", content, err)
		}
		if again := d.openAPI(); again != content {
			t.Fatalf("read back as\n%s\nfrom\n%s", again, content)
		}
		exported, err := exportDraft4(content)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateContent(TypeJSONSchemaDraft4, exported); err != nil {
			t.Fatalf("invalid export %s: %v", exported, err)
		}
	})
}

// FuzzValidateContent: validation and export never panic.
func FuzzValidateContent(f *testing.F) {
	files, _ := filepath.Glob("testdata/content/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(true, string(b))
		f.Add(false, string(b))
	}
	f.Fuzz(func(t *testing.T, openAPI bool, content string) {
		typ := TypeJSONSchemaDraft4
		if openAPI {
			typ = TypeOpenAPI3
		}
		if validateContent(typ, content) == nil && openAPI {
			_, _ = exportDraft4(content)
		}
	})
}
