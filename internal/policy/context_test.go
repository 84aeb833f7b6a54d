package policy

import (
	"testing"
)

// TestDerivedKeys: the keys a request's principal determines.
func TestDerivedKeys(t *testing.T) {
	f := func(p Principal, key, want string) {
		t.Helper()
		var e evaluation
		e.init(&Request{Principal: p})
		v := e.lookup(key)
		got := ""
		if v.n > 0 {
			got = v.at(0)
		}
		if v.n > 1 || got != want {
			t.Errorf("%s of %+v = %q (%d values), want %q", key, p, got, v.n, want)
		}
	}
	user := Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/div/alice", UserID: "AIDAX", Tags: map[string]string{"Team": "red"}}
	session := Principal{Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/Ops/s", UserID: "AROAX:s"}
	root := Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333"}
	federated := Principal{Account: "111122223333", ARN: "arn:aws:sts::111122223333:federated-user/fred"}
	service := Principal{Service: "sns.amazonaws.com"}
	f(user, "aws:PrincipalType", typeUser)
	f(session, "AWS:principaltype", typeAssumedRole)
	f(root, "aws:PrincipalType", typeAccount)
	f(federated, "aws:PrincipalType", typeFederatedUser)
	f(Principal{}, "aws:PrincipalType", typeAnonymous)
	f(service, "aws:PrincipalType", "")
	f(Principal{Account: "1", ARN: "arn:aws:iam::1:role/r"}, "aws:PrincipalType", "")
	f(Principal{Account: "1", ARN: "not an arn"}, "aws:PrincipalType", "")
	f(user, "aws:username", "alice")
	f(session, "aws:username", "")
	f(root, "aws:username", "")
	f(user, "aws:userid", "AIDAX")
	f(session, "aws:userid", "AROAX:s")
	f(user, "aws:PrincipalArn", user.ARN)
	f(session, "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Ops")
	f(user, "aws:PrincipalAccount", "111122223333")
	f(service, "aws:PrincipalServiceName", "sns.amazonaws.com")
	f(user, "aws:PrincipalTag/Team", "red")
	f(user, "aws:principaltag/team", "red")
	f(user, "aws:PrincipalTag/Other", "")
	f(session, "aws:PrincipalTag/Team", "")
	f(user, "aws:SourceIp", "")
	// Tags that differ in case only: the first in byte order wins.
	f(Principal{Account: "1", ARN: "arn:aws:iam::1:user/u", Tags: map[string]string{"team": "b", "TEAM": "a", "Team": "c"}}, "aws:PrincipalTag/tEAM", "a")
}

func TestParseDate(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		d, ok := parseDate(s)
		got := "invalid"
		if ok {
			got = d.UTC().Format("2006-01-02T15:04:05.999999999Z")
		}
		if got != want {
			t.Errorf("parseDate(%q) = %s, want %s", s, got, want)
		}
	}
	f("2017", "2017-01-01T00:00:00Z")
	f("2017-07", "2017-07-01T00:00:00Z")
	f("2017-07-01", "2017-07-01T00:00:00Z")
	f("2017-07-01T10:20Z", "2017-07-01T10:20:00Z")
	f("2017-07-01T10:20:30Z", "2017-07-01T10:20:30Z")
	f("2017-07-01t2:00:00.5+02", "2017-07-01T00:00:00.5Z")
	f("2016-12-13T21:20:37.593194+00:00", "2016-12-13T21:20:37.593194Z")
	f("2020-01-01T10:00:00-0530", "2020-01-01T15:30:00Z")
	f("2020-01-01T10:00:00", "2020-01-01T10:00:00Z")
	f("01T", "0001-01-01T00:00:00Z")
	f("1700000000", "2023-11-14T22:13:20Z")
	f("-292275054", "-292275054-01-01T00:00:00Z")
	for _, bad := range []string{"", "yesterday", "234-13", "2017-00", "2017-01-32", "2017-01-01T24:00", "2017-01-01T10:60",
		"2017-01-01T10:00:60", "2016-12-13t2:00:00.593194+1", "2016-12-13t2:00:00.1999999999+10:59", "9223372036854775808",
		"2017-01-01T1:2:3:4", "1-2-3-4", "2017-01-01T10:00+24:00", "2017-01-01T10:00:00.x"} {
		f(bad, "invalid")
	}
}

func TestMatchHelpers(t *testing.T) {
	if !globFold("s3:get*", "S3:GetObject") || globFold("s3:get*", "s3:PutObject") || !globFold("iam:*accesskey*", "iam:ListAccessKeys") {
		t.Error("globFold")
	}
	if !equalFoldASCII("sqs:sendmessage", "SQS:SendMessage") || equalFoldASCII("sqs:sendmessage", "sqs:sendmessages") {
		t.Error("equalFoldASCII")
	}
	if toLowerASCII("s3:getobject") != "s3:getobject" || toLowerASCII("S3:GetÉ") != "s3:getÉ" {
		t.Error("toLowerASCII")
	}
	f := func(pattern, arn string, want bool) {
		t.Helper()
		if got := arnMatch(pattern, arn); got != want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", pattern, arn, got, want)
		}
	}
	f("arn:aws:sqs:us-east-1:*", "arn:aws:sqs:us-east-1:1:q", false) // five components against six
	f("arn:aws:sqs:*:*:*", "arn:aws:sqs:us-east-1:1:q", true)
	f("arn:aws:logs:*:*:log-group:g*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true)
	f("arn:aws:*:us-east-1:1:q", "arn:aws:sqs:us-east-1:1:q", true)
	f("arn:aws:s*:*:1:q", "arn:aws:sqs:us-east-1:1:q", true)
	f("arn:aws:s*", "arn:aws:sqs", true) // as many components
	f("a:b", "a:b:c", false)
	if _, _, ok := cutResource("arn:aws:s3:"); ok {
		t.Error("cutResource of four colons")
	}
}
