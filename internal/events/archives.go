package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// An archive (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html)
// keeps the events put on its bus that its pattern matches (every event
// without one), except replayed events. As on AWS, it is fed by a rule it
// manages on its bus, Events-Archive-NAME, managed by
// prod.vhs.events.aws.internal, whose pattern is the archive's with
// "replay-name": [{"exists": false}] and whose one target,
// arn:aws:events:REGION:::, receives {"archive-arn", "event",
// "ingestion-time"} — what ListRules and ListTargetsByRule show on AWS.
// Vigil does not deliver that target through the outbox: the event is
// archived, in the state store, before the put that matched it is
// answered (route and commit).

// The rule that feeds an archive: its name's prefix and its manager.
const (
	archiveRulePrefix = "Events-Archive-"
	archiveManager    = "prod.vhs.events.aws.internal"
)

// ArchiveEnabled is the state of an archive: Vigil's archives are ready
// as soon as they are created and never disabled.
const ArchiveEnabled = "ENABLED"

// archiveAttributes are what an archive holds beyond what the store
// looks it up by.
type archiveAttributes struct {
	Description      string `json:"description,omitempty"`
	EventPattern     string `json:"eventPattern,omitempty"`
	KmsKeyIdentifier string `json:"kmsKeyIdentifier,omitempty"`
}

func encodeArchive(a archiveAttributes) []byte {
	b, err := json.Marshal(a)
	if err != nil {
		panic("BUG: events: cannot encode an archive: " + err.Error())
	}
	return b
}

// Archive is an archive as the API describes it.
type Archive struct {
	Name, ARN, BusARN                           string
	Description, EventPattern, KmsKeyIdentifier string
	State                                       string
	RetentionDays                               int
	EventCount, SizeBytes                       int64
	Created                                     time.Time
}

func describeArchive(a *store.EventArchive) (Archive, error) {
	var attrs archiveAttributes
	if err := json.Unmarshal(a.Attributes, &attrs); err != nil {
		return Archive{}, fmt.Errorf("cannot read archive %s: %w", a.ARN, err)
	}
	return Archive{Name: a.Name, ARN: a.ARN, BusARN: a.BusARN, Description: attrs.Description, EventPattern: attrs.EventPattern,
		KmsKeyIdentifier: attrs.KmsKeyIdentifier, State: ArchiveEnabled, RetentionDays: a.RetentionDays,
		EventCount: a.EventCount, SizeBytes: a.SizeBytes, Created: msTime(a.Created)}, nil
}

// ArchiveSettings are what CreateArchive sets and UpdateArchive changes
// (those given, not nil). RetentionDays 0 keeps events for ever.
type ArchiveSettings struct {
	Description, EventPattern, KmsKeyIdentifier *string
	RetentionDays                               *int
}

// apply sets the settings given on an archive's attributes and retention.
func (set ArchiveSettings) apply(a *archiveAttributes, retentionDays *int) {
	for _, f := range []struct{ to, from *string }{
		{&a.Description, set.Description}, {&a.EventPattern, set.EventPattern}, {&a.KmsKeyIdentifier, set.KmsKeyIdentifier},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if set.RetentionDays != nil {
		*retentionDays = *set.RetentionDays
	}
}

// check validates the pattern given as PutRule does.
func (set ArchiveSettings) check() error {
	if set.EventPattern != nil && *set.EventPattern != "" {
		if _, err := parsePattern(*set.EventPattern); err != nil {
			return err
		}
	}
	return nil
}

func archiveARN(sc Scope, name string) string {
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":archive/" + name
}

// archiveNotFound is AWS's answer for an archive that does not exist.
func archiveNotFound(name string) error {
	return errorf(ResourceNotFound, "Archive %s does not exist.", name)
}

// ownBus resolves the ARN of a bus of the caller's scope (an archive's
// EventSourceArn), or answers that it does not exist.
func (s *Service) ownBus(ctx context.Context, sc Scope, arn string) (*store.EventBus, error) {
	account, region, name, ok := parseBusARN(arn)
	if !ok || account != sc.Account || region != sc.Region {
		return nil, errorf(ResourceNotFound, "Event bus %s does not exist.", resourceName(arn))
	}
	return s.bus(ctx, sc, name)
}

// CreateArchive creates an archive of the events put on the bus
// sourceARN, with the rule that feeds it.
func (s *Service) CreateArchive(ctx context.Context, sc Scope, name, sourceARN string, set ArchiveSettings) (Archive, error) {
	if err := set.check(); err != nil {
		return Archive{}, err
	}
	b, err := s.ownBus(ctx, sc, sourceARN)
	if err != nil {
		return Archive{}, err
	}
	var attrs archiveAttributes
	a := store.EventArchive{ARN: archiveARN(sc, name), Account: sc.Account, Region: sc.Region, Name: name, ID: svcevents.NewID(),
		BusARN: b.ARN, RuleARN: ruleARN(sc, b.Name, archiveRulePrefix+name), Created: s.now()}
	set.apply(&attrs, &a.RetentionDays)
	a.Attributes = encodeArchive(attrs)
	rule, target, err := archiveRule(&a, b.Name, attrs.EventPattern)
	if err != nil {
		return Archive{}, err
	}
	err = s.opt.Store.CreateArchive(ctx, a, rule, target)
	switch {
	case errors.Is(err, store.ErrExists):
		return Archive{}, errorf(ResourceAlreadyExists, "Archive %s already exists.", name)
	case errors.Is(err, store.ErrNotFound):
		return Archive{}, errorf(ResourceNotFound, "Event bus %s does not exist.", b.Name)
	case err != nil:
		return Archive{}, err
	}
	s.invalidate(b.ARN)
	return describeArchive(&a)
}

// archiveRule returns the rule that feeds an archive of the bus bus,
// whose pattern is pattern, and the rule's target.
func archiveRule(a *store.EventArchive, bus, pattern string) (store.EventRule, store.EventTarget, error) {
	def, err := archiveRuleDefinition(pattern)
	if err != nil {
		return store.EventRule{}, store.EventTarget{}, err
	}
	name := archiveRulePrefix + a.Name
	sink, err := json.Marshal(a.ARN + ":" + a.ID)
	if err != nil {
		return store.EventRule{}, store.EventTarget{}, err
	}
	template := `{"archive-arn": ` + string(sink) + `, "event": <aws.events.event.json>, "ingestion-time": <aws.events.event.ingestion-time>}`
	t := Target{ID: name, ARN: archiveSink(a.Region), Input: Input{Template: &template}}
	target, err := json.Marshal(t)
	if err != nil {
		return store.EventRule{}, store.EventTarget{}, err
	}
	return store.EventRule{ARN: a.RuleARN, Account: a.Account, Region: a.Region, Bus: bus, Name: name, Enabled: true, Definition: def,
			Created: a.Created},
		store.EventTarget{RuleARN: a.RuleARN, ID: t.ID, ARN: t.ARN, Definition: target}, nil
}

// archiveRuleDefinition is the definition of the rule that feeds an
// archive whose pattern is pattern: the pattern, its members in order of
// their names, with "replay-name": [{"exists": false}], so that
// replayed events are never archived.
func archiveRuleDefinition(pattern string) ([]byte, error) {
	members := map[string]json.RawMessage{}
	if pattern != "" {
		if err := json.Unmarshal([]byte(pattern), &members); err != nil {
			return nil, err
		}
	}
	members["replay-name"] = json.RawMessage(`[{"exists":false}]`)
	p, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	return Rule{EventPattern: string(p), State: StateEnabled, ManagedBy: archiveManager}.definition(), nil
}

// archiveSink is the target of the rules that feed the archives of a
// region, as AWS writes it: arn:aws:events:REGION::: names no account
// and no resource.
func archiveSink(region string) string { return "arn:aws:events:" + region + ":::" }

// isArchiveTarget reports whether a target is an archive's rule's.
func isArchiveTarget(arn string) bool {
	region, ok := strings.CutPrefix(arn, "arn:aws:events:")
	return ok && arn == archiveSink(strings.TrimSuffix(region, ":::"))
}

// archivedEvent reads what an archive's rule sends its target (the
// input its template makes of an event) as an event to archive at now.
func archivedEvent(input []byte, now time.Time) (store.ArchivedEvent, error) {
	var in struct {
		Archive string          `json:"archive-arn"`
		Event   json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return store.ArchivedEvent{}, err
	}
	i := strings.LastIndexByte(in.Archive, ':')
	if i < 0 {
		return store.ArchivedEvent{}, fmt.Errorf("%q names no archive", in.Archive)
	}
	var head struct {
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal(in.Event, &head); err != nil {
		return store.ArchivedEvent{}, err
	}
	return store.ArchivedEvent{ArchiveARN: in.Archive[:i], ArchiveID: in.Archive[i+1:], Time: head.Time.UnixMilli(),
		Archived: now.UnixMilli(), Event: in.Event}, nil
}

// DescribeArchive describes an archive.
func (s *Service) DescribeArchive(ctx context.Context, sc Scope, name string) (Archive, error) {
	a, err := s.opt.Store.Archive(ctx, archiveARN(sc, name))
	if errors.Is(err, store.ErrNotFound) {
		return Archive{}, archiveNotFound(name)
	}
	if err != nil {
		return Archive{}, err
	}
	return describeArchive(a)
}

// exclusiveFilters refuses a list given more than one of its filters,
// as AWS's ListArchives and ListReplays do.
func exclusiveFilters(op string, filters ...string) error {
	n := 0
	for _, f := range filters {
		if f != "" {
			n++
		}
	}
	if n > 1 {
		return errorf(Validation, "At most one filter is allowed for %s. Use either : State, EventSourceArn, or NamePrefix.", op)
	}
	return nil
}

// ListArchives lists the archives by name, those whose names begin with
// prefix, or of the bus sourceARN, or in the state state.
func (s *Service) ListArchives(ctx context.Context, sc Scope, prefix, sourceARN, state, token string, limit int) ([]Archive, string, error) {
	if err := exclusiveFilters("ListArchives", prefix, sourceARN, state); err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	if sourceARN != "" {
		if _, err := s.ownBus(ctx, sc, sourceARN); err != nil {
			return nil, "", err
		}
	}
	if state != "" && state != ArchiveEnabled {
		return nil, "", nil
	}
	as, err := s.opt.Store.Archives(ctx, sc.Account, sc.Region, prefix, sourceARN, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(as, limit, func(a store.EventArchive) string { return a.Name }, describeArchive)
}

// UpdateArchive changes an archive's description, pattern, retention or
// key, and its rule's pattern with its own.
func (s *Service) UpdateArchive(ctx context.Context, sc Scope, name string, set ArchiveSettings) (Archive, error) {
	if set.Description == nil && set.EventPattern == nil && set.RetentionDays == nil && set.KmsKeyIdentifier == nil {
		return Archive{}, errorf(Validation, "At least one of EventPattern, RetentionDays or Description must be provided.")
	}
	if err := set.check(); err != nil {
		return Archive{}, err
	}
	var out store.EventArchive
	err := s.opt.Store.UpdateArchive(ctx, archiveARN(sc, name), func(a *store.EventArchive) ([]byte, error) {
		var attrs archiveAttributes
		if err := json.Unmarshal(a.Attributes, &attrs); err != nil {
			return nil, fmt.Errorf("cannot read archive %s: %w", a.ARN, err)
		}
		set.apply(&attrs, &a.RetentionDays)
		a.Attributes = encodeArchive(attrs)
		out = *a
		return archiveRuleDefinition(attrs.EventPattern)
	})
	if errors.Is(err, store.ErrNotFound) {
		return Archive{}, archiveNotFound(name)
	}
	if err != nil {
		return Archive{}, err
	}
	s.invalidate(out.BusARN)
	return describeArchive(&out)
}

// DeleteArchive deletes an archive with its events and its rule.
func (s *Service) DeleteArchive(ctx context.Context, sc Scope, name string) error {
	arn := archiveARN(sc, name)
	a, err := s.opt.Store.Archive(ctx, arn)
	if err == nil {
		err = s.opt.Store.DeleteArchive(ctx, arn)
	}
	if errors.Is(err, store.ErrNotFound) {
		return archiveNotFound(name)
	}
	if err != nil {
		return err
	}
	s.invalidate(a.BusARN)
	return nil
}

// ExpireArchives deletes the archived events older than their archive's
// retention on Vigil's clock: the scheduler's job.
func (s *Service) ExpireArchives(ctx context.Context, now time.Time) error {
	n, err := s.opt.Store.ExpireArchivedEvents(ctx, now.UnixMilli())
	if n > 0 {
		s.opt.Logger.Info("archive retention deleted expired events", "events", n)
	}
	return err
}
