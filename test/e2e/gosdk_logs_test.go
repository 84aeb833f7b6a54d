package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// withoutHostPrefix stops the SDK from sending StartLiveTail to
// stream-<endpoint host>, which does not resolve for a local endpoint.
func withoutHostPrefix(o *cloudwatchlogs.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("VigilNoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

func TestGoSDKLogs(t *testing.T) {
	v := start(t, false)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(v.goConfig("", false), withoutHostPrefix)
	group, stream := aws.String("/go/app"), aws.String("s-1")
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate CreateLogGroup = %v; want *types.ResourceAlreadyExistsException", err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	var events []types.InputLogEvent
	for i := range 2500 {
		events = append(events, types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(fmt.Sprintf("event %d level=%s", i, []string{"INFO", "WARN"}[i%2]))})
	}
	out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events})
	if err != nil || out.RejectedLogEventsInfo != nil {
		t.Fatalf("PutLogEvents = %+v, %v", out, err)
	}

	pager := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String("WARN"), Limit: aws.Int32(300)})
	n, pages := 0, 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Events)
		pages++
	}
	if n != 1250 || pages != 5 {
		t.Errorf("FilterLogEvents WARN: %d events in %d pages; want 1250 in 5", n, pages)
	}

	get, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: aws.Bool(true), Limit: aws.Int32(100)})
	if err != nil || len(get.Events) != 100 || aws.ToString(get.Events[0].Message) != "event 0 level=INFO" || get.NextForwardToken == nil {
		t.Fatalf("GetLogEvents = %+v, %v", get, err)
	}

	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups = %+v, %v", groups, err)
	}
	tail, err := c.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{aws.ToString(groups.LogGroups[0].LogGroupArn)}})
	if err != nil {
		t.Fatal(err)
	}
	es := tail.GetStream()
	defer es.Close()
	go func() {
		time.Sleep(1200 * time.Millisecond)
		c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream,
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("live")}}})
	}()
	deadline := time.After(10 * time.Second)
	sawStart := false
	for {
		select {
		case ev, ok := <-es.Events():
			if !ok {
				t.Fatalf("live tail stream ended: %v", es.Err())
			}
			switch ev := ev.(type) {
			case *types.StartLiveTailResponseStreamMemberSessionStart:
				sawStart = aws.ToString(ev.Value.SessionId) != ""
			case *types.StartLiveTailResponseStreamMemberSessionUpdate:
				for _, r := range ev.Value.SessionResults {
					if aws.ToString(r.Message) == "live" && sawStart {
						return
					}
				}
			}
		case <-deadline:
			t.Fatal("live tail did not deliver the event")
		}
	}
}

func TestGoSDKInsights(t *testing.T) {
	v := start(t, false)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(v.goConfig("", false))
	group, stream := aws.String("/go/insights"), aws.String("s")
	c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group})
	c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream})
	now := time.Now()
	var events []types.InputLogEvent
	for i := range 100 {
		events = append(events, types.InputLogEvent{Timestamp: aws.Int64(now.Add(-time.Duration(100-i) * time.Second).UnixMilli()),
			Message: aws.String(fmt.Sprintf("GET /item/%d status=%d", i, []int{200, 500}[i%5/4]))})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	_, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: group, StartTime: aws.Int64(0), EndTime: aws.Int64(now.Unix()),
		QueryString: aws.String("parse @message 'status=*' as status |")})
	var malformed *types.MalformedQueryException
	if !errors.As(err, &malformed) || malformed.QueryCompileError == nil {
		t.Errorf("malformed query error = %v; want *types.MalformedQueryException with a location", err)
	}
	q, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: group, StartTime: aws.Int64(0), EndTime: aws.Int64(now.Unix() + 60),
		QueryString: aws.String("parse @message 'status=*' as status | stats count(*) as n by status | sort status")})
	if err != nil {
		t.Fatal(err)
	}
	var res *cloudwatchlogs.GetQueryResultsOutput
	for range 200 {
		if res, err = c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: q.QueryId}); err != nil {
			t.Fatal(err)
		}
		if res.Status != types.QueryStatusRunning && res.Status != types.QueryStatusScheduled {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var got []string
	for _, row := range res.Results {
		for _, f := range row {
			got = append(got, aws.ToString(f.Field)+"="+aws.ToString(f.Value))
		}
	}
	if want := "[status=200 n=80 status=500 n=20]"; res.Status != types.QueryStatusComplete || fmt.Sprint(got) != want {
		t.Errorf("results = %s %v; want Complete %s", res.Status, got, want)
	}
}
