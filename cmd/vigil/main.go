// Command vigil runs the Vigil server: a self-hosted, AWS-wire-compatible
// platform for logging, monitoring, audit and security analytics that the
// unmodified AWS CLI, boto3 and the AWS SDKs talk to.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilhq/vigil/internal/app"
)

// settings are the user's settings; each is a flag, an environment
// variable VIGIL_<NAME> and a key of the YAML config file, in that order of
// precedence.
type settings struct {
	Listen   string `yaml:"listen"`
	DataDir  string `yaml:"data-dir"`
	Dev      bool   `yaml:"dev"`
	LogLevel string `yaml:"log-level"`
	Region   string `yaml:"region"`
	TLS      bool   `yaml:"tls"`
	TLSCert  string `yaml:"tls-cert"`
	TLSKey   string `yaml:"tls-key"`
	// SMTPRelay and SMTPFrom send SNS's email.
	SMTPRelay string `yaml:"smtp-relay"`
	SMTPFrom  string `yaml:"smtp-from"`
	// ExternalS3* name the S3-compatible store that receives the files
	// of trails and Logs export tasks whose bucket is not Vigil's.
	ExternalS3Endpoint        string `yaml:"external-s3-endpoint"`
	ExternalS3Region          string `yaml:"external-s3-region"`
	ExternalS3AccessKeyID     string `yaml:"external-s3-access-key-id"`
	ExternalS3SecretAccessKey string `yaml:"external-s3-secret-access-key"`
}

const usage = `Usage: vigil [flags]
       vigil admin COMMAND [flags]   (vigil admin -h: accounts and keys)

Vigil serves AWS monitoring APIs on one endpoint for the unmodified AWS
CLI, boto3 and the AWS SDKs. Today it implements CloudWatch Logs (with
Logs Insights and Live Tail), CloudWatch metrics, alarms and the
dashboards API, SNS, SQS, EventBridge (with API destinations, archives
and replays), EventBridge Scheduler, EventBridge Schema Registry,
CloudTrail (event history, trails with validated digests, Insights), an
S3-compatible bucket store, IAM (users, roles, policies evaluated on
every call), STS (temporary credentials) and Organizations (service
control policies); the other modeled
services (Config, GuardDuty, Inspector, Trusted Advisor, Athena, …) are
routed but answer NotImplemented until they are built. On first start it creates a root
account and an access key and prints the environment to point clients
at it.

Every flag can also be set with an environment variable VIGIL_<NAME>
(VIGIL_LISTEN, VIGIL_DATA_DIR, …) or a key of the YAML file given with
--config; flags win over the environment, which wins over the file.
Go's GOGC and GOMEMLIMIT tune the garbage collector; when GOGC is not
set, Vigil lets the heap grow by up to 128 MiB between collections (at
most four times what is live, at least as much as is live).

Flags:
`

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "admin" {
		err := admin(args[1:], out)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	s, err := loadSettings(args, out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	level, err := parseLevel(s.LogLevel)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if _, set := os.LookupEnv("GOGC"); !set {
		go tuneGC(ctx)
	}
	started := time.Now()
	a, err := app.New(ctx, app.Config{
		Listen: s.Listen, DataDir: s.DataDir, Dev: s.Dev, Region: s.Region,
		TLS: s.TLS, TLSCert: s.TLSCert, TLSKey: s.TLSKey, SMTPRelay: s.SMTPRelay, SMTPFrom: s.SMTPFrom,
		ExternalS3: app.ExternalS3{Endpoint: s.ExternalS3Endpoint, Region: s.ExternalS3Region,
			AccessKeyID: s.ExternalS3AccessKeyID, SecretAccessKey: s.ExternalS3SecretAccessKey},
		Version: version(), Logger: logger,
	})
	if err != nil {
		return err
	}
	ln, err := a.Listen()
	if err != nil {
		a.Shutdown(context.Background())
		return err
	}
	endpoint := a.Scheme() + "://" + endpointHost(ln.Addr())
	fmt.Fprintf(out, "Vigil serving on %s (version %s, data in %s), ready in %s.\n", endpoint, version(), a.DataDir(), time.Since(started).Round(time.Millisecond))
	if s.Dev {
		fmt.Fprintln(out, "Dev mode: credentials Vigil does not know are accepted as their account's root; POST "+endpoint+"/_vigil/clock moves Vigil's clock forward.")
	} else if a.Root().Created {
		fmt.Fprintf(out, "Created root account %s with access key %s.\n", a.Root().AccountID, a.Root().AccessKeyID)
	}
	if ca := a.CAFile(); ca != "" {
		fmt.Fprintf(out, "HTTPS with a certificate from Vigil's own authority; clients trust it with %s.\n", ca)
	}
	fmt.Fprintln(out, "Point the AWS CLI and SDKs at it with:")
	for _, line := range a.Exports(endpoint) {
		fmt.Fprintln(out, "  "+line)
	}

	served := make(chan error, 1)
	go func() { served <- a.Serve(ln) }()
	select {
	case err := <-served:
		a.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return a.Shutdown(shutdownCtx)
}

// loadSettings applies defaults, the config file, the environment and the
// flags, in that order.
func loadSettings(args []string, out io.Writer) (settings, error) {
	s := settings{Listen: "127.0.0.1:4580", DataDir: "./vigil-data", LogLevel: "info", Region: "us-east-1"}
	fs := flag.NewFlagSet("vigil", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usage)
		fs.PrintDefaults()
	}
	config := fs.String("config", os.Getenv("VIGIL_CONFIG"), "YAML file with settings (keys as the flag names)")
	listen := fs.String("listen", s.Listen, "address to serve the APIs and the Prometheus metrics on")
	dataDir := fs.String("data-dir", s.DataDir, "directory of the database, master key and credentials file")
	dev := fs.Bool("dev", s.Dev, "accept credentials Vigil does not know (as their account's root) and unsigned requests, and let /_vigil/clock move Vigil's clock (local testing only)")
	logLevel := fs.String("log-level", s.LogLevel, "log level: debug, info, warn or error")
	region := fs.String("region", s.Region, "region of unsigned dev-mode requests, printed in the exports")
	useTLS := fs.Bool("tls", s.TLS, "serve HTTPS with a certificate Vigil issues from its own authority in the data directory")
	tlsCert := fs.String("tls-cert", s.TLSCert, "serve HTTPS with this certificate (PEM file; with -tls-key)")
	tlsKey := fs.String("tls-key", s.TLSKey, "the key of -tls-cert (PEM file)")
	smtpRelay := fs.String("smtp-relay", s.SMTPRelay, "SMTP relay (host:port) that sends SNS's email; without it email subscriptions are refused")
	smtpFrom := fs.String("smtp-from", s.SMTPFrom, "sender of SNS's email (default \"Vigil Notifications <no-reply@vigil.localhost>\")")
	extEndpoint := fs.String("external-s3-endpoint", s.ExternalS3Endpoint, "URL of an S3-compatible store (path-style) that receives the files of trails and Logs export tasks whose bucket is not one of Vigil's")
	extRegion := fs.String("external-s3-region", s.ExternalS3Region, "region that signs the requests to -external-s3-endpoint (default us-east-1)")
	extKeyID := fs.String("external-s3-access-key-id", s.ExternalS3AccessKeyID, "access key id Vigil uses at -external-s3-endpoint")
	extSecret := fs.String("external-s3-secret-access-key", s.ExternalS3SecretAccessKey, "secret access key Vigil uses at -external-s3-endpoint (better set with VIGIL_EXTERNAL_S3_SECRET_ACCESS_KEY)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if *showVersion {
		fmt.Fprintln(out, "vigil", version())
		return s, flag.ErrHelp
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected argument %q (see vigil -help)", fs.Arg(0))
	}
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return s, fmt.Errorf("cannot read config file: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
			return s, fmt.Errorf("cannot parse config file %s: %w", *config, err)
		}
	}
	env := func(name string, set func(string) error) error {
		if v, ok := os.LookupEnv("VIGIL_" + name); ok {
			if err := set(v); err != nil {
				return fmt.Errorf("invalid VIGIL_%s=%q: %w", name, v, err)
			}
		}
		return nil
	}
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	errs := []error{
		env("LISTEN", str(&s.Listen)), env("DATA_DIR", str(&s.DataDir)), env("LOG_LEVEL", str(&s.LogLevel)),
		env("REGION", str(&s.Region)),
		env("DEV", func(v string) (err error) { s.Dev, err = strconv.ParseBool(v); return err }),
		env("TLS", func(v string) (err error) { s.TLS, err = strconv.ParseBool(v); return err }),
		env("TLS_CERT", str(&s.TLSCert)), env("TLS_KEY", str(&s.TLSKey)),
		env("SMTP_RELAY", str(&s.SMTPRelay)), env("SMTP_FROM", str(&s.SMTPFrom)),
		env("EXTERNAL_S3_ENDPOINT", str(&s.ExternalS3Endpoint)), env("EXTERNAL_S3_REGION", str(&s.ExternalS3Region)),
		env("EXTERNAL_S3_ACCESS_KEY_ID", str(&s.ExternalS3AccessKeyID)), env("EXTERNAL_S3_SECRET_ACCESS_KEY", str(&s.ExternalS3SecretAccessKey)),
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			s.Listen = *listen
		case "data-dir":
			s.DataDir = *dataDir
		case "dev":
			s.Dev = *dev
		case "log-level":
			s.LogLevel = *logLevel
		case "region":
			s.Region = *region
		case "tls":
			s.TLS = *useTLS
		case "tls-cert":
			s.TLSCert = *tlsCert
		case "tls-key":
			s.TLSKey = *tlsKey
		case "smtp-relay":
			s.SMTPRelay = *smtpRelay
		case "smtp-from":
			s.SMTPFrom = *smtpFrom
		case "external-s3-endpoint":
			s.ExternalS3Endpoint = *extEndpoint
		case "external-s3-region":
			s.ExternalS3Region = *extRegion
		case "external-s3-access-key-id":
			s.ExternalS3AccessKeyID = *extKeyID
		case "external-s3-secret-access-key":
			s.ExternalS3SecretAccessKey = *extSecret
		}
	})
	return s, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("invalid log level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// endpointHost is the host:port clients should use for a listener; an
// unspecified address is reached on loopback.
func endpointHost(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return tcp.String()
}

// version is the module version the binary was built from; a build from
// a source checkout names its commit instead.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "development build"
	}
	return "development build " + rev + modified
}
