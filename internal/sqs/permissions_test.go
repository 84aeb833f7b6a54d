package sqs

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// policyOf returns a queue's Policy, decoded ("" when it has none).
func (f *fixture) policyOf(u string) any {
	f.t.Helper()
	p, ok := f.attrs(u, "Policy")["Policy"]
	if !ok {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(p), &v); err != nil {
		f.t.Fatalf("Policy %q: %v", p, err)
	}
	return v
}

func (f *fixture) wantPolicy(u, want string) {
	f.t.Helper()
	var w any = ""
	if want != "" {
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			f.t.Fatalf("bad want %q: %v", want, err)
		}
	}
	if got := f.policyOf(u); !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		f.t.Fatalf("Policy = %s\nwant %s", g, want)
	}
}

func TestPermissions(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	add := func(label string, accounts, actions []string) error {
		return f.svc.AddPermission(f.ctx, scope, u, label, accounts, actions)
	}
	f.clock.Advance(time.Minute)
	if err := add("crossaccount", []string{"111111111111", scope.Account}, []string{"ReceiveMessage"}); err != nil {
		t.Fatal(err)
	}
	// One action is a string, several accounts a list; AWS's policy Id
	// and Version.
	f.wantPolicy(u, `{"Version":"2008-10-17","Id":"`+arn("q")+`/SQSDefaultPolicy","Statement":[
		{"Sid":"crossaccount","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::123456789012:root"]},
		 "Action":"SQS:ReceiveMessage","Resource":"`+arn("q")+`"}]}`)
	if got := f.attrs(u, "LastModifiedTimestamp")["LastModifiedTimestamp"]; got != secs(t0.Add(time.Minute)) {
		t.Errorf("LastModifiedTimestamp = %s, want the change's", got)
	}
	if err := add("all", []string{"222222222222"}, []string{"*", "SendMessage"}); err != nil {
		t.Fatal(err)
	}
	f.wantPolicy(u, `{"Version":"2008-10-17","Id":"`+arn("q")+`/SQSDefaultPolicy","Statement":[
		{"Sid":"crossaccount","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::123456789012:root"]},
		 "Action":"SQS:ReceiveMessage","Resource":"`+arn("q")+`"},
		{"Sid":"all","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
		 "Action":["SQS:*","SQS:SendMessage"],"Resource":"`+arn("q")+`"}]}`)

	seven := []string{"ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage"}
	for _, c := range []struct {
		label             string
		accounts, actions []string
		code              Code
		msg               string
	}{
		{"crossaccount", []string{"333333333333"}, []string{"SendMessage"}, InvalidParameterValue,
			"Value crossaccount for parameter Label is invalid. Reason: Already exists."},
		{"bad label!", []string{"333333333333"}, []string{"SendMessage"}, InvalidParameterValue,
			"Value bad label! for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length."},
		{"x", []string{"333333333333"}, nil, MissingParameter, "The request must contain the parameter Actions."},
		{"x", []string{"arn:aws:iam::333333333333:user/bob"}, []string{"SendMessage"}, InvalidParameterValue,
			"Value [arn:aws:iam::333333333333:user/bob] for parameter PrincipalId is invalid. Reason: Unable to verify principal."},
		{"x", []string{"333333333333"}, append(seven, "SendMessage"), OverLimit, "8 Actions were found, maximum allowed is 7."},
		{"x", []string{"333333333333"}, []string{"SetQueueAttributes"}, InvalidParameterValue,
			"Value SQS:SetQueueAttributes for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action."},
		{"x", []string{"333333333333"}, []string{"SendMessageBatch"}, InvalidParameterValue,
			"Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions."},
	} {
		wantErr(t, add(c.label, c.accounts, c.actions), c.code, c.msg)
	}
	if err := add("seven", []string{"333333333333"}, seven); err != nil {
		t.Errorf("seven actions: %v", err)
	}
	wantErr(t, f.svc.AddPermission(f.ctx, scope, url("nosuch"), "x", []string{"333333333333"}, []string{"SendMessage"}), QueueDoesNotExist, noQueue)

	// Removed by label; the policy goes with its last statement.
	remove := func(label string) error { return f.svc.RemovePermission(f.ctx, scope, u, label) }
	for _, label := range []string{"crossaccount", "seven"} {
		if err := remove(label); err != nil {
			t.Fatal(err)
		}
	}
	f.wantPolicy(u, `{"Version":"2008-10-17","Id":"`+arn("q")+`/SQSDefaultPolicy","Statement":[
		{"Sid":"all","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
		 "Action":["SQS:*","SQS:SendMessage"],"Resource":"`+arn("q")+`"}]}`)
	wantErr(t, remove("crossaccount"), InvalidParameterValue, "Value crossaccount for parameter Label is invalid. Reason: can't find label.")
	if err := remove("all"); err != nil {
		t.Fatal(err)
	}
	f.wantPolicy(u, "")
	wantErr(t, remove("all"), InvalidParameterValue, "Value all for parameter Label is invalid. Reason: can't find label.")
	wantErr(t, f.svc.RemovePermission(f.ctx, scope, url("nosuch"), "all"), QueueDoesNotExist, noQueue)
}

// TestPermissionsOfAPolicySet: AddPermission and RemovePermission edit a
// policy set with SetQueueAttributes, whose Statement may be a single
// statement, keeping its Version and Id.
func TestPermissionsOfAPolicySet(t *testing.T) {
	f := newFixture(t)
	own := `{"Sid":"mine","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"` + arn("q") + `"}`
	u := f.create("q", map[string]string{"Policy": `{"Version":"2012-10-17","Id":"custom","Statement":` + own + `}`})
	if err := f.svc.AddPermission(f.ctx, scope, u, "more", []string{"111111111111"}, []string{"SendMessage"}); err != nil {
		t.Fatal(err)
	}
	f.wantPolicy(u, `{"Version":"2012-10-17","Id":"custom","Statement":[`+own+`,
		{"Sid":"more","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"SQS:SendMessage","Resource":"`+arn("q")+`"}]}`)
	wantErr(t, f.svc.AddPermission(f.ctx, scope, u, "mine", []string{"111111111111"}, []string{"SendMessage"}), InvalidParameterValue,
		"Value mine for parameter Label is invalid. Reason: Already exists.")
	if err := f.svc.RemovePermission(f.ctx, scope, u, "mine"); err != nil {
		t.Fatal(err)
	}
	f.wantPolicy(u, `{"Version":"2012-10-17","Id":"custom","Statement":[
		{"Sid":"more","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"SQS:SendMessage","Resource":"`+arn("q")+`"}]}`)
}
