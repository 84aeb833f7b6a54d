package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
)

// CreateOpenIDConnectProvider registers an OpenID Connect provider.
func (p *Provider) CreateOpenIDConnectProvider(ctx context.Context, in *CreateOpenIDConnectProviderRequest) (*CreateOpenIDConnectProviderResponse, error) {
	tags := tagMap(in.Tags)
	arn, err := p.svc.CreateOIDCProvider(ctx, account(ctx), iamsvc.NewOIDCProvider{URL: *in.Url, ClientIDs: in.ClientIDList,
		Thumbprints: in.ThumbprintList, Tags: tags})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: &arn, Tags: tagList(tags)}, nil
}

// GetOpenIDConnectProvider returns a provider: its URL without scheme,
// as IAM returns it.
func (p *Provider) GetOpenIDConnectProvider(ctx context.Context, in *GetOpenIDConnectProviderRequest) (*GetOpenIDConnectProviderResponse, error) {
	o, err := p.svc.GetOIDCProvider(ctx, account(ctx), *in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetOpenIDConnectProviderResponse{Url: api.Ptr(o.URL), ClientIDList: o.ClientIDs, ThumbprintList: o.Thumbprints,
		CreateDate: api.Ptr(o.Created), Tags: tagList(o.Tags)}, nil
}

// ListOpenIDConnectProviders lists the ARNs of the account's providers.
func (p *Provider) ListOpenIDConnectProviders(ctx context.Context, _ *ListOpenIDConnectProvidersRequest) (*ListOpenIDConnectProvidersResponse, error) {
	arns, err := p.svc.ListOIDCProviders(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: listOf(arns, func(arn string) OpenIDConnectProviderListEntry {
		return OpenIDConnectProviderListEntry{Arn: api.Ptr(arn)}
	})}, nil
}

// DeleteOpenIDConnectProvider deletes a provider.
func (p *Provider) DeleteOpenIDConnectProvider(ctx context.Context, in *DeleteOpenIDConnectProviderRequest) (*DeleteOpenIDConnectProviderOutput, error) {
	return nil, apiError(p.svc.DeleteOIDCProvider(ctx, account(ctx), *in.OpenIDConnectProviderArn))
}

// AddClientIDToOpenIDConnectProvider adds a client id to a provider.
func (p *Provider) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *AddClientIDToOpenIDConnectProviderRequest) (*AddClientIDToOpenIDConnectProviderOutput, error) {
	return nil, apiError(p.svc.AddOIDCClientID(ctx, account(ctx), *in.OpenIDConnectProviderArn, *in.ClientID))
}

// RemoveClientIDFromOpenIDConnectProvider removes a client id of a
// provider.
func (p *Provider) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, in *RemoveClientIDFromOpenIDConnectProviderRequest) (*RemoveClientIDFromOpenIDConnectProviderOutput, error) {
	return nil, apiError(p.svc.RemoveOIDCClientID(ctx, account(ctx), *in.OpenIDConnectProviderArn, *in.ClientID))
}

// UpdateOpenIDConnectProviderThumbprint replaces a provider's
// thumbprints.
func (p *Provider) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, in *UpdateOpenIDConnectProviderThumbprintRequest) (*UpdateOpenIDConnectProviderThumbprintOutput, error) {
	return nil, apiError(p.svc.UpdateOIDCThumbprints(ctx, account(ctx), *in.OpenIDConnectProviderArn, in.ThumbprintList))
}

// TagOpenIDConnectProvider tags a provider.
func (p *Provider) TagOpenIDConnectProvider(ctx context.Context, in *TagOpenIDConnectProviderRequest) (*TagOpenIDConnectProviderOutput, error) {
	return nil, apiError(p.svc.TagOIDCProvider(ctx, account(ctx), *in.OpenIDConnectProviderArn, tagMap(in.Tags)))
}

// UntagOpenIDConnectProvider removes tags of a provider.
func (p *Provider) UntagOpenIDConnectProvider(ctx context.Context, in *UntagOpenIDConnectProviderRequest) (*UntagOpenIDConnectProviderOutput, error) {
	return nil, apiError(p.svc.UntagOIDCProvider(ctx, account(ctx), *in.OpenIDConnectProviderArn, in.TagKeys))
}

// ListOpenIDConnectProviderTags lists a provider's tags.
func (p *Provider) ListOpenIDConnectProviderTags(ctx context.Context, in *ListOpenIDConnectProviderTagsRequest) (*ListOpenIDConnectProviderTagsResponse, error) {
	list, err := p.svc.OIDCProviderTags(ctx, account(ctx), *in.OpenIDConnectProviderArn, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListOpenIDConnectProviderTagsResponse{Tags: listOf(list.Items, func(t iamsvc.Tag) Tag { return Tag{Key: api.Ptr(t.Key), Value: api.Ptr(t.Value)} })}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}
