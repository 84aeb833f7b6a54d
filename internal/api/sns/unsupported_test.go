package sns

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api"
)

// TestUnsupportedRefused checks that the SMS and mobile push operations
// answer InvalidParameter saying what Vigil does not deliver.
func TestUnsupportedRefused(t *testing.T) {
	p := New(nil)
	ctx := context.Background()
	f := func(op, what string, err error) {
		t.Helper()
		var e *InvalidParameterException
		if !errors.As(err, &e) {
			t.Fatalf("%s: err = %v; want an InvalidParameterException", op, err)
		}
		want := "Invalid parameter: Vigil does not " + what + ": " + op + " is not supported"
		if got := api.Value(e.Message); got != want {
			t.Errorf("%s: message %q; want %q", op, got, want)
		}
		if e.ErrorCode() != "InvalidParameterException" {
			t.Errorf("%s: code %s", op, e.ErrorCode())
		}
	}
	const sms, push = "send SMS", "deliver mobile push notifications"
	for _, c := range []struct {
		op, what string
		call     func() error
	}{
		{"CheckIfPhoneNumberIsOptedOut", sms, func() error {
			_, err := p.CheckIfPhoneNumberIsOptedOut(ctx, &CheckIfPhoneNumberIsOptedOutInput{})
			return err
		}},
		{"CreateSMSSandboxPhoneNumber", sms, func() error {
			_, err := p.CreateSMSSandboxPhoneNumber(ctx, &CreateSMSSandboxPhoneNumberInput{})
			return err
		}},
		{"DeleteSMSSandboxPhoneNumber", sms, func() error {
			_, err := p.DeleteSMSSandboxPhoneNumber(ctx, &DeleteSMSSandboxPhoneNumberInput{})
			return err
		}},
		{"GetSMSAttributes", sms, func() error { _, err := p.GetSMSAttributes(ctx, &GetSMSAttributesInput{}); return err }},
		{"GetSMSSandboxAccountStatus", sms, func() error {
			_, err := p.GetSMSSandboxAccountStatus(ctx, &GetSMSSandboxAccountStatusInput{})
			return err
		}},
		{"ListOriginationNumbers", sms, func() error { _, err := p.ListOriginationNumbers(ctx, &ListOriginationNumbersRequest{}); return err }},
		{"ListPhoneNumbersOptedOut", sms, func() error { _, err := p.ListPhoneNumbersOptedOut(ctx, &ListPhoneNumbersOptedOutInput{}); return err }},
		{"ListSMSSandboxPhoneNumbers", sms, func() error {
			_, err := p.ListSMSSandboxPhoneNumbers(ctx, &ListSMSSandboxPhoneNumbersInput{})
			return err
		}},
		{"OptInPhoneNumber", sms, func() error { _, err := p.OptInPhoneNumber(ctx, &OptInPhoneNumberInput{}); return err }},
		{"SetSMSAttributes", sms, func() error { _, err := p.SetSMSAttributes(ctx, &SetSMSAttributesInput{}); return err }},
		{"VerifySMSSandboxPhoneNumber", sms, func() error {
			_, err := p.VerifySMSSandboxPhoneNumber(ctx, &VerifySMSSandboxPhoneNumberInput{})
			return err
		}},
		{"PhoneNumber", sms, func() error {
			_, err := p.Publish(ctx, &PublishInput{PhoneNumber: api.Ptr("+15555550100"), Message: api.Ptr("m")})
			return err
		}},
		{"CreatePlatformApplication", push, func() error {
			_, err := p.CreatePlatformApplication(ctx, &CreatePlatformApplicationInput{})
			return err
		}},
		{"CreatePlatformEndpoint", push, func() error { _, err := p.CreatePlatformEndpoint(ctx, &CreatePlatformEndpointInput{}); return err }},
		{"DeleteEndpoint", push, func() error { _, err := p.DeleteEndpoint(ctx, &DeleteEndpointInput{}); return err }},
		{"DeletePlatformApplication", push, func() error {
			_, err := p.DeletePlatformApplication(ctx, &DeletePlatformApplicationInput{})
			return err
		}},
		{"GetEndpointAttributes", push, func() error { _, err := p.GetEndpointAttributes(ctx, &GetEndpointAttributesInput{}); return err }},
		{"GetPlatformApplicationAttributes", push, func() error {
			_, err := p.GetPlatformApplicationAttributes(ctx, &GetPlatformApplicationAttributesInput{})
			return err
		}},
		{"ListEndpointsByPlatformApplication", push, func() error {
			_, err := p.ListEndpointsByPlatformApplication(ctx, &ListEndpointsByPlatformApplicationInput{})
			return err
		}},
		{"ListPlatformApplications", push, func() error { _, err := p.ListPlatformApplications(ctx, &ListPlatformApplicationsInput{}); return err }},
		{"SetEndpointAttributes", push, func() error { _, err := p.SetEndpointAttributes(ctx, &SetEndpointAttributesInput{}); return err }},
		{"SetPlatformApplicationAttributes", push, func() error {
			_, err := p.SetPlatformApplicationAttributes(ctx, &SetPlatformApplicationAttributesInput{})
			return err
		}},
	} {
		f(c.op, c.what, c.call())
	}
}

// TestUnsupportedBound checks that every operation unsupported.go
// refuses is bound, so that it answers its refusal, not NotImplemented.
func TestUnsupportedBound(t *testing.T) {
	h := Handlers(New(nil))
	for _, op := range strings.Fields(`CheckIfPhoneNumberIsOptedOut CreateSMSSandboxPhoneNumber DeleteSMSSandboxPhoneNumber GetSMSAttributes
		GetSMSSandboxAccountStatus ListOriginationNumbers ListPhoneNumbersOptedOut ListSMSSandboxPhoneNumbers OptInPhoneNumber SetSMSAttributes
		VerifySMSSandboxPhoneNumber CreatePlatformApplication CreatePlatformEndpoint DeleteEndpoint DeletePlatformApplication GetEndpointAttributes
		GetPlatformApplicationAttributes ListEndpointsByPlatformApplication ListPlatformApplications SetEndpointAttributes SetPlatformApplicationAttributes
		AddPermission RemovePermission GetDataProtectionPolicy PutDataProtectionPolicy`) {
		if h[op] == nil {
			t.Errorf("%s is not bound", op)
		}
	}
}
