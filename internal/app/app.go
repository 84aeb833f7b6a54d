// Package app is Vigil's composition root: it builds the whole system —
// storage, authentication, the service APIs, the front door — from a
// Config, serves it, and shuts it down. cmd/vigil and the end-to-end tests
// both start Vigil through it.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/access"
	"github.com/vigilhq/vigil/internal/alarms"
	"github.com/vigilhq/vigil/internal/api/athena"
	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/configservice"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/glue"
	"github.com/vigilhq/vigil/internal/api/guardduty"
	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/inspector"
	"github.com/vigilhq/vigil/internal/api/inspector2"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/organizations"
	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/api/scheduler"
	"github.com/vigilhq/vigil/internal/api/schemas"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/api/support"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/clock"
	cloudtrailengine "github.com/vigilhq/vigil/internal/cloudtrail"
	"github.com/vigilhq/vigil/internal/dispatch"
	eventsengine "github.com/vigilhq/vigil/internal/events"
	iamengine "github.com/vigilhq/vigil/internal/iam"
	logsengine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/metrics/dashboards"
	orgsengine "github.com/vigilhq/vigil/internal/organizations"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/sched"
	schedulerengine "github.com/vigilhq/vigil/internal/scheduler"
	"github.com/vigilhq/vigil/internal/schemaregistry"
	"github.com/vigilhq/vigil/internal/server"
	snsengine "github.com/vigilhq/vigil/internal/sns"
	"github.com/vigilhq/vigil/internal/snsmsg"
	sqsengine "github.com/vigilhq/vigil/internal/sqs"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	stsengine "github.com/vigilhq/vigil/internal/sts"
	"github.com/vigilhq/vigil/internal/svcevents"
	"github.com/vigilhq/vigil/internal/tlsca"
)

// Config is what a user configures.
type Config struct {
	// Listen is the address to serve on.
	Listen string
	// DataDir holds the database, the master key and the credentials file.
	DataDir string
	// Dev accepts any well-formed credentials and unsigned requests.
	Dev bool
	// Region is the region of unsigned dev-mode requests.
	Region string
	// Version is reported by the health check.
	Version string
	// Logger receives the server's logs (discarded when nil).
	Logger *slog.Logger
	// Audit receives the audit events (discarded when nil).
	Audit audit.Sink
	// Clock is Vigil's time (nil: the real clock, or with Dev a virtual
	// clock that /_vigil/clock moves). A *clock.Virtual given with Dev is
	// the one /_vigil/clock moves; tests may pass a *clock.Fake.
	Clock clock.Clock
	// TLS serves HTTPS with a certificate Vigil issues from its own
	// certificate authority in DataDir, unless TLSCert and TLSKey name
	// the operator's (PEM files), which also serve HTTPS.
	TLS             bool
	TLSCert, TLSKey string
	// SMTPRelay (host:port) sends SNS's email, from SMTPFrom; without it
	// email subscriptions are refused.
	SMTPRelay, SMTPFrom string
	// ExternalS3, when its Endpoint is set, receives the files of trails
	// and Logs export tasks whose bucket is not one of Vigil's.
	ExternalS3 ExternalS3
}

// App is a built Vigil.
type App struct {
	cfg     Config
	store   *embedded.Store
	logs    *logsengine.Engine
	metrics *metrics.Engine
	alarms  *alarms.Service
	// dashboards is CloudWatch's dashboards.
	dashboards *dashboards.Service
	// cloudTrail is CloudTrail, whose recorder is an audit sink.
	cloudTrail *cloudtrailengine.Service
	lake       *cloudtrailengine.Lake
	recorder   *cloudtrailengine.Recorder
	// buckets is the built-in S3 bucket store.
	buckets *buckets.Service
	// iam is IAM, whose users' access keys the authenticator finds.
	iam *iamengine.Service
	// sts issues temporary credentials.
	sts *stsengine.Service
	// access authorizes every call with IAM's policies.
	access *access.Authorizer
	// orgs is AWS Organizations.
	orgs *orgsengine.Service
	// external is the external S3 store (nil: none).
	external *externalS3
	sns      *snsengine.Service
	sqs      *sqsengine.Service
	snsAPI   *sns.Provider
	// eventBridge is EventBridge, fed by PutEvents, its schedules and
	// the service events of this node.
	eventBridge *eventsengine.Service
	// eventScheduler is EventBridge Scheduler.
	eventScheduler *schedulerengine.Service
	// schemaRegistry is EventBridge Schema Registry, whose discoverers
	// eventBridge shows the events of their buses; apiSources are the
	// sources of the API call events of the services Vigil serves.
	schemaRegistry *schemaregistry.Service
	apiSources     []string
	// tls is the HTTPS configuration (nil: HTTP); caFile the certificate
	// of Vigil's own authority when it issued the server's ("" else).
	tls    *tls.Config
	caFile string
	// clock is Vigil's time; devClock the same clock when /_vigil/clock
	// may move it.
	clock    clock.Clock
	devClock *clock.Virtual
	// sched runs the periodic jobs; outbox makes the deliveries, through
	// dispatch to their targets.
	sched    *sched.Scheduler
	outbox   *outbox.Processor
	dispatch *dispatch.Dispatcher
	// events is this node's bus of service events; audit the audit hook,
	// fed asynchronously.
	events  *svcevents.Bus
	audit   *audit.Async
	root    *auth.RootCredentials
	router  *protocol.Router
	handler http.Handler
	http    *http.Server
	logger  *slog.Logger
}

// api is one service Vigil routes: its generated model and the handlers
// of the operations its implementation serves (bound from a zero
// Unimplemented while there is none: every operation answers
// NotImplemented).
type api struct {
	model    *protocol.Service
	handlers map[string]protocol.Handler
}

func (a *App) apis() []api {
	return []api{
		{athena.Model, athena.Handlers(athena.Unimplemented{})},
		{cloudtrail.Model, cloudtrail.Handlers(cloudtrail.NewWithLake(a.cloudTrail, a.lake))},
		{cloudwatch.Model, cloudwatch.Handlers(cloudwatch.New(a.metrics, a.alarms, a.dashboards))},
		{configservice.Model, configservice.Handlers(configservice.Unimplemented{})},
		{events.Model, events.Handlers(events.New(a.eventBridge))},
		{glue.Model, glue.Handlers(glue.Unimplemented{})},
		{guardduty.Model, guardduty.Handlers(guardduty.Unimplemented{})},
		{iam.Model, iam.Handlers(iam.New(a.iam))},
		{inspector.Model, inspector.Handlers(inspector.Unimplemented{})},
		{inspector2.Model, inspector2.Handlers(inspector2.Unimplemented{})},
		{logs.Model, logs.Handlers(logs.New(a.logs))},
		{organizations.Model, organizations.Handlers(organizations.New(a.orgs))},
		{s3.Model, s3.Handlers(s3.New(a.buckets))},
		{scheduler.Model, scheduler.Handlers(scheduler.New(a.eventScheduler))},
		{schemas.Model, schemas.Handlers(schemas.New(a.schemaRegistry))},
		{sns.Model, sns.Handlers(a.snsAPI)},
		{sqs.Model, sqs.Handlers(sqs.New(a.sqs))},
		{sts.Model, sts.Handlers(&sts.Provider{Sessions: a.sts})},
		{support.Model, support.Handlers(support.Unimplemented{})},
	}
}

// New opens the data directory and builds the system.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve data directory %q: %w", cfg.DataDir, err)
	}
	cfg.DataDir = dir
	// The store's commit delay is about I/O: it runs on the real clock.
	st, err := embedded.Open(ctx, dir, embedded.Options{Clock: clock.System{}})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, store: st, logger: cfg.Logger}
	a.clock, a.devClock = vigilClock(cfg)
	if err := a.build(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.schedule(); err != nil {
		st.Close()
		return nil, err
	}
	a.sched.Start()
	return a, nil
}

// vigilClock returns Vigil's clock: the configured one, or the real
// clock, which --dev makes virtual; and the clock /_vigil/clock moves
// (nil unless --dev).
func vigilClock(cfg Config) (clock.Clock, *clock.Virtual) {
	c := cfg.Clock
	if c == nil {
		c = clock.System{}
		if cfg.Dev {
			c = clock.NewVirtual(clock.System{})
		}
	}
	v, _ := c.(*clock.Virtual)
	if !cfg.Dev {
		v = nil
	}
	return c, v
}

func (a *App) build(ctx context.Context) error {
	if err := a.setupTLS(); err != nil {
		return err
	}
	sealer, err := auth.OpenSealer(a.cfg.DataDir)
	if err != nil {
		return err
	}
	a.root, err = auth.EnsureRoot(ctx, a.store.Accounts(), sealer, a.cfg.DataDir, a.clock.Now())
	if err != nil {
		return fmt.Errorf("cannot set up the root account: %w", err)
	}
	authn := auth.New(auth.Options{
		Keys: a.store.Accounts(), Sealer: sealer, Dev: a.cfg.Dev, DefaultRegion: a.cfg.Region,
		// Clients sign with their real clock: signatures are checked
		// against the real one, whatever Vigil's clock shows; temporary
		// credentials expire on Vigil's, which issued them.
		Clock: clock.System{}, SessionClock: a.clock,
	})
	iamOpt := iamengine.Options{Store: a.store.IAM(), Sealer: sealer, Forget: authn.Forget, Clock: a.clock,
		// What IAM changes, the authorizer (built with the router, below)
		// reads again.
		Changed: func(account string) {
			if a.access != nil {
				a.access.Forget(account)
			}
		}}
	if a.cfg.Dev {
		iamOpt.Host = hostAccount(a.store.Accounts(), a.clock)
	}
	a.iam = iamengine.New(iamOpt)
	// The accounts CreateAccount creates are accounts Vigil hosts, with
	// the role their management account administers them through.
	a.orgs = orgsengine.New(orgsengine.Options{Store: a.store.Organizations(), Accounts: a.store.Accounts(),
		Roles: iamAccessRoles{a.iam}, Clock: a.clock, Logger: a.logger.With("component", "organizations")})
	a.sts = &stsengine.Service{Sealer: sealer, Clock: a.clock, Roles: iamRoles{a.iam}, MFA: iamMFA{a.iam}, Keys: a.store.Accounts(),
		Providers: iamProviders{a.iam}, JWKS: &stsengine.KeySets{Now: a.clock.Now}}
	prom := server.NewMetrics()
	a.sched = sched.New(sched.Options{
		Clock: a.clock, Leases: a.store.Leases(), Holder: holder(a.cfg),
		Registerer: prom.Registry, Logger: a.logger.With("component", "scheduler"),
	})
	// The audit hook: every API call (and delivery across accounts) is
	// published on the bus of service events, where EventBridge rules and
	// trails will subscribe, and handed to Config.Audit — off the
	// request's goroutine.
	a.events = svcevents.New(svcevents.Options{Registerer: prom.Registry, Logger: a.logger.With("component", "svcevents")})
	// CloudTrail records every management call into its event history.
	a.cloudTrail = cloudtrailengine.New(cloudtrailengine.Options{
		Store: a.store.CloudTrail(), Tags: a.store.Tags(), Buckets: trailBuckets{a}, Destinations: trailDestinations{a}, Sealer: sealer,
		Clock: a.clock, Logger: a.logger.With("component", "cloudtrail"),
	})
	a.recorder = a.cloudTrail.Recorder(dataCall)
	a.lake = cloudtrailengine.NewLake(cloudtrailengine.LakeOptions{Stores: a.store.EventDataStores(), Events: a.store.LakeEvents(),
		History: a.store.CloudTrail(), Tags: a.store.Tags(), Clock: a.clock, Logger: a.logger.With("component", "cloudtrail-lake")})
	sinks := []audit.Sink{audit.NewBusSink(a.events, audit.BusSinkOptions{Filter: managementCall}), a.recorder, s3AccessLogs{a}, keyUsage{a.iam}}
	if a.cfg.Audit != nil {
		sinks = append(sinks, a.cfg.Audit)
	}
	a.audit = audit.NewAsync(audit.Multi(sinks...), audit.AsyncOptions{Registerer: prom.Registry, Logger: a.logger.With("component", "audit")})
	a.dispatch = dispatch.New(dispatch.Options{
		// Deliveries across accounts are authorized as their source's
		// calls (the authorizer is built with the router, below).
		Authorize: func(ctx context.Context, p request.Principal, action, resource string) error {
			return a.access.AuthorizeAction(ctx, p, action, resource)
		},
		Audit: a.audit, Clock: a.clock, Logger: a.logger.With("component", "dispatch"),
	})
	a.outbox = outbox.New(outbox.Options{
		Store: a.store.Outbox(), Clock: a.clock, Notify: func() { a.sched.Kick(outboxJob) },
		Registerer: prom.Registry, Logger: a.logger.With("component", "outbox"),
	})
	a.metrics = metrics.New(metrics.Options{Store: a.store.Metrics(), Clock: a.clock})
	a.dashboards = dashboards.New(a.store.Dashboards(), a.store.Tags(), a.clock)
	if a.cfg.ExternalS3.Endpoint != "" {
		if a.external, err = newExternalS3(a.cfg.ExternalS3); err != nil {
			return err
		}
	}
	a.buckets, err = buckets.Open(ctx, buckets.Options{Store: a.store.Buckets(), Dir: filepath.Join(a.cfg.DataDir, "s3"), Clock: a.clock})
	if err != nil {
		return err
	}
	a.logs = logsengine.New(logsengine.Options{
		Store: a.store.Logs(), Tags: a.store.Tags(), Metrics: metricSink{a.metrics}, Dispatcher: a.dispatch, Notify: a.outbox.Kick,
		Queries: a.store.LogQueries(), Querier: a.store.Querier(), Exports: a.store.LogExports(), Buckets: exportBuckets{a},
		Clock: a.clock, Logger: a.logger.With("engine", "logs"), Node: holder(a.cfg),
	})
	a.logs.RegisterDeliveries(a.outbox, a.dispatch)
	a.alarms = alarms.New(alarms.Options{
		Store: a.store.Alarms(), Tags: a.store.Tags(), Notify: a.outbox.Kick,
		Dispatcher: a.dispatch, Source: cloudwatch.AlarmSource(a.metrics), Bus: a.events, Clock: a.clock,
		Evaluate: func() { a.sched.Kick(alarmsJob) }, Registerer: prom.Registry, Logger: a.logger.With("component", "alarms"),
	})
	a.alarms.RegisterDeliveries(a.outbox)
	signer, err := snsmsg.LoadOrCreateSigner(a.cfg.DataDir, a.clock.Now())
	if err != nil {
		return fmt.Errorf("cannot set up the SNS signing key: %w", err)
	}
	a.sns = snsengine.New(snsengine.Options{
		Store: a.store.SNS(), Tags: a.store.Tags(), Outbox: a.store.Outbox(), Notify: a.outbox.Kick, Signer: signer,
		Dispatcher: a.dispatch, Email: a.cfg.SMTPRelay != "", Clock: a.clock, Logger: a.logger.With("component", "sns"),
	})
	if a.cfg.SMTPRelay != "" {
		from := a.cfg.SMTPFrom
		if from == "" {
			from = "Vigil Notifications <no-reply@vigil.localhost>"
		}
		a.dispatch.Register(dispatch.Match{Service: "mailto", Type: "*"}, dispatch.SMTPTarget(a.cfg.SMTPRelay, from, a.clock.Now))
	}
	a.sns.RegisterDeliveries(a.outbox, a.dispatch)
	a.sqs = sqsengine.New(sqsengine.Options{Store: a.store.SQS(), Tags: a.store.Tags(), Clock: a.clock, Logger: a.logger.With("component", "sqs")})
	a.dispatch.Register(dispatch.Match{Service: "sqs", Type: ""}, a.sqs.Target())
	web := dispatch.HTTPTarget(&http.Client{})
	a.dispatch.Register(dispatch.Match{Service: "http", Type: "*"}, web)
	a.dispatch.Register(dispatch.Match{Service: "https", Type: "*"}, web)
	a.schemaRegistry = schemaregistry.New(schemaregistry.Options{
		Store: a.store.SchemaRegistry(), Tags: a.store.Tags(), BusExists: a.busExists,
		APISources: func() []string { return a.apiSources }, Notify: func() { a.sched.Kick(discoveryJob) },
		Clock: a.clock, Logger: a.logger.With("component", "schemas"),
	})
	a.eventBridge = eventsengine.New(eventsengine.Options{
		Store: a.store.Events(), Tags: a.store.Tags(), Notify: a.outbox.Kick, Observer: a.schemaRegistry,
		Dispatcher: a.dispatch, Metrics: metricSink{a.metrics}, Sealer: sealer, Clock: a.clock, Logger: a.logger.With("component", "events"),
		// API destinations answer within 5 seconds, as on AWS.
		HTTP: dispatch.NewHTTPCaller(&http.Client{Timeout: 5 * time.Second}, 64<<10),
	})
	a.eventBridge.RegisterDeliveries(a.outbox)
	a.dispatch.Register(dispatch.Match{Service: "events", Type: "event-bus"}, a.eventBridge.BusTarget())
	a.dispatch.Register(dispatch.Match{Service: "events", Type: "api-destination"}, a.eventBridge.APIDestinationTarget())
	a.events.Subscribe("eventbridge", nil, a.eventBridge.ServiceEvents)
	a.eventScheduler = schedulerengine.New(schedulerengine.Options{
		Store: a.store.Schedules(), Tags: a.store.Tags(), Notify: a.outbox.Kick,
		Dispatcher: a.dispatch, Clock: a.clock, Logger: a.logger.With("component", "eventbridge-scheduler"),
	})
	a.eventScheduler.RegisterDeliveries(a.outbox)
	a.snsAPI = sns.New(a.sns)
	a.router = protocol.NewRouter()
	apis := a.apis()
	if a.access, err = newAuthorizer(apis, iamIdentities{a.iam}, iamRoles{a.iam}, a.buckets.BucketPolicy,
		newResourcePolicies(a.store.SQS(), a.store.SNS(), a.eventBridge.BusPolicy, a.clock).hooks(), a.orgs.SCPs, a.store.Tags(), a.clock); err != nil {
		return err
	}
	for _, api := range apis {
		a.router.Register(api.model, api.handlers)
		if len(api.handlers) > 0 {
			a.apiSources = append(a.apiSources, "aws."+api.model.IAMPrefix)
		}
	}
	prom.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigil_storage_bytes", Help: "Bytes the database occupies on disk."},
			func() float64 { return float64(a.store.SizeBytes()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigil_store_commits_total", Help: "Transactions committed by the telemetry store's group-commit writer (DuckDB)."},
			func() float64 { return float64(a.store.CommitStats().Telemetry.Commits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigil_store_writes_total", Help: "Writes committed by the telemetry store's group-commit writer (DuckDB)."},
			func() float64 { return float64(a.store.CommitStats().Telemetry.Writes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigil_state_commits_total", Help: "Transactions committed by the state store's group-commit writer (SQLite)."},
			func() float64 { return float64(a.store.CommitStats().State.Commits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vigil_state_writes_total", Help: "Writes committed by the state store's group-commit writer (SQLite)."},
			func() float64 { return float64(a.store.CommitStats().State.Writes) }),
	)
	a.handler = server.New(server.Options{
		Router:      a.router,
		Auth:        authn,
		Authorizer:  a.access,
		Audit:       a.audit,
		Metrics:     prom,
		Logger:      a.logger,
		Health:      a.health,
		Version:     a.cfg.Version,
		Clock:       a.clock,
		DevClock:    a.devClock,
		DeadLetters: a.outbox, OperatorAccount: a.root.AccountID, Links: a.snsAPI.ServeLink,
		Settle: a.settle, Flush: a.flushAudit,
	})
	// Made here, not in Serve, so that a Shutdown before Serve stops it.
	a.http = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// holder names this node in the jobs' leases: its host and listen
// address, which stay the same across restarts (a restarted node renews
// the leases it held, even those its virtual clock had put in the
// future) and differ between nodes sharing a database.
func holder(cfg Config) string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return host + " " + cfg.Listen
}

// Jobs' periods.
const (
	rollUpEvery      = time.Minute
	retentionEvery   = time.Minute
	maintenanceEvery = time.Minute
	deliveriesEvery  = time.Second
	queryExpiryEvery = time.Hour
	// historyExpiryEvery is how often alarm history past 30 days is deleted.
	historyExpiryEvery = time.Hour
	// alarmsEvery is the shortest alarm period: each run evaluates the
	// alarms whose period (or minute) began since the previous one.
	alarmsEvery = 10 * time.Second
)

// onTheSecond is when scheduled EventBridge rules and EventBridge
// Scheduler's schedules are checked: at every whole second of the clock,
// when cron and at() times fall, so that those fire at once; a rate
// counted from a time within a second fires within the second after it.
func onTheSecond(after time.Time) time.Time { return after.Truncate(time.Second).Add(time.Second) }

// outboxJob, alarmsJob and discoveryJob name the jobs of the outbox, of
// alarm evaluation and of schema discovery, which Kick runs at once.
const (
	outboxJob    = "outbox"
	alarmsJob    = "alarms"
	discoveryJob = "schemas-discovery"
)

// discoveryEvery is how often the discovery job runs unkicked: every
// sample kicks it, so the period is only a safety net.
const discoveryEvery = 10 * time.Second

// busExists says whether an event bus exists, for the Schema Registry's
// discoverers.
func (a *App) busExists(ctx context.Context, arn string) (bool, error) {
	_, err := a.store.Events().Bus(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// schedule registers the periodic jobs. Each step is a function of (ctx,
// now) that tests may call directly.
func (a *App) schedule() error {
	jobs := []sched.Job{
		{Name: "metrics-rollup", Every: rollUpEvery, Step: a.metrics.RollUp},
		{Name: "logs-retention", Every: retentionEvery, Step: a.expireLogs},
		{Name: "store-maintenance", Every: maintenanceEvery, Step: func(ctx context.Context, _ time.Time) error {
			return a.store.Maintain(ctx)
		}},
		{Name: outboxJob, Every: deliveriesEvery, Step: a.outbox.Step},
		{Name: alarmsJob, Every: alarmsEvery, Step: a.alarms.Run},
		{Name: "alarm-history-expiry", Every: historyExpiryEvery, Step: a.alarms.ExpireHistory},
		{Name: "sqs-retention", Every: retentionEvery, Step: a.sqs.ExpireMessages},
		{Name: "cloudtrail-deliveries", Next: cloudtrailengine.NextDelivery, Step: a.cloudTrail.Deliver},
		{Name: "cloudtrail-retention", Every: historyExpiryEvery, Step: a.cloudTrail.ExpireEvents},
		{Name: "cloudtrail-insights", Next: cloudtrailengine.NextInsights, Step: a.cloudTrail.Insights},
		{Name: "cloudtrail-lake-ingest", Every: cloudtrailengine.LakeIngestEvery, Step: a.lake.Ingest},
		{Name: "cloudtrail-lake-retention", Every: cloudtrailengine.LakeRetentionEvery, Step: a.lake.Expire},
		{Name: "s3-lifecycle", Every: retentionEvery, Step: a.buckets.ExpireObjects},
		{Name: "s3-access-logs", Every: accessLogDeliverEvery, Step: a.buckets.DeliverAccessLogs},
		// Each node stores the access log records of its own requests.
		{Name: "s3-access-log-flush", Every: accessLogFlushEvery, Step: a.buckets.FlushAccessLogs, Local: true},
		{Name: "sqs-move-tasks", Every: sqsengine.MoveEvery, Step: a.sqs.RunMoveTasks},
		{Name: "events-schedules", Next: onTheSecond, Step: a.eventBridge.FireSchedules},
		{Name: "events-replays", Every: eventsengine.ReplayEvery, Step: a.eventBridge.RunReplays},
		{Name: "events-metrics", Every: eventsengine.MetricsEvery, Step: a.eventBridge.PublishMetrics},
		{Name: "events-archive-retention", Every: retentionEvery, Step: a.eventBridge.ExpireArchives},
		{Name: "scheduler-schedules", Next: onTheSecond, Step: a.eventScheduler.FireSchedules},
		// Each node infers the events it sampled itself.
		{Name: discoveryJob, Every: discoveryEvery, Step: a.schemaRegistry.Discover, Local: true},
		{Name: "logs-query-expiry", Every: queryExpiryEvery, Step: a.expireQueries},
		{Name: "logs-export-tasks", Every: logsengine.ExportEvery, Step: a.logs.RunExportTasks},
		// Every node keeps its own Insights queries alive.
		{Name: "logs-query-heartbeat", Every: logsengine.QueryHeartbeatEvery, Step: a.logs.HeartbeatQueries, Local: true},
		// Each node stores the last use of the access keys its requests
		// were signed with.
		{Name: "iam-key-usage", Every: keyUsageFlushEvery, Step: a.iam.FlushKeyUses, Local: true},
	}
	for _, j := range jobs {
		if err := a.sched.Register(j); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) expireLogs(ctx context.Context, now time.Time) error {
	n, err := a.logs.ExpireEvents(ctx, now)
	if n > 0 {
		a.logger.Info("log retention deleted expired events", "events", n)
	}
	return err
}

func (a *App) expireQueries(ctx context.Context, now time.Time) error {
	n, err := a.logs.ExpireQueries(ctx, now)
	if n > 0 {
		a.logger.Info("deleted Logs Insights queries older than 7 days", "queries", n)
	}
	return err
}

// ServiceHealth is one service's line in the health check.
type ServiceHealth struct {
	Name        string `json:"name"`
	Implemented int    `json:"implemented"`
	Total       int    `json:"total"`
}

// Health is the body of GET /_vigil/health.
type Health struct {
	// Status is "ok", or "degraded" when the deliveries are.
	Status   string                   `json:"status"`
	Version  string                   `json:"version"`
	Services map[string]ServiceHealth `json:"services"`
	// Deliveries sums up the outbox: pending, retried and dead
	// deliveries by kind.
	Deliveries outbox.Health `json:"deliveries"`
}

// healthTimeout bounds the store reads of a health check.
const healthTimeout = 5 * time.Second

func (a *App) health() any {
	h := Health{Status: "ok", Version: a.cfg.Version, Services: map[string]ServiceHealth{}}
	for _, st := range a.router.Status() {
		h.Services[st.ID] = ServiceHealth{Name: st.ServiceID, Implemented: st.Implemented, Total: st.Total}
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	h.Deliveries = a.outbox.Health(ctx)
	if h.Deliveries.Status != "ok" {
		h.Status = "degraded"
	}
	return h
}

// Handler returns the HTTP handler of the whole API.
func (a *App) Handler() http.Handler { return a.handler }

// Root returns the root account's credentials.
func (a *App) Root() *auth.RootCredentials { return a.root }

// DataDir returns the absolute data directory.
func (a *App) DataDir() string { return a.cfg.DataDir }

// Serve serves HTTP on ln until Shutdown.
func (a *App) Serve(ln net.Listener) error {
	// The links in delivered messages lead back here.
	base := a.Scheme() + "://" + ln.Addr().String()
	a.sns.SetBaseURL(base)
	a.sqs.SetBaseURL(base)
	if a.tls != nil {
		ln = tls.NewListener(ln, a.tls)
	}
	err := a.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests, waits for those in flight (until ctx
// ends) and closes the storage.
func (a *App) Shutdown(ctx context.Context) error {
	errs := []error{a.http.Shutdown(ctx), a.sched.Shutdown(ctx), a.logs.StopQueries(ctx), a.lake.Close(ctx)}
	// Before the store closes: subscribers may enqueue deliveries while
	// the queue drains.
	errs = append(errs, a.audit.Close(ctx), a.recorder.Close(ctx), a.buckets.FlushAccessLogs(ctx, time.Time{}), a.iam.FlushKeyUses(ctx, time.Time{}))
	errs = append(errs, a.store.Close())
	return errors.Join(errs...)
}

// Exports returns the shell lines that point the AWS CLI and SDKs at a
// Vigil serving on endpoint.
func (a *App) Exports(endpoint string) []string {
	lines := []string{
		"export AWS_ENDPOINT_URL=" + endpoint,
		"export AWS_REGION=" + a.cfg.Region,
		// botocore (the Python SDK and AWS CLI v1) reads only this one.
		"export AWS_DEFAULT_REGION=" + a.cfg.Region,
	}
	if a.caFile != "" {
		// Read by the AWS CLI, boto3 and aws-sdk-go-v2.
		lines = append(lines, "export AWS_CA_BUNDLE="+a.caFile)
	}
	if !a.cfg.Dev {
		lines = append([]string{
			"export AWS_PROFILE=" + auth.Profile,
			"export AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(a.cfg.DataDir, auth.CredentialsFile),
		}, lines...)
	}
	return lines
}

// Listen opens the configured listen address.
func (a *App) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", a.cfg.Listen, err)
	}
	return ln, nil
}

// Scheme is "https" when Vigil serves HTTPS, else "http".
func (a *App) Scheme() string {
	if a.tls != nil {
		return "https"
	}
	return "http"
}

// CAFile is the certificate of the authority that issued Vigil's HTTPS
// certificate, for clients to trust, when Vigil issued it ("" else).
func (a *App) CAFile() string { return a.caFile }

// setupTLS loads or issues the HTTPS certificate.
func (a *App) setupTLS() error {
	var err error
	switch {
	case a.cfg.TLSCert != "" || a.cfg.TLSKey != "":
		a.tls, err = tlsca.Load(a.cfg.TLSCert, a.cfg.TLSKey)
	case a.cfg.TLS:
		hosts := []string{"localhost", "127.0.0.1", "::1"}
		if h, _, err := net.SplitHostPort(a.cfg.Listen); err == nil && h != "" && !slices.Contains(hosts, h) && !net.ParseIP(h).IsUnspecified() {
			hosts = append(hosts, h)
		}
		if name, err := os.Hostname(); err == nil && name != "" {
			hosts = append(hosts, name)
		}
		a.tls, a.caFile, err = tlsca.LoadOrCreate(a.cfg.DataDir, hosts, a.clock.Now())
	}
	return err
}
