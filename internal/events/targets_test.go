package events

import "testing"

// TestAPIDestinationTargetNeedsRole: PutTargets refuses an API
// destination target without a RoleArn, as AWS does, and takes it with
// one.
func TestAPIDestinationTargetNeedsRole(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	const dest = "arn:aws:events:us-east-1:123456789012:api-destination/d/1"
	_, err := f.svc.PutTargets(f.ctx, scope, "", "r", []Target{{ID: "api", ARN: dest}})
	wantErr(t, "PutTargets of an API destination without a role", err, Validation, "RoleArn is required for target "+dest+".")
	f.putTargets("", "r", Target{ID: "api", ARN: dest, RoleARN: "arn:aws:iam::123456789012:role/events"})
}
