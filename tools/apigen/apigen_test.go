package main

import (
	"bytes"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGeneratedCodeIsCurrent regenerates every API package from the
// committed models and compares it with the committed files: generated
// code is changed through the generator, never by hand.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	version, err := modelsVersion("models")
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range services {
		t.Run(svc.Pkg, func(t *testing.T) {
			g, err := load("models", version, svc)
			if err != nil {
				t.Fatal(err)
			}
			files, err := g.generate()
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("..", "..", "internal", "api", svc.Pkg)
			for name, src := range files {
				want, err := format.Source(src)
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("internal/api/%s/%s is not what the generator writes: run go run ./tools/apigen", svc.Pkg, name)
				}
			}
			// A file the generator no longer writes would be compiled
			// still.
			committed, err := filepath.Glob(filepath.Join(dir, "zz_*.go"))
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range committed {
				if _, ok := files[filepath.Base(path)]; !ok {
					t.Errorf("internal/api/%s/%s is not written by the generator: delete it", svc.Pkg, filepath.Base(path))
				}
			}
		})
	}
}

// TestModelsAreTheTable: every committed model is one the services table
// names.
func TestModelsAreTheTable(t *testing.T) {
	var want, got []string
	for _, svc := range services {
		want = append(want, filepath.Join("models", filepath.FromSlash(svc.Dir), modelFile))
	}
	err := filepath.WalkDir("models", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path != filepath.Join("models", "VERSION") {
			got = append(got, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("files under models = %q; want %q", got, want)
	}
}

// TestRefreshModels refreshes models from a fake botocore package: it
// copies the table's models, reads plain and gzipped JSON, records the
// version, removes stale models, and changes nothing the second time.
func TestRefreshModels(t *testing.T) {
	botocore, models := t.TempDir(), t.TempDir()
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(botocore, "__init__.py"), []byte("import os\n__version__ = '9.8.7'\n"))
	for i, svc := range services {
		dir := filepath.Join(botocore, "data", filepath.FromSlash(svc.Dir))
		json := []byte(`{"metadata":{"serviceId":"` + svc.Pkg + `"}}`)
		if i%2 == 0 {
			write(filepath.Join(dir, "service-2.json"), json)
		} else if err := writeGzip(filepath.Join(dir, "service-2.json.gz"), json); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(models, "logs", "2001-01-01", modelFile)
	write(stale, nil)

	if err := refreshModels(botocore, models); err != nil {
		t.Fatal(err)
	}
	if v, err := modelsVersion(models); err != nil || v != "9.8.7" {
		t.Errorf("modelsVersion = %q, %v; want 9.8.7", v, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale model %s was not removed: %v", stale, err)
	}
	mtimes := map[string]int64{}
	for _, svc := range services {
		path := filepath.Join(models, filepath.FromSlash(svc.Dir), modelFile)
		m, err := loadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		if m.Metadata.ServiceID != svc.Pkg {
			t.Errorf("%s: serviceId = %q; want %q", path, m.Metadata.ServiceID, svc.Pkg)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		// Make a rewrite visible in the modification time.
		old := fi.ModTime().Add(-time.Hour)
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
		mtimes[path] = old.UnixNano()
	}
	if err := refreshModels(botocore, models); err != nil {
		t.Fatal(err)
	}
	for path, mtime := range mtimes {
		if fi, err := os.Stat(path); err != nil || fi.ModTime().UnixNano() != mtime {
			t.Errorf("%s was rewritten by a refresh from the same botocore", path)
		}
	}

	if err := refreshModels(t.TempDir(), models); err == nil || !strings.Contains(err.Error(), "__init__.py") {
		t.Errorf("refresh from a directory that is not botocore: %v; want an error naming __init__.py", err)
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

// TestMistypedMethodFails: an implementation whose method has an
// operation's name and other types does not compile where it is bound, as
// it would otherwise shadow Unimplemented's method and answer
// NotImplemented unnoticed.
func TestMistypedMethodFails(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goCmd, "vet", "./testdata/mistyped").CombinedOutput()
	if err == nil {
		t.Fatal("testdata/mistyped compiles; want an error")
	}
	if !strings.Contains(string(out), "wrong type for method GetCallerIdentity") {
		t.Errorf("building testdata/mistyped: %s; want a wrong type for method GetCallerIdentity", out)
	}
}
