// Package internal holds Vigil's packages. Its tests check the rules a
// machine can check (docs/architecture.md, /STYLE.md rules 6 and 9): which
// package may import which, and that every package says what it is in a
// package comment.
package internal

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A pattern names packages by their path in the module ("internal/logs")
// or, outside it, by import path ("net/http"): a "*" element matches one
// element of a path and a final "/..." the package and every package below.

// infrastructure are the packages under internal/ that are not engines:
// the request path around the engines, storage, and small shared
// libraries. Every other package under internal/ is an engine (logs,
// metrics, insights, and alarms, events, notify, trail … as they come), so
// a new package is held to the engines' rules unless it is listed here.
var infrastructure = []string{
	"internal/access",       // authorization of calls at the front door
	"internal/api/...",      // service APIs
	"internal/app",          // composition root
	"internal/atomicfile",   // files written whole or not at all
	"internal/attrmap",      // the stored attributes of SNS and SQS resources
	"internal/audit/...",    // audit hook
	"internal/auth/...",     // principals, keys, SigV4
	"internal/authz",        // the IAM actions, resources and condition keys of every operation
	"internal/binread",      // reader of Vigil's stored encodings
	"internal/cache",        // bounded caches
	"internal/clock",        // time source
	"internal/dispatch",     // delivery to targets by ARN
	"internal/eventpattern", // the event-pattern language of EventBridge and SNS filter policies
	"internal/eventinput",   // what an EventBridge target receives of an event
	"internal/fault",        // the error of a refused request
	"internal/golden",       // golden files of tests
	"internal/outbox",       // durable deliveries
	"internal/pagetoken",    // the NextToken of paged lists
	"internal/policy",       // the IAM policy language: resource-based, identity-based, trust policies and SCPs, and their evaluation
	"internal/promtest",     // metrics read in tests
	"internal/protocol/...", // wire protocols
	"internal/request",      // a request's scope in its context
	"internal/sched",        // the scheduler of periodic jobs
	"internal/schedexpr",    // AWS schedule expressions and ISO 8601 durations
	"internal/snsmsg",       // the messages SNS delivers, and their signatures
	"internal/server/...",   // front door
	"internal/store/...",    // storage interfaces and backends
	"internal/sts",          // temporary credentials: session tokens, issued and opened
	"internal/svcevents",    // the bus of service events
	"internal/tlsca",        // the HTTPS certificate and Vigil's own authority
}

// engines are the domain engines: every package under internal/ but the
// infrastructure.
var engines = set{in: []string{"internal/*/..."}, out: infrastructure}

// A rule forbids some packages to import others. A package may always
// import inside its own unit: the part of its path that the rule's
// pattern matched up to its last wildcard (internal/api/logs for
// internal/api/*/..., internal/metrics for internal/*/...).
type rule struct {
	// name says what the rule keeps.
	name string
	// pkgs are the packages the rule holds.
	pkgs set
	// forbid are the imports it forbids them.
	forbid set
}

var rules = []rule{
	{
		name: "an engine never knows which protocol a request came in on",
		pkgs: engines,
		forbid: set{in: []string{
			"net/http", "net/http/...", "internal/protocol/...", "internal/api/...", "internal/server/...",
		}},
	},
	{
		name:   "storage serves the engines and knows none of them",
		pkgs:   set{in: []string{"internal/store/..."}},
		forbid: engines,
	},
	{
		name: "engines never import each other: one engine reaches another through an interface the composition root wires, " +
			"or through the outbox and the dispatcher",
		pkgs:   engines,
		forbid: engines,
	},
	{
		name: "service APIs never import each other: cross-service calls go through interfaces the composition root wires",
		// internal/api/models lists every service's model, for tests.
		pkgs:   set{in: []string{"internal/api/*/..."}, out: []string{"internal/api/models"}},
		forbid: set{in: []string{"internal/api/*/..."}},
	},
}

// debts are the imports that break a rule today, each with what removes
// it. The test fails when one is no longer there, so that the list only
// shrinks.
var debts = []struct {
	from, to string // patterns of the importer and the imported
	why      string
}{
	{
		from: "internal/logs", to: "internal/insights",
		why: "Logs Insights' language is its own package, which the logs engine runs queries of: " +
			"it is a library rather than an engine, and belongs with the plan types (see the next debt)",
	},
	{
		from: "internal/store/...", to: "internal/insights",
		why: "store.LogQuery carries an *insights.Plan, which the backends compile to SQL and storetest runs: " +
			"the plan types belong in a package the engine and the store share, not in the engine",
	},
}

// debt returns the index of the debt an import is, or -1.
func debt(from, to string) int {
	return slices.IndexFunc(debts, func(d struct{ from, to, why string }) bool {
		f, _ := matchPattern(d.from, from)
		i, _ := matchPattern(d.to, to)
		return f && i
	})
}

// TestLayering checks the rules on the non-test files of every package.
func TestLayering(t *testing.T) {
	pkgs := loadPackages(t)
	paid := map[int]bool{}
	for _, r := range rules {
		held := false
		for _, p := range pkgs {
			ok, unit := r.pkgs.match(p.path)
			if !ok {
				continue
			}
			held = true
			for _, imp := range p.imports {
				if within(imp.path, unit) {
					continue
				}
				if forbidden, _ := r.forbid.match(imp.path); !forbidden {
					continue
				}
				if i := debt(p.path, imp.path); i >= 0 {
					paid[i] = true
					continue
				}
				t.Errorf("%s imports %s: %s", imp.file, imp.path, r.name)
			}
		}
		if !held {
			t.Errorf("rule %q holds no package: its patterns are wrong", r.name)
		}
	}
	for i, d := range debts {
		if !paid[i] {
			t.Errorf("no import from %s of %s breaks a rule any more: delete the debt", d.from, d.to)
		}
	}
	for _, pat := range infrastructure {
		if !slices.ContainsFunc(pkgs, func(p *pkg) bool { ok, _ := matchPattern(pat, p.path); return ok }) {
			t.Errorf("infrastructure pattern %s matches no package: delete it", pat)
		}
	}
}

// TestPackageDocs checks that every package has one package comment,
// "Package name …", or "Command name …" for a command.
func TestPackageDocs(t *testing.T) {
	for _, p := range loadPackages(t) {
		want := "Package " + p.name + " "
		if p.name == "main" {
			want = "Command " + filepath.Base(p.path) + " "
		}
		switch {
		case len(p.docs) == 0:
			t.Errorf("%s has no package comment; want one starting %q", p.path, want)
		case len(p.docs) > 1:
			t.Errorf("%s has package comments in %d files (%s); want one", p.path, len(p.docs), strings.Join(slices.Sorted(maps.Keys(p.docs)), ", "))
		default:
			for file, doc := range p.docs {
				if !strings.HasPrefix(doc, want) {
					t.Errorf("%s: package comment starts %q; want %q", file, firstLine(doc), want)
				}
			}
		}
	}
}

// TestPatterns pins what patterns match and the units they give.
func TestPatterns(t *testing.T) {
	tests := []struct {
		pattern, path string
		ok            bool
		unit          string
	}{
		{"net/http", "net/http", true, "net/http"},
		{"net/http", "net/http/httptest", false, ""},
		{"net/http/...", "net/http/httptest", true, "net/http"},
		{"net/http/...", "net/http", true, "net/http"},
		{"net/http/...", "net/httpx", false, ""},
		{"internal/*/...", "internal/metrics/anomaly", true, "internal/metrics"},
		{"internal/*/...", "internal", false, ""},
		{"internal/api/*/...", "internal/api", false, ""},
		{"internal/api/*/...", "internal/api/logs", true, "internal/api/logs"},
		{"internal/api/*", "internal/api/logs/x", false, ""},
	}
	for _, tt := range tests {
		ok, unit := matchPattern(tt.pattern, tt.path)
		if ok != tt.ok || unit != tt.unit {
			t.Errorf("matchPattern(%q, %q) = %v, %q; want %v, %q", tt.pattern, tt.path, ok, unit, tt.ok, tt.unit)
		}
	}
	isEngine := func(path string) bool { ok, _ := engines.match(path); return ok }
	for path, want := range map[string]bool{
		"internal/logs": true, "internal/metrics/anomaly": true, "internal/alarms": true,
		"internal/store/duckdb": false, "internal/api": false, "internal/api/logs": false, "cmd/vigil": false,
	} {
		if got := isEngine(path); got != want {
			t.Errorf("%s is an engine: %v; want %v", path, got, want)
		}
	}
}

// set is the packages that match a pattern of in and none of out.
type set struct{ in, out []string }

// match reports whether path is in the set, and its unit.
func (s set) match(path string) (bool, string) {
	for _, pat := range s.out {
		if ok, _ := matchPattern(pat, path); ok {
			return false, ""
		}
	}
	for _, pat := range s.in {
		if ok, unit := matchPattern(pat, path); ok {
			return true, unit
		}
	}
	return false, ""
}

// matchPattern reports whether path matches pattern, and the unit: path
// up to the element the last "*" matched, or, without one, the part before
// a final "/...".
func matchPattern(pattern, path string) (bool, string) {
	pe, xe := strings.Split(pattern, "/"), strings.Split(path, "/")
	unit := len(xe)
	for i, e := range pe {
		if e == "..." && i == len(pe)-1 {
			if !slices.Contains(pe, "*") {
				unit = i
			}
			return true, strings.Join(xe[:unit], "/")
		}
		if i >= len(xe) || (e != "*" && e != xe[i]) {
			return false, ""
		}
		if e == "*" {
			unit = i + 1
		}
	}
	if len(pe) != len(xe) {
		return false, ""
	}
	return true, strings.Join(xe[:unit], "/")
}

// within reports whether path is unit or below it.
func within(path, unit string) bool {
	return path == unit || strings.HasPrefix(path, unit+"/")
}

// pkg is what the tests read of one package.
type pkg struct {
	path    string // in the module: "internal/logs"
	name    string
	imports []imported        // of its non-test files
	docs    map[string]string // package comments by file
}

type imported struct {
	path string // in the module ("internal/store") or outside it ("net/http")
	file string
}

// loadPackages parses the package clauses and imports of every Go file of
// the module: a directory's non-test files make its package, and a
// directory with only test files (test/e2e) is a package of those.
func loadPackages(t *testing.T) []*pkg {
	t.Helper()
	root, module := moduleRoot(t)
	var pkgs []*pkg
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); dir != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		if dir != root {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			return err
		}
		var sources []string
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				sources = append(sources, f)
			}
		}
		testOnly := len(sources) == 0
		if testOnly {
			sources = files
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		p := &pkg{path: filepath.ToSlash(rel), docs: map[string]string{}}
		for _, path := range sources {
			f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			name := strings.TrimSuffix(f.Name.Name, "_test")
			if p.name == "" || len(name) < len(p.name) {
				p.name = name
			}
			file, _ := filepath.Rel(root, path)
			if f.Doc != nil {
				p.docs[file] = f.Doc.Text()
			}
			if testOnly {
				continue
			}
			for _, spec := range f.Imports {
				imp, err := strconv.Unquote(spec.Path.Value)
				if err != nil {
					return err
				}
				if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
					imp = rest
				}
				p.imports = append(p.imports, imported{path: imp, file: file})
			}
		}
		pkgs = append(pkgs, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages under %s; want the whole module", len(pkgs), root)
	}
	return pkgs
}

// moduleRoot returns the module's directory and path, from the go.mod
// above the test's directory.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(rest), `"`)
				}
			}
			t.Fatalf("%s has no module line", f.Name())
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// wallClock are the calls that read the wall clock or start a timer on
// it: outside cmd/ and internal/clock, time comes from a clock.Clock, so
// that a fake clock drives tests and the virtual clock of --dev mode
// drives users' time.
var wallClock = regexp.MustCompile(`\btime\.(Now|Since|Until|Sleep|After|AfterFunc|Tick|NewTicker|NewTimer)\(|\bcontext\.(WithTimeout|WithDeadline)\(`)

// wallClockAllowed are the files that use the wall clock on purpose, each
// with why: they bound waiting on I/O, which virtual time does not speed
// up.
var wallClockAllowed = map[string]string{
	"internal/server/body.go":          "the read deadline of a request body is a socket deadline",
	"internal/protocol/eventstream.go": "the start of an event stream waits for net/http's writer",
	"internal/outbox/outbox.go":        "a delivery's timeout bounds waiting for its target",
	"internal/outbox/dead.go":          "a Prometheus scrape bounds its store read",
	"internal/app/app.go":              "a health check bounds its store read",
	"internal/server/clock.go":         "a clock move waits a bounded real time for the jobs it started",
}

// TestWallClock checks that nothing outside cmd/ and internal/clock reads
// the wall clock but the files allowed to.
func TestWallClock(t *testing.T) {
	used := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.HasPrefix(path, "clock/") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		file := "internal/" + filepath.ToSlash(path)
		for i, line := range strings.Split(string(b), "\n") {
			if m := wallClock.FindString(line); m != "" {
				if _, ok := wallClockAllowed[file]; ok {
					used[file] = true
					continue
				}
				t.Errorf("%s:%d calls %s: take the time from a clock.Clock", file, i+1, strings.TrimSuffix(m, "("))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for file := range wallClockAllowed {
		if !used[file] {
			t.Errorf("%s no longer reads the wall clock: delete its allowance", file)
		}
	}
}
