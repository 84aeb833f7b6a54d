package schemaregistry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

// The content corpus: testdata/content/{valid,invalid}-{openapi,draft4}-NAME.json
// is content of type OpenApi3 or JSONSchemaDraft4 that CreateSchema
// takes, or refuses with the message of NAME.error.txt beside it.
func TestContentCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/content/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			typ := TypeOpenAPI3
			if strings.Contains(name, "-draft4-") {
				typ = TypeJSONSchemaDraft4
			}
			err = validateContent(typ, string(b))
			if strings.HasPrefix(name, "valid-") {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			want, rerr := os.ReadFile(strings.TrimSuffix(f, ".json") + ".error.txt")
			if rerr != nil {
				t.Fatal(rerr)
			}
			if err == nil || err.Error() != strings.TrimSpace(string(want)) {
				t.Fatalf("validateContent = %v; want %s", err, want)
			}
		})
	}
}

// TestExport pins the export of an OpenAPI schema written by hand: its
// event component the root, the others definitions, nullable a null
// type, OpenAPI's own keywords gone.
func TestExport(t *testing.T) {
	b, err := os.ReadFile("testdata/content/valid-openapi-order.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := exportDraft4(string(b))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "export/order.jsonschema.json", []byte(got+"\n"))
	if err := validateContent(TypeJSONSchemaDraft4, got); err != nil {
		t.Error(err)
	}
	if _, err := exportDraft4(`{"openapi":"3.0.0","components":{"schemas":{"A":{},"B":{}}}}`); err == nil {
		t.Error("exported a schema with no event component and two components")
	}
}
