package sns

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/request"
	snssvc "github.com/vigilhq/vigil/internal/sns"
)

// ServeLink answers the unsigned links Vigil puts in the messages it
// delivers — a SubscriptionConfirmation's SubscribeURL, a Notification's
// UnsubscribeURL and every message's SigningCertURL — and reports whether
// r was one. As on AWS, the token in a SubscribeURL and the subscription
// ARN in an UnsubscribeURL are the authorization.
func (p *Provider) ServeLink(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
		return false
	}
	if name, ok := strings.CutPrefix(r.URL.Path, snssvc.CertPath); ok {
		pem, file := p.svc.Certificate()
		if name != file {
			http.NotFound(w, r)
			return true
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Header().Set("Content-Length", strconv.Itoa(len(pem)))
		_, _ = w.Write(pem)
		return true
	}
	q := r.URL.Query()
	if r.URL.Path != "/" || q.Has("X-Amz-Signature") {
		return false
	}
	switch q.Get("Action") {
	case "ConfirmSubscription":
		arn, err := p.svc.ConfirmSubscription(r.Context(), q.Get("TopicArn"), q.Get("Token"))
		writeLinkResponse(w, "ConfirmSubscription", arn, err)
	case "Unsubscribe":
		writeLinkResponse(w, "Unsubscribe", "", p.svc.UnsubscribeLink(r.Context(), q.Get("SubscriptionArn")))
	default:
		return false
	}
	return true
}

// writeLinkResponse answers a link as the awsQuery API answers its
// action: with the subscription's ARN when there is one.
func writeLinkResponse(w http.ResponseWriter, action, subscriptionARN string, err error) {
	w.Header().Set("Content-Type", "text/xml")
	id := request.NewUUID()
	if err != nil {
		code, status, msg := "InternalError", http.StatusInternalServerError, "An internal error occurred."
		var e *snssvc.Error
		if errors.As(err, &e) {
			code, status, msg = "InvalidParameter", http.StatusBadRequest, e.Message
			if e.Code == snssvc.NotFound {
				code, status = "NotFound", http.StatusNotFound
			}
		}
		w.WriteHeader(status)
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName xml.Name `xml:"http://sns.amazonaws.com/doc/2010-03-31/ ErrorResponse"`
			Type    string   `xml:"Error>Type"`
			Code    string   `xml:"Error>Code"`
			Message string   `xml:"Error>Message"`
			ID      string   `xml:"RequestId"`
		}{Type: "Sender", Code: code, Message: msg, ID: id})
		return
	}
	var b strings.Builder
	b.WriteString(`<` + action + `Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`)
	if subscriptionARN != "" {
		b.WriteString(`<` + action + `Result><SubscriptionArn>`)
		_ = xml.EscapeText(&b, []byte(subscriptionARN))
		b.WriteString(`</SubscriptionArn></` + action + `Result>`)
	}
	b.WriteString(`<ResponseMetadata><RequestId>` + id + `</RequestId></ResponseMetadata></` + action + `Response>`)
	_, _ = w.Write([]byte(b.String()))
}
