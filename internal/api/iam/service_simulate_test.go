package iam

import (
	"net/url"
	"strings"
	"testing"

	iamsvc "github.com/vigilhq/vigil/internal/iam"
)

// TestSimulateWire checks the simulator's shapes on the wire: the
// results, their statements and positions, the details and the errors.
func TestSimulateWire(t *testing.T) {
	w := newWire(t)
	afterDate := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",` +
		`"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	w.want("SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {afterDate}, "ActionNames.member.1": {"dynamodb:CreateBackup"},
		"ContextEntries.member.1.ContextKeyName": {"aws:CurrentTime"}, "ContextEntries.member.1.ContextKeyValues.member.1": {"2019-04-25T11:00:00Z"},
		"ContextEntries.member.1.ContextKeyType": {"date"}}, 200,
		"<EvalActionName>dynamodb:CreateBackup</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>allowed</EvalDecision>",
		"<MatchedStatements><member><SourcePolicyId>PolicyInputList.1</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType>"+
			"<StartPosition><Line>1</Line><Column>38</Column></StartPosition><EndPosition><Line>1</Line><Column>167</Column></EndPosition></member></MatchedStatements>",
		"<MissingContextValues></MissingContextValues>", "<ResourceSpecificResults></ResourceSpecificResults>", "<IsTruncated>false</IsTruncated>")
	body := w.want("SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {afterDate}, "ActionNames.member.1": {"dynamodb:Scan"},
		"ActionNames.member.2": {"s3:GetObject"}, "MaxItems": {"1"}}, 200,
		"<EvalDecision>implicitDeny</EvalDecision><MatchedStatements></MatchedStatements><MissingContextValues><member>aws:CurrentTime</member></MissingContextValues>",
		"<IsTruncated>true</IsTruncated><Marker>")
	if strings.Contains(body, "EvalDecisionDetails") || strings.Contains(body, "PermissionsBoundaryDecisionDetail") || strings.Contains(body, "s3:GetObject") {
		t.Errorf("a simulation on * without boundary, a page of one = %s; want neither details nor the second action", body)
	}

	bucketPolicy := `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/bob"},"Action":"s3:GetObject","Resource":"*"}}`
	w.want("SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		"PermissionsBoundaryPolicyInputList.member.1": {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`},
		"ActionNames.member.1":                        {"s3:GetObject"}, "ResourceArns.member.1": {"arn:aws:s3:::b/k"}, "ResourcePolicy": {bucketPolicy},
		"CallerArn": {"arn:aws:iam::" + testAccount + ":user/bob"}, "ResourceOwner": {"arn:aws:iam::999999999999:root"}}, 200,
		"<EvalDecision>implicitDeny</EvalDecision>", "<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>false</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>",
		"<EvalDecisionDetails><entry><key>IAM Policy</key><value>allowed</value></entry><entry><key>Resource Policy</key><value>allowed</value></entry></EvalDecisionDetails>",
		"<ResourceSpecificResults><member><EvalResourceName>arn:aws:s3:::b/k</EvalResourceName><EvalResourceDecision>implicitDeny</EvalResourceDecision>")

	w.want("SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::" + testAccount + ":user/nobody"}, "ActionNames.member.1": {"s3:GetObject"}}, 404,
		"<Code>NoSuchEntity</Code>", "<Message>The user with name nobody cannot be found.</Message>")
	w.want("SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {`{"Statement":`}, "ActionNames.member.1": {"s3:GetObject"}}, 400,
		"<Code>InvalidInput</Code>", "<Message>PolicyInputList.1: Syntax errors in policy.</Message>")
	w.want("SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		"ActionNames.member.1": {"s3:*"}}, 400, "<Code>InvalidInput</Code>")

	w.want("CreateUser", url.Values{"UserName": {"alice"}}, 200)
	w.want("PutUserPolicy", url.Values{"UserName": {"alice"}, "PolicyName": {"logs"},
		"PolicyDocument": {"{\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"logs:*\", \"Resource\": \"*\"}\n ]\n}"}}, 200)
	w.want("SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::" + testAccount + ":user/alice"}, "ActionNames.member.1": {"logs:PutLogEvents"}}, 200,
		"<EvalDecision>allowed</EvalDecision>", "<SourcePolicyId>user_alice_logs</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType>"+
			"<StartPosition><Line>2</Line><Column>16</Column></StartPosition><EndPosition><Line>3</Line><Column>59</Column></EndPosition>")
}

// TestSimulationError checks that a policy the simulator cannot
// evaluate answers PolicyEvaluation, a fault of the service's.
func TestSimulationError(t *testing.T) {
	err := simulationError(&iamsvc.Error{Code: iamsvc.PolicyEvaluation, Message: "m"})
	if e, ok := err.(*PolicyEvaluationException); !ok || *e.Message != "m" {
		t.Errorf("simulationError(PolicyEvaluation) = %#v; want a PolicyEvaluationException", err)
	}
	if _, ok := simulationError(&iamsvc.Error{Code: iamsvc.NoSuchEntity, Message: "m"}).(*NoSuchEntityException); !ok {
		t.Errorf("simulationError(NoSuchEntity) is not a NoSuchEntityException")
	}
}
