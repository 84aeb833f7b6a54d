package organizations

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/api"
	orgs "github.com/vigilhq/vigil/internal/organizations"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Provider implements the Organizations operations on the engine. The
// operations it does not declare (invitations and handshakes, account
// closure, GovCloud accounts, trusted access of services, resource
// policies, effective policies of the other policy types, responsibility
// transfers) answer NotImplemented.
type Provider struct {
	Unimplemented
	svc *orgs.Service
}

// New returns the Organizations API over the engine.
func New(s *orgs.Service) *Provider { return &Provider{svc: s} }

// caller returns the account that makes the request.
func caller(ctx context.Context) string { return request.FromContext(ctx).Principal.Account }

// exceptions make the modeled exception of each of the engine's codes
// but the two that carry a reason.
var exceptions = map[orgs.Code]func(msg *string) error{
	orgs.NotInUse:                      func(m *string) error { return &AWSOrganizationsNotInUseException{Message: m} },
	orgs.AccessDenied:                  func(m *string) error { return &AccessDeniedException{Message: m} },
	orgs.AlreadyInOrganization:         func(m *string) error { return &AlreadyInOrganizationException{Message: m} },
	orgs.OrganizationNotEmpty:          func(m *string) error { return &OrganizationNotEmptyException{Message: m} },
	orgs.RootNotFound:                  func(m *string) error { return &RootNotFoundException{Message: m} },
	orgs.ParentNotFound:                func(m *string) error { return &ParentNotFoundException{Message: m} },
	orgs.ChildNotFound:                 func(m *string) error { return &ChildNotFoundException{Message: m} },
	orgs.OrganizationalUnitNotFound:    func(m *string) error { return &OrganizationalUnitNotFoundException{Message: m} },
	orgs.OrganizationalUnitNotEmpty:    func(m *string) error { return &OrganizationalUnitNotEmptyException{Message: m} },
	orgs.DuplicateOrganizationalUnit:   func(m *string) error { return &DuplicateOrganizationalUnitException{Message: m} },
	orgs.AccountNotFound:               func(m *string) error { return &AccountNotFoundException{Message: m} },
	orgs.DuplicateAccount:              func(m *string) error { return &DuplicateAccountException{Message: m} },
	orgs.SourceParentNotFound:          func(m *string) error { return &SourceParentNotFoundException{Message: m} },
	orgs.DestinationParentNotFound:     func(m *string) error { return &DestinationParentNotFoundException{Message: m} },
	orgs.MasterCannotLeaveOrganization: func(m *string) error { return &MasterCannotLeaveOrganizationException{Message: m} },
	orgs.CreateAccountStatusNotFound:   func(m *string) error { return &CreateAccountStatusNotFoundException{Message: m} },
	orgs.PolicyNotFound:                func(m *string) error { return &PolicyNotFoundException{Message: m} },
	orgs.DuplicatePolicy:               func(m *string) error { return &DuplicatePolicyException{Message: m} },
	orgs.PolicyInUse:                   func(m *string) error { return &PolicyInUseException{Message: m} },
	orgs.DuplicatePolicyAttachment:     func(m *string) error { return &DuplicatePolicyAttachmentException{Message: m} },
	orgs.PolicyNotAttached:             func(m *string) error { return &PolicyNotAttachedException{Message: m} },
	orgs.PolicyTypeAlreadyEnabled:      func(m *string) error { return &PolicyTypeAlreadyEnabledException{Message: m} },
	orgs.PolicyTypeNotEnabled:          func(m *string) error { return &PolicyTypeNotEnabledException{Message: m} },
	orgs.PolicyTypeNotAvailable:        func(m *string) error { return &PolicyTypeNotAvailableForOrganizationException{Message: m} },
	orgs.MalformedPolicyDocument:       func(m *string) error { return &MalformedPolicyDocumentException{Message: m} },
	orgs.TargetNotFound:                func(m *string) error { return &TargetNotFoundException{Message: m} },
	orgs.AccountAlreadyRegistered:      func(m *string) error { return &AccountAlreadyRegisteredException{Message: m} },
	orgs.AccountNotRegistered:          func(m *string) error { return &AccountNotRegisteredException{Message: m} },
}

// apiError maps the engine's refusals to the modeled exceptions.
func apiError(err error) error {
	var e *orgs.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case orgs.ConstraintViolation:
		return &ConstraintViolationException{Message: msg, Reason: ConstraintViolationExceptionReason(e.Reason)}
	case orgs.InvalidInput:
		return &InvalidInputException{Message: msg, Reason: InvalidInputExceptionReason(e.Reason)}
	}
	exception, ok := exceptions[e.Code]
	if !ok {
		panic(fmt.Sprintf("BUG: organizations: no exception for code %d", e.Code))
	}
	return exception(msg)
}

// result returns out, or the exception err maps to.
func result[T any](out *T, err error) (*T, error) {
	if err != nil {
		return nil, apiError(err)
	}
	return out, nil
}

// page reads a request's NextToken and MaxResults.
func page(token *string, max *int32) orgs.Page {
	return orgs.Page{NextToken: api.Value(token), MaxResults: int(api.Value(max))}
}

// listOf maps a page's items to their wire shape, and returns its
// NextToken; or the error that read it.
func listOf[T, W any](p orgs.Paged[T], err error, f func(T) W) ([]W, *string, error) {
	if err != nil {
		return nil, nil, err
	}
	out := make([]W, len(p.Items))
	for i, v := range p.Items {
		out[i] = f(v)
	}
	return out, api.OptionalString(p.NextToken), nil
}

func tags(in []Tag) []orgs.Tag {
	out := make([]orgs.Tag, len(in))
	for i, t := range in {
		out[i] = orgs.Tag{Key: api.Value(t.Key), Value: api.Value(t.Value)}
	}
	return out
}

func organization(o *store.Organization) *Organization {
	out := &Organization{Id: &o.ID, Arn: &o.ARN, FeatureSet: OrganizationFeatureSet(o.FeatureSet),
		MasterAccountId: &o.ManagementAccount, MasterAccountArn: api.Ptr("arn:aws:organizations::" + o.ManagementAccount + ":account/" + o.ID + "/" + o.ManagementAccount)}
	if o.FeatureSet == orgs.FeatureSetAll {
		// AvailablePolicyTypes is deprecated ("Do not use"): AWS shows
		// the SCPs an organization of all features may enable.
		out.AvailablePolicyTypes = []PolicyTypeSummary{{Type: PolicyTypeSERVICECONTROLPOLICY, Status: PolicyTypeStatusENABLED}}
	}
	return out
}

func root(n store.OrgNode) Root {
	r := Root{Id: api.Ptr(n.ID), Arn: api.Ptr(n.ARN), Name: api.Ptr(n.Name), PolicyTypes: []PolicyTypeSummary{}}
	for _, t := range n.PolicyTypes {
		r.PolicyTypes = append(r.PolicyTypes, PolicyTypeSummary{Type: PolicyType(t), Status: PolicyTypeStatusENABLED})
	}
	return r
}

func unit(n store.OrgNode) OrganizationalUnit {
	return OrganizationalUnit{Id: api.Ptr(n.ID), Arn: api.Ptr(n.ARN), Name: api.Ptr(n.Name)}
}

func account(n store.OrgNode) Account {
	return Account{Id: api.Ptr(n.ID), Arn: api.Ptr(n.ARN), Name: api.Ptr(n.Name), Email: api.OptionalString(n.Email),
		Status: AccountStatus(n.State), State: AccountState(n.State), JoinedMethod: AccountJoinedMethod(n.JoinedMethod),
		JoinedTimestamp: api.Ptr(n.Created)}
}
