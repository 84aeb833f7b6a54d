package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/eventpattern"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// maxEntrySize is the largest event PutEvents takes, and the largest
// request (256 KiB), counted as AWS counts an entry's size.
const maxEntrySize = 256 * 1024

// Entry is an event PutEvents puts.
type Entry struct {
	Time                     *time.Time
	Source, DetailType       string
	Detail, Bus, TraceHeader string
	Resources                []string
	// Has says which of Source, DetailType and Detail were given.
	HasSource, HasDetailType, HasDetail bool
}

// EntryResult is the outcome of an entry: its event's id, or the error
// code and message AWS answers for it.
type EntryResult struct {
	EventID, Code, Message string
}

// entrySize is an entry's size as AWS calculates it: the UTF-8 bytes of
// Source, DetailType, Detail and Resources, and 14 for a Time.
func entrySize(e *Entry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	for _, r := range e.Resources {
		n += len(r)
	}
	if e.Time != nil {
		n += 14
	}
	return n
}

// CheckSize refuses a request whose entries are larger together than
// AWS takes.
func CheckSize(entries []Entry) error {
	total := 0
	for i := range entries {
		total += entrySize(&entries[i])
	}
	if total > maxEntrySize {
		return errorf(Validation, "Total size of the entries in the request is over the limit.")
	}
	return nil
}

// checkEntry returns the error code and message of an entry AWS refuses
// ("" when it takes it).
func checkEntry(e *Entry) (string, string) {
	switch {
	case !e.HasSource || e.Source == "":
		return "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case !e.HasDetailType || e.DetailType == "":
		return "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case !e.HasDetail || e.Detail == "":
		return "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case strings.HasPrefix(e.Source, "aws."):
		return "NotAuthorizedForSourceException", "Not authorized for the source."
	case !utf8.ValidString(e.Detail) || !json.Valid([]byte(e.Detail)) || !strings.HasPrefix(strings.TrimLeft(e.Detail, " \t\r\n"), "{"):
		return "MalformedDetail", "Detail is malformed."
	}
	return "", ""
}

// PutEvents puts events on buses: each entry that AWS takes is matched
// against the rules of its bus, and, when PutEvents returns, the events
// the bus's archives keep are archived and the invocations of the
// targets of the rules it matches are in the outbox, durable. An entry
// may name another account's bus of the caller's region by its ARN: the
// bus's policy must allow the caller events:PutEvents on it.
func (s *Service) PutEvents(ctx context.Context, sc Scope, entries []Entry) ([]EntryResult, error) {
	if err := CheckSize(entries); err != nil {
		return nil, err
	}
	out := make([]EntryResult, len(entries))
	var d delivery
	now := s.opt.Clock.Now()
	for i := range entries {
		e := &entries[i]
		if code, msg := checkEntry(e); code != "" {
			out[i] = EntryResult{Code: code, Message: msg}
			continue
		}
		owner, bus, err := putBus(sc, e.Bus)
		if err != nil {
			out[i] = EntryResult{Code: "InvalidArgument", Message: fmt.Sprintf("Parameter EventBusName is not valid. Reason: %s", err)}
			continue
		}
		evt := svcevents.Event{ID: svcevents.NewID(), DetailType: e.DetailType, Source: e.Source, Account: sc.Account,
			Region: sc.Region, Time: now, Resources: e.Resources, Detail: json.RawMessage(e.Detail)}
		if e.Time != nil {
			evt.Time = *e.Time
		}
		msg, err := s.permits(ctx, owner, bus, caller(sc.Account, sc.Principal), &evt, "")
		if err != nil {
			return nil, err
		}
		if msg != "" {
			out[i] = EntryResult{Code: "AccessDeniedException", Message: msg}
			continue
		}
		routed, err := s.route(ctx, owner, bus, &evt, nil)
		if err != nil {
			return nil, err
		}
		d.add(routed)
		out[i] = EntryResult{EventID: evt.ID}
	}
	if err := s.commit(ctx, d); err != nil {
		return nil, err
	}
	return out, nil
}

// putBus resolves the EventBusName of a PutEvents entry ("": the
// default bus) to a bus: a name or ARN of the caller's scope, or the ARN
// of another account's bus in the caller's region.
func putBus(sc Scope, nameOrARN string) (Scope, string, error) {
	if account, region, name, ok := parseBusARN(nameOrARN); ok && region == sc.Region && account != sc.Account {
		return Scope{Account: account, Region: region}, name, nil
	}
	name, err := busName(sc, nameOrARN)
	return sc, name, err
}

// delivery is what putting events on buses owes before the put is
// answered: the events archives keep, and the invocations of targets.
type delivery struct {
	archived []store.ArchivedEvent
	items    []store.OutboxItem
}

func (d *delivery) add(o delivery) {
	d.archived = append(d.archived, o.archived...)
	d.items = append(d.items, o.items...)
}

// commit makes a delivery durable, its archived events and its
// invocations in one transaction, and tells the outbox.
func (s *Service) commit(ctx context.Context, d delivery) error {
	if len(d.archived) == 0 && len(d.items) == 0 {
		return nil
	}
	if err := s.opt.Store.ArchiveEvents(ctx, d.archived, d.items); err != nil {
		return err
	}
	if len(d.items) > 0 && s.opt.Notify != nil {
		s.opt.Notify()
	}
	return nil
}

// route matches an event against the enabled rules of a bus of sc —
// those only selects, all when it is nil — and returns what the
// targets of the rules it matches are owed. A bus that does not exist
// matches nothing: AWS takes events put on it and delivers them nowhere.
func (s *Service) route(ctx context.Context, sc Scope, bus string, evt *svcevents.Event, only func(*compiledRule) bool) (delivery, error) {
	m, err := s.matcher(ctx, sc, bus)
	if err != nil {
		return delivery{}, err
	}
	switch {
	case s.opt.Observer == nil:
	case m != nil:
		s.opt.Observer.Observe(ctx, m.arn, evt)
	case bus == DefaultBus:
		// Every account has a default bus, stored or not yet.
		s.opt.Observer.Observe(ctx, busARN(sc, bus), evt)
	}
	if m == nil {
		return delivery{}, nil
	}
	body, err := json.Marshal(evt)
	if err != nil {
		return delivery{}, err
	}
	ids, err := m.m.Match(body)
	if err != nil {
		return delivery{}, err
	}
	var d delivery
	now := s.opt.Clock.Now()
	matched := false
	for _, id := range ids {
		r := m.rules[id]
		if only != nil && !only(r) {
			continue
		}
		routed, err := s.invocations(r, body, now)
		if err != nil {
			return delivery{}, err
		}
		d.add(routed)
		s.countRule(sc.Account, sc.Region, metricTriggeredRules, r.ARN, now)
		if !matched {
			matched = true
			b, _ := ruleOf(r.ARN)
			s.counts.add(sc.Account, sc.Region, metricMatchedEvents, b, "", now, 1)
		}
	}
	return d, nil
}

// compiledRule is an enabled rule of a bus, with its targets.
type compiledRule struct {
	ARN, Name, State string
	Targets          []Target
}

// busMatcher is the compiled rules of a bus (of ARN arn), and its policy.
type busMatcher struct {
	arn   string
	m     *eventpattern.Matcher
	rules map[string]*compiledRule
	// policy is the bus's policy (nil: it has none).
	policy *policy.Policy
	built  time.Time
}

// matcherTTL is how long a bus's compiled rules are used before they are
// read again: a rule changed on another node shows within it (a change
// on this node at once). AWS's rule changes also take a moment.
const matcherTTL = 5 * time.Second

// matcher returns the compiled rules and the policy of a bus of sc (nil
// when the bus does not exist), building them when they are not cached.
func (s *Service) matcher(ctx context.Context, sc Scope, bus string) (*busMatcher, error) {
	arn := busARN(sc, bus)
	now := s.opt.Clock.Now()
	s.mu.Lock()
	m := s.matchers[arn]
	s.mu.Unlock()
	if m != nil && now.Sub(m.built) < matcherTTL && !now.Before(m.built) {
		return m, nil
	}
	b, err := s.opt.Store.Bus(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rules, err := s.opt.Store.Rules(ctx, sc.Account, sc.Region, bus, "", "", 0)
	if err != nil {
		return nil, err
	}
	m = &busMatcher{arn: arn, m: eventpattern.NewMatcher(), rules: map[string]*compiledRule{}, policy: s.busPolicy(b), built: now}
	for i := range rules {
		r := &rules[i]
		if !r.Enabled {
			continue
		}
		def, err := decodeRule(r)
		if err != nil {
			return nil, err
		}
		if def.EventPattern == "" {
			continue
		}
		p, err := eventpattern.Parse([]byte(def.EventPattern))
		if err != nil {
			s.opt.Logger.Warn("rule with a pattern that no longer parses; skipped", "rule", r.ARN, "err", err)
			continue
		}
		ts, err := s.opt.Store.Targets(ctx, r.ARN, "", 0)
		if err != nil {
			return nil, err
		}
		c := &compiledRule{ARN: r.ARN, Name: r.Name, State: def.State}
		for j := range ts {
			t, err := decodeTarget(&ts[j])
			if err != nil {
				return nil, err
			}
			c.Targets = append(c.Targets, t)
		}
		m.rules[r.ARN] = c
		m.m.Add(r.ARN, p)
	}
	s.mu.Lock()
	s.matchers[arn] = m
	s.mu.Unlock()
	return m, nil
}

// invalidate drops the compiled rules of a bus after a change.
func (s *Service) invalidate(busARN string) {
	s.mu.Lock()
	delete(s.matchers, busARN)
	s.mu.Unlock()
}

// TestEventPattern reports whether an event matches a pattern; the event
// must have the envelope's fields, as AWS requires.
func TestEventPattern(pattern, event string) (bool, error) {
	p, err := parsePattern(pattern)
	if err != nil {
		return false, err
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal([]byte(event), &env); err != nil {
		return false, errorf(Validation, "Parameter Event is not valid.")
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := env[f]; !ok {
			return false, errorf(Validation, "Parameter Event is not valid.")
		}
	}
	m := eventpattern.NewMatcher()
	m.Add("p", p)
	ids, err := m.Match([]byte(event))
	if err != nil {
		return false, errorf(Validation, "Parameter Event is not valid.")
	}
	return len(ids) > 0, nil
}
