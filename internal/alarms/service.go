package alarms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// Scope is the account and region of a request.
type Scope struct {
	Account, Region string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes.
const (
	ValidationError Code = iota + 1
	InvalidParameterValue
	InvalidParameterCombination
	MissingParameter
	ResourceNotFound
	LimitExceeded
	InvalidNextToken
	InvalidFormat
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// Source reads the datapoints alarms evaluate: the composition root
// implements it on the metrics engine.
type Source interface {
	// Datapoints answers each request with the values of its alarm by its
	// evaluation period over [Start, End), timestamped with their
	// periods' starts: of its metric and statistic (with SampleCount when
	// EvaluateLowSampleCountPercentile is "ignore"), or of the query of
	// its Metrics that returns data (with Lower and Upper of the anomaly
	// detection band ThresholdMetricID names). Requests come many at a
	// time so that the source can read them together.
	Datapoints(ctx context.Context, reqs []Request) []Response
}

// Request asks a Source for the datapoints of an alarm.
type Request struct {
	Scope      Scope
	Definition *Definition
	Start, End time.Time
}

// Response is a Source's answer to a Request: the datapoints of the
// alarm, or of each of its contributors for a multi-time-series alarm.
type Response struct {
	Points       []Datapoint
	Contributors []Contributor
	Err          error
}

// Options configure a Service.
type Options struct {
	Store store.Alarms
	// Tags keeps alarms' tags, by ARN.
	Tags store.Tags
	// Notify says actions were enqueued (Store enqueues them to the
	// backend's outbox with the state that runs them).
	Notify func()
	// Dispatcher delivers notifications to their targets.
	Dispatcher *dispatch.Dispatcher
	Source     Source
	// Bus receives the alarm events (state and configuration changes).
	Bus   *svcevents.Bus
	Clock clock.Clock
	// Evaluate asks for an evaluation at once (a changed configuration);
	// nil: at the next scheduled one.
	Evaluate   func()
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// Service runs CloudWatch alarms: their API, their evaluation on the
// clock and their actions.
type Service struct {
	opt Options

	// mu guards lastRun, the time of the previous evaluation run, and
	// fresh, the alarms put on this node since, which the next run
	// evaluates whatever their period.
	mu      sync.Mutex
	lastRun time.Time
	fresh   map[store.AlarmKey]bool

	evaluations *prometheus.CounterVec
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Registerer == nil {
		opt.Registerer = prometheus.NewRegistry()
	}
	s := &Service{opt: opt, fresh: map[store.AlarmKey]bool{},
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_alarm_evaluations_total",
			Help: "Alarm evaluations, by outcome: unchanged, changed or failed.",
		}, []string{"outcome"}),
	}
	opt.Registerer.MustRegister(s.evaluations)
	return s
}

// ARN returns the ARN of an alarm.
func ARN(sc Scope, name string) string {
	return "arn:aws:cloudwatch:" + sc.Region + ":" + sc.Account + ":alarm:" + name
}

// ms returns t in milliseconds since the epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }

// Alarm is an alarm as the API describes it.
type Alarm struct {
	store.Alarm
	Definition *Definition
}

// read decodes a stored alarm.
func read(a store.Alarm) (Alarm, error) {
	d, err := DecodeDefinition(a.Definition)
	if err != nil {
		return Alarm{}, fmt.Errorf("alarm %s: %w", a.Name, err)
	}
	return Alarm{Alarm: a, Definition: d}, nil
}

// get reads one alarm, or ResourceNotFound.
func (s *Service) get(ctx context.Context, sc Scope, name string) (Alarm, error) {
	a, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return Alarm{}, errorf(ResourceNotFound, "Alarm %s not found", name)
	}
	if err != nil {
		return Alarm{}, err
	}
	return read(*a)
}
