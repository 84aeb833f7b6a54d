package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// aliasPattern is the pattern of account aliases in AWS's messages: a
// lower-case letter or digit at each end, hyphens between, never two.
const aliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`

// checkAlias checks an account alias against aliasPattern (which Go's
// regular expressions cannot run: no lookahead).
func checkAlias(alias string) error {
	ok := len(alias) >= 3 && len(alias) <= 63 && alias[0] != '-' && alias[len(alias)-1] != '-' && !strings.Contains(alias, "--")
	for _, r := range alias {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}
	if !ok {
		return errorf(ValidationError, "1 validation error detected: Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", alias, aliasPattern)
	}
	return nil
}

// CreateAccountAlias sets the account's alias (an account has one),
// which no other account may have.
func (s *Service) CreateAccountAlias(ctx context.Context, account, alias string) error {
	if err := checkAlias(alias); err != nil {
		return err
	}
	return s.update(ctx, account, func(w store.IAMWriter) error {
		err := w.SetAlias(alias)
		if errors.Is(err, store.ErrExists) {
			return errorf(EntityAlreadyExists, "The account alias %s already exists.", alias)
		}
		return err
	})
}

// DeleteAccountAlias removes the account's alias.
func (s *Service) DeleteAccountAlias(ctx context.Context, account, alias string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		a, err := w.Account()
		if err != nil {
			return err
		}
		if a.Alias != alias {
			return errorf(NoSuchEntity, "The account alias %s cannot be found.", alias)
		}
		return w.SetAlias("")
	})
}

// AccountAliases lists the account's aliases: none or one.
func (s *Service) AccountAliases(ctx context.Context, account string) ([]string, error) {
	var out []string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		a, err := r.Account()
		if a.Alias != "" {
			out = []string{a.Alias}
		}
		return err
	})
	return out, err
}

// AccountSummary counts the account's IAM entities and states its quotas,
// as GetAccountSummary's SummaryMap does.
func (s *Service) AccountSummary(ctx context.Context, account string) (map[string]int, error) {
	m := map[string]int{
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
		"ServerCertificates": 0, "ServerCertificatesQuota": 20,
		"UserPolicySizeQuota": inlineQuota[store.IAMUser], "GroupPolicySizeQuota": inlineQuota[store.IAMGroup],
		"RolePolicySizeQuota": inlineQuota[store.IAMRole], "PolicySizeQuota": maxPolicySize, "AssumeRolePolicySizeQuota": maxTrustPolicySize,
		"GroupsPerUserQuota": maxGroupsPerUser, "AccessKeysPerUserQuota": maxKeysPerUser, "SigningCertificatesPerUserQuota": 2,
		"AttachedPoliciesPerUserQuota": maxAttached, "AttachedPoliciesPerGroupQuota": maxAttached, "AttachedPoliciesPerRoleQuota": maxAttached,
		"VersionsPerPolicyQuota": maxPolicyVersions, "PolicyVersionsInUseQuota": 10000, "GlobalEndpointTokenVersion": 1,
		"AccountMFAEnabled": 0, "AccountSigningCertificatesPresent": 0, "AccountPasswordPresent": 0,
	}
	err := s.view(ctx, account, func(r store.IAMReader) error {
		for kind, key := range map[store.IAMKind]string{
			store.IAMUser: "Users", store.IAMGroup: "Groups", store.IAMRole: "Roles", store.IAMPolicy: "Policies",
			store.IAMInstanceProfile: "InstanceProfiles", store.IAMMFADevice: "MFADevices", store.IAMOIDCProvider: "Providers",
		} {
			n, err := count(r.Entities(kind, "/"))
			if err != nil {
				return err
			}
			m[key] = n
		}
		n, err := count(r.Links(store.IAMUserMFA, ""))
		if err != nil {
			return err
		}
		m["MFADevicesInUse"] = n
		// The versions in use are those of the policies attached to
		// something: one each, the default.
		u, err := readUsage(r)
		if err != nil {
			return err
		}
		m["PolicyVersionsInUse"] = len(u.attachments)
		keys, err := r.AccessKeys(account)
		if len(keys) > 0 {
			m["AccountAccessKeysPresent"] = 1
		} else {
			m["AccountAccessKeysPresent"] = 0
		}
		return err
	})
	return m, err
}

// Detail is a user, group or role as GetAccountAuthorizationDetails
// shows it.
type Detail struct {
	Entity
	Inline   []store.IAMInlinePolicy
	Attached []AttachedPolicy
	// Groups are a user's groups' names; Profiles a role's instance
	// profiles.
	Groups   []string
	Profiles []InstanceProfile
}

// PolicyDetail is a managed policy with its versions.
type PolicyDetail struct {
	Policy
	Versions []Version
}

// AuthorizationDetails is a page of GetAccountAuthorizationDetails.
type AuthorizationDetails struct {
	Users, Groups, Roles []Detail
	Policies             []PolicyDetail
	Marker               string
}

// The filters of GetAccountAuthorizationDetails.
const (
	FilterUser             = "User"
	FilterGroup            = "Group"
	FilterRole             = "Role"
	FilterLocalPolicy      = "LocalManagedPolicy"
	FilterAWSManagedPolicy = "AWSManagedPolicy"
)

// AuthorizationDetails returns a page of the account's users, groups,
// roles and managed policies (its own, and AWS's that are attached to
// something) with their policies and relations; filter keeps some kinds
// (none: all).
func (s *Service) AuthorizationDetails(ctx context.Context, account string, filter []string, p Page) (*AuthorizationDetails, error) {
	keep := func(f string) bool { return len(filter) == 0 || slices.Contains(filter, f) }
	out := &AuthorizationDetails{}
	err := s.view(ctx, account, func(r store.IAMReader) error {
		var all []store.IAMEntity
		for kind, f := range map[store.IAMKind]string{store.IAMUser: FilterUser, store.IAMGroup: FilterGroup, store.IAMRole: FilterRole, store.IAMPolicy: FilterLocalPolicy} {
			if keep(f) {
				es, err := r.Entities(kind, "/")
				if err != nil {
					return err
				}
				all = append(all, es...)
			}
		}
		u, err := readUsage(r)
		if err != nil {
			return err
		}
		if keep(FilterAWSManagedPolicy) {
			for _, e := range awsPolicyList() {
				if u.attachments[e.ARN] > 0 || u.boundaries[e.ARN] > 0 {
					all = append(all, e)
				}
			}
		}
		order := map[store.IAMKind]string{store.IAMUser: "1", store.IAMGroup: "2", store.IAMRole: "3", store.IAMPolicy: "4"}
		page, err := paginate(all, p, "authorization-details", func(e store.IAMEntity) string { return order[e.Kind] + byName(e) + "\x00" + e.ID })
		if err != nil {
			return err
		}
		out.Marker = page.Marker
		for _, e := range page.Items {
			if err := addDetail(r, account, out, e, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addDetail reads the details of an entity into its list of out.
func addDetail(r store.IAMReader, account string, out *AuthorizationDetails, e store.IAMEntity, u usage) error {
	tags, err := r.Tags(e.ID)
	if err != nil {
		return err
	}
	if e.Kind == store.IAMPolicy {
		vs, err := policyVersions(r, account, e.ARN)
		out.Policies = append(out.Policies, PolicyDetail{Policy: u.of(e, tags), Versions: vs})
		return err
	}
	d := Detail{Entity: Entity{IAMEntity: e, Tags: tags}}
	if d.Inline, err = r.InlinePolicies(e.ID); err != nil {
		return err
	}
	if d.Attached, err = attachedPolicies(r, account, e.ID, "/"); err != nil {
		return err
	}
	switch e.Kind {
	case store.IAMUser:
		groups, err := linked(r, store.IAMMember, e.ID, true)
		for _, g := range groups {
			d.Groups = append(d.Groups, g.Name)
		}
		out.Users = append(out.Users, d)
		return err
	case store.IAMGroup:
		out.Groups = append(out.Groups, d)
	case store.IAMRole:
		profiles, err := linked(r, store.IAMProfileRole, e.ID, true)
		if err != nil {
			return err
		}
		for _, p := range profiles {
			roles, err := profileRoles(r, p.ID)
			if err != nil {
				return err
			}
			d.Profiles = append(d.Profiles, InstanceProfile{Entity: Entity{IAMEntity: p}, Roles: roles})
		}
		out.Roles = append(out.Roles, d)
	}
	return nil
}
