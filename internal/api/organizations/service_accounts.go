package organizations

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	orgs "github.com/vigilhq/vigil/internal/organizations"
	"github.com/vigilhq/vigil/internal/store"
)

// accountRequest writes a create-account request: its account id once it has
// succeeded.
func accountRequest(r store.OrgAccountRequest) CreateAccountStatus {
	out := CreateAccountStatus{Id: api.Ptr(r.ID), AccountName: api.Ptr(r.AccountName), State: CreateAccountState(r.State),
		RequestedTimestamp: api.Ptr(r.Requested), FailureReason: CreateAccountFailureReason(r.FailureReason)}
	if !r.Completed.IsZero() {
		out.CompletedTimestamp = api.Ptr(r.Completed)
	}
	if r.State == orgs.RequestSucceeded {
		out.AccountId = api.Ptr(r.AccountID)
	}
	return out
}

// CreateAccount creates an account in the caller's organization.
func (p *Provider) CreateAccount(ctx context.Context, in *CreateAccountRequest) (*CreateAccountResponse, error) {
	r, err := p.svc.CreateAccount(ctx, caller(ctx), orgs.NewAccount{Name: api.Value(in.AccountName), Email: api.Value(in.Email),
		RoleName: api.Value(in.RoleName), Tags: tags(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateAccountResponse{CreateAccountStatus: api.Ptr(accountRequest(*r))}, nil
}

// DescribeCreateAccountStatus returns a create-account request.
func (p *Provider) DescribeCreateAccountStatus(ctx context.Context, in *DescribeCreateAccountStatusRequest) (*DescribeCreateAccountStatusResponse, error) {
	r, err := p.svc.DescribeCreateAccountStatus(ctx, caller(ctx), api.Value(in.CreateAccountRequestId))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeCreateAccountStatusResponse{CreateAccountStatus: api.Ptr(accountRequest(*r))}, nil
}

// ListCreateAccountStatus lists the create-account requests.
func (p *Provider) ListCreateAccountStatus(ctx context.Context, in *ListCreateAccountStatusRequest) (*ListCreateAccountStatusResponse, error) {
	states := make([]string, len(in.States))
	for i, s := range in.States {
		states[i] = string(s)
	}
	list, err := p.svc.ListCreateAccountStatus(ctx, caller(ctx), states, page(in.NextToken, in.MaxResults))
	statuses, next, err := listOf(list, err, accountRequest)
	return result(&ListCreateAccountStatusResponse{CreateAccountStatuses: statuses, NextToken: next}, err)
}

// DescribeAccount returns an account of the caller's organization.
func (p *Provider) DescribeAccount(ctx context.Context, in *DescribeAccountRequest) (*DescribeAccountResponse, error) {
	a, err := p.svc.DescribeAccount(ctx, caller(ctx), api.Value(in.AccountId))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeAccountResponse{Account: api.Ptr(account(*a))}, nil
}

// ListAccounts lists the accounts of the caller's organization.
func (p *Provider) ListAccounts(ctx context.Context, in *ListAccountsRequest) (*ListAccountsResponse, error) {
	list, err := p.svc.ListAccounts(ctx, caller(ctx), "", page(in.NextToken, in.MaxResults))
	accounts, next, err := listOf(list, err, account)
	return result(&ListAccountsResponse{Accounts: accounts, NextToken: next}, err)
}

// ListAccountsForParent lists the accounts in a root or OU.
func (p *Provider) ListAccountsForParent(ctx context.Context, in *ListAccountsForParentRequest) (*ListAccountsForParentResponse, error) {
	list, err := p.svc.ListAccounts(ctx, caller(ctx), api.Value(in.ParentId), page(in.NextToken, in.MaxResults))
	accounts, next, err := listOf(list, err, account)
	return result(&ListAccountsForParentResponse{Accounts: accounts, NextToken: next}, err)
}

// MoveAccount moves an account to another root or OU.
func (p *Provider) MoveAccount(ctx context.Context, in *MoveAccountRequest) (*MoveAccountOutput, error) {
	return result(&MoveAccountOutput{}, p.svc.MoveAccount(ctx, caller(ctx), api.Value(in.AccountId), api.Value(in.SourceParentId),
		api.Value(in.DestinationParentId)))
}

// RemoveAccountFromOrganization removes a member account.
func (p *Provider) RemoveAccountFromOrganization(ctx context.Context, in *RemoveAccountFromOrganizationRequest) (*RemoveAccountFromOrganizationOutput, error) {
	return result(&RemoveAccountFromOrganizationOutput{}, p.svc.RemoveAccountFromOrganization(ctx, caller(ctx), api.Value(in.AccountId)))
}

// LeaveOrganization removes the caller's account from its organization.
func (p *Provider) LeaveOrganization(ctx context.Context, _ *LeaveOrganizationInput) (*LeaveOrganizationOutput, error) {
	return result(&LeaveOrganizationOutput{}, p.svc.LeaveOrganization(ctx, caller(ctx)))
}

// RegisterDelegatedAdministrator makes a member account a delegated
// administrator of a service.
func (p *Provider) RegisterDelegatedAdministrator(ctx context.Context, in *RegisterDelegatedAdministratorRequest) (*RegisterDelegatedAdministratorOutput, error) {
	return result(&RegisterDelegatedAdministratorOutput{}, p.svc.RegisterDelegatedAdministrator(ctx, caller(ctx), api.Value(in.AccountId),
		api.Value(in.ServicePrincipal)))
}

// DeregisterDelegatedAdministrator ends a delegation.
func (p *Provider) DeregisterDelegatedAdministrator(ctx context.Context, in *DeregisterDelegatedAdministratorRequest) (*DeregisterDelegatedAdministratorOutput, error) {
	return result(&DeregisterDelegatedAdministratorOutput{}, p.svc.DeregisterDelegatedAdministrator(ctx, caller(ctx), api.Value(in.AccountId),
		api.Value(in.ServicePrincipal)))
}

// ListDelegatedAdministrators lists the delegated administrators.
func (p *Provider) ListDelegatedAdministrators(ctx context.Context, in *ListDelegatedAdministratorsRequest) (*ListDelegatedAdministratorsResponse, error) {
	list, err := p.svc.ListDelegatedAdministrators(ctx, caller(ctx), api.Value(in.ServicePrincipal), page(in.NextToken, in.MaxResults))
	admins, next, err := listOf(list, err, func(d orgs.DelegatedAdministrator) DelegatedAdministrator {
		a := account(d.OrgNode)
		return DelegatedAdministrator{Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State,
			JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp, DelegationEnabledDate: api.Ptr(d.Since.Created)}
	})
	return result(&ListDelegatedAdministratorsResponse{DelegatedAdministrators: admins, NextToken: next}, err)
}

// ListDelegatedServicesForAccount lists the services an account is a
// delegated administrator of.
func (p *Provider) ListDelegatedServicesForAccount(ctx context.Context, in *ListDelegatedServicesForAccountRequest) (*ListDelegatedServicesForAccountResponse, error) {
	list, err := p.svc.ListDelegatedServicesForAccount(ctx, caller(ctx), api.Value(in.AccountId), page(in.NextToken, in.MaxResults))
	services, next, err := listOf(list, err, func(d store.OrgDelegation) DelegatedService {
		return DelegatedService{ServicePrincipal: api.Ptr(d.Service), DelegationEnabledDate: api.Ptr(d.Created)}
	})
	return result(&ListDelegatedServicesForAccountResponse{DelegatedServices: services, NextToken: next}, err)
}
