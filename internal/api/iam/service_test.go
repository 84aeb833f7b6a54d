package iam

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

const testAccount = "123456789012"

// wire sends awsQuery requests, as the clients write them, through the
// protocol layer to the provider, signed by the testAccount's root.
type wire struct {
	t      *testing.T
	ctx    context.Context
	router *protocol.Router
}

func newWire(t *testing.T) *wire {
	t.Helper()
	st := embeddedtest.Open(t)
	sealer, err := auth.OpenSealer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := iamsvc.New(iamsvc.Options{Store: st.IAM(), Sealer: sealer, Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))})
	w := &wire{t: t, router: protocol.NewRouter()}
	w.router.Register(Model, Handlers(New(svc)))
	w.ctx = request.NewContext(context.Background(), &request.Info{ID: "req-1", Region: "us-east-1", Service: "iam",
		Principal: request.Principal{Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount}})
	return w
}

// query sends a request and returns the response's status and body.
func (w *wire) query(op string, params url.Values) (int, string) {
	w.t.Helper()
	params.Set("Action", op)
	params.Set("Version", "2010-05-08")
	body := []byte(params.Encode())
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	call, err := w.router.Route(&protocol.Request{HTTP: r, Body: body, SigningName: "iam"})
	if err == nil {
		var in any
		if in, err = call.DecodeInput(r, body); err == nil {
			var out any
			if out, _, err = call.Invoke(w.ctx, in); err == nil {
				call.WriteOutput(rec, "req-1", out)
				return rec.Code, rec.Body.String()
			}
		}
		call.WriteError(rec, r, "req-1", err)
		return rec.Code, rec.Body.String()
	}
	w.t.Fatalf("Route(%s): %v", op, err)
	return 0, ""
}

// want checks a response's status and that its body has each part.
func (w *wire) want(op string, params url.Values, status int, parts ...string) string {
	w.t.Helper()
	got, body := w.query(op, params)
	if got != status {
		w.t.Errorf("%s = %d %s; want %d", op, got, body, status)
	}
	for _, p := range parts {
		if !strings.Contains(body, p) {
			w.t.Errorf("%s = %s; want it to hold %s", op, body, p)
		}
	}
	return body
}

func TestWire(t *testing.T) {
	w := newWire(t)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a b+c"}}`
	w.want("CreatePolicy", url.Values{"PolicyName": {"p"}, "PolicyDocument": {doc}}, 200,
		"<PolicyName>p</PolicyName>", "<DefaultVersionId>v1</DefaultVersionId>", "<CreateDate>2026-01-02T03:04:05")
	body := w.want("GetPolicyVersion", url.Values{"PolicyArn": {"arn:aws:iam::" + testAccount + ":policy/p"}, "VersionId": {"v1"}}, 200, "<Document>")
	encoded := body[strings.Index(body, "<Document>")+len("<Document>") : strings.Index(body, "</Document>")]
	if got, err := url.PathUnescape(encoded); err != nil || got != doc || strings.ContainsAny(encoded, " +:") {
		t.Errorf("the Document element %q decodes to %q (%v); want the document, every reserved byte percent-encoded", encoded, got, err)
	}
	w.want("GetUser", url.Values{}, 200, "<UserId>"+testAccount+"</UserId>", "<Arn>arn:aws:iam::"+testAccount+":root</Arn>")
	if _, body := w.query("GetUser", url.Values{}); strings.Contains(body, "<UserName>") || strings.Contains(body, "<Path>") {
		t.Errorf("GetUser() by the root = %s; want no name or path", body)
	}
	w.want("GetUser", url.Values{"UserName": {"nobody"}}, 404, "<Code>NoSuchEntity</Code>", "<Message>The user with name nobody cannot be found.</Message>")
	w.want("CreateUser", url.Values{"UserName": {"bob"}}, 200, "<UserName>bob</UserName>")
	w.want("CreateUser", url.Values{"UserName": {"bob"}}, 409, "<Code>EntityAlreadyExists</Code>")
	w.want("CreateAccessKey", url.Values{"UserName": {"bob"}}, 200, "<SecretAccessKey>", "<Status>Active</Status>")
	w.want("DeleteUser", url.Values{"UserName": {"bob"}}, 409, "<Code>DeleteConflict</Code>",
		"<Message>Cannot delete entity, must delete access keys first.</Message>")
	w.want("ListAttachedUserPolicies", url.Values{"UserName": {"bob"}}, 200, "<AttachedPolicies></AttachedPolicies>", "<IsTruncated>false</IsTruncated>")
	w.want("CreateRole", url.Values{"RoleName": {"r"}, "AssumeRolePolicyDocument": {`{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`}}, 400,
		"<Code>MalformedPolicyDocument</Code>")
	w.want("CreateAccountAlias", url.Values{"AccountAlias": {"No--Way"}}, 400, "<Code>ValidationError</Code>")
	w.want("GetCredentialReport", url.Values{}, 410, "<Code>ReportNotPresent</Code>")
	w.want("GenerateCredentialReport", url.Values{}, 200, "<State>STARTED</State>")
}

// TestImplemented checks which operations Vigil's IAM answers: all but
// those it leaves for later.
func TestImplemented(t *testing.T) {
	h := Handlers(New(nil))
	for _, op := range []string{"CreateUser", "GetAccountAuthorizationDetails", "EnableMFADevice", "GetCredentialReport", "CreateServiceLinkedRole",
		"SimulatePrincipalPolicy", "SimulateCustomPolicy"} {
		if h[op] == nil {
			t.Errorf("%s is not bound", op)
		}
	}
	for _, op := range []string{"CreateSAMLProvider", "UploadServerCertificate"} {
		if h[op] != nil {
			t.Errorf("%s is bound; want NotImplemented", op)
		}
	}
}
