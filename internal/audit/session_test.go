package audit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/request"
)

// The userIdentity of temporary credentials carries their sessionContext
// as CloudTrail writes it: the role a session was assumed from, when it
// was issued and whether with MFA.
func TestSessionContext(t *testing.T) {
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	role := request.Principal{Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/reader/audit", UserID: "AROAREADER:audit",
		AccessKey: "ASIAEXAMPLE", Session: &request.Session{Issuer: "arn:aws:iam::111111111111:role/team/reader", IssuerID: "AROAREADER", Name: "audit", Issued: issued}}
	r := NewTrailRecord(&Event{Principal: role, Time: issued, Operation: "DescribeLogGroups", EventSource: "logs.amazonaws.com"}, "id")
	b, _ := json.Marshal(r.UserIdentity)
	want := `{"type":"AssumedRole","principalId":"AROAREADER:audit","arn":"arn:aws:sts::111111111111:assumed-role/reader/audit","accountId":"111111111111","accessKeyId":"ASIAEXAMPLE",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAREADER","arn":"arn:aws:iam::111111111111:role/team/reader","accountId":"111111111111","userName":"reader"},` +
		`"attributes":{"creationDate":"2026-03-01T12:00:00Z","mfaAuthenticated":"false"},"webIdFederationData":{}}}`
	if string(b) != want {
		t.Errorf("userIdentity =\n%s\nwant\n%s", b, want)
	}
	user := request.Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/bob", UserID: "AIDABOB", AccessKey: "ASIABOB",
		Session: &request.Session{Issuer: "arn:aws:iam::111111111111:user/bob", IssuerID: "AIDABOB", Issued: issued, MFA: true}}
	r = NewTrailRecord(&Event{Principal: user, Time: issued}, "id")
	if c := r.UserIdentity.SessionContext; c == nil || c.SessionIssuer != nil || c.Attributes.MFAAuthenticated != "true" || r.UserIdentity.UserName != "bob" {
		t.Errorf("a user's session token: %+v", r.UserIdentity)
	}
}
