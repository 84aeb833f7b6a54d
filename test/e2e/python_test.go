package e2e

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBoto3Foundation runs testdata/foundation.py against Vigil.
func TestBoto3Foundation(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "testdata/foundation.py", v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("foundation.py: %v", err)
	}
}

// TestAWSCLIv1 runs the AWS CLI 1.45 from python3 with the exports Vigil
// prints.
func TestAWSCLIv1(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	aws := func(args ...string) (string, error) {
		cmd := exec.Command(py, append([]string{"-m", "awscli"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := aws("sts", "get-caller-identity", "--output", "json")
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	var ident struct{ Account, Arn, UserId string }
	if err := json.Unmarshal([]byte(out), &ident); err != nil || ident.Account != v.app.Root().AccountID {
		t.Errorf("aws sts get-caller-identity = %s (%v); want account %s", out, err, v.app.Root().AccountID)
	}
	out, err = aws("logs", "describe-deliveries")
	if err == nil || !strings.Contains(out, "(NotImplemented)") || !strings.Contains(out, "DescribeDeliveries") {
		t.Errorf("aws logs describe-deliveries = %v\n%s; want a NotImplemented error", err, out)
	}
}

// TestBoto3Logs runs the CloudWatch Logs scenario of testdata/logs.py.
func TestBoto3Logs(t *testing.T) {
	py := python3(t)
	v := start(t, true)
	cmd := exec.Command(py, "testdata/logs.py", v.endpoint)
	cmd.Env = append(v.env(), "AWS_DISABLE_HOST_PREFIX_INJECTION=true")
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("logs.py: %v", err)
	}
}

// TestAWSCLIv1Logs drives CloudWatch Logs with the AWS CLI 1.45.
func TestAWSCLIv1Logs(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(py, append([]string{"-m", "awscli", "--output", "json"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	aws("logs", "create-log-group", "--log-group-name", "cli")
	aws("logs", "create-log-stream", "--log-group-name", "cli", "--log-stream-name", "s")
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	aws("logs", "put-log-events", "--log-group-name", "cli", "--log-stream-name", "s",
		"--log-events", "timestamp="+now+",message=ERROR one", "timestamp="+now+",message=fine")
	var filtered struct{ Events []struct{ Message string } }
	if err := json.Unmarshal([]byte(aws("logs", "filter-log-events", "--log-group-name", "cli", "--filter-pattern", "ERROR")), &filtered); err != nil ||
		len(filtered.Events) != 1 || filtered.Events[0].Message != "ERROR one" {
		t.Errorf("filter-log-events = %+v, %v", filtered, err)
	}
	var started struct{ QueryId string }
	end := strconv.FormatInt(time.Now().Unix()+60, 10)
	if err := json.Unmarshal([]byte(aws("logs", "start-query", "--log-group-name", "cli", "--start-time", "0", "--end-time", end,
		"--query-string", "filter @message like /ERROR/ | stats count(*) as errors")), &started); err != nil || started.QueryId == "" {
		t.Fatalf("start-query = %+v, %v", started, err)
	}
	var results struct {
		Status  string
		Results [][]struct{ Field, Value string }
	}
	for range 100 {
		if err := json.Unmarshal([]byte(aws("logs", "get-query-results", "--query-id", started.QueryId)), &results); err != nil {
			t.Fatal(err)
		}
		if results.Status != "Running" && results.Status != "Scheduled" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if results.Status != "Complete" || len(results.Results) != 1 || results.Results[0][0].Value != "1" {
		t.Errorf("get-query-results = %+v", results)
	}
	var tested struct{ Matches []struct{ EventNumber int } }
	if err := json.Unmarshal([]byte(aws("logs", "test-metric-filter", "--filter-pattern", `{ $.a > 1 }`,
		"--log-event-messages", `{"a":2}`, `{"a":0}`)), &tested); err != nil || len(tested.Matches) != 1 {
		t.Errorf("test-metric-filter = %+v, %v", tested, err)
	}
}

// TestBoto3Insights runs the Logs Insights scenario of testdata/insights.py.
func TestBoto3Insights(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "testdata/insights.py")
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("insights.py: %v", err)
	}
}
