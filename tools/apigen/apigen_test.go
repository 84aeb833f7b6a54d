package main

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates every API package and compares it
// with the committed files: generated code is changed through the
// generator, never by hand.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	dir, version, err := locateBotocore("")
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_CLIENTS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	for _, svc := range services {
		t.Run(svc.Pkg, func(t *testing.T) {
			committed, err := os.ReadFile(filepath.Join("..", "..", "internal", "api", svc.Pkg, "zz_api.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(committed, []byte("botocore "+version+" ")) {
				t.Skipf("committed code was generated from another botocore than the installed %s", version)
			}
			path := filepath.Join(dir, "data", svc.Dir, "service-2.json.gz")
			m, err := loadModel(path)
			if err != nil {
				t.Fatal(err)
			}
			files, err := newGenerator(svc, m, "botocore "+version+" data/"+svc.Dir+"/service-2.json").generate()
			if err != nil {
				t.Fatal(err)
			}
			for name, src := range files {
				want, err := format.Source(src)
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(filepath.Join("..", "..", "internal", "api", svc.Pkg, name))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("internal/api/%s/%s is not what the generator writes: run go run ./tools/apigen", svc.Pkg, name)
				}
			}
		})
	}
}

func TestDocSentence(t *testing.T) {
	got := docSentence(`<p>Creates a log group. You can create up to <code>1,000,000</code> groups.</p>`)
	if got != "Creates a log group." {
		t.Errorf("docSentence = %q", got)
	}
	if got := exportName("__listOfString"); got != "ListOfString" {
		t.Errorf("exportName = %q", got)
	}
	if got := exportName("p99.9-x"); !strings.HasPrefix(got, "P99") {
		t.Errorf("exportName = %q", got)
	}
}
