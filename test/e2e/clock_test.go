package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/vigilhq/vigil/internal/app"
	"github.com/vigilhq/vigil/internal/clock"
)

// stillClock returns the clock of a --dev Vigil that stands at at and
// moves only when moved through /_vigil/clock: nothing falls due behind a
// test's back (an alarm is evaluated when the test moves the clock, not
// whenever a real minute passes), and Vigils started at the same time
// show the same times however long each takes over its work.
func stillClock(at time.Time) *clock.Virtual {
	return clock.NewVirtual(clock.NewFake(at))
}

// startStill runs a --dev Vigil whose clock stands at at (stillClock).
func startStill(t *testing.T, at time.Time) *vigil {
	t.Helper()
	return startWith(t, app.Config{Dev: true, Clock: stillClock(at)})
}

// moveClock posts a move to /_vigil/clock and returns Vigil's time after it.
func (v *vigil) moveClock(t *testing.T, body string) time.Time {
	t.Helper()
	resp, err := http.Post(v.endpoint+"/_vigil/clock", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state struct {
		Now, Offset, Message string
		Settled              *bool
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_vigil/clock %s = %d %s", body, resp.StatusCode, state.Message)
	}
	if state.Settled == nil || !*state.Settled {
		t.Fatalf("POST /_vigil/clock %s answered before the jobs it made due had finished", body)
	}
	now, err := time.Parse(time.RFC3339Nano, state.Now)
	if err != nil {
		t.Fatal(err)
	}
	return now
}

// TestVirtualClockExpiresEvents: in --dev mode, advancing Vigil's clock
// past a log group's retention expires its events before the move
// answers (the retention job runs when the clock moves), and ingestion
// follows the moved clock.
func TestVirtualClockExpiresEvents(t *testing.T) {
	v := start(t, true)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(v.devConfig("123456789012"))
	group, stream := aws.String("/clock/app"), aws.String("s")
	for _, call := range []func() error{
		func() error {
			_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group})
			return err
		},
		func() error {
			_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(1)})
			return err
		},
		func() error {
			_, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	put := func(at time.Time, msgs ...string) {
		t.Helper()
		var events []types.InputLogEvent
		for _, m := range msgs {
			events = append(events, types.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(at.UnixMilli())})
		}
		out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events})
		if err != nil {
			t.Fatal(err)
		}
		if out.RejectedLogEventsInfo != nil {
			t.Fatalf("events at %v rejected: %+v", at, out.RejectedLogEventsInfo)
		}
	}
	messages := func() []string {
		t.Helper()
		out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group})
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		return msgs
	}

	put(time.Now(), "one", "two")
	if got := messages(); len(got) != 2 {
		t.Fatalf("FilterLogEvents = %q; want the two events put", got)
	}

	now := v.moveClock(t, `{"advance": "2d"}`)
	if d := time.Until(now); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("after advancing two days Vigil's clock is %v ahead", d)
	}
	// The retention job falls due with the move, and the move answers
	// once it has run.
	if got := messages(); len(got) > 0 {
		t.Fatalf("events past their retention still there after the clock moved: %q", got)
	}

	// Events stamped in Vigil's (virtual) present are accepted, though two
	// days ahead of the real clock.
	put(now, "after")
	if got := messages(); len(got) != 1 || got[0] != "after" {
		t.Errorf("FilterLogEvents = %q; want [after]", got)
	}
}
