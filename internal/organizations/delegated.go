package organizations

import (
	"context"
	"errors"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// delegable are the service principals of the services Vigil runs that
// AWS lets an organization delegate the administration of to a member
// account
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html).
var delegable = []string{
	"cloudtrail.amazonaws.com",
	"config-multiaccountsetup.amazonaws.com",
	"config.amazonaws.com",
	"guardduty.amazonaws.com",
	"iam.amazonaws.com",
	"inspector2.amazonaws.com",
}

// delegableService refuses a service principal that is not one of
// delegable.
func delegableService(service string) error {
	if slices.Contains(delegable, service) {
		return nil
	}
	return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
}

// delegate reads the member account a delegation names: not the
// management account.
func delegate(r store.OrgReader, o store.Organization, id string) error {
	if _, err := account(r, id); err != nil {
		return err
	}
	if id == o.ManagementAccount {
		return violation("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
			"You cannot register master account/yourself as delegated administrator for your organization.")
	}
	return nil
}

// RegisterDelegatedAdministrator makes a member account a delegated
// administrator of a service, which lets it read the organization.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, caller, id, service string) error {
	if err := delegableService(service); err != nil {
		return err
	}
	return s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) error {
		if err := delegate(w, o, id); err != nil {
			return err
		}
		err := w.PutDelegation(store.OrgDelegation{Account: id, Service: service, Created: s.now()})
		if errors.Is(err, store.ErrExists) {
			return errorf(AccountAlreadyRegistered, "The provided account is already a delegated administrator for your organization.")
		}
		return err
	})
}

// DeregisterDelegatedAdministrator ends a delegation.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, caller, id, service string) error {
	if err := delegableService(service); err != nil {
		return err
	}
	return s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) error {
		if err := delegate(w, o, id); err != nil {
			return err
		}
		return notRegistered(w.DeleteDelegation(id, service))
	})
}

// notRegistered words a delegation that is not there.
func notRegistered(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorf(AccountNotRegistered, "The provided account is not a registered delegated administrator for your organization.")
	}
	return err
}

// DelegatedAdministrator is a delegated administrator: its account, and
// when it first became one.
type DelegatedAdministrator struct {
	store.OrgNode
	Since store.OrgDelegation
}

// ListDelegatedAdministrators lists the delegated administrators of a
// service ("": of any).
func (s *Service) ListDelegatedAdministrators(ctx context.Context, caller, service string, p Page) (Paged[DelegatedAdministrator], error) {
	if service != "" {
		if err := delegableService(service); err != nil {
			return Paged[DelegatedAdministrator]{}, err
		}
	}
	var out Paged[DelegatedAdministrator]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		delegations, err := r.Delegations("")
		if err != nil {
			return err
		}
		var admins []DelegatedAdministrator
		for _, d := range delegations {
			if service != "" && d.Service != service {
				continue
			}
			if i := len(admins) - 1; i >= 0 && admins[i].ID == d.Account {
				if d.Created.Before(admins[i].Since.Created) {
					admins[i].Since = d
				}
				continue
			}
			n, err := r.Node(d.Account)
			if err != nil {
				return err
			}
			admins = append(admins, DelegatedAdministrator{OrgNode: n, Since: d})
		}
		out, err = paginate(admins, p, "admins:"+service, func(a DelegatedAdministrator) string { return a.ID })
		return err
	})
	return out, err
}

// ListDelegatedServicesForAccount lists the services an account is a
// delegated administrator of.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, caller, id string, p Page) (Paged[store.OrgDelegation], error) {
	var out Paged[store.OrgDelegation]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		if _, err := account(r, id); err != nil {
			return err
		}
		delegations, err := r.Delegations(id)
		if err != nil {
			return err
		}
		if len(delegations) == 0 {
			return notRegistered(store.ErrNotFound)
		}
		out, err = paginate(delegations, p, "services:"+id, func(d store.OrgDelegation) string { return d.Service })
		return err
	})
	return out, err
}
