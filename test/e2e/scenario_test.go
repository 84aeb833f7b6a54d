package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// A scenario is a list of API calls that every client makes against its
// own fresh Vigil: the Go SDK, boto3, the AWS CLI 1.45 and the Debian AWS
// CLI 2.9 must all get the same responses, which must also match what the
// scenario expects. Calls are written in the API's own terms (operation
// and parameter names of the service model), so each client sends them
// in its protocol: CBOR, JSON 1.0 and awsQuery for CloudWatch.
type scenario struct {
	Service string `json:"service"`
	// Dev runs each client's Vigil in --dev mode on a clock that stands
	// at the scenario's base time, {{T}}, and moves only by the
	// scenario's clock steps (stillClock): what Vigil does on its clock,
	// such as evaluating alarms, happens at the times the scenario says,
	// and every client gets the same timestamps. The clients sign as
	// devAccount.
	Dev   bool   `json:"dev,omitempty"`
	Steps []step `json:"steps"`
}

// devAccount is the account the clients of a Dev scenario sign as: in
// --dev mode a 12-digit access key id is the caller's account, so the
// scenario can write its ARNs.
const devAccount = "123456789012"

// A step is an API call, or a move of Vigil's clock.
type step struct {
	Name string `json:"name"`
	// Service is the step's service when it is not the scenario's.
	Service string `json:"service,omitempty"`
	// Op and Params are the call; a clock step has none.
	Op     string         `json:"op,omitempty"`
	Params map[string]any `json:"params,omitempty"`
	// Error is the error code the call must fail with.
	Error string `json:"error,omitempty"`
	// Expect is a subset of the response it must return: maps match by
	// key, lists element by element, numbers within 1e-9 relative, and a
	// string ending with * by prefix.
	Expect any `json:"expect,omitempty"`
	// Count checks the length of lists by path ("Metrics": 3).
	Count map[string]int `json:"count,omitempty"`
	// Until repeats the call, for up to untilTimeout, while the response
	// has nothing at this path: what Vigil derives asynchronously (metric
	// filters' data points) shows up after a moment, as on AWS.
	Until string `json:"until,omitempty"`
	// Clock, in a Dev scenario, moves Vigil's clock instead of calling
	// an API: it is the body of a POST to /_vigil/clock, {"advance":
	// "60s"} or {"set": "{{T+1h}}"}, which answers once the jobs the move
	// made due (and those under way) have finished; {"advance": "0s"}
	// just waits for them. Its outcome is an empty response.
	Clock map[string]any `json:"clock,omitempty"`
	// Skip names the clients that leave the step out, those whose model
	// predates its operation (the Debian AWS CLI 2.9 knows no alarm mute
	// rules); their outcome of it is neither checked nor compared.
	Skip []string `json:"skip,omitempty"`
	// Save names values of the step's response by path ("rh":
	// "Messages.0.ReceiptHandle"), which later steps' parameters take as
	// {{rh}}. What a client's Vigil makes up (message ids, receipt
	// handles) differs from client to client: in every outcome, from
	// this step's on, a value saved reads as its placeholder, so that
	// outcomes compare, and expectations write "{{rh}}".
	Save map[string]string `json:"save,omitempty"`
	// Ignore names members of the response (by path, "Contents" or
	// "Events.0.Size") that the comparison between clients leaves out:
	// what only newer models have (CreateBucket's BucketArn), what the
	// clients ask differently (the CLI's EncodingType=url), numbers made
	// up per client. Expect and Count still see them.
	Ignore []string `json:"ignore,omitempty"`
}

// placeholder matches the placeholders of step parameters that stand
// for values saved by earlier steps, and {{endpoint}}, the URL of the
// client's Vigil (its queue URLs start with it; outcomes read
// "{{endpoint}}" for it). The time placeholders ({{T}}, …) are replaced
// when the scenario is loaded.
var placeholder = regexp.MustCompile(`\{\{(\w+)\}\}`)

// expand returns a step's parameters with the placeholders of saved
// values replaced; one whose value is not known (its step failed) stays.
func expand(v any, vars map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = expand(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expand(e, vars)
		}
		return out
	case string:
		return placeholder.ReplaceAllStringFunc(x, func(m string) string {
			if val, ok := vars[m[2:len(m)-2]]; ok {
				return val
			}
			return m
		})
	}
	return v
}

// saveValues records the values a step's outcome saves.
func saveValues(s step, o outcome, vars map[string]string) {
	for name, path := range s.Save {
		switch x := lookup(o.Response, path).(type) {
		case string:
			vars[name] = x
		case float64:
			vars[name] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
}

// symbolize rewrites a client's outcomes of sc's steps as saved values'
// placeholders: each value a step saved, wherever it appears from that
// step on, becomes {{name}}, and the URL of the client's Vigil
// {{endpoint}}.
func symbolize(sc scenario, got []outcome, endpoint string) {
	vars := map[string]string{}
	for i := range min(len(got), len(sc.Steps)) {
		saveValues(sc.Steps[i], got[i], vars)
		names := make(map[string]string, len(vars))
		for name, val := range vars {
			names[val] = name
		}
		got[i].Response = symbolic(got[i].Response, names, endpoint)
	}
}

// symbolic returns v with the strings that are saved values (names maps
// each to its name) as their placeholders, and the endpoint as
// {{endpoint}}.
func symbolic(v any, names map[string]string, endpoint string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = symbolic(e, names, endpoint)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = symbolic(e, names, endpoint)
		}
		return out
	case string:
		if name, ok := names[x]; ok {
			return "{{" + name + "}}"
		}
		return strings.ReplaceAll(x, endpoint, "{{endpoint}}")
	}
	return v
}

// forClient returns the scenario as the client name plays it, without
// the steps it skips, and the indices in sc of the steps it keeps.
func (sc scenario) forClient(name string) (scenario, []int) {
	own := sc
	own.Steps = nil
	var kept []int
	for i, s := range sc.Steps {
		if !slices.Contains(s.Skip, name) {
			own.Steps = append(own.Steps, s)
			kept = append(kept, i)
		}
	}
	return own, kept
}

// untilTimeout bounds how long a step with Until is repeated.
const untilTimeout = 15 * time.Second

// repeat calls call until its response has something at path, or
// untilTimeout passes; without a path it calls once.
func repeat(path string, call func() outcome) outcome {
	deadline := time.Now().Add(untilTimeout)
	for {
		o := call()
		if path == "" || o.Error != "" || !empty(lookup(o.Response, path)) || time.Now().After(deadline) {
			return o
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// outcome is what a client got for one step: the normalized response, or
// the error code.
type outcome struct {
	Response any    `json:"response,omitempty"`
	Error    string `json:"error,omitempty"`
}

// timeRef matches the time placeholders of a scenario: {{T}}, {{T-90m}},
// {{T+30s}}, relative to the scenario's base time.
var timeRef = regexp.MustCompile(`\{\{T(?:([+-]\d+)([smhd]))?(\|unix|\|ms|\|reason|\|at)?\}\}`)

// reasonTime is how alarms' state reasons write the times of datapoints:
// dd/MM/yy HH:mm:ss in UTC.
const reasonTime = "02/01/06 15:04:05"

// loadScenario reads a scenario, replacing its time placeholders with
// times relative to base (RFC 3339, or Unix seconds with |unix,
// milliseconds with |ms, a state reason's time with |reason, and the
// time of a schedule's at() expression with |at).
func loadScenario(t *testing.T, file string, base time.Time) scenario {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	expanded := timeRef.ReplaceAllStringFunc(string(raw), func(m string) string {
		p := timeRef.FindStringSubmatch(m)
		at := base
		if p[1] != "" {
			var n int
			fmt.Sscan(p[1], &n)
			unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[p[2]]
			at = at.Add(time.Duration(n) * unit)
		}
		switch p[3] {
		case "|unix":
			return fmt.Sprint(at.Unix())
		case "|ms":
			return fmt.Sprint(at.UnixMilli())
		case "|reason":
			return at.UTC().Format(reasonTime)
		case "|at":
			return at.UTC().Format("2006-01-02T15:04:05")
		}
		return at.UTC().Format(time.RFC3339)
	})
	var sc scenario
	if err := json.Unmarshal([]byte(expanded), &sc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for i, s := range sc.Steps {
		switch {
		case s.Clock != nil && (s.Op != "" || !sc.Dev):
			t.Fatalf("%s: step %q: a clock step makes no API call, and only a dev scenario has one", file, s.Name)
		case s.Clock == nil && s.Op == "":
			t.Fatalf("%s: step %q has neither an op nor a clock move", file, s.Name)
		}
		if s.Service == "" {
			sc.Steps[i].Service = sc.Service
		}
		for name := range s.Save {
			if name == "T" || name == "endpoint" || !placeholder.MatchString("{{"+name+"}}") {
				t.Fatalf("%s: step %q saves a value as %q, which is no placeholder of its own", file, s.Name, name)
			}
		}
	}
	return sc
}

// runScenario runs a scenario with every client and checks that they
// agree with each other and with the scenario's expectations.
func runScenario(t *testing.T, file string) {
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Hour)
	sc := loadScenario(t, file, base)
	clients := []struct {
		name string
		run  func(t *testing.T, v *vigil, sc scenario) []outcome
	}{
		{"aws-sdk-go-v2", runGoSDK},
		{"boto3", func(t *testing.T, v *vigil, sc scenario) []outcome {
			text, err := json.Marshal(sc)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "scenario.json")
			if err := os.WriteFile(path, text, 0o600); err != nil {
				t.Fatal(err)
			}
			return runBoto3(t, v, sc, path)
		}},
		{"awscli-1.45", func(t *testing.T, v *vigil, sc scenario) []outcome {
			py := python3(t)
			// The CLI 1.x points SQS at queue.amazonaws.com whatever
			// AWS_ENDPOINT_URL says.
			return runCLI(t, v, sc, py, "-m", "awscli", "--endpoint-url", v.endpoint)
		}},
		{"awscli-2.9-debian", func(t *testing.T, v *vigil, sc scenario) []outcome {
			awscli2(t)
			return runCLI(t, v, sc, debianAWSCLI, "--endpoint-url", v.endpoint)
		}},
	}
	// reference holds each step's first outcome, and refName the client
	// that had it.
	reference := make([]*outcome, len(sc.Steps))
	refName := make([]string, len(sc.Steps))
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			own, kept := sc.forClient(c.name)
			v := sc.start(t, base)
			got := c.run(t, v, own)
			if len(got) != len(own.Steps) {
				t.Fatalf("%d outcomes for %d steps", len(got), len(own.Steps))
			}
			symbolize(own, got, v.endpoint)
			for j, i := range kept {
				s := sc.Steps[i]
				checkStep(t, s, got[j])
				ignore(s, &got[j])
				if reference[i] == nil {
					reference[i], refName[i] = &got[j], c.name
					continue
				}
				if !sameJSON(*reference[i], got[j]) {
					a, _ := json.Marshal(reference[i])
					b, _ := json.Marshal(got[j])
					t.Errorf("step %q: %s got\n%.2000s\nbut %s got\n%.2000s", s.Name, c.name, b, refName[i], a)
				}
			}
		})
	}
}

// start runs the Vigil a client plays the scenario against.
func (sc scenario) start(t *testing.T, base time.Time) *vigil {
	t.Helper()
	if sc.Dev {
		return startStill(t, base)
	}
	return start(t, false)
}

// env returns the environment of a client process playing the scenario.
func (sc scenario) env(v *vigil) []string {
	if sc.Dev {
		return append(v.env(), "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
	}
	return v.env()
}

// goConfig returns the Go SDK's configuration for playing the scenario.
func (sc scenario) goConfig(v *vigil) aws.Config {
	if sc.Dev {
		return v.devConfig(devAccount)
	}
	return v.goConfig("", false)
}

// runSteps makes the steps of sc in order with a client driven from Go:
// call returns the function that makes a step's API call, and the clock
// steps, the same for every client, are made here.
func runSteps(t *testing.T, v *vigil, sc scenario, call func(i int, s step) func() outcome) []outcome {
	t.Helper()
	out := make([]outcome, len(sc.Steps))
	vars := map[string]string{"endpoint": v.endpoint}
	for i, s := range sc.Steps {
		if s.Clock != nil {
			out[i] = v.clockStep(t, s)
			continue
		}
		if params, ok := expand(s.Params, vars).(map[string]any); ok {
			s.Params = params
		}
		out[i] = repeat(s.Until, call(i, s))
		saveValues(s, out[i], vars)
	}
	return out
}

// clockStep makes a clock step: its outcome is an empty response.
func (v *vigil) clockStep(t *testing.T, s step) outcome {
	t.Helper()
	b, err := json.Marshal(s.Clock)
	if err != nil {
		t.Fatal(err)
	}
	v.moveClock(t, string(b))
	return outcome{Response: map[string]any{}}
}

// checkStep checks one outcome against the step's expectations.
func checkStep(t *testing.T, s step, got outcome) {
	t.Helper()
	if got.Error != s.Error {
		t.Errorf("step %q: error %q; want %q (response %.500v)", s.Name, got.Error, s.Error, got.Response)
		return
	}
	if s.Expect != nil {
		if path, ok := subset(s.Expect, got.Response, s.Op); !ok {
			b, _ := json.Marshal(got.Response)
			t.Errorf("step %q: response differs at %s:\n%.3000s", s.Name, path, b)
		}
	}
	for path, n := range s.Count {
		v := lookup(got.Response, path)
		if l, ok := v.([]any); !ok && n != 0 || ok && len(l) != n {
			t.Errorf("step %q: %s has %d elements; want %d", s.Name, path, lenOf(v), n)
		}
	}
}

func lenOf(v any) int {
	if l, ok := v.([]any); ok {
		return len(l)
	}
	return 0
}

// ignore removes from o's response the members s ignores.
func ignore(s step, o *outcome) {
	for _, path := range s.Ignore {
		parent, last := "", path
		if i := strings.LastIndexByte(path, '.'); i >= 0 {
			parent, last = path[:i], path[i+1:]
		}
		target := o.Response
		if parent != "" {
			target = lookup(o.Response, parent)
		}
		if m, ok := target.(map[string]any); ok {
			delete(m, last)
		}
	}
}

// lookup follows a dotted path of keys and list indexes.
func lookup(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// subset reports whether want is a subset of got, and where it is not.
func subset(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range w {
			if p, ok := subset(wv, member(g, k), path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + " (length)", false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	case float64:
		g, ok := got.(float64)
		if !ok || !closeTo(w, g) {
			return path, false
		}
		return "", true
	case string:
		// "prefix*" matches a string that starts with prefix.
		if p, ok := strings.CutSuffix(w, "*"); ok {
			g, _ := got.(string)
			return path, strings.HasPrefix(g, p)
		}
	}
	return path, reflect.DeepEqual(want, got)
}

// member returns m's member k; the Go SDK prints member names capitalized,
// so a name that differs only in case (nextSequenceToken) is the same.
func member(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v
		}
	}
	return nil
}

func closeTo(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	m := max(a, -a, b, -b)
	return d <= 1e-9*m || d < 1e-12
}

// sameJSON compares two outcomes, numbers within rounding.
func sameJSON(a, b outcome) bool {
	if a.Error != b.Error {
		return false
	}
	_, ok := subset(a.Response, b.Response, "")
	_, back := subset(b.Response, a.Response, "")
	return ok && back
}

// normalize makes the responses of different clients comparable: it
// drops response metadata and empty members, turns timestamps into Unix
// seconds and keeps blobs as base64.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k == "ResponseMetadata" || k == "ResultMetadata" {
				continue
			}
			if n := normalize(e); !empty(n) {
				out[k] = n
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999-07:00"} {
			if ts, err := time.Parse(layout, x); err == nil {
				return float64(ts.UnixMilli()) / 1000
			}
		}
	}
	return v
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// decodeResponse parses and normalizes a response printed as JSON.
func decodeResponse(t *testing.T, b []byte) any {
	t.Helper()
	if len(strings.TrimSpace(string(b))) == 0 {
		return map[string]any{}
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("response is not JSON: %v\n%.1000s", err, b)
	}
	return normalize(v)
}

// runGoSDK makes the calls with aws-sdk-go-v2, through reflection on the
// service client: the parameters decode into the operation's input type.
func runGoSDK(t *testing.T, v *vigil, sc scenario) []outcome {
	cfg := sc.goConfig(v)
	clients := map[string]reflect.Value{
		"cloudwatch": reflect.ValueOf(cloudwatch.NewFromConfig(cfg)),
		"logs":       reflect.ValueOf(cloudwatchlogs.NewFromConfig(cfg)),
		"sqs":        reflect.ValueOf(sqs.NewFromConfig(cfg)),
		"events":     reflect.ValueOf(eventbridge.NewFromConfig(cfg)),
		"scheduler":  reflect.ValueOf(scheduler.NewFromConfig(cfg)),
		"schemas":    reflect.ValueOf(schemas.NewFromConfig(cfg)),
		"cloudtrail": reflect.ValueOf(cloudtrail.NewFromConfig(cfg)),
		"s3":         reflect.ValueOf(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })),
	}
	return runSteps(t, v, sc, func(_ int, s step) func() outcome {
		client, ok := clients[s.Service]
		if !ok {
			t.Fatalf("step %q: no Go SDK client for %s", s.Name, s.Service)
		}
		m := client.MethodByName(s.Op)
		if !m.IsValid() {
			t.Fatalf("step %q: the Go SDK has no operation %s", s.Name, s.Op)
		}
		in := reflect.New(m.Type().In(1).Elem())
		b, _ := json.Marshal(s.Params)
		if err := json.Unmarshal(b, in.Interface()); err != nil {
			t.Fatalf("step %q: parameters: %v", s.Name, err)
		}
		return func() outcome {
			res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
			if err, _ := res[1].Interface().(error); err != nil {
				var ae smithy.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("step %q: %v", s.Name, err)
				}
				return outcome{Error: ae.ErrorCode()}
			}
			b, err := json.Marshal(res[0].Interface())
			if err != nil {
				t.Fatal(err)
			}
			return outcome{Response: decodeResponse(t, b)}
		}
	})
}

// runBoto3 runs testdata/scenario.py, which makes the calls with boto3
// (and moves the clock itself).
func runBoto3(t *testing.T, v *vigil, sc scenario, path string) []outcome {
	py := python3(t)
	cmd := exec.Command(py, "testdata/scenario.py", path)
	cmd.Env = sc.env(v)
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Logf("scenario.py stderr:\n%s", ee.Stderr)
		}
		t.Fatalf("scenario.py: %v", err)
	}
	var raw []struct {
		Response json.RawMessage `json:"response"`
		Error    string          `json:"error"`
	}
	if err := json.Unmarshal(stdout, &raw); err != nil {
		t.Fatalf("scenario.py output: %v\n%.2000s", err, stdout)
	}
	out := make([]outcome, len(raw))
	for i, r := range raw {
		out[i] = outcome{Error: r.Error}
		if r.Error == "" {
			out[i].Response = decodeResponse(t, r.Response)
		}
	}
	return out
}

// cliError finds the code of an error the CLI printed: SQS's awsQuery
// codes have dots (AWS.SimpleQueueService.NonExistentQueue).
var cliError = regexp.MustCompile(`An error occurred \(([\w.]+)\)`)

// runCLI makes the calls with an AWS CLI: aws <service> <operation>
// --cli-input-json, without automatic pagination.
func runCLI(t *testing.T, v *vigil, sc scenario, bin string, prefix ...string) []outcome {
	dir := t.TempDir()
	env := sc.env(v)
	return runSteps(t, v, sc, func(i int, s step) func() outcome {
		in := filepath.Join(dir, fmt.Sprintf("step%d.json", i))
		b, _ := json.Marshal(s.Params)
		if err := os.WriteFile(in, b, 0o600); err != nil {
			t.Fatal(err)
		}
		command := s.Service
		if command == "s3" {
			command = "s3api" // the CLI's "s3" is its high-level commands
		}
		args := append(append([]string{}, prefix...), command, kebab(s.Op), "--cli-input-json", "file://"+in, "--no-paginate", "--output", "json")
		return func() outcome {
			cmd := exec.Command(bin, args...)
			cmd.Env = env
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.Output()
			if err != nil {
				m := cliError.FindStringSubmatch(stderr.String())
				if m == nil {
					t.Fatalf("step %q: %v\n%s", s.Name, err, stderr.String())
				}
				return outcome{Error: m[1]}
			}
			return outcome{Response: decodeResponse(t, stdout)}
		}
	})
}

// kebab turns an operation name into its CLI command: PutMetricData →
// put-metric-data.
func kebab(op string) string {
	var b strings.Builder
	for i, r := range op {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestCloudWatchScenario runs testdata/cloudwatch.json with every client.
func TestCloudWatchScenario(t *testing.T) {
	runScenario(t, "testdata/cloudwatch.json")
}

// TestLogsToMetricsScenario runs testdata/logs-metrics.json: metric filters
// and the embedded metric format publish metrics that CloudWatch serves.
func TestLogsToMetricsScenario(t *testing.T) {
	runScenario(t, "testdata/logs-metrics.json")
}

// TestAlarmsScenario runs testdata/alarms.json: metric alarms are created,
// evaluated as Vigil's clock moves, set, silenced, tagged and deleted.
func TestAlarmsScenario(t *testing.T) {
	runScenario(t, "testdata/alarms.json")
}

// TestDashboardsScenario runs testdata/dashboards.json: CloudWatch
// dashboards are put (or refused for their name or body), read, listed by
// prefix, tagged and deleted all or none.
func TestDashboardsScenario(t *testing.T) {
	runScenario(t, "testdata/dashboards.json")
}

// TestCloudTrailScenario: a bucket with CloudTrail's policy, a trail
// with validation, its selectors and tags, an API call in the event
// history, an hour of deliveries (log files and a digest in the bucket),
// and the trail stopped and deleted.
func TestCloudTrailScenario(t *testing.T) {
	runScenario(t, "testdata/cloudtrail.json")
}
