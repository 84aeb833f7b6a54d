package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// The states of create-account requests.
const (
	RequestInProgress = "IN_PROGRESS"
	RequestSucceeded  = "SUCCEEDED"
	RequestFailed     = "FAILED"
)

// DefaultRoleName is the role CreateAccount creates in a new account
// unless told another.
const DefaultRoleName = "OrganizationAccountAccessRole"

// adminPolicy is the managed policy of that role.
const adminPolicy = "arn:aws:iam::aws:policy/AdministratorAccess"

// NewAccount describes an account to create.
type NewAccount struct {
	Name, Email string
	// RoleName names the role the management account administers the
	// account through ("": DefaultRoleName).
	RoleName string
	Tags     []Tag
}

// account reads the account with an id: AccountNotFound when the
// organization has none.
func account(r store.OrgReader, id string) (store.OrgNode, error) {
	n, err := r.Node(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && n.Kind != store.OrgAccount {
		return n, errorf(AccountNotFound, "You specified an account that doesn't exist.")
	}
	return n, err
}

// trustManagement is the trust policy of the role of a new account: the
// management account's principals may assume it.
func trustManagement(management string) string {
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{{
		"Effect": "Allow", "Principal": map[string]string{"AWS": "arn:aws:iam::" + management + ":root"}, "Action": "sts:AssumeRole",
	}}})
	if err != nil {
		panic("BUG: organizations: " + err.Error())
	}
	return string(doc)
}

// maxAccounts is how many accounts an organization may have.
const maxAccounts = 10

// CreateAccount creates an account in the caller's organization, in its
// root: an account Vigil hosts (Options.Accounts) with a role that
// trusts the management account and has AdministratorAccess
// (Options.Roles). AWS creates accounts asynchronously, and so answers
// the request IN_PROGRESS, as this does; Vigil completes it before
// answering, so that DescribeCreateAccountStatus shows it SUCCEEDED (with
// the account's id) or FAILED at once. A request whose email address an
// account of an organization has fails with EMAIL_ALREADY_EXISTS.
func (s *Service) CreateAccount(ctx context.Context, caller string, in NewAccount) (*store.OrgAccountRequest, error) {
	add, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.RoleName == "" {
		in.RoleName = DefaultRoleName
	}
	req := store.OrgAccountRequest{ID: newRequestID(), AccountName: in.Name, State: RequestInProgress, Requested: s.now()}
	accepted := req
	var org store.Organization
	emailTaken := false
	err = s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) (err error) {
		org = o
		// AWS's default quota of accounts an organization has (the
		// management account's included): each is an account Vigil hosts.
		accounts, err := w.Nodes(store.OrgAccount, "")
		if err != nil {
			return err
		}
		if len(accounts) >= maxAccounts {
			return violation("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have exceeded the allowed number of AWS accounts.")
		}
		if emailTaken, err = w.EmailInUse(in.Email); err != nil {
			return err
		}
		return w.PutAccountRequest(req)
	})
	if err != nil {
		return nil, err
	}
	if emailTaken {
		return &accepted, s.finish(ctx, org, req, "EMAIL_ALREADY_EXISTS", nil)
	}
	if req.AccountID, err = s.host(ctx, org, in); err != nil {
		s.opt.Logger.Error("cannot set up a new account", "organization", org.ID, "request", req.ID, "error", err)
		return &accepted, s.finish(ctx, org, req, "INTERNAL_FAILURE", nil)
	}
	err = s.finish(ctx, org, req, "", func(w store.OrgWriter) error {
		if taken, err := w.EmailInUse(in.Email); err != nil || taken {
			if err == nil {
				err = errEmailTaken
			}
			return err
		}
		roots, err := w.Nodes(store.OrgRoot, "")
		if err != nil {
			return err
		}
		n := store.OrgNode{Kind: store.OrgAccount, ID: req.AccountID, ARN: arn(org, "account", req.AccountID), Name: in.Name,
			Parent: roots[0].ID, Created: s.now(), Email: in.Email, State: stateActive, JoinedMethod: joinedCreated}
		if err := w.PutNode(n); err != nil {
			return err
		}
		if err := attachDefault(w, n.ID); err != nil {
			return err
		}
		return w.Tag(n.ARN, add, nil)
	})
	return &accepted, err
}

// errEmailTaken fails the completion of a request whose email address
// another request took meanwhile.
var errEmailTaken = errors.New("the email address is taken")

// host makes the account of a request one Vigil hosts, with the role of
// its management account, and returns its id.
func (s *Service) host(ctx context.Context, o store.Organization, in NewAccount) (string, error) {
	id := ""
	for range 10 {
		id = newAccountID()
		err := s.opt.Accounts.CreateAccount(ctx, store.Account{ID: id, Name: in.Name, Created: s.now()})
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrExists) {
			return "", fmt.Errorf("cannot create account %s: %w", id, err)
		}
		id = ""
	}
	if id == "" {
		return "", errors.New("cannot find an unused account id")
	}
	if err := s.opt.Roles.CreateRole(ctx, id, in.RoleName, trustManagement(o.ManagementAccount), []string{adminPolicy}); err != nil {
		return "", fmt.Errorf("cannot create role %s in account %s: %w", in.RoleName, id, err)
	}
	return id, nil
}

// finish records the outcome of a create-account request: SUCCEEDED
// once setUp has set the account up, in the same transaction; FAILED
// for the reason failure gives, or EMAIL_ALREADY_EXISTS when setUp finds
// the email address taken.
func (s *Service) finish(ctx context.Context, o store.Organization, req store.OrgAccountRequest, failure string, setUp func(store.OrgWriter) error) error {
	return s.write(ctx, o.ID, func(w store.OrgWriter) error {
		if _, err := organization(w); err != nil {
			// Deleted meanwhile.
			return err
		}
		req.Completed, req.State = s.now(), RequestSucceeded
		if failure == "" {
			err := setUp(w)
			if errors.Is(err, errEmailTaken) {
				failure = "EMAIL_ALREADY_EXISTS"
			} else if err != nil {
				return err
			}
		}
		if failure != "" {
			req.State, req.FailureReason, req.AccountID = RequestFailed, failure, ""
		}
		return w.PutAccountRequest(req)
	})
}

// DescribeCreateAccountStatus returns a create-account request. The
// account id of a request shows once it has succeeded.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, caller, id string) (*store.OrgAccountRequest, error) {
	var out store.OrgAccountRequest
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) (err error) {
		out, err = r.AccountRequest(id)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(CreateAccountStatusNotFound, "You specified a create account request that doesn't exist.")
		}
		return err
	})
	return &out, err
}

// ListCreateAccountStatus lists the create-account requests in states
// (none: every state).
func (s *Service) ListCreateAccountStatus(ctx context.Context, caller string, states []string, p Page) (Paged[store.OrgAccountRequest], error) {
	var out Paged[store.OrgAccountRequest]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		reqs, err := r.AccountRequests()
		if err != nil {
			return err
		}
		if len(states) > 0 {
			reqs = slices.DeleteFunc(reqs, func(q store.OrgAccountRequest) bool { return !slices.Contains(states, q.State) })
		}
		out, err = paginate(reqs, p, "requests", func(q store.OrgAccountRequest) string { return q.ID })
		return err
	})
	return out, err
}

// DescribeAccount returns an account of the caller's organization.
func (s *Service) DescribeAccount(ctx context.Context, caller, id string) (*store.OrgNode, error) {
	var out store.OrgNode
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) (err error) {
		out, err = account(r, id)
		return err
	})
	return &out, err
}

// ListAccounts lists the accounts of the caller's organization, in a
// root or OU when parent is set.
func (s *Service) ListAccounts(ctx context.Context, caller, parent string, p Page) (Paged[store.OrgNode], error) {
	if parent != "" {
		return s.ListChildren(ctx, caller, parent, store.OrgAccount, p)
	}
	var out Paged[store.OrgNode]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		accounts, err := r.Nodes(store.OrgAccount, "")
		if err == nil {
			out, err = paginate(accounts, p, "accounts", nodeID)
		}
		return err
	})
	return out, err
}

// MoveAccount moves an account from the root or OU it is in to another.
func (s *Service) MoveAccount(ctx context.Context, caller, id, source, destination string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		n, err := account(w, id)
		if err != nil {
			return err
		}
		if _, err := container(w, source, func() error {
			return errorf(SourceParentNotFound, "You specified a source parent that doesn't exist.")
		}); err != nil {
			return err
		}
		if _, err := container(w, destination, func() error {
			return errorf(DestinationParentNotFound, "You specified a destination parent that doesn't exist.")
		}); err != nil {
			return err
		}
		switch {
		case n.Parent == destination:
			return errorf(DuplicateAccount, "That account is already present in the specified destination.")
		case n.Parent != source:
			return errorf(AccountNotFound, "You specified an account that doesn't exist in the source parent.")
		}
		n.Parent = destination
		return w.PutNode(n)
	})
}

// RemoveAccountFromOrganization removes a member account from the
// caller's organization; the account stays one Vigil hosts, on its own.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, caller, id string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) error {
		return remove(w, o, id)
	})
}

// LeaveOrganization removes the caller's account from its organization.
func (s *Service) LeaveOrganization(ctx context.Context, caller string) error {
	return s.update(ctx, caller, member, func(w store.OrgWriter, o store.Organization) error {
		return remove(w, o, caller)
	})
}

// remove removes a member account: not the management account, nor a
// delegated administrator.
func remove(w store.OrgWriter, o store.Organization, id string) error {
	if _, err := account(w, id); err != nil {
		return err
	}
	if id == o.ManagementAccount {
		return errorf(MasterCannotLeaveOrganization, "You can't remove a management account from an organization. "+
			"If you want the management account to become a member account in another organization, "+
			"you must first delete the current organization of the management account.")
	}
	delegations, err := w.Delegations(id)
	if err != nil {
		return err
	}
	if len(delegations) > 0 {
		return violation("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You attempted to remove an account that is registered "+
			"as a delegated administrator for a service integrated with your organization. To complete this operation, "+
			"you must first deregister this account as a delegated administrator.")
	}
	return w.DeleteNode(id)
}
