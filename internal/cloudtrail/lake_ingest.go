package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// LakeIngestEvery is how often event data stores copy the events recorded
// since: well within the event history's 90 days.
const LakeIngestEvery = time.Minute

// LakeRetentionEvery is how often stores drop the events past their
// retention and stores pending deletion past LakeDeletionWait go.
const LakeRetentionEvery = time.Hour

// lakePage bounds the events one read of the history returns.
const lakePage = 1000

// Ingest copies into every ingesting event data store the events of its
// account (and region, unless multi-region) recorded past its cursor that
// its selectors select. It is the job cloudtrail-lake-ingest.
func (l *Lake) Ingest(ctx context.Context, _ time.Time) error {
	return l.eachStore(ctx, func(d *EventDataStore) error {
		if d.Status == EDSPendingDeletion {
			return nil
		}
		return l.ingest(ctx, d)
	})
}

// eachStore runs fn on every event data store of every account; one
// store's error does not stop the others.
func (l *Lake) eachStore(ctx context.Context, fn func(*EventDataStore) error) error {
	ds, err := l.opt.Stores.EventDataStores(ctx, "", "")
	if err != nil {
		return err
	}
	var errs []error
	for i := range ds {
		d, err := decodeEDS(&ds[i])
		if err == nil {
			err = fn(d)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ingest copies one store's pending events.
func (l *Lake) ingest(ctx context.Context, d *EventDataStore) error {
	l.ingestMu.Lock()
	defer l.ingestMu.Unlock()
	cursor, err := l.opt.Events.LakeCursor(ctx, d.ID)
	if err != nil {
		return err
	}
	through := d.Until
	if d.Status == EDSEnabled {
		if through, err = l.opt.History.LastEventSeq(ctx); err != nil {
			return err
		}
	}
	after := max(cursor, d.From)
	var regions []string
	if !d.MultiRegion {
		regions = []string{d.Region}
	}
	st := Settings{AdvancedSelectors: d.Selectors}
	for after < through {
		events, err := l.opt.History.EventsAfter(ctx, d.Account, regions, after, through, lakePage)
		if err != nil {
			return err
		}
		b := store.LakeBatch{Store: d.ID, Cursor: through}
		if len(events) == lakePage {
			b.Cursor = events[len(events)-1].Seq
		}
		for i := range events {
			if st.selects(&events[i]) {
				b.Events = append(b.Events, lakeEvent(&events[i]))
			}
		}
		if err := l.opt.Events.IngestLake(ctx, []store.LakeBatch{b}); err != nil {
			return err
		}
		after = b.Cursor
	}
	return nil
}

// lakeRecord is what an event data store takes out of a record.
type lakeRecord struct {
	UserIdentity struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		AccessKeyID string `json:"accessKeyId"`
		UserName    string `json:"userName"`
	} `json:"userIdentity"`
	SourceIP         string `json:"sourceIPAddress"`
	UserAgent        string `json:"userAgent"`
	ErrorCode        string `json:"errorCode"`
	ErrorMessage     string `json:"errorMessage"`
	RequestID        string `json:"requestID"`
	EventType        string `json:"eventType"`
	RecipientAccount string `json:"recipientAccountId"`
}

func lakeEvent(e *store.TrailEvent) store.LakeEvent {
	var r lakeRecord
	_ = json.Unmarshal(e.Record, &r) // a record Vigil wrote; its fields stay empty otherwise
	if r.RecipientAccount == "" {
		r.RecipientAccount = e.Account
	}
	if r.EventType == "" {
		r.EventType = "AwsApiCall"
	}
	u := r.UserIdentity
	return store.LakeEvent{Seq: e.Seq, Time: e.Time, ID: e.ID, Name: e.Name, Source: e.Source, Region: e.Region,
		RecipientAccount: r.RecipientAccount, EventType: r.EventType, UserType: u.Type, PrincipalID: u.PrincipalID,
		UserARN: u.ARN, UserAccount: u.AccountID, AccessKey: u.AccessKeyID, UserName: u.UserName,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, SourceIP: r.SourceIP, UserAgent: r.UserAgent,
		RequestID: r.RequestID, ReadOnly: e.ReadOnly, Record: e.Record}
}

// Expire drops the events of every store older than its retention,
// deletes the stores pending deletion for LakeDeletionWait with their
// events, and forgets the queries older than LakeQueryKeep. It is the
// job cloudtrail-lake-retention.
func (l *Lake) Expire(ctx context.Context, now time.Time) error {
	l.queries.expire(now)
	return l.eachStore(ctx, func(d *EventDataStore) error {
		if d.Status == EDSPendingDeletion && now.Sub(TimeOf(d.Deleted)) >= LakeDeletionWait {
			// Events first: a crash between leaves a store without
			// events, deleted at the next run.
			if err := l.opt.Events.DropLakeEvents(ctx, d.ID); err != nil {
				return err
			}
			if err := l.opt.Stores.DeleteEventDataStore(ctx, d.ARN); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		}
		before := now.Add(-time.Duration(d.Retention) * 24 * time.Hour)
		_, err := l.opt.Events.ExpireLakeEvents(ctx, d.ID, ms(before))
		return err
	})
}
