package e2e

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// debianAWSCLI is the Debian awscli package (AWS CLI 2.9), which speaks
// awsQuery to CloudWatch; .ci/run installs it. It ignores AWS_ENDPOINT_URL,
// so every call passes --endpoint-url.
const debianAWSCLI = "/usr/bin/aws"

func awscli2(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianAWSCLI, "--version").CombinedOutput()
	requireClient(t, "the Debian AWS CLI 2.9 ("+debianAWSCLI+")", err == nil && strings.HasPrefix(string(out), "aws-cli/2."))
}

func TestAWSCLIv2Debian(t *testing.T) {
	awscli2(t)
	v := start(t, false)
	aws := func(env []string, args ...string) (string, error) {
		cmd := exec.Command(debianAWSCLI, append([]string{"--endpoint-url", v.endpoint, "--output", "json"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := aws(v.env(), "sts", "get-caller-identity")
	var ident struct{ Account string }
	if err != nil || json.Unmarshal([]byte(out), &ident) != nil || ident.Account != v.app.Root().AccountID {
		t.Fatalf("aws sts get-caller-identity = %v\n%s", err, out)
	}
	out, err = aws(v.env(), "--debug", "cloudwatch", "describe-insight-rules")
	if err == nil || !strings.Contains(out, "(NotImplemented)") || !strings.Contains(out, "DescribeInsightRules") {
		t.Errorf("aws cloudwatch describe-insight-rules = %v\n%.3000s; want NotImplemented", err, out)
	}
	if !strings.Contains(out, "'body': {'Action': 'DescribeInsightRules'") {
		t.Errorf("the Debian CLI did not use the query protocol for CloudWatch:\n%.3000s", out)
	}
	wrong := append(v.env(), "AWS_ACCESS_KEY_ID="+v.app.Root().AccessKeyID, "AWS_SECRET_ACCESS_KEY=wrong")
	out, err = aws(wrong, "cloudwatch", "list-metrics")
	if err == nil || !strings.Contains(out, "(SignatureDoesNotMatch)") {
		t.Errorf("aws cloudwatch list-metrics with a wrong secret = %v\n%s; want SignatureDoesNotMatch", err, out)
	}
}

// TestAWSCLIv2LogsTailFollow runs `aws logs tail --follow` (Debian AWS CLI
// 2.9), which polls FilterLogEvents and de-duplicates by event id, while
// events arrive.
func TestAWSCLIv2LogsTailFollow(t *testing.T) {
	awscli2(t)
	v := start(t, false)
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(debianAWSCLI, append([]string{"--endpoint-url", v.endpoint}, args...)...)
		cmd.Env = v.env()
		return cmd
	}
	for _, args := range [][]string{
		{"logs", "create-log-group", "--log-group-name", "tailed"},
		{"logs", "create-log-stream", "--log-group-name", "tailed", "--log-stream-name", "s"},
	} {
		if out, err := run(args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	put := func(msg string) {
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		if out, err := run("logs", "put-log-events", "--log-group-name", "tailed", "--log-stream-name", "s",
			"--log-events", "timestamp="+ts+",message="+msg).CombinedOutput(); err != nil {
			t.Fatalf("put-log-events: %v\n%s", err, out)
		}
	}
	put("before-tail")
	tail := run("logs", "tail", "tailed", "--follow", "--since", "10m", "--format", "short")
	var out strings.Builder
	tail.Stdout, tail.Stderr = &out, &out
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	put("while-tailing-1")
	time.Sleep(1 * time.Second)
	put("while-tailing-2")
	time.Sleep(7 * time.Second) // the CLI polls every 5 s
	tail.Process.Kill()
	tail.Wait()
	for _, want := range []string{"before-tail", "while-tailing-1", "while-tailing-2"} {
		if strings.Count(out.String(), want) != 1 {
			t.Errorf("aws logs tail --follow printed %q %d times; want once:\n%s", want, strings.Count(out.String(), want), out.String())
		}
	}
}
