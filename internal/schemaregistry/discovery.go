package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// Discovery. The events engine calls Observe with every event it accepts
// on a bus, in the putter's goroutine. What that costs PutEvents is a
// cache lookup when the bus has no started discoverer; otherwise a
// fingerprint of the event's shape (fingerprint.go) checked against
// those each discoverer has seen. An unseen shape's event is copied into
// a bounded queue and the discovery job kicked; the job (Discover)
// infers, merges with the discovered schema and writes a new version
// when the schema changed. The queue is in memory: a crash loses what it
// holds, and the fingerprints seen with it, so the next event of each of
// those shapes is sampled again and the schemas converge all the same.

// The bounds of discovery's memory.
const (
	// maxWatchedBuses is how many buses' discoverers are cached, and
	// watchTTL for how long: a discoverer created, changed or deleted on
	// another node shows within it (on this node at once).
	maxWatchedBuses = 10000
	watchTTL        = 5 * time.Second
	// maxSeen is how many fingerprints a discoverer remembers; past it
	// it forgets them all, and samples each shape once more.
	maxSeen = 10000
	// maxQueued is how many samples wait for the job; past it samples
	// are dropped and their fingerprints forgotten, so that a later event
	// of their shape is sampled again.
	maxQueued = 1000
)

// watcher is a started discoverer of a bus.
type watcher struct {
	arn, account, region string
	crossAccount         bool
}

// queued is an event sampled by a discoverer.
type queued struct {
	w                  watcher
	fingerprint        uint64
	source, detailType string
	resources          []string
	detail             []byte
}

// Observe shows a discoverer the events accepted on its bus (of ARN bus).
// It must be quick: it runs on the path of PutEvents.
func (s *Service) Observe(ctx context.Context, bus string, evt *svcevents.Event) {
	now := s.opt.Clock.Now()
	ws, ok := s.watches.Get(bus, now)
	if !ok {
		ws = s.watch(ctx, bus, now)
	}
	if len(ws) == 0 {
		return
	}
	fp, ok := fingerprint(evt.Source, evt.DetailType, len(evt.Resources), evt.Detail)
	if !ok {
		return
	}
	sampled := false
	for _, w := range ws {
		if w.account == evt.Account || w.crossAccount {
			sampled = s.sample(w, fp, evt) || sampled
		}
	}
	if sampled && s.opt.Notify != nil {
		s.opt.Notify()
	}
}

// watch reads and caches the started discoverers of a bus.
func (s *Service) watch(ctx context.Context, bus string, now time.Time) []watcher {
	ds, err := s.opt.Store.DiscoverersOf(ctx, bus)
	if err != nil {
		// Discovery is best effort: the event is put all the same.
		s.opt.Logger.Warn("cannot read the discoverers of a bus", "bus", bus, "err", err)
		return nil
	}
	var ws []watcher
	for _, d := range ds {
		if d.Started {
			ws = append(ws, watcher{arn: d.ARN, account: d.Account, region: d.Region, crossAccount: d.CrossAccount})
		}
	}
	s.watches.Put(bus, ws, now)
	return ws
}

// sample queues an event for a discoverer unless it has seen its shape;
// it reports whether it did.
func (s *Service) sample(w watcher, fp uint64, evt *svcevents.Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.seen[w.arn]
	if seen[fp] {
		return false
	}
	if len(s.queue) >= maxQueued {
		return false
	}
	if seen == nil || len(seen) >= maxSeen {
		if len(s.seen) >= maxWatchedBuses {
			clear(s.seen)
		}
		seen = map[uint64]bool{}
		s.seen[w.arn] = seen
	}
	seen[fp] = true
	s.queue = append(s.queue, queued{w: w, fingerprint: fp, source: evt.Source, detailType: evt.DetailType,
		resources: append([]string(nil), evt.Resources...), detail: append([]byte(nil), evt.Detail...)})
	return true
}

// forget drops a sampled fingerprint, so that the shape is sampled again.
func (s *Service) forget(q *queued) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen[q.w.arn], q.fingerprint)
}

// Discover infers the schemas of the sampled events and writes the
// versions they change: the discovery job, kicked by Observe.
func (s *Service) Discover(ctx context.Context, _ time.Time) error {
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	s.mu.Unlock()
	// The samples of a schema, by account, region and schema name, in
	// the order they came.
	type key struct{ account, region, name string }
	var order []key
	groups := map[key][]*queued{}
	for i := range batch {
		q := &batch[i]
		k := key{q.w.account, q.w.region, schemaName(q.source, q.detailType)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], q)
	}
	var errs []error
	for _, k := range order {
		if err := s.discover(ctx, Scope{Account: k.account, Region: k.region}, k.name, groups[k]); err != nil {
			for _, q := range groups[k] {
				s.forget(q)
			}
			errs = append(errs, fmt.Errorf("cannot discover schema %s of account %s: %w", k.name, k.account, err))
		}
	}
	return errors.Join(errs...)
}

// discover merges the samples of one schema into it.
func (s *Service) discover(ctx context.Context, sc Scope, name string, qs []*queued) error {
	var samples []*sample
	for _, q := range qs {
		x, err := sampleOfEvent(q)
		if err != nil {
			s.opt.Logger.Debug("event not discovered", "schema", name, "err", err)
			continue
		}
		samples = append(samples, x)
	}
	if len(samples) == 0 {
		return nil
	}
	if err := s.ensureDiscoveredRegistry(ctx, sc); err != nil {
		return err
	}
	arn := SchemaARN(sc, DiscoveredRegistry, name)
	// A write that another node's came before is made again over it.
	for attempt := 0; ; attempt++ {
		err := s.mergeSamples(ctx, sc, arn, name, samples)
		if attempt < 2 && (errors.Is(err, store.ErrPrecondition) || errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrNotFound)) {
			continue
		}
		return err
	}
}

// mergeSamples writes the union of a discovered schema's latest version
// and the samples, as a new version when it differs.
func (s *Service) mergeSamples(ctx context.Context, sc Scope, arn, name string, samples []*sample) error {
	now := s.now()
	latest, err := s.opt.Store.SchemaVersion(ctx, arn, 0)
	if errors.Is(err, store.ErrNotFound) {
		content := discover(samples).openAPI()
		x := store.Schema{Account: sc.Account, Region: sc.Region, Registry: DiscoveredRegistry, Name: name, ARN: arn, Created: now, Modified: now}
		return s.opt.Store.CreateSchema(ctx, x, store.SchemaVersion{Type: TypeOpenAPI3, Content: content, Created: now})
	}
	if err != nil {
		return err
	}
	d, err := parseDiscovered(latest.Content)
	if err != nil {
		// Not in discovery's form: the samples make the next version.
		s.opt.Logger.Warn("discovered schema not in the form discovery writes; replaced", "schema", arn, "err", err)
		d = discover(samples[:1])
	}
	for _, x := range samples {
		d.add(x)
	}
	content := d.openAPI()
	if content == latest.Content && latest.Type == TypeOpenAPI3 {
		return nil
	}
	_, err = s.opt.Store.UpdateSchema(ctx, store.SchemaUpdate{ARN: arn, IfLatest: latest.Version, Modified: now,
		Version: &store.SchemaVersion{Type: TypeOpenAPI3, Content: content, Created: now}})
	return err
}

// sampleOfEvent reads a queued event.
func sampleOfEvent(q *queued) (*sample, error) {
	detail, err := decode(q.detail)
	if _, ok := detail.(map[string]any); err != nil || !ok {
		return nil, errNotEvent
	}
	x := &sample{Source: q.source, DetailType: q.detailType, Resources: &shape{kind: kindArray, items: &shape{kind: kindNone}}}
	for _, r := range q.resources {
		x.Resources.items = merge(x.Resources.items, &shape{kind: kindString, dateTime: isDateTime(r)})
	}
	if x.Detail, err = shapeOf(detail, 1); err != nil {
		return nil, err
	}
	return x, nil
}

// ensureDiscoveredRegistry creates the scope's discovered-schemas
// registry unless it exists.
func (s *Service) ensureDiscoveredRegistry(ctx context.Context, sc Scope) error {
	arn := registryARN(sc, DiscoveredRegistry)
	if _, err := s.opt.Store.Registry(ctx, arn); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	now := s.now()
	err := s.opt.Store.CreateRegistry(ctx, store.Registry{Account: sc.Account, Region: sc.Region, Name: DiscoveredRegistry,
		ARN: arn, Description: discoveredDescription, Created: now, Updated: now})
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// maxDiscoveryEvents bounds the events of GetDiscoveredSchema, as the
// model does.
const maxDiscoveryEvents = 10

// DiscoverSchema returns the schema inferred from events of one source
// and detail type (JSON, with AWS's envelope), as an OpenAPI 3 document
// or exported to JSON Schema Draft 4: what a discoverer would write.
func DiscoverSchema(events []string, typ string) (string, error) {
	if typ != TypeOpenAPI3 && typ != TypeJSONSchemaDraft4 {
		return "", errorf(BadRequest, "Invalid Type %s: it is OpenApi3 or JSONSchemaDraft4.", typ)
	}
	if len(events) == 0 || len(events) > maxDiscoveryEvents {
		return "", errorf(BadRequest, "Events takes 1 to %d events.", maxDiscoveryEvents)
	}
	samples := make([]*sample, len(events))
	for i, e := range events {
		x, err := sampleOf([]byte(e))
		if err != nil {
			return "", errorf(BadRequest, "Events[%d] is not an event: %s.", i, err.Error())
		}
		if i > 0 && (x.Source != samples[0].Source || x.DetailType != samples[0].DetailType) {
			return "", errorf(BadRequest, "Events are of one source and detail type: Events[%d] is of %s %q, Events[0] of %s %q.",
				i, x.Source, x.DetailType, samples[0].Source, samples[0].DetailType)
		}
		samples[i] = x
	}
	content := discover(samples).openAPI()
	if typ == TypeJSONSchemaDraft4 {
		return exportDraft4(content)
	}
	return content, nil
}
