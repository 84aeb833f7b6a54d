// Command apigen generates Vigil's API surface from the AWS service models
// that botocore ships (data/<service>/<version>/service-2.json).
//
// The models it reads are committed under tools/apigen/models, gzipped,
// with the botocore version they came from in models/VERSION, so that
// generating needs neither Python nor botocore and gives the same code on
// every machine. For every service in the services table it writes
// internal/api/<pkg>/: Go structs for the model's structures with
// `aws:"…"` tags that carry the wire names, locations and validation
// constraints; enum types; error types; the operation table; the Service
// interface of the operations with an Unimplemented type to embed; and the
// handler binding the protocol layer uses.
//
//	go run ./tools/apigen                          # from the committed models
//	go run ./tools/apigen -botocore /path/to/botocore  # refresh the models from a botocore package, then generate
//
// The botocore package directory is the one holding data/ and
// __init__.py; python3 prints the installed one:
//
//	python3 -c 'import botocore, os; print(os.path.dirname(botocore.__file__))'
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// service names one API to generate: the botocore data directory, the Go
// package, and how the service reports requests that break the model's
// constraints — services differ (see docs/protocols.md).
type service struct {
	Pkg string
	Dir string
	// Validation is the error code of constraint violations in the JSON,
	// CBOR and REST protocols.
	Validation string
	// ValidationQuery is its awsQuery code, when different.
	ValidationQuery string
	// MissingParameter names the error shape a service answers for missing
	// required members when it reports them apart from other violations.
	MissingParameter string
	// Namespace overrides the smithy namespace of modeled errors in JSON
	// 1.0 and CBOR __type values.
	Namespace string
	// IAMPrefix is the service prefix of IAM actions when it differs from
	// Pkg.
	IAMPrefix string
	// ServiceEnums names the enums whose values the service checks itself,
	// answering its own error rather than a validation error (SQS answers
	// InvalidAttributeName "Unknown Attribute Foo." for a queue attribute
	// name outside QueueAttributeName). Their types get no Values method,
	// so that the protocol layer lets any value through.
	ServiceEnums []string
}

var services = []service{
	{Pkg: "athena", Dir: "athena/2017-05-18", Validation: "InvalidRequestException"},
	{Pkg: "cloudtrail", Dir: "cloudtrail/2013-11-01", Validation: "InvalidParameterException"},
	{Pkg: "cloudwatch", Dir: "cloudwatch/2010-08-01", Validation: "ValidationException", ValidationQuery: "ValidationError",
		MissingParameter: "MissingRequiredParameterException", Namespace: "com.amazonaws.cloudwatch.v2010_08_01"},
	{Pkg: "configservice", Dir: "config/2014-11-12", Validation: "ValidationException", IAMPrefix: "config"},
	{Pkg: "events", Dir: "events/2015-10-07", Validation: "ValidationException"},
	{Pkg: "glue", Dir: "glue/2017-03-31", Validation: "ValidationException"},
	{Pkg: "guardduty", Dir: "guardduty/2017-11-28", Validation: "BadRequestException"},
	{Pkg: "iam", Dir: "iam/2010-05-08", Validation: "ValidationError"},
	{Pkg: "inspector", Dir: "inspector/2016-02-16", Validation: "InvalidInputException"},
	{Pkg: "inspector2", Dir: "inspector2/2020-06-08", Validation: "ValidationException"},
	{Pkg: "logs", Dir: "logs/2014-03-28", Validation: "InvalidParameterException"},
	{Pkg: "organizations", Dir: "organizations/2016-11-28", Validation: "InvalidInputException"},
	{Pkg: "s3", Dir: "s3/2006-03-01", Validation: "InvalidArgument"},
	{Pkg: "scheduler", Dir: "scheduler/2021-06-30", Validation: "ValidationException"},
	{Pkg: "schemas", Dir: "schemas/2019-12-02", Validation: "BadRequestException"},
	{Pkg: "sns", Dir: "sns/2010-03-31", Validation: "ValidationError"},
	{Pkg: "sqs", Dir: "sqs/2012-11-05", Validation: "ValidationException", ValidationQuery: "ValidationError", Namespace: "com.amazonaws.sqs",
		ServiceEnums: []string{"QueueAttributeName"}},
	{Pkg: "sts", Dir: "sts/2011-06-15", Validation: "ValidationError"},
	{Pkg: "support", Dir: "support/2013-04-15", Validation: "ValidationException"},
}

// modelFile is the name of a committed model under the models directory.
const modelFile = "service-2.json.gz"

func main() {
	log.SetFlags(0)
	log.SetPrefix("apigen: ")
	botocore := flag.String("botocore", "", "botocore package directory to refresh the committed models from before generating")
	models := flag.String("models", filepath.Join("tools", "apigen", "models"), "directory of the committed models")
	out := flag.String("out", filepath.Join("internal", "api"), "output directory")
	only := flag.String("only", "", "generate only this package")
	flag.Parse()

	if *botocore != "" {
		if *only != "" {
			log.Fatal("-botocore refreshes every model: it cannot be combined with -only")
		}
		if err := refreshModels(*botocore, *models); err != nil {
			log.Fatal(err)
		}
	}
	version, err := modelsVersion(*models)
	if err != nil {
		log.Fatal(err)
	}
	for _, svc := range services {
		if *only != "" && svc.Pkg != *only {
			continue
		}
		g, err := load(*models, version, svc)
		if err != nil {
			log.Fatal(err)
		}
		files, err := g.generate()
		if err != nil {
			log.Fatalf("%s: %v", svc.Pkg, err)
		}
		pkgDir := filepath.Join(*out, svc.Pkg)
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			log.Fatal(err)
		}
		for name, src := range files {
			if err := writeGo(filepath.Join(pkgDir, name), src); err != nil {
				log.Fatalf("%s: %v", svc.Pkg, err)
			}
		}
		for _, w := range g.warnings {
			log.Printf("%s: %s", svc.Pkg, w)
		}
	}
}

// load reads the committed model of a service and returns its generator.
func load(models, version string, svc service) (*generator, error) {
	m, err := loadModel(filepath.Join(models, filepath.FromSlash(svc.Dir), modelFile))
	if err != nil {
		return nil, err
	}
	if err := applyQueryNames(m, filepath.Join(filepath.Dir(models), queryNamesDir, svc.Pkg+".json")); err != nil {
		return nil, err
	}
	return newGenerator(svc, m, fmt.Sprintf("botocore %s data/%s/service-2.json", version, svc.Dir)), nil
}

// queryNamesDir holds, beside the models, the awsQuery names of the
// services whose JSON model lost them but whose clients still speak
// awsQuery (SQS: the Debian awscli 2.9), one file per package.
const queryNamesDir = "querynames"

// queryNames are the awsQuery names of a service's members ("Shape.Member"),
// of its lists' members and maps' keys and values ("Shape"), and the
// awsQuery codes and statuses of its errors.
type queryNames struct {
	Source  string                       `json:"source"`
	Members map[string]string            `json:"members"`
	Shapes  map[string]map[string]string `json:"shapes"`
	Errors  map[string]*errorInfo        `json:"errors"`
}

// applyQueryNames applies the query names at path to m, if there is such
// a file: a member's becomes its query= option; a list member's and a
// map key's and value's become the locationNames the JSON protocols
// ignore; an error's code and status are those of an error the model
// gives none.
func applyQueryNames(m *model, path string) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var q queryNames
	if err := json.Unmarshal(b, &q); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for key, name := range q.Members {
		shapeName, member, _ := strings.Cut(key, ".")
		sh, ok := m.Shapes[shapeName]
		if !ok {
			return fmt.Errorf("%s: no shape %s", path, shapeName)
		}
		i := slices.IndexFunc(sh.Members, func(r *ref) bool { return r.name == member })
		if i < 0 {
			return fmt.Errorf("%s: shape %s has no member %s", path, shapeName, member)
		}
		sh.Members[i].queryName = name
	}
	for shapeName, e := range q.Errors {
		sh, ok := m.Shapes[shapeName]
		if !ok {
			return fmt.Errorf("%s: no error shape %s", path, shapeName)
		}
		if sh.Error == nil {
			sh.Error = e
		}
	}
	for shapeName, names := range q.Shapes {
		sh, ok := m.Shapes[shapeName]
		if !ok {
			return fmt.Errorf("%s: no shape %s", path, shapeName)
		}
		for part, name := range names {
			switch {
			case part == "member" && sh.Member != nil:
				sh.Member.LocationName = name
			case part == "key" && sh.Key != nil:
				sh.Key.LocationName = name
			case part == "value" && sh.Value != nil:
				sh.Value.LocationName = name
			default:
				return fmt.Errorf("%s: shape %s has no %s", path, shapeName, part)
			}
		}
	}
	return nil
}

// modelsVersion returns the botocore version the committed models came
// from.
func modelsVersion(models string) (string, error) {
	b, err := os.ReadFile(filepath.Join(models, "VERSION"))
	if err != nil {
		return "", fmt.Errorf("cannot read the botocore version of the models: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if !versionRE.MatchString(v) {
		return "", fmt.Errorf("%s: %q is not a botocore version", filepath.Join(models, "VERSION"), v)
	}
	return v, nil
}

var (
	versionRE     = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	botocoreVerRE = regexp.MustCompile(`(?m)^__version__\s*=\s*['"]([^'"]+)['"]`)
)

// refreshModels copies the models of the services table from a botocore
// package directory into the models directory, gzipped, records the
// botocore version, and removes models the table no longer names. A model
// whose JSON is unchanged is left as it is, so that refreshing from the
// same botocore changes no file.
func refreshModels(botocore, models string) error {
	initPy, err := os.ReadFile(filepath.Join(botocore, "__init__.py"))
	if err != nil {
		return fmt.Errorf("cannot read the botocore version (-botocore is the package directory, holding __init__.py and data/): %w", err)
	}
	match := botocoreVerRE.FindSubmatch(initPy)
	if match == nil || !versionRE.Match(match[1]) {
		return fmt.Errorf("cannot find __version__ in %s", filepath.Join(botocore, "__init__.py"))
	}
	keep := map[string]bool{}
	for _, svc := range services {
		src := filepath.Join(botocore, "data", filepath.FromSlash(svc.Dir), "service-2.json")
		data, err := readMaybeGzip(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(models, filepath.FromSlash(svc.Dir), modelFile)
		keep[dst] = true
		if old, err := readMaybeGzip(dst); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := writeGzip(dst, data); err != nil {
			return err
		}
	}
	err = filepath.WalkDir(models, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != modelFile || keep[path] {
			return err
		}
		return os.Remove(path)
	})
	if err != nil {
		return fmt.Errorf("cannot remove stale models: %w", err)
	}
	return os.WriteFile(filepath.Join(models, "VERSION"), append(match[1], '\n'), 0o644)
}

// readMaybeGzip returns the contents of path, or, when path does not
// exist or names a .gz file, the decompressed contents of path.gz or path.
func readMaybeGzip(path string) ([]byte, error) {
	gz := path
	if !strings.HasSuffix(path, ".gz") {
		b, err := os.ReadFile(path)
		if err == nil || !os.IsNotExist(err) {
			return b, err
		}
		gz = path + ".gz"
	}
	f, err := os.Open(gz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", gz, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", gz, err)
	}
	return b, nil
}

// writeGzip writes data to path compressed at gzip's best compression,
// with no name or time in the header so that the file depends only on
// data.
func writeGzip(path string, data []byte) error {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func writeGo(path string, src []byte) error {
	formatted, err := format.Source(src)
	if err != nil {
		// Write the unformatted source to help debugging the generator.
		_ = os.WriteFile(path+".broken", src, 0o644)
		return fmt.Errorf("cannot format %s: %w", path, err)
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, formatted) {
		return nil
	}
	return os.WriteFile(path, formatted, 0o644)
}
