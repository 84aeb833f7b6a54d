package e2e

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestCloudTrailLake: through aws-sdk-go-v2, an event data store takes
// the calls made after its creation once Vigil's clock moves a minute
// (the ingestion job), answers a SQL query with its rows and statistics,
// refuses what CloudTrail Lake refuses, drops events past its retention,
// and, deleted, stays PENDING_DELETION until restored or 7 days pass.
func TestCloudTrailLake(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	v := startStill(t, base)
	ctx := context.Background()
	cfg := v.devConfig(devAccount)
	ct := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)

	created, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"),
		RetentionPeriod: aws.Int32(7), TagsList: []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.EventDataStoreArn)
	if created.Status != types.EventDataStoreStatusEnabled || !aws.ToBool(created.TerminationProtectionEnabled) ||
		!aws.ToBool(created.MultiRegionEnabled) || len(created.AdvancedEventSelectors) != 1 {
		t.Fatalf("CreateEventDataStore: %+v", created)
	}
	id := arn[len(arn)-36:]
	for _, g := range []string{"lake-a", "lake-b"} {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	v.moveClock(t, `{"advance": "1m"}`)

	// Refusals.
	var exists *types.EventDataStoreAlreadyExistsException
	if _, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")}); !errors.As(err, &exists) {
		t.Errorf("same name: %v", err)
	}
	var badSel *types.InvalidEventSelectorsException
	_, err = ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("data"), AdvancedEventSelectors: []types.AdvancedEventSelector{
		{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}}}}}})
	if !errors.As(err, &badSel) {
		t.Errorf("data events: %v", err)
	}
	var badStmt *types.InvalidQueryStatementException
	if _, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String("DROP TABLE " + id)}); !errors.As(err, &badStmt) {
		t.Errorf("DROP: %v", err)
	}
	var protected *types.EventDataStoreTerminationProtectedException
	if _, err := ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: &arn}); !errors.As(err, &protected) {
		t.Errorf("protected delete: %v", err)
	}
	var notFound *types.QueryIdNotFoundException
	if _, err := ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")}); !errors.As(err, &notFound) {
		t.Errorf("unknown query: %v", err)
	}

	// The query.
	started, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(
		"SELECT eventName, count(*) AS calls FROM " + id + " WHERE eventSource = 'logs.amazonaws.com' AND eventTime > '2026-01-01 00:00:00' GROUP BY eventName")})
	if err != nil {
		t.Fatal(err)
	}
	// A move of the clock answers once the queries under way have ended.
	v.settle(t)
	desc, err := ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{EventDataStore: &arn, QueryId: started.QueryId})
	if err != nil {
		t.Fatal(err)
	}
	if desc.QueryStatus != types.QueryStatusFinished || aws.ToInt64(desc.QueryStatistics.EventsMatched) != 2 || aws.ToInt64(desc.QueryStatistics.EventsScanned) < 2 {
		t.Fatalf("DescribeQuery: %s %v %+v", desc.QueryStatus, aws.ToString(desc.ErrorMessage), desc.QueryStatistics)
	}
	res, err := ct.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: started.QueryId})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.QueryResultRows); got != "[[map[eventName:CreateLogGroup] map[calls:2]]]" || aws.ToInt32(res.QueryStatistics.TotalResultsCount) != 1 {
		t.Errorf("GetQueryResults: %s %+v", got, res.QueryStatistics)
	}
	list, err := ct.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: &arn})
	if err != nil || len(list.Queries) != 1 || aws.ToString(list.Queries[0].QueryId) != aws.ToString(started.QueryId) {
		t.Errorf("ListQueries: %+v, %v", list, err)
	}
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 {
		t.Errorf("ListTags: %+v, %v", tags, err)
	}

	// Retention: 8 days on, the events are gone. (The calls made since
	// the first move are ingested by the first move's ingestion run, which
	// may come after its retention run: the next hour's drops them.)
	v.moveClock(t, `{"advance": "192h"}`)
	v.moveClock(t, `{"advance": "1h"}`)
	if n := lakeCount(t, v, ct, id); n != "0" {
		t.Errorf("after retention: %s events", n)
	}

	// Deletion, restore, deletion for good.
	if _, err := ct.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: &arn, TerminationProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: &arn}); err != nil {
		t.Fatal(err)
	}
	got, err := ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: &arn})
	if err != nil || got.Status != types.EventDataStoreStatusPendingDeletion {
		t.Fatalf("GetEventDataStore after delete: %+v, %v", got, err)
	}
	if _, err := ct.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: &arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: &arn}); err != nil {
		t.Fatal(err)
	}
	v.moveClock(t, `{"advance": "169h"}`)
	var gone *types.EventDataStoreNotFoundException
	if _, err := ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: &arn}); !errors.As(err, &gone) {
		t.Errorf("7 days after deletion: %v", err)
	}

	// boto3 reads the same API.
	py := python3(t)
	script := `
import boto3, time
ct = boto3.client("cloudtrail")
eds = ct.create_event_data_store(Name="boto", TerminationProtectionEnabled=False, MultiRegionEnabled=False)
arn = eds["EventDataStoreArn"]
assert eds["Status"] == "ENABLED" and eds["RetentionPeriod"] == 2557, eds
stores = ct.list_event_data_stores(MaxResults=1)["EventDataStores"]
assert [s["Name"] for s in stores] == ["boto"], stores
ct.stop_event_data_store_ingestion(EventDataStore=arn)
assert ct.get_event_data_store(EventDataStore=arn)["Status"] == "STOPPED_INGESTION"
try:
    ct.stop_event_data_store_ingestion(EventDataStore=arn)
    raise SystemExit("stopped twice")
except ct.exceptions.InvalidEventDataStoreStatusException:
    pass
ct.start_event_data_store_ingestion(EventDataStore=arn)
q = ct.start_query(QueryStatement="SELECT eventName, userIdentity.accountId FROM " + arn.split("/")[-1] + " LIMIT 5")["QueryId"]
for _ in range(200):
    d = ct.describe_query(QueryId=q)
    if d["QueryStatus"] not in ("QUEUED", "RUNNING"):
        break
    time.sleep(0.01)
assert d["QueryStatus"] == "FINISHED", d
r = ct.get_query_results(QueryId=q, MaxQueryResults=1)
# The calls recorded by then (the audit queue is asynchronous): at most one a page.
assert r["QueryStatus"] == "FINISHED" and r["QueryStatistics"]["ResultsCount"] <= 1, r
for row in r["QueryResultRows"]:
    assert [list(c) for c in row] == [["eventName"], ["accountId"]] and row[1]["accountId"] == "123456789012", row
try:
    ct.cancel_query(QueryId=q)
    raise SystemExit("cancelled a finished query")
except ct.exceptions.InactiveQueryException:
    pass
try:
    ct.create_event_data_store(Name="org", OrganizationEnabled=True)
    raise SystemExit("organization store created")
except ct.exceptions.OrganizationsNotInUseException:
    pass
ct.delete_event_data_store(EventDataStore=arn)
print("ok")
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// lakeCount runs SELECT count(*) over a store of v's and returns the
// count.
func lakeCount(t *testing.T, v *vigil, ct *cloudtrail.Client, id string) string {
	t.Helper()
	ctx := context.Background()
	q, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String("SELECT count(*) FROM " + id)})
	if err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	res, err := ct.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: q.QueryId})
	if err != nil {
		t.Fatal(err)
	}
	if res.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("count query %s after the clock settled: %s", res.QueryStatus, aws.ToString(res.ErrorMessage))
	}
	return res.QueryResultRows[0][0]["_col0"]
}
