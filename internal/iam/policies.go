package iam

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Managed policies' quotas.
const (
	// maxPolicySize caps a managed policy's document (white space not
	// counted).
	maxPolicySize = 6144
	// maxPolicyVersions is how many versions a managed policy keeps.
	maxPolicyVersions = 5
)

// policyNotFound words the refusal of a policy ARN that names none.
func policyNotFound(arn string) error {
	return errorf(NoSuchEntity, "Policy %s was not found.", arn)
}

// localPolicy reads the account's managed policy of an ARN: InvalidInput
// when it is no policy ARN, NoSuchEntity when there is no such policy.
func localPolicy(r store.IAMReader, account, arn string) (store.IAMEntity, error) {
	prefix := "arn:aws:iam::" + account + ":policy/"
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return store.IAMEntity{}, errorf(InvalidInput, "ARN %s is not valid.", arn)
	}
	if !strings.HasPrefix(arn, prefix) {
		return store.IAMEntity{}, policyNotFound(arn)
	}
	e, err := r.Entity(store.IAMPolicy, arn[strings.LastIndexByte(arn, '/')+1:])
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.ARN != arn) {
		return e, policyNotFound(arn)
	}
	return e, err
}

// anyPolicy reads the managed policy of an ARN, AWS's or the account's,
// with its default version's document.
func anyPolicy(r store.IAMReader, account, arn string) (store.IAMEntity, string, error) {
	if isAWSPolicy(arn) {
		p, err := awsPolicy(arn)
		if err != nil {
			return store.IAMEntity{}, "", err
		}
		return p.entity, p.document, nil
	}
	p, err := localPolicy(r, account, arn)
	if err != nil {
		return p, "", err
	}
	v, err := version(r, p, p.DefaultVersion)
	return p, v.Document, err
}

// version reads a version of a local policy: NoSuchEntity when there is
// none.
func version(r store.IAMReader, p store.IAMEntity, id string) (store.IAMPolicyVersion, error) {
	vs, err := r.PolicyVersions(p.ID)
	if err != nil {
		return store.IAMPolicyVersion{}, err
	}
	for _, v := range vs {
		if v.ID == id {
			return v, nil
		}
	}
	return store.IAMPolicyVersion{}, errorf(NoSuchEntity, "Policy %s version %s does not exist or is not attachable.", p.ARN, id)
}

// checkPolicyDocument checks a managed policy's document.
func checkPolicyDocument(doc string) error {
	if err := validateDocument(ManagedPolicy, doc); err != nil {
		return err
	}
	if policySize(doc) > maxPolicySize {
		return quota("PolicySize", maxPolicySize)
	}
	return nil
}

// NewPolicy describes a managed policy to create.
type NewPolicy struct {
	Name, Path, Description, Document string
	Tags                              map[string]string
}

// Policy is a managed policy as GetPolicy and ListPolicies show it.
type Policy struct {
	Entity
	// Attachments counts the users, groups and roles it is attached to;
	// Boundaries those whose permissions boundary it is.
	Attachments, Boundaries int
}

// CreatePolicy creates a managed policy, its document version v1.
func (s *Service) CreatePolicy(ctx context.Context, account string, in NewPolicy) (*Policy, error) {
	if err := checkPolicyDocument(in.Document); err != nil {
		return nil, err
	}
	if err := checkNewTags(in.Tags); err != nil {
		return nil, err
	}
	now, path := s.now(), pathOr(in.Path)
	p := store.IAMEntity{Kind: store.IAMPolicy, ID: newID(policyPrefix), Name: in.Name, Path: path, ARN: arn(account, "policy", path, in.Name),
		Created: now, Updated: now, Description: in.Description, DefaultVersion: "v1", NextVersion: 2}
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		if err := putNew(w, p); err != nil {
			return err
		}
		if err := w.PutPolicyVersion(store.IAMPolicyVersion{Policy: p.ID, ID: "v1", Document: in.Document, Created: now}); err != nil {
			return err
		}
		return w.TagEntity(p.ID, in.Tags, nil)
	})
	if err != nil {
		return nil, err
	}
	return &Policy{Entity: Entity{IAMEntity: p, Tags: in.Tags}}, nil
}

// usage counts, by policy ARN, the attachments of managed policies and
// the users and roles they bound.
type usage struct{ attachments, boundaries map[string]int }

func readUsage(r store.IAMReader) (usage, error) {
	u := usage{attachments: map[string]int{}, boundaries: map[string]int{}}
	links, err := r.Links(store.IAMAttached, "")
	if err != nil {
		return u, err
	}
	for _, l := range links {
		u.attachments[l.To]++
	}
	for _, kind := range []store.IAMKind{store.IAMUser, store.IAMRole} {
		es, err := r.Entities(kind, "/")
		if err != nil {
			return u, err
		}
		for _, e := range es {
			if e.Boundary != "" {
				u.boundaries[e.Boundary]++
			}
		}
	}
	return u, nil
}

func (u usage) of(e store.IAMEntity, tags map[string]string) Policy {
	return Policy{Entity: Entity{IAMEntity: e, Tags: tags}, Attachments: u.attachments[e.ARN], Boundaries: u.boundaries[e.ARN]}
}

// GetPolicy returns a managed policy, AWS's or the account's.
func (s *Service) GetPolicy(ctx context.Context, account, arn string) (*Policy, error) {
	var out Policy
	err := s.view(ctx, account, func(r store.IAMReader) error {
		p, _, err := anyPolicy(r, account, arn)
		if err != nil {
			return err
		}
		u, err := readUsage(r)
		if err != nil {
			return err
		}
		tags, err := r.Tags(p.ID)
		out = u.of(p, tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// PolicyFilter selects the policies ListPolicies lists.
type PolicyFilter struct {
	// Scope is "All" (or ""), "AWS" or "Local".
	Scope string
	// OnlyAttached keeps the policies in use: attached to a user, group
	// or role, or bounding one, as Usage says ("PermissionsPolicy",
	// "PermissionsBoundary", or "" for either).
	OnlyAttached bool
	Usage        string
	PathPrefix   string
}

// ListPolicies lists managed policies, AWS's and the account's, by name.
func (s *Service) ListPolicies(ctx context.Context, account string, f PolicyFilter, p Page) (Paged[Policy], error) {
	var list []Policy
	err := s.view(ctx, account, func(r store.IAMReader) error {
		var all []store.IAMEntity
		if f.Scope != "Local" {
			all = awsPolicyList()
		}
		if f.Scope != "AWS" {
			local, err := r.Entities(store.IAMPolicy, "/")
			if err != nil {
				return err
			}
			all = append(all, local...)
		}
		u, err := readUsage(r)
		if err != nil {
			return err
		}
		prefix := pathOr(f.PathPrefix)
		for _, e := range all {
			pol := u.of(e, nil)
			used := (f.Usage != "PermissionsBoundary" && pol.Attachments > 0) || (f.Usage != "PermissionsPolicy" && pol.Boundaries > 0)
			if strings.HasPrefix(e.Path, prefix) && (!f.OnlyAttached || used) {
				list = append(list, pol)
			}
		}
		return nil
	})
	if err != nil {
		return Paged[Policy]{}, err
	}
	return paginate(list, p, "policies", func(p Policy) string { return strings.ToLower(p.Name) + "\x00" + p.ID })
}

// DeletePolicy deletes one of the account's managed policies, which must
// be attached to nothing, bound nothing, and have no version but its
// default.
func (s *Service) DeletePolicy(ctx context.Context, account, arn string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, err := resolve(w, account, Ref{store.IAMPolicy, arn})
		if err != nil {
			return err
		}
		u, err := readUsage(w)
		if err != nil {
			return err
		}
		if u.attachments[arn] > 0 || u.boundaries[arn] > 0 {
			return errorf(DeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if vs, err := w.PolicyVersions(p.ID); err != nil {
			return err
		} else if len(vs) > 1 {
			return errorf(DeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return w.DeleteEntity(p.ID)
	})
}

// Version is a policy version as the API shows it.
type Version struct {
	store.IAMPolicyVersion
	IsDefault bool
}

// CreatePolicyVersion adds a version to one of the account's managed
// policies, made its default when setDefault.
func (s *Service) CreatePolicyVersion(ctx context.Context, account, arn, doc string, setDefault bool) (*Version, error) {
	if err := checkPolicyDocument(doc); err != nil {
		return nil, err
	}
	var v store.IAMPolicyVersion
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		p, err := resolve(w, account, Ref{store.IAMPolicy, arn})
		if err != nil {
			return err
		}
		if vs, err := w.PolicyVersions(p.ID); err != nil {
			return err
		} else if len(vs) >= maxPolicyVersions {
			return errorf(LimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v = store.IAMPolicyVersion{Policy: p.ID, ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: s.now()}
		if err := w.PutPolicyVersion(v); err != nil {
			return err
		}
		p.NextVersion++
		if setDefault {
			p.DefaultVersion, p.Updated = v.ID, v.Created
		}
		return w.PutEntity(p)
	})
	if err != nil {
		return nil, err
	}
	return &Version{IAMPolicyVersion: v, IsDefault: setDefault}, nil
}

// policyVersions lists the versions of a managed policy, AWS's (its
// default version only) or the account's.
func policyVersions(r store.IAMReader, account, arn string) ([]Version, error) {
	if isAWSPolicy(arn) {
		p, err := awsPolicy(arn)
		if err != nil {
			return nil, err
		}
		v := store.IAMPolicyVersion{Policy: p.entity.ID, ID: p.entity.DefaultVersion, Document: p.document, Created: p.entity.Updated}
		return []Version{{IAMPolicyVersion: v, IsDefault: true}}, nil
	}
	p, err := localPolicy(r, account, arn)
	if err != nil {
		return nil, err
	}
	vs, err := r.PolicyVersions(p.ID)
	out := make([]Version, len(vs))
	for i, v := range vs {
		out[i] = Version{IAMPolicyVersion: v, IsDefault: v.ID == p.DefaultVersion}
	}
	return out, err
}

// GetPolicyVersion returns a version of a managed policy.
func (s *Service) GetPolicyVersion(ctx context.Context, account, arn, id string) (*Version, error) {
	var out *Version
	err := s.view(ctx, account, func(r store.IAMReader) error {
		vs, err := policyVersions(r, account, arn)
		for i := range vs {
			if vs[i].ID == id {
				out = &vs[i]
			}
		}
		if err == nil && out == nil {
			return errorf(NoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, id)
		}
		return err
	})
	return out, err
}

// ListPolicyVersions lists the versions of a managed policy, oldest
// first.
func (s *Service) ListPolicyVersions(ctx context.Context, account, arn string, p Page) (Paged[Version], error) {
	var vs []Version
	err := s.view(ctx, account, func(r store.IAMReader) (err error) {
		vs, err = policyVersions(r, account, arn)
		return err
	})
	if err != nil {
		return Paged[Version]{}, err
	}
	return paginate(vs, p, "versions", func(v Version) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(v.ID, "v"))
		return fmt.Sprintf("%010d", n)
	})
}

// policyWithVersion reads one of the account's managed policies, to
// change, that has a version.
func policyWithVersion(r store.IAMReader, account, arn, id string) (store.IAMEntity, error) {
	p, err := resolve(r, account, Ref{store.IAMPolicy, arn})
	if err != nil {
		return p, err
	}
	_, err = version(r, p, id)
	return p, err
}

// DeletePolicyVersion deletes a version of one of the account's managed
// policies, but its default.
func (s *Service) DeletePolicyVersion(ctx context.Context, account, arn, id string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, err := policyWithVersion(w, account, arn, id)
		if err != nil {
			return err
		}
		if id == p.DefaultVersion {
			return errorf(DeleteConflict, "Cannot delete the default version of a policy.")
		}
		return w.DeletePolicyVersion(p.ID, id)
	})
}

// SetDefaultPolicyVersion makes a version of one of the account's
// managed policies its default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, account, arn, id string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, err := policyWithVersion(w, account, arn, id)
		if err != nil {
			return err
		}
		p.DefaultVersion, p.Updated = id, s.now()
		return w.PutEntity(p)
	})
}
