package sns

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
)

// Vigil does not send SMS nor deliver mobile push notifications (APNs,
// FCM …). The operations of phone numbers, SMS settings and the SMS
// sandbox, and those of platform applications and their endpoints,
// answer InvalidParameter saying so: the error each of them models
// (InvalidParameterException; GetSMSSandboxAccountStatus models none
// such, and its clients see the code). They are not left to answer
// NotImplemented, which says that Vigil has yet to implement an
// operation: it means not to.

// noSMS refuses an SMS operation.
func noSMS(op string) error {
	return &InvalidParameterException{Message: api.Ptr("Invalid parameter: Vigil does not send SMS: " + op + " is not supported")}
}

// noPush refuses a mobile push operation.
func noPush(op string) error {
	return &InvalidParameterException{Message: api.Ptr("Invalid parameter: Vigil does not deliver mobile push notifications: " + op + " is not supported")}
}

// CheckIfPhoneNumberIsOptedOut answers that Vigil does not send SMS.
func (p *Provider) CheckIfPhoneNumberIsOptedOut(context.Context, *CheckIfPhoneNumberIsOptedOutInput) (*CheckIfPhoneNumberIsOptedOutResponse, error) {
	return nil, noSMS("CheckIfPhoneNumberIsOptedOut")
}

// CreateSMSSandboxPhoneNumber answers that Vigil does not send SMS.
func (p *Provider) CreateSMSSandboxPhoneNumber(context.Context, *CreateSMSSandboxPhoneNumberInput) (*CreateSMSSandboxPhoneNumberResult, error) {
	return nil, noSMS("CreateSMSSandboxPhoneNumber")
}

// DeleteSMSSandboxPhoneNumber answers that Vigil does not send SMS.
func (p *Provider) DeleteSMSSandboxPhoneNumber(context.Context, *DeleteSMSSandboxPhoneNumberInput) (*DeleteSMSSandboxPhoneNumberResult, error) {
	return nil, noSMS("DeleteSMSSandboxPhoneNumber")
}

// GetSMSAttributes answers that Vigil does not send SMS.
func (p *Provider) GetSMSAttributes(context.Context, *GetSMSAttributesInput) (*GetSMSAttributesResponse, error) {
	return nil, noSMS("GetSMSAttributes")
}

// GetSMSSandboxAccountStatus answers that Vigil does not send SMS.
func (p *Provider) GetSMSSandboxAccountStatus(context.Context, *GetSMSSandboxAccountStatusInput) (*GetSMSSandboxAccountStatusResult, error) {
	return nil, noSMS("GetSMSSandboxAccountStatus")
}

// ListOriginationNumbers answers that Vigil does not send SMS.
func (p *Provider) ListOriginationNumbers(context.Context, *ListOriginationNumbersRequest) (*ListOriginationNumbersResult, error) {
	return nil, noSMS("ListOriginationNumbers")
}

// ListPhoneNumbersOptedOut answers that Vigil does not send SMS.
func (p *Provider) ListPhoneNumbersOptedOut(context.Context, *ListPhoneNumbersOptedOutInput) (*ListPhoneNumbersOptedOutResponse, error) {
	return nil, noSMS("ListPhoneNumbersOptedOut")
}

// ListSMSSandboxPhoneNumbers answers that Vigil does not send SMS.
func (p *Provider) ListSMSSandboxPhoneNumbers(context.Context, *ListSMSSandboxPhoneNumbersInput) (*ListSMSSandboxPhoneNumbersResult, error) {
	return nil, noSMS("ListSMSSandboxPhoneNumbers")
}

// OptInPhoneNumber answers that Vigil does not send SMS.
func (p *Provider) OptInPhoneNumber(context.Context, *OptInPhoneNumberInput) (*OptInPhoneNumberResponse, error) {
	return nil, noSMS("OptInPhoneNumber")
}

// SetSMSAttributes answers that Vigil does not send SMS.
func (p *Provider) SetSMSAttributes(context.Context, *SetSMSAttributesInput) (*SetSMSAttributesResponse, error) {
	return nil, noSMS("SetSMSAttributes")
}

// VerifySMSSandboxPhoneNumber answers that Vigil does not send SMS.
func (p *Provider) VerifySMSSandboxPhoneNumber(context.Context, *VerifySMSSandboxPhoneNumberInput) (*VerifySMSSandboxPhoneNumberResult, error) {
	return nil, noSMS("VerifySMSSandboxPhoneNumber")
}

// CreatePlatformApplication answers that Vigil does not deliver mobile push notifications.
func (p *Provider) CreatePlatformApplication(context.Context, *CreatePlatformApplicationInput) (*CreatePlatformApplicationResponse, error) {
	return nil, noPush("CreatePlatformApplication")
}

// CreatePlatformEndpoint answers that Vigil does not deliver mobile push notifications.
func (p *Provider) CreatePlatformEndpoint(context.Context, *CreatePlatformEndpointInput) (*CreateEndpointResponse, error) {
	return nil, noPush("CreatePlatformEndpoint")
}

// DeleteEndpoint answers that Vigil does not deliver mobile push notifications.
func (p *Provider) DeleteEndpoint(context.Context, *DeleteEndpointInput) (*DeleteEndpointOutput, error) {
	return nil, noPush("DeleteEndpoint")
}

// DeletePlatformApplication answers that Vigil does not deliver mobile push notifications.
func (p *Provider) DeletePlatformApplication(context.Context, *DeletePlatformApplicationInput) (*DeletePlatformApplicationOutput, error) {
	return nil, noPush("DeletePlatformApplication")
}

// GetEndpointAttributes answers that Vigil does not deliver mobile push notifications.
func (p *Provider) GetEndpointAttributes(context.Context, *GetEndpointAttributesInput) (*GetEndpointAttributesResponse, error) {
	return nil, noPush("GetEndpointAttributes")
}

// GetPlatformApplicationAttributes answers that Vigil does not deliver mobile push notifications.
func (p *Provider) GetPlatformApplicationAttributes(context.Context, *GetPlatformApplicationAttributesInput) (*GetPlatformApplicationAttributesResponse, error) {
	return nil, noPush("GetPlatformApplicationAttributes")
}

// ListEndpointsByPlatformApplication answers that Vigil does not deliver mobile push notifications.
func (p *Provider) ListEndpointsByPlatformApplication(context.Context, *ListEndpointsByPlatformApplicationInput) (*ListEndpointsByPlatformApplicationResponse, error) {
	return nil, noPush("ListEndpointsByPlatformApplication")
}

// ListPlatformApplications answers that Vigil does not deliver mobile push notifications.
func (p *Provider) ListPlatformApplications(context.Context, *ListPlatformApplicationsInput) (*ListPlatformApplicationsResponse, error) {
	return nil, noPush("ListPlatformApplications")
}

// SetEndpointAttributes answers that Vigil does not deliver mobile push notifications.
func (p *Provider) SetEndpointAttributes(context.Context, *SetEndpointAttributesInput) (*SetEndpointAttributesOutput, error) {
	return nil, noPush("SetEndpointAttributes")
}

// SetPlatformApplicationAttributes answers that Vigil does not deliver mobile push notifications.
func (p *Provider) SetPlatformApplicationAttributes(context.Context, *SetPlatformApplicationAttributesInput) (*SetPlatformApplicationAttributesOutput, error) {
	return nil, noPush("SetPlatformApplicationAttributes")
}
