package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// CloudTrailLake checks the backend's store.EventDataStores and
// store.LakeEvents: event data stores created once per name and within
// the limit, listed by account and region, updated and deleted with
// their tags; events ingested with their cursor in one write, queried
// (the FROM a derived table of the store's events only, with the
// statistics), expired by time and dropped; all of it kept across a
// reopen.
func CloudTrailLake(t *testing.T, open Open) {
	ctx := context.Background()
	const acct = "111111111111"
	arn := func(id string) string { return "arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/" + id }
	eds := func(id, name string) store.EventDataStore {
		return store.EventDataStore{Account: acct, Region: "us-east-1", ID: id, ARN: arn(id), Name: name, Settings: []byte(`{}`), Created: 1, Updated: 1}
	}
	event := func(seq, at int64, name string) store.LakeEvent {
		return store.LakeEvent{Seq: seq, Time: at, ID: fmt.Sprint("e", seq), Name: name, Source: "logs.amazonaws.com", Region: "us-east-1",
			RecipientAccount: acct, EventType: "AwsApiCall", UserType: "Root", UserARN: "arn:aws:iam::" + acct + ":root",
			Record: []byte(`{"eventVersion":"1.11","requestParameters":{"logGroupName":"g"}}`)}
	}
	tok := func(k store.LakeTokenKind, text string) store.LakeToken { return store.LakeToken{Kind: k, Text: text} }
	b := reopen(t, open, func(t *testing.T, b Backend) {
		need(t, b.EventDataStores != nil && b.LakeEvents != nil && b.Tags != nil, "EventDataStores, LakeEvents and Tags")
		s := b.EventDataStores
		if err := s.CreateEventDataStore(ctx, eds("a", "alpha"), map[string]string{"k": "v"}, 2); err != nil {
			t.Fatalf("CreateEventDataStore: %v", err)
		}
		if err := s.CreateEventDataStore(ctx, eds("x", "alpha"), nil, 2); !errors.Is(err, store.ErrExists) {
			t.Errorf("same name: %v, want ErrExists", err)
		}
		if err := s.CreateEventDataStore(ctx, eds("b", "beta"), nil, 2); err != nil {
			t.Fatalf("CreateEventDataStore: %v", err)
		}
		if err := s.CreateEventDataStore(ctx, eds("c", "gamma"), nil, 2); !errors.Is(err, store.ErrLimit) {
			t.Errorf("past the limit: %v, want ErrLimit", err)
		}
		err := b.LakeEvents.IngestLake(ctx, []store.LakeBatch{
			{Store: "a", Cursor: 10, Events: []store.LakeEvent{event(3, 1000, "CreateLogGroup"), event(5, 5000, "DeleteLogGroup")}},
			{Store: "b", Cursor: 7, Events: []store.LakeEvent{event(4, 1000, "CreateLogGroup")}},
		})
		if err != nil {
			t.Fatalf("IngestLake: %v", err)
		}
	})
	s := b.EventDataStores
	if ds, err := s.EventDataStores(ctx, acct, "us-east-1"); err != nil || len(ds) != 2 || ds[0].Name != "alpha" {
		t.Errorf("EventDataStores: %v, %v", ds, err)
	}
	if ds, err := s.EventDataStores(ctx, acct, "us-west-2"); err != nil || len(ds) != 0 {
		t.Errorf("EventDataStores of another region: %v, %v", ds, err)
	}
	d := eds("b", "alpha")
	d.Updated = 9
	if err := s.UpdateEventDataStore(ctx, d); !errors.Is(err, store.ErrExists) {
		t.Errorf("rename onto another's name: %v, want ErrExists", err)
	}
	d.Name, d.Settings = "delta", []byte(`{"x":1}`)
	if err := s.UpdateEventDataStore(ctx, d); err != nil {
		t.Fatalf("UpdateEventDataStore: %v", err)
	}
	if got, err := s.EventDataStore(ctx, arn("b")); err != nil || got.Name != "delta" || string(got.Settings) != `{"x":1}` || got.Updated != 9 || got.Created != 1 {
		t.Errorf("EventDataStore: %+v, %v", got, err)
	}
	if c, err := b.LakeEvents.LakeCursor(ctx, "a"); err != nil || c != 10 {
		t.Errorf("LakeCursor: %d, %v", c, err)
	}
	q := store.LakeQuery{Store: "a", MaxRows: 10, Statement: []store.LakeToken{tok(store.LakeKeyword, "SELECT"), tok(store.LakeColumn, "eventName"),
		tok(store.LakePunct, ","), tok(store.LakeColumn, "userIdentity.arn"), tok(store.LakeKeyword, "FROM"), tok(store.LakeTable, ""),
		tok(store.LakeKeyword, "ORDER"), tok(store.LakeKeyword, "BY"), tok(store.LakeColumn, "eventTime")},
		Matched: []store.LakeToken{tok(store.LakeKeyword, "SELECT"), tok(store.LakeFunc, "count"), tok(store.LakePunct, "("), tok(store.LakePunct, "*"),
			tok(store.LakePunct, ")"), tok(store.LakeKeyword, "FROM"), tok(store.LakeTable, ""), tok(store.LakeKeyword, "WHERE"),
			tok(store.LakeColumn, "eventName"), tok(store.LakePunct, "="), tok(store.LakeString, "DeleteLogGroup")}}
	res, err := b.LakeEvents.QueryLake(ctx, q)
	if err != nil {
		t.Fatalf("QueryLake: %v", err)
	}
	if got := fmt.Sprint(res.Columns, res.Rows); got != "[eventName arn] [[CreateLogGroup arn:aws:iam::111111111111:root] [DeleteLogGroup arn:aws:iam::111111111111:root]]" {
		t.Errorf("QueryLake: %s", got)
	}
	if res.EventsScanned != 2 || res.EventsMatched != 1 || res.BytesScanned == 0 {
		t.Errorf("statistics: scanned %d matched %d bytes %d", res.EventsScanned, res.EventsMatched, res.BytesScanned)
	}
	q.MaxRows = 1
	if _, err := b.LakeEvents.QueryLake(ctx, q); !errors.Is(err, store.ErrLimit) {
		t.Errorf("past MaxRows: %v, want ErrLimit", err)
	}
	q.MaxRows, q.Matched = 0, nil
	q.Statement = []store.LakeToken{tok(store.LakeKeyword, "SELECT"), tok(store.LakeColumn, "nosuch"), tok(store.LakeKeyword, "FROM"), tok(store.LakeTable, "")}
	var qe *store.LakeQueryError
	if _, err := b.LakeEvents.QueryLake(ctx, q); !errors.As(err, &qe) {
		t.Errorf("unknown column: %v, want a LakeQueryError", err)
	}
	if n, err := b.LakeEvents.ExpireLakeEvents(ctx, "a", 2000); err != nil || n != 1 {
		t.Errorf("ExpireLakeEvents: %d, %v", n, err)
	}
	if err := b.LakeEvents.DropLakeEvents(ctx, "b"); err != nil {
		t.Fatalf("DropLakeEvents: %v", err)
	}
	if c, err := b.LakeEvents.LakeCursor(ctx, "b"); err != nil || c != 0 {
		t.Errorf("LakeCursor after drop: %d, %v", c, err)
	}
	if err := s.DeleteEventDataStore(ctx, arn("a")); err != nil {
		t.Fatalf("DeleteEventDataStore: %v", err)
	}
	if _, err := s.EventDataStore(ctx, arn("a")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted: %v, want ErrNotFound", err)
	}
	if tags, err := b.Tags.ResourceTags(ctx, arn("a")); err != nil || len(tags) != 0 {
		t.Errorf("tags of the deleted: %v, %v", tags, err)
	}
	if err := s.DeleteEventDataStore(ctx, arn("a")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted twice: %v, want ErrNotFound", err)
	}
}
