package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

type lakeWorld struct {
	lake    *Lake
	history store.CloudTrail
	clk     *clock.Fake
	n       int
}

func newLakeWorld(t *testing.T) *lakeWorld {
	st := embeddedtest.Open(t)
	w := &lakeWorld{history: st.CloudTrail(), clk: clock.NewFake(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))}
	w.lake = NewLake(LakeOptions{Stores: st.EventDataStores(), Events: st.LakeEvents(), History: st.CloudTrail(), Tags: st.Tags(), Clock: w.clk})
	t.Cleanup(func() {
		if err := w.lake.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return w
}

// record stores an event of the account's region made now.
func (w *lakeWorld) record(t *testing.T, account, region, name string, readOnly bool) {
	t.Helper()
	w.n++
	id := fmt.Sprintf("00000000-0000-0000-0000-%012d", w.n)
	rec := fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"Root","principalId":"%s","arn":"arn:aws:iam::%s:root","accountId":"%s","accessKeyId":"AKIA%s"},"eventTime":"%s","eventSource":"logs.amazonaws.com","eventName":"%s","awsRegion":"%s","sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2","requestID":"r%d","eventID":"%s","readOnly":%v,"eventType":"AwsApiCall","recipientAccountId":"%s"}`,
		account, account, account, account, w.clk.Now().Format(time.RFC3339), name, region, w.n, id, readOnly, account)
	err := w.history.AppendEvents(context.Background(), []store.TrailEvent{{Account: account, Region: region, Time: ms(w.clk.Now()),
		ID: id, Name: name, Source: "logs.amazonaws.com", ReadOnly: readOnly, Category: "Management", Record: []byte(rec)}})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *lakeWorld) query(t *testing.T, account, region, sql string) *LakeQuery {
	t.Helper()
	ctx := context.Background()
	id, err := w.lake.StartQuery(ctx, account, region, sql)
	if err != nil {
		t.Fatalf("StartQuery(%s): %v", sql, err)
	}
	if err := w.lake.WaitQuery(ctx, id); err != nil {
		t.Fatal(err)
	}
	q, err := w.lake.Query(ctx, account, region, "", id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

const lakeAcct, lakeRegion = "111122223333", "us-east-1"

func TestLakeIngestAndQuery(t *testing.T) {
	w := newLakeWorld(t)
	ctx := context.Background()
	w.record(t, lakeAcct, lakeRegion, "Before", false) // before the store: not ingested
	name := "audit"
	single := false
	d, err := w.lake.CreateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Name: &name, MultiRegion: &single})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != EDSEnabled || d.Retention != DefaultLakeRetention || !d.TerminationProtection || len(d.Selectors) != 1 {
		t.Fatalf("created %+v", d)
	}
	w.record(t, lakeAcct, lakeRegion, "CreateLogGroup", false)
	w.record(t, lakeAcct, lakeRegion, "CreateLogGroup", false)
	w.record(t, lakeAcct, lakeRegion, "DescribeLogGroups", true)
	w.record(t, lakeAcct, "eu-west-1", "CreateLogGroup", false) // another region: not multi-region
	w.record(t, "999999999999", lakeRegion, "CreateLogGroup", false)
	if err := w.lake.Ingest(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	q := w.query(t, lakeAcct, lakeRegion, "SELECT eventName, count(*) FROM "+d.ID+
		" WHERE eventTime >= '2026-01-01 00:00:00' AND readOnly = false GROUP BY eventName ORDER BY eventName")
	if q.Status != QueryFinished {
		t.Fatalf("query %s: %s", q.Status, q.Error)
	}
	r := q.Result
	if got := fmt.Sprint(r.Columns, r.Rows); got != "[eventName _col1] [[CreateLogGroup 2]]" {
		t.Errorf("result %s", got)
	}
	if r.EventsScanned != 3 || r.EventsMatched != 2 || r.BytesScanned == 0 {
		t.Errorf("statistics scanned %d matched %d bytes %d", r.EventsScanned, r.EventsMatched, r.BytesScanned)
	}
	// Through the ARN, with the userIdentity struct and now().
	q = w.query(t, lakeAcct, lakeRegion, "SELECT userIdentity.arn AS who, eventTime FROM "+d.ARN+" t WHERE t.eventName = 'DescribeLogGroups' AND eventTime <= now()")
	if q.Status != QueryFinished || fmt.Sprint(q.Result.Rows) != "[[arn:aws:iam::111122223333:root 2026-03-01 10:00:00.000]]" {
		t.Fatalf("query %s %s: %v", q.Status, q.Error, q.Result)
	}
	// A second run ingests nothing twice.
	if err := w.lake.Ingest(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if q = w.query(t, lakeAcct, lakeRegion, "SELECT count(*) FROM "+d.ID); fmt.Sprint(q.Result.Rows) != "[[3]]" {
		t.Errorf("count after a second run %v", q.Result.Rows)
	}
	// A statement the database refuses fails the query.
	if q = w.query(t, lakeAcct, lakeRegion, "SELECT eventName + 1 FROM "+d.ID); q.Status != QueryFailed || q.Error == "" {
		t.Errorf("bad query: %s %q", q.Status, q.Error)
	}
	// Stopped, it ingests nothing; started again, what comes next.
	if err := w.lake.SetIngestion(ctx, lakeAcct, lakeRegion, d.ID, false); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.lake.SetIngestion(ctx, lakeAcct, lakeRegion, d.ID, false), InvalidEDSStatus)
	w.record(t, lakeAcct, lakeRegion, "WhileStopped", false)
	if err := w.lake.SetIngestion(ctx, lakeAcct, lakeRegion, d.ID, true); err != nil {
		t.Fatal(err)
	}
	w.record(t, lakeAcct, lakeRegion, "AfterStart", false)
	if err := w.lake.Ingest(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	q = w.query(t, lakeAcct, lakeRegion, "SELECT eventName FROM "+d.ID+" WHERE eventName IN ('WhileStopped', 'AfterStart', 'Before')")
	if fmt.Sprint(q.Result.Rows) != "[[AfterStart]]" {
		t.Errorf("after restart %v", q.Result.Rows)
	}
	// Retention drops the events older than its days.
	days := 7
	if _, err := w.lake.UpdateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Store: d.ARN, Retention: &days}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(8 * 24 * time.Hour)
	if err := w.lake.Expire(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if q = w.query(t, lakeAcct, lakeRegion, "SELECT count(*) FROM "+d.ID); fmt.Sprint(q.Result.Rows) != "[[0]]" {
		t.Errorf("count after retention %v", q.Result.Rows)
	}
	// Queries are kept 7 days: those of 8 days ago are gone.
	qs, err := w.lake.Queries(ctx, lakeAcct, lakeRegion, d.ID, time.Time{}, time.Time{}, "")
	if err != nil || len(qs) != 1 || qs[0].Created != w.clk.Now() {
		t.Fatalf("Queries: %v, %v", qs, err)
	}
	w.clk.Advance(LakeQueryKeep)
	if err := w.lake.Expire(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = w.lake.Query(ctx, lakeAcct, lakeRegion, "", qs[0].ID)
	wantCode(t, err, QueryIDNotFound)
}

func TestLakeStoreLifecycle(t *testing.T) {
	w := newLakeWorld(t)
	ctx := context.Background()
	create := func(name string, c EDSChange) (*EventDataStore, error) {
		c.Account, c.Region, c.Name = lakeAcct, lakeRegion, &name
		return w.lake.CreateEventDataStore(ctx, c)
	}
	yes, no, short := true, false, 6
	for _, tc := range []struct {
		c    EDSChange
		code Code
	}{
		{EDSChange{Organization: &yes}, NotOrganizationAccount},
		{EDSChange{KMSKey: "alias/x"}, InvalidKMSKey},
		{EDSChange{Retention: &short}, InvalidParameter},
		{EDSChange{Selectors: []AdvancedSelector{{Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Data"}}}}}}, InvalidEventSelectors},
		{EDSChange{Selectors: []AdvancedSelector{{Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"ConfigurationItem"}}}}}}, InvalidEventSelectors},
		{EDSChange{Selectors: []AdvancedSelector{{Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}, {Field: "resources.type", Equals: []string{"AWS::S3::Object"}}}}}}, InvalidEventSelectors},
	} {
		_, err := create("refused", tc.c)
		wantCode(t, err, tc.code)
	}
	d, err := create("first", EDSChange{Selectors: []AdvancedSelector{{Fields: []FieldSelector{
		{Field: "eventCategory", Equals: []string{"Management"}}, {Field: "readOnly", Equals: []string{"false"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = create("first", EDSChange{})
	wantCode(t, err, EDSAlreadyExists)
	for i := 1; i < MaxEventDataStores; i++ {
		if _, err := create(fmt.Sprintf("store%d", i), EDSChange{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = create("eleventh", EDSChange{})
	wantCode(t, err, EDSMaxLimit)
	ds, err := w.lake.EventDataStores(ctx, lakeAcct, lakeRegion)
	if err != nil || len(ds) != MaxEventDataStores {
		t.Fatalf("EventDataStores: %d, %v", len(ds), err)
	}
	// Selectors: only writes go in.
	w.record(t, lakeAcct, lakeRegion, "Describe", true)
	w.record(t, lakeAcct, lakeRegion, "Create", false)
	if err := w.lake.Ingest(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if q := w.query(t, lakeAcct, lakeRegion, "SELECT eventName FROM "+d.ID); fmt.Sprint(q.Result.Rows) != "[[Create]]" {
		t.Errorf("selected %v", q.Result.Rows)
	}
	// Tags.
	if err := w.lake.Tag(ctx, lakeAcct, lakeRegion, d.ARN, map[string]string{"team": "sec"}, nil); err != nil {
		t.Fatal(err)
	}
	if tags, err := w.lake.Tags(ctx, lakeAcct, lakeRegion, d.ARN); err != nil || tags["team"] != "sec" {
		t.Errorf("Tags %v, %v", tags, err)
	}
	// Deletion: refused while protected, then pending, restored, pending
	// again and gone after 7 days.
	wantCode(t, w.lake.DeleteEventDataStore(ctx, lakeAcct, lakeRegion, d.ID), EDSTerminationProtect)
	if _, err := w.lake.UpdateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Store: d.ID, Termination: &no}); err != nil {
		t.Fatal(err)
	}
	w.record(t, lakeAcct, lakeRegion, "BeforeDelete", false) // recorded, not yet ingested, when the store is deleted
	if err := w.lake.DeleteEventDataStore(ctx, lakeAcct, lakeRegion, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.lake.StartQuery(ctx, lakeAcct, lakeRegion, "SELECT * FROM "+d.ID)
	wantCode(t, err, InactiveEDS)
	if d, err = w.lake.RestoreEventDataStore(ctx, lakeAcct, lakeRegion, d.ARN); err != nil || d.Status != EDSEnabled {
		t.Fatalf("Restore: %+v, %v", d, err)
	}
	if q := w.query(t, lakeAcct, lakeRegion, "SELECT count(*) FROM "+d.ID+" WHERE eventName = 'BeforeDelete'"); fmt.Sprint(q.Result.Rows) != "[[1]]" {
		t.Errorf("the call recorded before the deletion, after the restore: %v; want it in the store", q.Result.Rows)
	}
	_, err = w.lake.RestoreEventDataStore(ctx, lakeAcct, lakeRegion, d.ARN)
	wantCode(t, err, InvalidEDSStatus)
	if err := w.lake.DeleteEventDataStore(ctx, lakeAcct, lakeRegion, d.ID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(LakeDeletionWait - time.Minute)
	if err := w.lake.Expire(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.lake.EventDataStore(ctx, lakeAcct, lakeRegion, d.ID); err != nil {
		t.Fatalf("deleted too early: %v", err)
	}
	w.clk.Advance(time.Minute)
	if err := w.lake.Expire(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = w.lake.EventDataStore(ctx, lakeAcct, lakeRegion, d.ID)
	wantCode(t, err, EDSNotFound)
	_, err = w.lake.EventDataStore(ctx, lakeAcct, lakeRegion, "arn:aws:s3:::bucket")
	wantCode(t, err, EDSARNInvalid)
	// Another account does not see the stores.
	_, err = w.lake.EventDataStore(ctx, "444455556666", lakeRegion, ds[1].ARN)
	wantCode(t, err, EDSNotFound)
}

func TestLakeQueryErrors(t *testing.T) {
	w := newLakeWorld(t)
	ctx := context.Background()
	name := "queries"
	d, err := w.lake.CreateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.lake.StartQuery(ctx, lakeAcct, lakeRegion, "DELETE FROM "+d.ID)
	wantCode(t, err, InvalidQueryStatement)
	_, err = w.lake.StartQuery(ctx, lakeAcct, lakeRegion, "SELECT * FROM 00000000-1111-2222-3333-444444444444")
	wantCode(t, err, EDSNotFound)
	_, err = w.lake.Query(ctx, lakeAcct, lakeRegion, "", "00000000-1111-2222-3333-444444444444")
	wantCode(t, err, QueryIDNotFound)
	q := w.query(t, lakeAcct, lakeRegion, "SELECT * FROM "+d.ID)
	if q.Status != QueryFinished || !slices.Contains(q.Result.Columns, "userIdentity") {
		t.Fatalf("SELECT *: %s %v", q.Status, q.Result)
	}
	wantCode(t, w.lake.CancelQuery(ctx, lakeAcct, lakeRegion, d.ID, q.ID), InactiveQuery)
	_, err = w.lake.Query(ctx, "444455556666", lakeRegion, "", q.ID)
	wantCode(t, err, QueryIDNotFound)
}

// TestLakeQueryQueue holds the workers so that queries wait QUEUED, are
// cancelled while queued, and are bounded per account.
func TestLakeQueryQueue(t *testing.T) {
	w := newLakeWorld(t)
	ctx := context.Background()
	name := "queries"
	d, err := w.lake.CreateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	for range cap(w.lake.queries.workers) {
		w.lake.queries.workers <- struct{}{}
	}
	var ids []string
	for range MaxConcurrentLakeQueries {
		id, err := w.lake.StartQuery(ctx, lakeAcct, lakeRegion, "SELECT count(*) FROM "+d.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	_, err = w.lake.StartQuery(ctx, lakeAcct, lakeRegion, "SELECT count(*) FROM "+d.ID)
	wantCode(t, err, MaxConcurrentQueries)
	if q, _ := w.lake.Query(ctx, lakeAcct, lakeRegion, d.ARN, ids[0]); q.Status != QueryQueued {
		t.Errorf("status %s, want QUEUED", q.Status)
	}
	if err := w.lake.CancelQuery(ctx, lakeAcct, lakeRegion, "", ids[0]); err != nil {
		t.Fatal(err)
	}
	for range cap(w.lake.queries.workers) {
		<-w.lake.queries.workers
	}
	for _, id := range ids {
		if err := w.lake.WaitQuery(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if q, _ := w.lake.Query(ctx, lakeAcct, lakeRegion, "", ids[0]); q.Status != QueryCancelled {
		t.Errorf("cancelled query is %s", q.Status)
	}
	if q, _ := w.lake.Query(ctx, lakeAcct, lakeRegion, "", ids[1]); q.Status != QueryFinished || fmt.Sprint(q.Result.Rows) != "[[0]]" {
		t.Errorf("second query is %s %v", q.Status, q.Result)
	}
}
