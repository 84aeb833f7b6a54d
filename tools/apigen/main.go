// Command apigen generates Vigil's API surface from the AWS service models
// that botocore ships (data/<service>/<version>/service-2.json).
//
// For every service in the services table it writes internal/api/<pkg>/:
// Go structs for the model's structures with `aws:"…"` tags that carry the
// wire names, locations and validation constraints; enum types; error types;
// and the operation table and handler binding the protocol layer uses.
//
//	go run ./tools/apigen            # botocore found through python3
//	go run ./tools/apigen -botocore /path/to/botocore
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
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
	{Pkg: "s3", Dir: "s3/2006-03-01", Validation: "InvalidArgument"},
	{Pkg: "scheduler", Dir: "scheduler/2021-06-30", Validation: "ValidationException"},
	{Pkg: "schemas", Dir: "schemas/2019-12-02", Validation: "BadRequestException"},
	{Pkg: "sns", Dir: "sns/2010-03-31", Validation: "ValidationError"},
	{Pkg: "sqs", Dir: "sqs/2012-11-05", Validation: "ValidationException", ValidationQuery: "ValidationError", Namespace: "com.amazonaws.sqs"},
	{Pkg: "sts", Dir: "sts/2011-06-15", Validation: "ValidationError"},
	{Pkg: "support", Dir: "support/2013-04-15", Validation: "ValidationException"},
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("apigen: ")
	botocore := flag.String("botocore", "", "botocore package directory (default: located with python3)")
	out := flag.String("out", "internal/api", "output directory")
	only := flag.String("only", "", "generate only this package")
	flag.Parse()

	dir, version, err := locateBotocore(*botocore)
	if err != nil {
		log.Fatal(err)
	}
	for _, svc := range services {
		if *only != "" && svc.Pkg != *only {
			continue
		}
		path := filepath.Join(dir, "data", svc.Dir, "service-2.json.gz")
		if _, err := os.Stat(path); err != nil {
			path = strings.TrimSuffix(path, ".gz")
		}
		m, err := loadModel(path)
		if err != nil {
			log.Fatal(err)
		}
		source := fmt.Sprintf("botocore %s data/%s/service-2.json", version, svc.Dir)
		g := newGenerator(svc, m, source)
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

// locateBotocore returns the botocore package directory and its version.
func locateBotocore(dir string) (string, string, error) {
	script := "import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)"
	if dir != "" {
		script = "import sys; sys.path.insert(0, " + fmt.Sprintf("%q", filepath.Dir(dir)) + "); " + script
	}
	out, err := exec.Command("python3", "-c", script).Output()
	if err != nil {
		return "", "", fmt.Errorf("cannot locate botocore with python3 (pass -botocore): %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		return "", "", fmt.Errorf("cannot locate botocore: python3 printed %q", out)
	}
	return lines[0], lines[1], nil
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
