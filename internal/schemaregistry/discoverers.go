package schemaregistry

import (
	"context"
	"errors"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// The states of a discoverer.
const (
	StateStarted = "STARTED"
	StateStopped = "STOPPED"
)

// Discoverer is a discoverer as DescribeDiscoverer returns it.
type Discoverer struct {
	ID, ARN, SourceARN, Description, State string
	CrossAccount                           bool
	Tags                                   map[string]string
}

// discovererID is the ID of the discoverer of an event bus, as AWS names
// them (the default bus's is events-event-bus-default): a bus has at
// most one.
func discovererID(bus string) string { return "events-event-bus-" + bus }

// busOf returns the name of the bus of an ARN of the caller's scope.
func busOf(sc Scope, arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, "arn:aws:events:"+sc.Region+":"+sc.Account+":event-bus/")
	return name, ok && name != "" && !strings.Contains(name, "/")
}

// CreateDiscoverer creates a discoverer of an event bus of the caller's
// account and region, started.
func (s *Service) CreateDiscoverer(ctx context.Context, sc Scope, source, description string, crossAccount bool, tags map[string]string) (Discoverer, error) {
	bus, ok := busOf(sc, source)
	if !ok {
		return Discoverer{}, errorf(BadRequest, "Invalid SourceArn %s: it is the ARN of an event bus of account %s in %s.", source, sc.Account, sc.Region)
	}
	if bus != "default" && s.opt.BusExists != nil {
		exists, err := s.opt.BusExists(ctx, source)
		if err != nil {
			return Discoverer{}, err
		}
		if !exists {
			return Discoverer{}, errorf(BadRequest, "Event bus %s does not exist.", bus)
		}
	}
	if len(tags) > maxTags {
		return Discoverer{}, errorf(BadRequest, "A resource takes at most %d tags.", maxTags)
	}
	if err := s.ensureDiscoveredRegistry(ctx, sc); err != nil {
		return Discoverer{}, err
	}
	now := s.now()
	id := discovererID(bus)
	d := store.Discoverer{Account: sc.Account, Region: sc.Region, ID: id, ARN: discovererARN(sc, id), Source: source,
		Description: description, Started: true, CrossAccount: crossAccount, Created: now, Updated: now}
	if err := s.opt.Store.CreateDiscoverer(ctx, d); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Discoverer{}, errorf(Conflict, "Event bus %s already has a discoverer: %s.", bus, id)
		}
		return Discoverer{}, err
	}
	s.watches.Forget(source)
	if err := s.tag(ctx, d.ARN, tags, nil); err != nil {
		return Discoverer{}, err
	}
	return discovererOf(&d, tags), nil
}

func discovererOf(d *store.Discoverer, tags map[string]string) Discoverer {
	state := StateStopped
	if d.Started {
		state = StateStarted
	}
	return Discoverer{ID: d.ID, ARN: d.ARN, SourceARN: d.Source, Description: d.Description, State: state,
		CrossAccount: d.CrossAccount, Tags: tags}
}

// discoverer reads a discoverer of the caller's scope by ID.
func (s *Service) discoverer(ctx context.Context, sc Scope, id string) (*store.Discoverer, error) {
	d, err := s.opt.Store.Discoverer(ctx, discovererARN(sc, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, discovererNotFound(id)
	}
	return d, err
}

// DescribeDiscoverer describes a discoverer.
func (s *Service) DescribeDiscoverer(ctx context.Context, sc Scope, id string) (Discoverer, error) {
	d, err := s.discoverer(ctx, sc, id)
	if err != nil {
		return Discoverer{}, err
	}
	tags, err := s.opt.Tags.ResourceTags(ctx, d.ARN)
	return discovererOf(d, tags), err
}

// UpdateDiscoverer changes a discoverer's description and whether it
// discovers the events of other accounts (nil: unchanged).
func (s *Service) UpdateDiscoverer(ctx context.Context, sc Scope, id string, description *string, crossAccount *bool) (Discoverer, error) {
	return s.changeDiscoverer(ctx, sc, id, func(d *store.Discoverer) {
		if description != nil {
			d.Description = *description
		}
		if crossAccount != nil {
			d.CrossAccount = *crossAccount
		}
	})
}

// SetState starts or stops a discoverer.
func (s *Service) SetState(ctx context.Context, sc Scope, id string, started bool) (Discoverer, error) {
	return s.changeDiscoverer(ctx, sc, id, func(d *store.Discoverer) { d.Started = started })
}

func (s *Service) changeDiscoverer(ctx context.Context, sc Scope, id string, change func(*store.Discoverer)) (Discoverer, error) {
	d, err := s.discoverer(ctx, sc, id)
	if err != nil {
		return Discoverer{}, err
	}
	change(d)
	d.Updated = s.now()
	if err := s.opt.Store.UpdateDiscoverer(ctx, *d); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Discoverer{}, discovererNotFound(id)
		}
		return Discoverer{}, err
	}
	s.watches.Forget(d.Source)
	tags, err := s.opt.Tags.ResourceTags(ctx, d.ARN)
	return discovererOf(d, tags), err
}

// DeleteDiscoverer deletes a discoverer and its tags; the schemas it
// found stay.
func (s *Service) DeleteDiscoverer(ctx context.Context, sc Scope, id string) error {
	d, err := s.discoverer(ctx, sc, id)
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteDiscoverer(ctx, d.ARN); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return discovererNotFound(id)
		}
		return err
	}
	s.watches.Forget(d.Source)
	s.mu.Lock()
	delete(s.seen, d.ARN)
	s.mu.Unlock()
	return store.RemoveTags(ctx, s.opt.Tags, d.ARN)
}

// ListDiscoverers lists the discoverers whose IDs and source ARNs begin
// with the prefixes, a page of at most limit after the page of nextToken.
func (s *Service) ListDiscoverers(ctx context.Context, sc Scope, idPrefix, sourcePrefix, nextToken string, limit int) ([]Discoverer, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	ds, err := s.opt.Store.Discoverers(ctx, store.DiscovererQuery{Account: sc.Account, Region: sc.Region, IDPrefix: idPrefix,
		SourcePrefix: sourcePrefix, After: after, Limit: limit + 1})
	if err != nil {
		return nil, "", err
	}
	ds, next := page(ds, limit, func(d *store.Discoverer) string { return d.ID })
	out := make([]Discoverer, len(ds))
	for i := range ds {
		tags, err := s.opt.Tags.ResourceTags(ctx, ds[i].ARN)
		if err != nil {
			return nil, "", err
		}
		out[i] = discovererOf(&ds[i], tags)
	}
	return out, next, nil
}
