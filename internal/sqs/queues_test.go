package sqs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	badName     = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
	badFIFOName = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
)

func TestCreateQueueNames(t *testing.T) {
	f := newFixture(t)
	fifo := map[string]string{"FifoQueue": "true"}
	ok := []struct {
		name  string
		attrs map[string]string
	}{
		{"a", nil},
		{"Queue-name_09", nil},
		{strings.Repeat("q", 80), nil},
		{"f.fifo", fifo},
		{strings.Repeat("q", 75) + ".fifo", fifo},
	}
	for _, c := range ok {
		u, err := f.svc.CreateQueue(f.ctx, scope, f.svc.Base(), c.name, c.attrs, nil)
		if err != nil {
			t.Errorf("CreateQueue %q: %v", c.name, err)
			continue
		}
		if u != url(c.name) {
			t.Errorf("CreateQueue %q = %s, want %s", c.name, u, url(c.name))
		}
	}
	bad := []struct {
		name  string
		attrs map[string]string
		msg   string
	}{
		{"", nil, badName},
		{"a b", nil, badName},
		{"a.b", nil, badName},
		{"a/b", nil, badName},
		{"queue:1", nil, badName},
		{"café", nil, badName},
		{strings.Repeat("q", 81), nil, badName},
		// A standard queue's name does not end in .fifo.
		{"s.fifo", nil, badName},
		{"s.fifo", map[string]string{"FifoQueue": "false"}, badName},
		// A FIFO queue's does, within 80 characters.
		{"f", fifo, badFIFOName},
		{"f.FIFO", fifo, badFIFOName},
		{".fifo", fifo, ""},
		{"a.b.fifo", fifo, ""},
		{strings.Repeat("q", 76) + ".fifo", fifo, ""},
	}
	for _, c := range bad {
		_, err := f.svc.CreateQueue(f.ctx, scope, f.svc.Base(), c.name, c.attrs, nil)
		t.Run(fmt.Sprintf("%.20s/%v", c.name, c.attrs), func(t *testing.T) {
			wantErr(t, err, InvalidParameterValue, c.msg)
		})
	}
	// None of the refused names made a queue.
	urls, _, err := f.svc.ListQueues(f.ctx, scope, baseURL, "", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != len(ok) {
		t.Errorf("ListQueues = %d queues, want %d: %v", len(urls), len(ok), urls)
	}
}

// TestCreateQueueAttributeValues checks each settable attribute's range
// or form, on a queue of its own.
func TestCreateQueueAttributeValues(t *testing.T) {
	f := newFixture(t)
	const dlq = "arn:aws:sqs:us-east-1:123456789012:dlq"
	redrive := func(count string) string {
		return `{"deadLetterTargetArn":"` + dlq + `","maxReceiveCount":` + count + `}`
	}
	type check struct {
		name, value string
		fifo        bool
		code        Code // 0: accepted
		msg         string
	}
	invalid := func(name string) string { return "Invalid value for the parameter " + name + "." }
	var checks []check
	ints := []struct {
		name    string
		lo, hi  int
		fifoToo bool
	}{
		{"DelaySeconds", 0, 900, true},
		{"MaximumMessageSize", 1024, 1048576, true},
		{"MessageRetentionPeriod", 60, 1209600, true},
		{"ReceiveMessageWaitTimeSeconds", 0, 20, true},
		{"VisibilityTimeout", 0, 43200, true},
		{"KmsDataKeyReusePeriodSeconds", 60, 86400, true},
	}
	for _, r := range ints {
		for _, v := range []int{r.lo, r.hi, (r.lo + r.hi) / 2} {
			checks = append(checks, check{name: r.name, value: fmt.Sprint(v)})
		}
		for _, v := range []string{fmt.Sprint(r.lo - 1), fmt.Sprint(r.hi + 1), "", "ten", "1.5", "1e3"} {
			checks = append(checks, check{name: r.name, value: v, code: InvalidAttributeValue, msg: invalid(r.name)})
		}
	}
	for _, name := range []string{"SqsManagedSseEnabled"} {
		checks = append(checks, check{name: name, value: "true"}, check{name: name, value: "false"},
			check{name: name, value: "yes", code: InvalidAttributeValue, msg: invalid(name)},
			check{name: name, value: "", code: InvalidAttributeValue, msg: invalid(name)})
	}
	checks = append(checks,
		check{name: "Policy", value: `{"Version":"2012-10-17","Statement":[]}`},
		check{name: "Policy", value: `{"Version":`, code: InvalidAttributeValue, msg: invalid("Policy")},
		check{name: "RedriveAllowPolicy", value: `{"redrivePermission":"allowAll"}`},
		check{name: "RedriveAllowPolicy", value: `allowAll`, code: InvalidAttributeValue, msg: invalid("RedriveAllowPolicy")},
		check{name: "KmsMasterKeyId", value: "alias/aws/sqs"},
		// maxReceiveCount is a number or a string of one, 1 to 1,000.
		check{name: "RedrivePolicy", value: redrive("1")},
		check{name: "RedrivePolicy", value: redrive("1000")},
		check{name: "RedrivePolicy", value: redrive(`"1"`)},
		check{name: "RedrivePolicy", value: redrive(`"1000"`)},
		check{name: "RedrivePolicy", value: redrive("0"), code: InvalidAttributeValue,
			msg: "Value " + redrive("0") + " for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."},
		check{name: "RedrivePolicy", value: redrive("1001"), code: InvalidAttributeValue,
			msg: "Value " + redrive("1001") + " for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive."},
		check{name: "RedrivePolicy", value: redrive(`"0"`), code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: redrive(`"1001"`), code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: redrive(`"five"`), code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: redrive("-3"), code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: redrive("true"), code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: `{"maxReceiveCount":5}`, code: InvalidAttributeValue,
			msg: `Value {"maxReceiveCount":5} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or deadLetterTargetArn and maxReceiveCount are missing.`},
		check{name: "RedrivePolicy", value: `{"deadLetterTargetArn":"` + dlq + `"}`, code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: `[1,2]`, code: InvalidAttributeValue},
		check{name: "RedrivePolicy", value: `{"deadLetterTargetArn":`, code: InvalidAttributeValue},
		check{name: "Bogus", value: "1", code: InvalidAttributeName, msg: "Unknown Attribute Bogus."},
		check{name: "QueueArn", value: arn("x"), code: InvalidAttributeName, msg: "Unknown Attribute QueueArn."},
		check{name: "ApproximateNumberOfMessages", value: "0", code: InvalidAttributeName, msg: "Unknown Attribute ApproximateNumberOfMessages."},
	)
	// The FIFO queues' own attributes.
	for _, c := range []struct{ name, good1, good2 string }{
		{"ContentBasedDeduplication", "true", "false"},
		{"DeduplicationScope", "queue", "messageGroup"},
		{"FifoThroughputLimit", "perQueue", "perMessageGroupId"},
	} {
		checks = append(checks, check{name: c.name, value: c.good1, fifo: true}, check{name: c.name, value: c.good2, fifo: true},
			check{name: c.name, value: "other", fifo: true, code: InvalidAttributeValue, msg: invalid(c.name)},
			// A standard queue has none of them.
			check{name: c.name, value: c.good1, code: InvalidAttributeName, msg: "Unknown Attribute " + c.name + "."})
	}
	for i, c := range checks {
		name := fmt.Sprintf("q%d", i)
		attrs := map[string]string{c.name: c.value}
		if c.fifo {
			name += ".fifo"
			attrs["FifoQueue"] = "true"
		}
		if c.name == "KmsDataKeyReusePeriodSeconds" {
			attrs["KmsMasterKeyId"] = "alias/aws/sqs" // reported with a key only
		}
		_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, name, attrs, nil)
		t.Run(fmt.Sprintf("%s=%s/fifo=%v", c.name, c.value, c.fifo), func(t *testing.T) {
			if c.code == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				got := f.attrs(url(name), c.name)
				if got[c.name] != c.value {
					t.Fatalf("GetQueueAttributes %s = %q, want %q", c.name, got[c.name], c.value)
				}
				return
			}
			wantErr(t, err, c.code, c.msg)
			if _, err := f.svc.GetQueueURL(f.ctx, scope, baseURL, name, ""); err == nil {
				t.Fatalf("the refused queue %s was created", name)
			}
		})
	}
}

// TestCreateQueueRedriveCountMessage: a large maxReceiveCount is quoted
// as given, not in Go's float notation.
func TestCreateQueueRedriveCountMessage(t *testing.T) {
	f := newFixture(t)
	p := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":1000000}`
	_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", map[string]string{"RedrivePolicy": p}, nil)
	wantErr(t, err, InvalidAttributeValue, "Value "+p+" for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1000000, valid values are from 1 to 1000 both inclusive.")
}

func TestCreateQueueIdempotent(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.clock.Advance(time.Minute)
	for _, attrs := range []map[string]string{
		nil, {},
		// The defaults are the queue's values.
		{"VisibilityTimeout": "30"},
		{"DelaySeconds": "0", "MaximumMessageSize": "262144", "MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0",
			"SqsManagedSseEnabled": "true", "KmsDataKeyReusePeriodSeconds": "300"},
	} {
		got, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", attrs, nil)
		if err != nil || got != u {
			t.Errorf("CreateQueue q %v = %q, %v; want %s", attrs, got, err, u)
		}
	}
	for _, attrs := range []map[string]string{
		{"VisibilityTimeout": "31"},
		{"DelaySeconds": "0", "VisibilityTimeout": "31"},
	} {
		_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", attrs, nil)
		wantErr(t, err, QueueNameExists, "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	}
	// Created by the first call.
	if got := f.attrs(u, "CreatedTimestamp")["CreatedTimestamp"]; got != secs(t0) {
		t.Errorf("CreatedTimestamp = %s, want %s", got, secs(t0))
	}

	// A queue with attributes of its own: giving them again, or none,
	// returns it; another value is another queue.
	r := f.create("r", map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"})
	for _, attrs := range []map[string]string{nil, {"VisibilityTimeout": "60"}, {"VisibilityTimeout": "60", "DelaySeconds": "5", "MaximumMessageSize": "262144"}} {
		got, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "r", attrs, nil)
		if err != nil || got != r {
			t.Errorf("CreateQueue r %v = %q, %v; want %s", attrs, got, err, r)
		}
	}
	_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "r", map[string]string{"VisibilityTimeout": "30"}, nil)
	wantErr(t, err, QueueNameExists, "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	_, err = f.svc.CreateQueue(f.ctx, scope, baseURL, "r", map[string]string{"DelaySeconds": "0"}, nil)
	wantErr(t, err, QueueNameExists, "A queue already exists with the same name and a different value for attribute DelaySeconds")

	// FIFO.
	fu := f.fifo("f.fifo", nil)
	got, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue"}, nil)
	if err != nil || got != fu {
		t.Errorf("CreateQueue f.fifo again = %q, %v", got, err)
	}
	_, err = f.svc.CreateQueue(f.ctx, scope, baseURL, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}, nil)
	wantErr(t, err, QueueNameExists, "A queue already exists with the same name and a different value for attribute ContentBasedDeduplication")

	// The same name in another account is another queue.
	ou, err := f.svc.CreateQueue(f.ctx, other, baseURL, "q", map[string]string{"VisibilityTimeout": "99"}, nil)
	if err != nil || ou != baseURL+"/"+other.Account+"/q" {
		t.Errorf("CreateQueue q of %s = %q, %v", other.Account, ou, err)
	}
}

func TestCreateQueueTags(t *testing.T) {
	f := newFixture(t)
	tags := map[string]string{"team": "core", "env": "test"}
	u, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", nil, tags)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Tags(f.ctx, scope, u)
	if err != nil || !maps.Equal(got, tags) {
		t.Fatalf("Tags = %v, %v; want %v", got, err, tags)
	}
	if err := f.svc.Tag(f.ctx, scope, u, map[string]string{"owner": "me"}, []string{"env"}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.Tags(f.ctx, scope, u)
	if want := map[string]string{"team": "core", "owner": "me"}; !maps.Equal(got, want) {
		t.Fatalf("Tags = %v, want %v", got, want)
	}
	many := map[string]string{}
	for i := range 49 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	err = f.svc.Tag(f.ctx, scope, u, many, nil)
	wantErr(t, err, InvalidParameterValue, "Too many tags added for queue q.")
	if _, err := f.svc.Tags(f.ctx, scope, baseURL+"/"+scope.Account+"/none"); err == nil {
		t.Fatal("Tags of a missing queue succeeded")
	}
}

// TestCreateQueueTooManyTags: CreateQueue with more than 50 tags is
// refused as TagQueue's are, and leaves no queue behind.
func TestCreateQueueTooManyTags(t *testing.T) {
	f := newFixture(t)
	tags := map[string]string{}
	for i := range 51 {
		tags[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", nil, tags)
	wantPrefix(t, err, InvalidParameterValue, "")
	if _, err := f.svc.GetQueueURL(f.ctx, scope, baseURL, "q", ""); err == nil {
		t.Fatal("the queue refused for its tags exists")
	}
}

func TestGetQueueURL(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for _, owner := range []string{"", scope.Account} {
		got, err := f.svc.GetQueueURL(f.ctx, scope, baseURL, "q", owner)
		if err != nil || got != u {
			t.Errorf("GetQueueURL q owner %q = %q, %v; want %s", owner, got, err, u)
		}
	}
	// Another base: the URL follows the endpoint the client used.
	if got, _ := f.svc.GetQueueURL(f.ctx, scope, "http://localhost:4566/", "q", ""); got != "http://localhost:4566/"+scope.Account+"/q" {
		t.Errorf("GetQueueURL with another base = %q", got)
	}
	_, err := f.svc.GetQueueURL(f.ctx, scope, baseURL, "q", other.Account)
	wantErr(t, err, QueueDoesNotExist, noQueue)
	_, err = f.svc.GetQueueURL(f.ctx, scope, baseURL, "missing", "")
	wantErr(t, err, QueueDoesNotExist, noQueue)
	_, err = f.svc.GetQueueURL(f.ctx, other, baseURL, "q", "")
	wantErr(t, err, QueueDoesNotExist, noQueue)
	_, err = f.svc.GetQueueURL(f.ctx, Scope{Account: scope.Account, Region: "eu-west-1"}, baseURL, "q", "")
	wantErr(t, err, QueueDoesNotExist, noQueue)
}

func TestListQueues(t *testing.T) {
	f := newFixture(t)
	names := []string{"alpha", "alpha-2", "alpha_3", "beta", "gamma"}
	for _, n := range names {
		f.create(n, nil)
	}
	if _, err := f.svc.CreateQueue(f.ctx, other, baseURL, "alpha-other", nil, nil); err != nil {
		t.Fatal(err)
	}
	urls := func(ns ...string) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = url(n)
		}
		return out
	}
	list := func(prefix string, max int, token string) ([]string, string) {
		t.Helper()
		got, next, err := f.svc.ListQueues(f.ctx, scope, baseURL, prefix, max, token)
		if err != nil {
			t.Fatalf("ListQueues %q %d %q: %v", prefix, max, token, err)
		}
		return got, next
	}
	if got, next := list("", 0, ""); !slices.Equal(got, urls(names...)) || next != "" {
		t.Errorf("ListQueues = %v %q, want %v", got, next, urls(names...))
	}
	if got, _ := list("alpha", 0, ""); !slices.Equal(got, urls("alpha", "alpha-2", "alpha_3")) {
		t.Errorf("ListQueues alpha = %v", got)
	}
	if got, _ := list("Alpha", 0, ""); len(got) != 0 {
		t.Errorf("ListQueues Alpha = %v, want none (prefixes are case-sensitive)", got)
	}
	if got, _ := list("zzz", 0, ""); len(got) != 0 {
		t.Errorf("ListQueues zzz = %v", got)
	}

	// Pages of MaxResults, until one without a NextToken.
	for _, c := range []struct {
		prefix string
		max    int
		want   []string
	}{
		{"", 2, names},
		{"", 3, names},
		{"", 5, names},
		{"", 1000, names},
		{"alpha", 1, names[:3]},
		{"alpha", 2, names[:3]},
	} {
		var all []string
		token, pages := "", 0
		for {
			got, next := list(c.prefix, c.max, token)
			pages++
			if len(got) > c.max {
				t.Fatalf("a page of %d URLs, MaxResults %d", len(got), c.max)
			}
			all = append(all, got...)
			if next == "" {
				break
			}
			if pages > len(names) {
				t.Fatalf("ListQueues %q %d does not end", c.prefix, c.max)
			}
			token = next
		}
		if !slices.Equal(all, urls(c.want...)) {
			t.Errorf("ListQueues %q by %d = %v, want %v", c.prefix, c.max, all, urls(c.want...))
		}
		if wantPages := max(1, (len(c.want)+c.max-1)/c.max); pages != wantPages {
			t.Errorf("ListQueues %q by %d took %d pages, want %d", c.prefix, c.max, pages, wantPages)
		}
	}

	_, next := list("", 2, "")
	_, _, err := f.svc.ListQueues(f.ctx, scope, baseURL, "", 0, next)
	wantErr(t, err, InvalidParameterValue, "MaxResults is a mandatory parameter when you provide a value for NextToken.")
	_, _, err = f.svc.ListQueues(f.ctx, scope, baseURL, "", 1001, "")
	wantErr(t, err, InvalidParameterValue, "Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.")
	_, _, err = f.svc.ListQueues(f.ctx, scope, baseURL, "", -1, "")
	wantErr(t, err, InvalidParameterValue, "")
	_, _, err = f.svc.ListQueues(f.ctx, scope, baseURL, "", 2, "not a token!")
	wantErr(t, err, InvalidParameterValue, "Invalid NextToken value.")
	_, _, err = f.svc.ListQueues(f.ctx, scope, baseURL, "", 2, "Zm9v") // base64 of "foo"
	wantErr(t, err, InvalidParameterValue, "Invalid NextToken value.")

	// Another account sees its own.
	got, _, err := f.svc.ListQueues(f.ctx, other, baseURL, "", 0, "")
	if err != nil || !slices.Equal(got, []string{baseURL + "/" + other.Account + "/alpha-other"}) {
		t.Errorf("ListQueues of %s = %v, %v", other.Account, got, err)
	}
}

// TestQueueURLs: a QueueUrl names its queue by its last two path
// segments, whatever its host; another account's is not found.
func TestQueueURLs(t *testing.T) {
	f := newFixture(t)
	f.create("q", map[string]string{"VisibilityTimeout": "77"})
	if _, err := f.svc.CreateQueue(f.ctx, other, baseURL, "q", nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		url("q"),
		"http://localhost:4566/123456789012/q",
		"https://sqs.us-east-1.amazonaws.com/123456789012/q",
		"http://sqs.us-east-1.localhost.localstack.cloud:4566/123456789012/q",
		"/123456789012/q",
		"123456789012/q",
		"https://vigil.example.test/prefix/123456789012/q",
	} {
		got, err := f.svc.GetQueueAttributes(f.ctx, scope, u, []string{"VisibilityTimeout"})
		if err != nil || got["VisibilityTimeout"] != "77" {
			t.Errorf("GetQueueAttributes %s = %v, %v", u, got, err)
		}
	}
	for _, u := range []string{
		baseURL + "/" + other.Account + "/q",
		baseURL + "/q",
		baseURL + "/123456789012/missing",
		baseURL + "/123456789012",
		baseURL,
		"q",
		"",
		"https://vigil.example.test",
	} {
		_, err := f.svc.GetQueueAttributes(f.ctx, scope, u, []string{"All"})
		t.Run(u, func(t *testing.T) { wantErr(t, err, QueueDoesNotExist, noQueue) })
	}
	// A queue is of its region.
	_, err := f.svc.GetQueueAttributes(f.ctx, Scope{Account: scope.Account, Region: "eu-west-1"}, url("q"), []string{"All"})
	wantErr(t, err, QueueDoesNotExist, noQueue)
	// Every operation taking a QueueUrl refuses another account's.
	ou := baseURL + "/" + other.Account + "/q"
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, ou, []SendInput{{Body: "x"}}, false)
	wantErr(t, err, QueueDoesNotExist, noQueue)
	_, err = f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: ou})
	wantErr(t, err, QueueDoesNotExist, noQueue)
	wantErr(t, f.svc.DeleteQueue(f.ctx, scope, ou), QueueDoesNotExist, noQueue)
	wantErr(t, f.svc.PurgeQueue(f.ctx, scope, ou), QueueDoesNotExist, noQueue)
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, ou, map[string]string{"DelaySeconds": "1"}), QueueDoesNotExist, noQueue)
	wantErr(t, f.svc.Tag(f.ctx, scope, ou, map[string]string{"a": "b"}, nil), QueueDoesNotExist, noQueue)
	_, err = f.svc.DeleteMessages(f.ctx, scope, ou, nil, []string{"x"}, false)
	wantErr(t, err, QueueDoesNotExist, noQueue)
	_, err = f.svc.ChangeVisibility(f.ctx, scope, ou, nil, []string{"x"}, []int{0}, false)
	wantErr(t, err, QueueDoesNotExist, noQueue)
}

func TestGetQueueAttributes(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	want := map[string]string{
		"QueueArn":                              arn("q"),
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      secs(t0),
		"LastModifiedTimestamp":                 secs(t0),
		"VisibilityTimeout":                     "30",
		"MaximumMessageSize":                    "262144",
		"MessageRetentionPeriod":                "345600",
		"DelaySeconds":                          "0",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"SqsManagedSseEnabled":                  "true",
	}
	all := f.attrs(u, "All")
	for k, v := range want {
		if all[k] != v {
			t.Errorf("All: %s = %q, want %q", k, all[k], v)
		}
	}
	for _, k := range []string{"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit", "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "vigil:purged"} {
		if v, ok := all[k]; ok {
			t.Errorf("All of a standard queue has %s = %q", k, v)
		}
	}
	// All with other names is All.
	if got := f.attrs(u, "VisibilityTimeout", "All"); !maps.Equal(got, all) {
		t.Errorf("VisibilityTimeout, All = %v, want %v", got, all)
	}
	// Names asked for, and only them.
	if got := f.attrs(u, "VisibilityTimeout", "QueueArn"); !maps.Equal(got, map[string]string{"VisibilityTimeout": "30", "QueueArn": arn("q")}) {
		t.Errorf("VisibilityTimeout, QueueArn = %v", got)
	}
	// None: none.
	if got := f.attrs(u); len(got) != 0 {
		t.Errorf("no names = %v", got)
	}
	// Attributes a queue does not have are left out, without error.
	if got := f.attrs(u, "Policy", "RedrivePolicy", "FifoQueue", "ContentBasedDeduplication"); len(got) != 0 {
		t.Errorf("unset attributes = %v", got)
	}
	_, err := f.svc.GetQueueAttributes(f.ctx, scope, u, []string{"VisibilityTimeout", "Bogus"})
	wantErr(t, err, InvalidAttributeName, "Unknown Attribute Bogus.")
	_, err = f.svc.GetQueueAttributes(f.ctx, scope, u, []string{"vigil:purged"})
	wantErr(t, err, InvalidAttributeName, "Unknown Attribute vigil:purged.")

	// A FIFO queue's.
	fu := f.fifo("f.fifo", map[string]string{"ContentBasedDeduplication": "true"})
	fa := f.attrs(fu, "All")
	for k, v := range map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "queue",
		"FifoThroughputLimit": "perQueue", "QueueArn": arn("f.fifo"), "VisibilityTimeout": "30"} {
		if fa[k] != v {
			t.Errorf("All of a FIFO queue: %s = %q, want %q", k, fa[k], v)
		}
	}
}

// TestGetQueueAttributesCounts: the counts move with the clock.
func TestGetQueueAttributesCounts(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.send(u, "now")
	f.sendIn(u, SendInput{Body: "later", DelaySeconds: ip(10)})
	f.wantCounts(u, counts{visible: 1, delayed: 1})
	if got := f.receiveOne(u); got.Body != "now" {
		t.Fatalf("received %q", got.Body)
	}
	f.wantCounts(u, counts{inFlight: 1, delayed: 1})
	f.clock.Advance(10*time.Second - time.Millisecond)
	f.wantCounts(u, counts{inFlight: 1, delayed: 1})
	f.clock.Advance(time.Millisecond)
	f.wantCounts(u, counts{visible: 1, inFlight: 1})
	f.clock.Advance(20 * time.Second) // the visibility timeout of 30 s ends
	f.wantCounts(u, counts{visible: 2})
	// A receive hides both, a delete removes one.
	got := f.receiveN(u, 10)
	if len(got) != 2 {
		t.Fatalf("received %v", bodies(got))
	}
	f.wantCounts(u, counts{inFlight: 2})
	f.deleteMessage(u, got[0].ReceiptHandle)
	f.wantCounts(u, counts{inFlight: 1})
}

func TestSetQueueAttributes(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.clock.Advance(100 * time.Second)
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"}); err != nil {
		t.Fatal(err)
	}
	got := f.attrs(u, "VisibilityTimeout", "DelaySeconds", "CreatedTimestamp", "LastModifiedTimestamp", "MaximumMessageSize")
	want := map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5", "CreatedTimestamp": secs(t0),
		"LastModifiedTimestamp": secs(t0.Add(100 * time.Second)), "MaximumMessageSize": "262144"}
	if !maps.Equal(got, want) {
		t.Fatalf("after SetQueueAttributes: %v, want %v", got, want)
	}
	// Refused changes change nothing.
	f.clock.Advance(100 * time.Second)
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"FifoQueue": "true"}), InvalidAttributeName, "Unknown Attribute FifoQueue.")
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"FifoQueue": "false"}), InvalidAttributeName, "Unknown Attribute FifoQueue.")
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"VisibilityTimeout": "43201"}), InvalidAttributeValue, "Invalid value for the parameter VisibilityTimeout.")
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"ContentBasedDeduplication": "true"}), InvalidAttributeName, "Unknown Attribute ContentBasedDeduplication.")
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"QueueArn": "x"}), InvalidAttributeName, "Unknown Attribute QueueArn.")
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"a","maxReceiveCount":0}`}), InvalidAttributeValue, "")
	if got := f.attrs(u, "VisibilityTimeout", "LastModifiedTimestamp", "RedrivePolicy"); !maps.Equal(got, map[string]string{"VisibilityTimeout": "60", "LastModifiedTimestamp": secs(t0.Add(100 * time.Second))}) {
		t.Fatalf("after refused changes: %v", got)
	}
	// A RedrivePolicy set, then removed with "".
	p := `{"deadLetterTargetArn":"` + arn("dlq") + `","maxReceiveCount":3}`
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"RedrivePolicy": p}); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(u, "RedrivePolicy")["RedrivePolicy"]; got != p {
		t.Fatalf("RedrivePolicy = %q", got)
	}
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"RedrivePolicy": ""}); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(u, "RedrivePolicy"); len(got) != 0 {
		t.Fatalf("RedrivePolicy after removal = %v", got)
	}
	// The new values apply: the queue's delay and visibility timeout.
	f.send(u, "m")
	f.wantCounts(u, counts{delayed: 1})
	f.clock.Advance(5 * time.Second)
	f.receiveOne(u)
	f.clock.Advance(59 * time.Second)
	f.wantCounts(u, counts{inFlight: 1})
	f.clock.Advance(time.Second)
	f.wantCounts(u, counts{visible: 1})

	// A FIFO queue's own attributes are settable on it.
	fu := f.fifo("f.fifo", nil)
	if err := f.svc.SetQueueAttributes(f.ctx, scope, fu, map[string]string{"ContentBasedDeduplication": "true", "DelaySeconds": "3"}); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(fu, "ContentBasedDeduplication", "FifoQueue"); !maps.Equal(got, map[string]string{"ContentBasedDeduplication": "true", "FifoQueue": "true"}) {
		t.Fatalf("FIFO attributes = %v", got)
	}
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, url("missing"), map[string]string{"DelaySeconds": "1"}), QueueDoesNotExist, noQueue)
}

func TestPurgeQueue(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	keep := f.create("keep", nil)
	for i := range 3 {
		f.send(u, fmt.Sprint(i))
	}
	f.sendIn(u, SendInput{Body: "delayed", DelaySeconds: ip(60)})
	f.send(keep, "kept")
	f.receiveN(u, 1) // one in flight
	f.clock.Advance(10 * time.Second)
	if err := f.svc.PurgeQueue(f.ctx, scope, u); err != nil {
		t.Fatal(err)
	}
	f.wantCounts(u, counts{})
	f.wantCounts(keep, counts{visible: 1})
	// The purge is not a change of the queue's attributes.
	if got := f.attrs(u, "LastModifiedTimestamp")["LastModifiedTimestamp"]; got != secs(t0) {
		t.Errorf("LastModifiedTimestamp after a purge = %s, want %s", got, secs(t0))
	}
	// Messages sent after it are kept.
	f.send(u, "after")
	if got := f.receiveOne(u); got.Body != "after" {
		t.Fatalf("received %q", got.Body)
	}
	// One purge a minute.
	f.clock.Advance(59*time.Second + 999*time.Millisecond)
	wantErr(t, f.svc.PurgeQueue(f.ctx, scope, u), PurgeQueueInProgress, "Only one PurgeQueue operation on q is allowed every 60 seconds.")
	f.wantCounts(u, counts{visible: 1}) // "after", its visibility timeout over
	// Another queue is purged meanwhile.
	if err := f.svc.PurgeQueue(f.ctx, scope, keep); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Millisecond)
	if err := f.svc.PurgeQueue(f.ctx, scope, u); err != nil {
		t.Fatalf("a purge 60 s after the last: %v", err)
	}
	f.wantCounts(u, counts{})
	// Setting attributes keeps the time of the last purge.
	f.clock.Advance(time.Second)
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"DelaySeconds": "1"}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.svc.PurgeQueue(f.ctx, scope, u), PurgeQueueInProgress, "")
	wantErr(t, f.svc.PurgeQueue(f.ctx, scope, url("missing")), QueueDoesNotExist, noQueue)
}

func TestDeleteQueue(t *testing.T) {
	f := newFixture(t)
	u, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "q", map[string]string{"VisibilityTimeout": "40"}, map[string]string{"team": "core"})
	if err != nil {
		t.Fatal(err)
	}
	keep := f.create("keep", nil)
	f.send(u, "a")
	f.send(u, "b")
	f.send(keep, "kept")
	if err := f.svc.DeleteQueue(f.ctx, scope, u); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.GetQueueURL(f.ctx, scope, baseURL, "q", "")
	wantErr(t, err, QueueDoesNotExist, noQueue)
	wantErr(t, f.svc.DeleteQueue(f.ctx, scope, u), QueueDoesNotExist, noQueue)
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "x"}}, false)
	wantErr(t, err, QueueDoesNotExist, noQueue)
	// The tags went with it.
	tags, err := f.store.Tags().ResourceTags(f.ctx, arn("q"))
	if err != nil || len(tags) != 0 {
		t.Fatalf("tags of the deleted queue = %v, %v", tags, err)
	}
	// A queue of the same name is new: no messages, no tags, its own
	// attributes.
	f.create("q", nil)
	f.wantCounts(u, counts{})
	f.receiveNone(u)
	if got, _ := f.svc.Tags(f.ctx, scope, u); len(got) != 0 {
		t.Fatalf("tags of the new queue = %v", got)
	}
	if got := f.attrs(u, "VisibilityTimeout")["VisibilityTimeout"]; got != "30" {
		t.Fatalf("VisibilityTimeout of the new queue = %s", got)
	}
	f.wantCounts(keep, counts{visible: 1})

	// A FIFO queue's deduplication records go with it.
	fu := f.fifo("f.fifo", nil)
	first := f.sendGroup(fu, "one", "g", "d")
	if err := f.svc.DeleteQueue(f.ctx, scope, fu); err != nil {
		t.Fatal(err)
	}
	f.fifo("f.fifo", nil)
	again := f.sendGroup(fu, "one", "g", "d")
	if again.MessageID == first.MessageID {
		t.Fatal("a message to the new queue was taken for a duplicate of one to the deleted queue")
	}
	if got := f.receiveOne(fu); got.MessageID != again.MessageID {
		t.Fatalf("received %s, want %s", got.MessageID, again.MessageID)
	}
}
