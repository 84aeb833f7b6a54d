package organizations

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/store"
)

// CreateOrganization creates an organization whose management account is
// the caller's.
func (p *Provider) CreateOrganization(ctx context.Context, in *CreateOrganizationRequest) (*CreateOrganizationResponse, error) {
	o, err := p.svc.CreateOrganization(ctx, caller(ctx), string(in.FeatureSet))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateOrganizationResponse{Organization: organization(o)}, nil
}

// DescribeOrganization returns the caller's organization.
func (p *Provider) DescribeOrganization(ctx context.Context, _ *DescribeOrganizationInput) (*DescribeOrganizationResponse, error) {
	o, err := p.svc.DescribeOrganization(ctx, caller(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeOrganizationResponse{Organization: organization(o)}, nil
}

// DeleteOrganization deletes the caller's organization.
func (p *Provider) DeleteOrganization(ctx context.Context, _ *DeleteOrganizationInput) (*DeleteOrganizationOutput, error) {
	return result(&DeleteOrganizationOutput{}, p.svc.DeleteOrganization(ctx, caller(ctx)))
}

// ListRoots lists the roots of the caller's organization.
func (p *Provider) ListRoots(ctx context.Context, in *ListRootsRequest) (*ListRootsResponse, error) {
	list, err := p.svc.ListRoots(ctx, caller(ctx), page(in.NextToken, in.MaxResults))
	roots, next, err := listOf(list, err, root)
	return result(&ListRootsResponse{Roots: roots, NextToken: next}, err)
}

// EnablePolicyType enables SCPs in a root.
func (p *Provider) EnablePolicyType(ctx context.Context, in *EnablePolicyTypeRequest) (*EnablePolicyTypeResponse, error) {
	r, err := p.svc.EnablePolicyType(ctx, caller(ctx), api.Value(in.RootId), string(in.PolicyType))
	if err != nil {
		return nil, apiError(err)
	}
	return &EnablePolicyTypeResponse{Root: api.Ptr(root(*r))}, nil
}

// DisablePolicyType disables SCPs in a root.
func (p *Provider) DisablePolicyType(ctx context.Context, in *DisablePolicyTypeRequest) (*DisablePolicyTypeResponse, error) {
	r, err := p.svc.DisablePolicyType(ctx, caller(ctx), api.Value(in.RootId), string(in.PolicyType))
	if err != nil {
		return nil, apiError(err)
	}
	return &DisablePolicyTypeResponse{Root: api.Ptr(root(*r))}, nil
}

// CreateOrganizationalUnit creates an OU.
func (p *Provider) CreateOrganizationalUnit(ctx context.Context, in *CreateOrganizationalUnitRequest) (*CreateOrganizationalUnitResponse, error) {
	ou, err := p.svc.CreateOrganizationalUnit(ctx, caller(ctx), api.Value(in.ParentId), api.Value(in.Name), tags(in.Tags))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateOrganizationalUnitResponse{OrganizationalUnit: api.Ptr(unit(*ou))}, nil
}

// DescribeOrganizationalUnit returns an OU.
func (p *Provider) DescribeOrganizationalUnit(ctx context.Context, in *DescribeOrganizationalUnitRequest) (*DescribeOrganizationalUnitResponse, error) {
	ou, err := p.svc.DescribeOrganizationalUnit(ctx, caller(ctx), api.Value(in.OrganizationalUnitId))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeOrganizationalUnitResponse{OrganizationalUnit: api.Ptr(unit(*ou))}, nil
}

// UpdateOrganizationalUnit renames an OU.
func (p *Provider) UpdateOrganizationalUnit(ctx context.Context, in *UpdateOrganizationalUnitRequest) (*UpdateOrganizationalUnitResponse, error) {
	ou, err := p.svc.UpdateOrganizationalUnit(ctx, caller(ctx), api.Value(in.OrganizationalUnitId), api.Value(in.Name))
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateOrganizationalUnitResponse{OrganizationalUnit: api.Ptr(unit(*ou))}, nil
}

// DeleteOrganizationalUnit deletes an empty OU.
func (p *Provider) DeleteOrganizationalUnit(ctx context.Context, in *DeleteOrganizationalUnitRequest) (*DeleteOrganizationalUnitOutput, error) {
	return result(&DeleteOrganizationalUnitOutput{}, p.svc.DeleteOrganizationalUnit(ctx, caller(ctx), api.Value(in.OrganizationalUnitId)))
}

// ListOrganizationalUnitsForParent lists the OUs in a root or OU.
func (p *Provider) ListOrganizationalUnitsForParent(ctx context.Context, in *ListOrganizationalUnitsForParentRequest) (*ListOrganizationalUnitsForParentResponse, error) {
	list, err := p.svc.ListChildren(ctx, caller(ctx), api.Value(in.ParentId), store.OrgUnit, page(in.NextToken, in.MaxResults))
	units, next, err := listOf(list, err, unit)
	return result(&ListOrganizationalUnitsForParentResponse{OrganizationalUnits: units, NextToken: next}, err)
}

// ListChildren lists the OUs or the accounts in a root or OU.
func (p *Provider) ListChildren(ctx context.Context, in *ListChildrenRequest) (*ListChildrenResponse, error) {
	list, err := p.svc.ListChildren(ctx, caller(ctx), api.Value(in.ParentId), store.OrgNodeKind(in.ChildType),
		page(in.NextToken, in.MaxResults))
	children, next, err := listOf(list, err, func(n store.OrgNode) Child { return Child{Id: api.Ptr(n.ID), Type: ChildType(n.Kind)} })
	return result(&ListChildrenResponse{Children: children, NextToken: next}, err)
}

// ListParents lists the parent of an OU or account.
func (p *Provider) ListParents(ctx context.Context, in *ListParentsRequest) (*ListParentsResponse, error) {
	list, err := p.svc.ListParents(ctx, caller(ctx), api.Value(in.ChildId), page(in.NextToken, in.MaxResults))
	parents, next, err := listOf(list, err,
		func(n store.OrgNode) Parent { return Parent{Id: api.Ptr(n.ID), Type: ParentType(n.Kind)} })
	return result(&ListParentsResponse{Parents: parents, NextToken: next}, err)
}
