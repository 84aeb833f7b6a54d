package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// The codes of CloudTrail Lake's refusals.
const (
	EDSNotFound           Code = "EventDataStoreNotFound"
	EDSAlreadyExists      Code = "EventDataStoreAlreadyExists"
	EDSARNInvalid         Code = "EventDataStoreARNInvalid"
	EDSTerminationProtect Code = "EventDataStoreTerminationProtected"
	EDSMaxLimit           Code = "EventDataStoreMaxLimitExceeded"
	InvalidEDSStatus      Code = "InvalidEventDataStoreStatus"
	InactiveEDS           Code = "InactiveEventDataStore"
	InvalidQueryStatement Code = "InvalidQueryStatement"
	QueryIDNotFound       Code = "QueryIdNotFound"
	InactiveQuery         Code = "InactiveQuery"
	MaxConcurrentQueries  Code = "MaxConcurrentQueries"
)

// Event data store statuses.
const (
	EDSEnabled         = "ENABLED"
	EDSStopped         = "STOPPED_INGESTION"
	EDSPendingDeletion = "PENDING_DELETION"
)

// Bounds and periods of CloudTrail Lake, as AWS documents them
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store.html).
const (
	// MaxEventDataStores bounds an account's event data stores in a region.
	MaxEventDataStores = 10
	// DefaultLakeRetention is a store's retention when none is given (days).
	DefaultLakeRetention = 2557
	// LakeDeletionWait is how long a deleted store stays PENDING_DELETION.
	LakeDeletionWait = 7 * 24 * time.Hour
)

// DefaultLakeSelectors are an event data store's selectors when it is
// given none: every management event.
var DefaultLakeSelectors = []AdvancedSelector{{Name: "Default management events",
	Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}}

// LakeOptions configure a Lake.
type LakeOptions struct {
	Stores store.EventDataStores
	Events store.LakeEvents
	// History is the event history the stores ingest from.
	History store.CloudTrail
	Tags    store.Tags
	Clock   clock.Clock
	Logger  *slog.Logger
	// QueryWorkers bounds the queries running at once (2 when 0); the
	// others wait QUEUED.
	QueryWorkers int
}

// Lake is CloudTrail Lake: event data stores, which copy the events the
// recorder stores (a job, every minute), keep them for their retention
// period, and answer SQL queries.
type Lake struct {
	opt LakeOptions
	// mu serialises the changes of stores' settings; ingestMu the
	// ingestions (a cursor is read, then written with the events).
	mu       sync.Mutex
	ingestMu sync.Mutex
	queries  *lakeQueries
}

// NewLake returns CloudTrail Lake.
func NewLake(opt LakeOptions) *Lake {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.QueryWorkers <= 0 {
		opt.QueryWorkers = 2
	}
	l := &Lake{opt: opt}
	l.queries = newLakeQueries(l)
	return l
}

// EventDataStore is an event data store as the API shows it.
type EventDataStore struct {
	Account, Region, ID, ARN, Name string
	Created, Updated               time.Time
	EDSSettings
}

// EDSSettings are what the store keeps of an event data store as JSON.
type EDSSettings struct {
	Selectors             []AdvancedSelector `json:"selectors"`
	MultiRegion           bool               `json:"multiRegion"`
	Retention             int                `json:"retention"`
	TerminationProtection bool               `json:"terminationProtection"`
	BillingMode           string             `json:"billingMode"`
	Status                string             `json:"status"`
	// Deleted is when it was deleted (ms; 0 unless PENDING_DELETION),
	// Restore the status a RestoreEventDataStore brings back.
	Deleted int64  `json:"deleted,omitempty"`
	Restore string `json:"restore,omitempty"`
	// From and Until bound the events it ingests by Seq: after From,
	// through Until when it stopped ingesting (0 while it ingests).
	From  int64 `json:"from"`
	Until int64 `json:"until,omitempty"`
}

// EDSChange is a CreateEventDataStore or UpdateEventDataStore: nil
// fields are left as they are (or get their defaults).
type EDSChange struct {
	Account, Region string
	// Store is the ARN or ID of the store to update ("" to create).
	Store                     string
	Name                      *string
	Selectors                 []AdvancedSelector
	MultiRegion, Termination  *bool
	Organization, StartIngest *bool
	Retention                 *int
	KMSKey, BillingMode       string
	Tags                      map[string]string
}

var edsName = regexp.MustCompile(`^[a-zA-Z0-9._\-]+$`)

// checkLakeSelectors refuses what an event data store of Vigil cannot
// hold: events that are not management events, or fields it cannot test.
func checkLakeSelectors(sel []AdvancedSelector) error {
	for _, a := range sel {
		for _, f := range a.Fields {
			if f.Field != "eventCategory" {
				continue
			}
			for _, v := range slices.Concat(f.Equals, f.StartsWith, f.EndsWith, f.NotEquals) {
				if v != "Management" {
					return errorf(InvalidEventSelectors, "Vigil's event data stores hold management events only: eventCategory %s is not supported.", v)
				}
			}
		}
	}
	if err := checkSelectors(nil, sel); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Message = strings.ReplaceAll(e.Message, "trail", "event data store")
		}
		return err
	}
	return nil
}

// CreateEventDataStore creates an event data store; it ingests the
// events recorded from then on unless StartIngest is false.
func (l *Lake) CreateEventDataStore(ctx context.Context, c EDSChange) (*EventDataStore, error) {
	switch {
	case c.Name == nil || len(*c.Name) < 3 || len(*c.Name) > 128 || !edsName.MatchString(*c.Name):
		return nil, errorf(InvalidParameter, "Event data store names are 3 to 128 characters of letters, digits, '.', '_' and '-'.")
	case c.Organization != nil && *c.Organization:
		return nil, errorf(NotOrganizationAccount, "Vigil has no AWS Organizations: OrganizationEnabled must be false.")
	case c.KMSKey != "":
		return nil, errorf(InvalidKMSKey, "Vigil does not encrypt event data stores with KMS keys: KmsKeyId is not supported.")
	}
	st := EDSSettings{Selectors: c.Selectors, MultiRegion: true, Retention: DefaultLakeRetention, TerminationProtection: true,
		BillingMode: "EXTENDABLE_RETENTION_PRICING", Status: EDSEnabled}
	if len(st.Selectors) == 0 {
		st.Selectors = DefaultLakeSelectors
	}
	if err := l.apply(&st, c); err != nil {
		return nil, err
	}
	seq, err := l.opt.History.LastEventSeq(ctx)
	if err != nil {
		return nil, err
	}
	st.From = seq
	if c.StartIngest != nil && !*c.StartIngest {
		st.Status, st.Until = EDSStopped, seq
	}
	id := request.NewUUID()
	now := ms(l.opt.Clock.Now())
	d := store.EventDataStore{Account: c.Account, Region: c.Region, ID: id, Name: *c.Name,
		ARN:      fmt.Sprintf("arn:aws:cloudtrail:%s:%s:eventdatastore/%s", c.Region, c.Account, id),
		Settings: mustJSON(st), Created: now, Updated: now}
	err = l.opt.Stores.CreateEventDataStore(ctx, d, c.Tags, MaxEventDataStores)
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, errorf(EDSAlreadyExists, "An event data store with the name %s already exists.", *c.Name)
	case errors.Is(err, store.ErrLimit):
		return nil, errorf(EDSMaxLimit, "Your account has the maximum number of event data stores in this Region (%d).", MaxEventDataStores)
	case err != nil:
		return nil, err
	}
	return decodeEDS(&d)
}

// apply sets the settings a change gives, checking them.
func (l *Lake) apply(st *EDSSettings, c EDSChange) error {
	if c.Selectors != nil {
		if err := checkLakeSelectors(c.Selectors); err != nil {
			return err
		}
		st.Selectors = c.Selectors
	}
	if c.Retention != nil {
		if *c.Retention < 7 || *c.Retention > 3653 {
			return errorf(InvalidParameter, "RetentionPeriod must be between 7 and 3653 days.")
		}
		st.Retention = *c.Retention
	}
	if c.MultiRegion != nil {
		st.MultiRegion = *c.MultiRegion
	}
	if c.Termination != nil {
		st.TerminationProtection = *c.Termination
	}
	switch c.BillingMode {
	case "":
	case "EXTENDABLE_RETENTION_PRICING", "FIXED_RETENTION_PRICING":
		if st.BillingMode == "EXTENDABLE_RETENTION_PRICING" && c.BillingMode == "FIXED_RETENTION_PRICING" && c.Store != "" {
			return errorf(InvalidParameter, "You can't change the billing mode from EXTENDABLE_RETENTION_PRICING to FIXED_RETENTION_PRICING.")
		}
		st.BillingMode = c.BillingMode
	default:
		return errorf(InvalidParameter, "Invalid BillingMode %s.", c.BillingMode)
	}
	return nil
}

func decodeEDS(d *store.EventDataStore) (*EventDataStore, error) {
	out := &EventDataStore{Account: d.Account, Region: d.Region, ID: d.ID, ARN: d.ARN, Name: d.Name,
		Created: TimeOf(d.Created), Updated: TimeOf(d.Updated)}
	if err := json.Unmarshal(d.Settings, &out.EDSSettings); err != nil {
		return nil, fmt.Errorf("cannot decode event data store %s: %w", d.ARN, err)
	}
	return out, nil
}

// edsARN resolves an event data store's ARN or ID in the caller's
// account and region.
func edsARN(account, region, ref string) (string, error) {
	if !strings.HasPrefix(ref, "arn:") {
		if strings.ContainsAny(ref, ":/") || ref == "" {
			return "", errorf(EDSARNInvalid, "The specified event data store ARN is not valid or does not map to an event data store in your account.")
		}
		return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:eventdatastore/%s", region, account, ref), nil
	}
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[2] != "cloudtrail" || !strings.HasPrefix(parts[5], "eventdatastore/") {
		return "", errorf(EDSARNInvalid, "The specified event data store ARN is not valid or does not map to an event data store in your account.")
	}
	return ref, nil
}

// EventDataStore returns an event data store by ARN or ID.
func (l *Lake) EventDataStore(ctx context.Context, account, region, ref string) (*EventDataStore, error) {
	arn, err := edsARN(account, region, ref)
	if err != nil {
		return nil, err
	}
	d, err := l.opt.Stores.EventDataStore(ctx, arn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (d.Account != account || d.Region != region)) {
		return nil, errorf(EDSNotFound, "The specified event data store ARN %s was not found.", ref)
	}
	if err != nil {
		return nil, err
	}
	return decodeEDS(d)
}

// EventDataStores lists the account's event data stores of the region.
func (l *Lake) EventDataStores(ctx context.Context, account, region string) ([]*EventDataStore, error) {
	ds, err := l.opt.Stores.EventDataStores(ctx, account, region)
	if err != nil {
		return nil, err
	}
	out := make([]*EventDataStore, 0, len(ds))
	for i := range ds {
		d, err := decodeEDS(&ds[i])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// change reads a store, lets fn change it, and writes it back.
func (l *Lake) change(ctx context.Context, account, region, ref string, fn func(d *EventDataStore) error) (*EventDataStore, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, err := l.EventDataStore(ctx, account, region, ref)
	if err != nil {
		return nil, err
	}
	if err := fn(d); err != nil {
		return nil, err
	}
	d.Updated = l.opt.Clock.Now().UTC()
	err = l.opt.Stores.UpdateEventDataStore(ctx, store.EventDataStore{Account: d.Account, Region: d.Region, ID: d.ID, ARN: d.ARN,
		Name: d.Name, Settings: mustJSON(d.EDSSettings), Updated: ms(d.Updated)})
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, errorf(EDSAlreadyExists, "An event data store with the name %s already exists.", d.Name)
	case errors.Is(err, store.ErrNotFound):
		return nil, errorf(EDSNotFound, "The specified event data store ARN %s was not found.", ref)
	}
	return d, err
}

// UpdateEventDataStore changes an event data store's settings.
func (l *Lake) UpdateEventDataStore(ctx context.Context, c EDSChange) (*EventDataStore, error) {
	switch {
	case c.Organization != nil && *c.Organization:
		return nil, errorf(NotOrganizationAccount, "Vigil has no AWS Organizations: OrganizationEnabled must be false.")
	case c.KMSKey != "":
		return nil, errorf(InvalidKMSKey, "Vigil does not encrypt event data stores with KMS keys: KmsKeyId is not supported.")
	case c.Name != nil && (len(*c.Name) < 3 || len(*c.Name) > 128 || !edsName.MatchString(*c.Name)):
		return nil, errorf(InvalidParameter, "Event data store names are 3 to 128 characters of letters, digits, '.', '_' and '-'.")
	}
	return l.change(ctx, c.Account, c.Region, c.Store, func(d *EventDataStore) error {
		if d.Status == EDSPendingDeletion {
			return errorf(InactiveEDS, "The event data store %s is pending deletion.", d.ARN)
		}
		if err := l.apply(&d.EDSSettings, c); err != nil {
			return err
		}
		if c.Name != nil {
			d.Name = *c.Name
		}
		return nil
	})
}

// DeleteEventDataStore makes an event data store PENDING_DELETION: it
// ingests nothing more, answers no query, and is deleted with its events
// after LakeDeletionWait unless restored.
func (l *Lake) DeleteEventDataStore(ctx context.Context, account, region, ref string) error {
	seq, err := l.opt.History.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	_, err = l.change(ctx, account, region, ref, func(d *EventDataStore) error {
		switch {
		case d.TerminationProtection:
			return errorf(EDSTerminationProtect, "The event data store %s cannot be deleted because termination protection is enabled.", d.ARN)
		case d.Status == EDSPendingDeletion:
			return errorf(InvalidEDSStatus, "The event data store %s is already pending deletion.", d.ARN)
		}
		if d.Status == EDSEnabled {
			// Like a stop: the events recorded until now are still its.
			d.Until = seq
		}
		d.Restore, d.Status, d.Deleted = d.Status, EDSPendingDeletion, ms(l.opt.Clock.Now())
		return nil
	})
	return err
}

// RestoreEventDataStore brings back an event data store pending deletion.
func (l *Lake) RestoreEventDataStore(ctx context.Context, account, region, ref string) (*EventDataStore, error) {
	// The events recorded before the deletion go in before the window
	// moves, as for a stopped store started again.
	d, err := l.EventDataStore(ctx, account, region, ref)
	if err != nil {
		return nil, err
	}
	if d.Status == EDSPendingDeletion && d.Until > 0 {
		stopped := *d
		stopped.Status = EDSStopped
		if err := l.ingest(ctx, &stopped); err != nil {
			return nil, err
		}
	}
	seq, err := l.opt.History.LastEventSeq(ctx)
	if err != nil {
		return nil, err
	}
	return l.change(ctx, account, region, ref, func(d *EventDataStore) error {
		if d.Status != EDSPendingDeletion {
			return errorf(InvalidEDSStatus, "The event data store %s is not pending deletion: its status is %s.", d.ARN, d.Status)
		}
		d.Status, d.Deleted, d.Restore = d.Restore, 0, ""
		if d.Status == EDSEnabled { // the events of its deletion are not its
			d.From, d.Until = seq, 0
		}
		return nil
	})
}

// SetIngestion starts or stops an event data store's ingestion of live
// events. Stopping keeps the events recorded before it; starting takes
// the events recorded from then on.
func (l *Lake) SetIngestion(ctx context.Context, account, region, ref string, on bool) error {
	if on {
		// The events before the stop go in before the window moves.
		d, err := l.EventDataStore(ctx, account, region, ref)
		if err != nil {
			return err
		}
		if d.Status == EDSStopped {
			if err := l.ingest(ctx, d); err != nil {
				return err
			}
		}
	}
	seq, err := l.opt.History.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	_, err = l.change(ctx, account, region, ref, func(d *EventDataStore) error {
		switch {
		case on && d.Status == EDSStopped:
			d.Status, d.From, d.Until = EDSEnabled, seq, 0
		case !on && d.Status == EDSEnabled:
			d.Status, d.Until = EDSStopped, seq
		default:
			return errorf(InvalidEDSStatus, "The event data store %s is %s: it cannot %s ingestion.", d.ARN, d.Status, map[bool]string{true: "start", false: "stop"}[on])
		}
		return nil
	})
	return err
}

// maxEDSTags bounds an event data store's tags.
const maxEDSTags = 200

// IsEventDataStoreARN says whether arn names an event data store (the tag
// operations take trails' and event data stores' ARNs).
func IsEventDataStoreARN(arn string) bool {
	return strings.HasPrefix(arn, "arn:aws:cloudtrail:") && strings.Contains(arn, ":eventdatastore/")
}

// Tag adds and removes tags of an event data store.
func (l *Lake) Tag(ctx context.Context, account, region, arn string, add map[string]string, remove []string) error {
	if _, err := l.EventDataStore(ctx, account, region, arn); err != nil {
		return err
	}
	err := l.opt.Tags.TagResource(ctx, arn, add, remove, maxEDSTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(TagsLimit, "An event data store has at most %d tags.", maxEDSTags)
	}
	return err
}

// Tags returns an event data store's tags.
func (l *Lake) Tags(ctx context.Context, account, region, arn string) (map[string]string, error) {
	if _, err := l.EventDataStore(ctx, account, region, arn); err != nil {
		return nil, err
	}
	return l.opt.Tags.ResourceTags(ctx, arn)
}
