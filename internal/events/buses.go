package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// busAttributes are what a bus holds beyond its name.
type busAttributes struct {
	Description      string `json:"description,omitempty"`
	KmsKeyIdentifier string `json:"kmsKeyIdentifier,omitempty"`
	// DeadLetterARN is the SQS queue of the events the bus cannot
	// deliver.
	DeadLetterARN string `json:"deadLetterArn,omitempty"`
	// Policy is the bus's resource policy ("" none).
	Policy string `json:"policy,omitempty"`
}

func encodeBus(a busAttributes) []byte {
	b, err := json.Marshal(a)
	if err != nil {
		panic("BUG: events: cannot encode a bus: " + err.Error())
	}
	return b
}

func decodeBus(b []byte) (busAttributes, error) {
	var a busAttributes
	if len(b) == 0 {
		return a, nil
	}
	err := json.Unmarshal(b, &a)
	return a, err
}

// Bus is an event bus as the API describes it.
type Bus struct {
	Name, ARN                     string
	Description, KmsKeyIdentifier string
	DeadLetterARN, Policy         string
	Created, Updated              time.Time
}

func describeBus(b *store.EventBus) (Bus, error) {
	a, err := decodeBus(b.Attributes)
	if err != nil {
		return Bus{}, err
	}
	return Bus{Name: b.Name, ARN: b.ARN, Description: a.Description, KmsKeyIdentifier: a.KmsKeyIdentifier,
		DeadLetterARN: a.DeadLetterARN, Policy: a.Policy, Created: msTime(b.Created), Updated: msTime(b.Updated)}, nil
}

// BusSettings are what CreateEventBus and UpdateEventBus set.
type BusSettings struct {
	Description, KmsKeyIdentifier, DeadLetterARN string
}

// checkDeadLetter checks a dead-letter queue's ARN: an SQS queue.
func checkDeadLetter(arn string) error {
	if arn == "" || strings.HasPrefix(arn, "arn:aws:sqs:") && strings.Count(arn, ":") == 5 {
		return nil
	}
	return errorf(Validation, "Parameter DeadLetterConfig.Arn is not valid. Reason: Provided Arn is not in correct format.")
}

// CreateBus creates a custom event bus and returns its ARN.
func (s *Service) CreateBus(ctx context.Context, sc Scope, name, eventSource string, set BusSettings, tags map[string]string) (string, error) {
	if eventSource != "" {
		return "", errorf(Validation, "Vigil has no partner event sources: EventSourceName %s cannot be used.", eventSource)
	}
	if name == DefaultBus {
		return "", errorf(ResourceAlreadyExists, "Event bus default already exists.")
	}
	if strings.Contains(name, "/") {
		return "", errorf(Validation, "Event bus name must not contain '/'.")
	}
	if err := checkDeadLetter(set.DeadLetterARN); err != nil {
		return "", err
	}
	now := s.now()
	arn := busARN(sc, name)
	err := s.opt.Store.CreateBus(ctx, store.EventBus{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
		Attributes: encodeBus(busAttributes{Description: set.Description, KmsKeyIdentifier: set.KmsKeyIdentifier,
			DeadLetterARN: set.DeadLetterARN}), Created: now, Updated: now})
	if errors.Is(err, store.ErrExists) {
		return "", errorf(ResourceAlreadyExists, "Event bus %s already exists.", name)
	}
	if err != nil {
		return "", err
	}
	if len(tags) > 0 {
		if err := s.tag(ctx, arn, tags, nil); err != nil {
			return "", err
		}
	}
	return arn, nil
}

// DescribeBus describes a bus by name or ARN ("": the default bus).
func (s *Service) DescribeBus(ctx context.Context, sc Scope, nameOrARN string) (Bus, error) {
	name, err := busName(sc, nameOrARN)
	if err != nil {
		return Bus{}, err
	}
	b, err := s.bus(ctx, sc, name)
	if err != nil {
		return Bus{}, err
	}
	return describeBus(b)
}

// UpdateBus changes a bus's settings and returns it.
func (s *Service) UpdateBus(ctx context.Context, sc Scope, nameOrARN string, set BusSettings) (Bus, error) {
	if err := checkDeadLetter(set.DeadLetterARN); err != nil {
		return Bus{}, err
	}
	name, err := busName(sc, nameOrARN)
	if err != nil {
		return Bus{}, err
	}
	b, err := s.bus(ctx, sc, name)
	if err != nil {
		return Bus{}, err
	}
	if b, err = s.updateBus(ctx, b.ARN, func(a *busAttributes) error {
		a.Description, a.KmsKeyIdentifier, a.DeadLetterARN = set.Description, set.KmsKeyIdentifier, set.DeadLetterARN
		return nil
	}); err != nil {
		return Bus{}, err
	}
	return describeBus(b)
}

// updateBus changes a bus's attributes in one store transaction and
// returns the bus as changed.
func (s *Service) updateBus(ctx context.Context, arn string, edit func(a *busAttributes) error) (*store.EventBus, error) {
	var out store.EventBus
	err := s.opt.Store.UpdateBus(ctx, arn, func(b *store.EventBus) error {
		a, err := decodeBus(b.Attributes)
		if err != nil {
			return err
		}
		if err := edit(&a); err != nil {
			return err
		}
		b.Attributes, b.Updated = encodeBus(a), s.now()
		out = *b
		return nil
	})
	var refused *Error
	switch {
	case errors.As(err, &refused):
		return nil, refused
	case errors.Is(err, store.ErrNotFound):
		return nil, errorf(ResourceNotFound, "Event bus %s does not exist.", resourceName(arn))
	case err != nil:
		return nil, err
	}
	return &out, nil
}

// ListBuses lists the buses whose names begin with prefix, the default
// bus among them.
func (s *Service) ListBuses(ctx context.Context, sc Scope, prefix, token string, limit int) ([]Bus, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.bus(ctx, sc, DefaultBus); err != nil {
		return nil, "", err
	}
	bs, err := s.opt.Store.Buses(ctx, sc.Account, sc.Region, prefix, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(bs, limit, func(b store.EventBus) string { return b.Name }, describeBus)
}

// DeleteBus deletes a custom bus with its rules and their targets; a bus
// that does not exist is no error, as in AWS.
func (s *Service) DeleteBus(ctx context.Context, sc Scope, name string) error {
	if name == DefaultBus {
		return errorf(Validation, "Cannot delete event bus default.")
	}
	arn := busARN(sc, name)
	rules, err := s.opt.Store.Rules(ctx, sc.Account, sc.Region, name, "", "", 0)
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteBus(ctx, arn); err != nil {
		return err
	}
	s.invalidate(arn)
	for _, r := range rules {
		if err := store.RemoveTags(ctx, s.opt.Tags, r.ARN); err != nil {
			return err
		}
	}
	return store.RemoveTags(ctx, s.opt.Tags, arn)
}

// limitPlusOne is the limit to read a page of limit with, one more to
// know whether there are more (0: no cap).
func limitPlusOne(limit int) int {
	if limit <= 0 {
		return 0
	}
	return limit + 1
}
