package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/vigilhq/vigil/internal/server"
)

// signRoot signs req, whose body is body, with the root account's key
// for service, as curl --aws-sigv4 or an SDK would.
func (v *vigil) signRoot(t *testing.T, req *http.Request, body []byte, service string) {
	t.Helper()
	sum := sha256.Sum256(body)
	root := v.app.Root()
	creds := aws.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// admin sends a request to one of Vigil's own endpoints, signed with the
// root key when sign is set, and decodes the JSON answer into out.
func (v *vigil) admin(t *testing.T, method, path, body string, sign bool, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, v.endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sign {
		v.signRoot(t, req, []byte(body), "vigil")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
			t.Fatalf("%s %s answered %d %q: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// settle waits for the deliveries under way: a move of the clock (by
// nothing) answers once the jobs it made due, the outbox's among them,
// and those running, have finished.
func (v *vigil) settle(t *testing.T) { v.moveClock(t, `{"advance": "0s"}`) }

// TestDeadDeliveries: a subscription delivery that keeps failing is
// retried, given up past its maximum age (24 hours of Vigil's clock) and
// kept as a dead letter, which the health check shows and the operator
// lists and retries; retried once its target exists, it is delivered.
func TestDeadDeliveries(t *testing.T) {
	v := start(t, true)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(v.devConfig("123456789012"))
	far := cloudwatchlogs.NewFromConfig(v.devConfig("123456789012"), func(o *cloudwatchlogs.Options) { o.Region = "ap-south-1" })
	src, stream, target := aws.String("/src"), aws.String("s"), "arn:aws:logs:ap-south-1:123456789012:log-group:later"
	mustDo(t, func() error {
		_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: src})
		return err
	}, func() error {
		_, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: src, LogStreamName: stream})
		return err
	}, func() error {
		_, err := c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: src, FilterName: aws.String("out"),
			FilterPattern: aws.String(""), DestinationArn: aws.String(target)})
		return err
	}, func() error {
		_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: src, LogStreamName: stream,
			LogEvents: []types.InputLogEvent{{Message: aws.String("kept until delivered"), Timestamp: aws.Int64(time.Now().UnixMilli())}}})
		return err
	})

	var health struct {
		Status     string
		Deliveries struct {
			Kinds map[string]struct{ Pending, Retrying, Dead int64 }
		}
	}
	kind := func() (pending, retrying, dead int64) {
		v.admin(t, http.MethodGet, server.HealthPath, "", false, &health)
		k := health.Deliveries.Kinds["logs.subscription"]
		return k.Pending, k.Retrying, k.Dead
	}
	v.settle(t)
	if _, r, _ := kind(); r != 1 {
		t.Fatalf("after the first attempt: %d retrying; want 1", r)
	}
	if health.Status != "ok" {
		t.Errorf("health = %q while a delivery is retried; want ok", health.Status)
	}

	v.moveClock(t, `{"advance": "25h"}`)
	var dead server.DeadDeliveries
	v.admin(t, http.MethodGet, server.DeadDeliveriesPath+"?kind=logs.subscription", "", false, &dead)
	if len(dead.Items) != 1 {
		t.Fatalf("dead letters past the maximum age = %+v; want one", dead.Items)
	}
	d := dead.Items[0]
	if d.Target != target || d.Account != "123456789012" || d.Attempts < 2 || !strings.Contains(d.LastError, "later") {
		t.Errorf("dead letter = %+v", d)
	}
	if p, _, n := kind(); p != 0 || n != 1 || health.Status != "degraded" {
		t.Errorf("health = %q, pending %d, dead %d; want degraded with one dead letter", health.Status, p, n)
	}

	mustDo(t, func() error {
		_, err := far.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("later")})
		return err
	})
	var retried struct{ Retried int }
	if code := v.admin(t, http.MethodPost, server.RetryDeliveriesPath, `{"ids": [`+jsonInt(d.ID)+`]}`, false, &retried); code != http.StatusOK || retried.Retried != 1 {
		t.Fatalf("retry = %d %+v; want 200 and one retried", code, retried)
	}
	v.settle(t)
	out, err := far.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("later")})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "kept until delivered" {
		t.Fatalf("the retried delivery's target holds %+v, %v; want the event", out, err)
	}
	if p, r, n := kind(); p+r+n != 0 || health.Status != "ok" {
		t.Errorf("health after the retried delivery = %q, %d pending, %d retrying, %d dead; want ok and none", health.Status, p, r, n)
	}
}

// TestDeadDeliveriesNeedTheRootAccount: outside --dev mode only requests
// signed with the root account's key reach the dead letters.
func TestDeadDeliveriesNeedTheRootAccount(t *testing.T) {
	v := start(t, false)
	var msg struct{ Message string }
	if code := v.admin(t, http.MethodGet, server.DeadDeliveriesPath, "", false, &msg); code != http.StatusForbidden {
		t.Errorf("unsigned GET = %d %q; want 403", code, msg.Message)
	}
	if code := v.admin(t, http.MethodPost, server.RetryDeliveriesPath, `{}`, false, &msg); code != http.StatusForbidden {
		t.Errorf("unsigned POST = %d %q; want 403", code, msg.Message)
	}
	var dead server.DeadDeliveries
	if code := v.admin(t, http.MethodGet, server.DeadDeliveriesPath+"?limit=5", "", true, &dead); code != http.StatusOK || dead.Items == nil {
		t.Errorf("signed GET = %d %+v; want 200 and an empty list", code, dead)
	}
	var bad struct{ Message string }
	if code := v.admin(t, http.MethodGet, server.DeadDeliveriesPath+"?limit=0", "", true, &bad); code != http.StatusBadRequest {
		t.Errorf("limit=0 = %d %q; want 400", code, bad.Message)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// mustDo runs calls in order and fails the test on the first error.
func mustDo(t *testing.T, calls ...func() error) {
	t.Helper()
	for _, call := range calls {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
}
