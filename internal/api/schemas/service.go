package schemas

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/schemaregistry"
)

// Provider implements the EventBridge Schema Registry operations on the
// service.
type Provider struct {
	Unimplemented
	svc *schemaregistry.Service
}

// New returns the Schema Registry API over the service.
func New(s *schemaregistry.Service) *Provider { return &Provider{svc: s} }

// scope returns the request's account and region.
func scope(ctx context.Context) schemaregistry.Scope {
	info := request.FromContext(ctx)
	return schemaregistry.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps the service's errors to the modeled exceptions, whose
// Code is their name.
func apiError(err error) error {
	var e *schemaregistry.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case schemaregistry.NotFound:
		return &NotFoundException{Code: api.Ptr("NotFoundException"), Message: msg}
	case schemaregistry.Conflict:
		return &ConflictException{Code: api.Ptr("ConflictException"), Message: msg}
	case schemaregistry.Forbidden:
		return &ForbiddenException{Code: api.Ptr("ForbiddenException"), Message: msg}
	case schemaregistry.PreconditionFailed:
		return &PreconditionFailedException{Code: api.Ptr("PreconditionFailedException"), Message: msg}
	}
	return &BadRequestException{Code: api.Ptr("BadRequestException"), Message: msg}
}

// noCodeBindings is the answer of the code-binding operations.
func noCodeBindings() error {
	return &BadRequestException{Code: api.Ptr("BadRequestException"),
		Message: api.Ptr("Vigil does not generate code bindings: generate them from the schema's content (DescribeSchema, ExportSchema).")}
}

// CreateRegistry creates a registry.
func (p *Provider) CreateRegistry(ctx context.Context, in *CreateRegistryRequest) (*CreateRegistryResponse, error) {
	r, err := p.svc.CreateRegistry(ctx, scope(ctx), *in.RegistryName, api.Value(in.Description), in.Tags)
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateRegistryResponse{RegistryName: &r.Name, RegistryArn: &r.ARN, Description: api.OptionalString(r.Description), Tags: r.Tags}, nil
}

// DescribeRegistry describes a registry.
func (p *Provider) DescribeRegistry(ctx context.Context, in *DescribeRegistryRequest) (*DescribeRegistryResponse, error) {
	r, err := p.svc.DescribeRegistry(ctx, scope(ctx), *in.RegistryName)
	if err != nil {
		return nil, apiError(err)
	}
	return (*DescribeRegistryResponse)(registryOutput(r)), nil
}

// registryOutput is a registry as DescribeRegistry and UpdateRegistry
// return it.
func registryOutput(r schemaregistry.Registry) *RegistryOutput {
	return &RegistryOutput{RegistryName: &r.Name, RegistryArn: &r.ARN, Description: api.OptionalString(r.Description), Tags: r.Tags}
}

// UpdateRegistry replaces a registry's description.
func (p *Provider) UpdateRegistry(ctx context.Context, in *UpdateRegistryRequest) (*UpdateRegistryResponse, error) {
	r, err := p.svc.UpdateRegistry(ctx, scope(ctx), *in.RegistryName, api.Value(in.Description))
	if err != nil {
		return nil, apiError(err)
	}
	return (*UpdateRegistryResponse)(registryOutput(r)), nil
}

// DeleteRegistry deletes a registry with its schemas.
func (p *Provider) DeleteRegistry(ctx context.Context, in *DeleteRegistryRequest) (*DeleteRegistryOutput, error) {
	if err := p.svc.DeleteRegistry(ctx, scope(ctx), *in.RegistryName); err != nil {
		return nil, apiError(err)
	}
	return &DeleteRegistryOutput{}, nil
}

// ListRegistries lists registries.
func (p *Provider) ListRegistries(ctx context.Context, in *ListRegistriesRequest) (*ListRegistriesResponse, error) {
	rs, next, err := p.svc.ListRegistries(ctx, scope(ctx), api.Value(in.RegistryNamePrefix), api.Value(in.Scope), api.Value(in.NextToken),
		int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListRegistriesResponse{Registries: make([]RegistrySummary, len(rs)), NextToken: api.OptionalString(next)}
	for i, r := range rs {
		out.Registries[i] = RegistrySummary{RegistryName: api.Ptr(r.Name), RegistryArn: api.Ptr(r.ARN), Tags: r.Tags}
	}
	return out, nil
}

// PutResourcePolicy replaces a registry's resource policy.
func (p *Provider) PutResourcePolicy(ctx context.Context, in *PutResourcePolicyRequest) (*PutResourcePolicyResponse, error) {
	pol, err := p.svc.PutPolicy(ctx, scope(ctx), api.Value(in.RegistryName), *in.Policy, api.Value(in.RevisionId))
	if err != nil {
		return nil, apiError(err)
	}
	return &PutResourcePolicyResponse{Policy: &pol.Policy, RevisionId: &pol.RevisionID}, nil
}

// GetResourcePolicy returns a registry's resource policy.
func (p *Provider) GetResourcePolicy(ctx context.Context, in *GetResourcePolicyRequest) (*GetResourcePolicyResponse, error) {
	pol, err := p.svc.GetPolicy(ctx, scope(ctx), api.Value(in.RegistryName))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetResourcePolicyResponse{Policy: &pol.Policy, RevisionId: &pol.RevisionID}, nil
}

// DeleteResourcePolicy deletes a registry's resource policy.
func (p *Provider) DeleteResourcePolicy(ctx context.Context, in *DeleteResourcePolicyRequest) (*DeleteResourcePolicyOutput, error) {
	if err := p.svc.DeletePolicy(ctx, scope(ctx), api.Value(in.RegistryName)); err != nil {
		return nil, apiError(err)
	}
	return &DeleteResourcePolicyOutput{}, nil
}

// schemaOutput is a schema version as CreateSchema, DescribeSchema and
// UpdateSchema return it (DescribeSchema's with its Content).
func schemaOutput(x schemaregistry.Schema) *DescribeSchemaResponse {
	return &DescribeSchemaResponse{SchemaName: api.Ptr(x.Name), SchemaArn: api.Ptr(x.ARN), SchemaVersion: api.Ptr(x.Version),
		Type: api.Ptr(x.Type), Content: api.OptionalString(x.Content), Description: api.OptionalString(x.Description),
		LastModified: api.Ptr(x.LastModified), VersionCreatedDate: api.Ptr(x.VersionCreated), Tags: x.Tags}
}

// CreateSchema creates a schema.
func (p *Provider) CreateSchema(ctx context.Context, in *CreateSchemaRequest) (*CreateSchemaResponse, error) {
	x, err := p.svc.CreateSchema(ctx, scope(ctx), schemaregistry.Schema{Registry: *in.RegistryName, Name: *in.SchemaName,
		Description: api.Value(in.Description), Type: string(in.Type), Content: *in.Content, Tags: in.Tags})
	if err != nil {
		return nil, apiError(err)
	}
	out := schemaOutput(x)
	return &CreateSchemaResponse{SchemaName: out.SchemaName, SchemaArn: out.SchemaArn, SchemaVersion: out.SchemaVersion, Type: out.Type,
		Description: out.Description, LastModified: out.LastModified, VersionCreatedDate: out.VersionCreatedDate, Tags: out.Tags}, nil
}

// DescribeSchema describes a version of a schema.
func (p *Provider) DescribeSchema(ctx context.Context, in *DescribeSchemaRequest) (*DescribeSchemaResponse, error) {
	x, err := p.svc.DescribeSchema(ctx, scope(ctx), *in.RegistryName, *in.SchemaName, api.Value(in.SchemaVersion))
	if err != nil {
		return nil, apiError(err)
	}
	return schemaOutput(x), nil
}

// UpdateSchema changes a schema, adding a version when its content
// changes.
func (p *Provider) UpdateSchema(ctx context.Context, in *UpdateSchemaRequest) (*UpdateSchemaResponse, error) {
	x, err := p.svc.UpdateSchema(ctx, scope(ctx), *in.RegistryName, *in.SchemaName, in.Description, in.Content, string(in.Type))
	if err != nil {
		return nil, apiError(err)
	}
	out := schemaOutput(x)
	return &UpdateSchemaResponse{SchemaName: out.SchemaName, SchemaArn: out.SchemaArn, SchemaVersion: out.SchemaVersion, Type: out.Type,
		Description: out.Description, LastModified: out.LastModified, VersionCreatedDate: out.VersionCreatedDate, Tags: out.Tags}, nil
}

// DeleteSchema deletes a schema.
func (p *Provider) DeleteSchema(ctx context.Context, in *DeleteSchemaRequest) (*DeleteSchemaOutput, error) {
	if err := p.svc.DeleteSchema(ctx, scope(ctx), *in.RegistryName, *in.SchemaName); err != nil {
		return nil, apiError(err)
	}
	return &DeleteSchemaOutput{}, nil
}

// DeleteSchemaVersion deletes a version of a schema.
func (p *Provider) DeleteSchemaVersion(ctx context.Context, in *DeleteSchemaVersionRequest) (*DeleteSchemaVersionOutput, error) {
	if err := p.svc.DeleteSchemaVersion(ctx, scope(ctx), *in.RegistryName, *in.SchemaName, *in.SchemaVersion); err != nil {
		return nil, apiError(err)
	}
	return &DeleteSchemaVersionOutput{}, nil
}

// ListSchemas lists a registry's schemas.
func (p *Provider) ListSchemas(ctx context.Context, in *ListSchemasRequest) (*ListSchemasResponse, error) {
	xs, next, err := p.svc.ListSchemas(ctx, scope(ctx), *in.RegistryName, api.Value(in.SchemaNamePrefix), api.Value(in.NextToken),
		int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListSchemasResponse{Schemas: make([]SchemaSummary, len(xs)), NextToken: api.OptionalString(next)}
	for i, x := range xs {
		out.Schemas[i] = SchemaSummary{SchemaName: api.Ptr(x.Name), SchemaArn: api.Ptr(x.ARN), LastModified: api.Ptr(x.LastModified),
			VersionCount: api.Ptr(x.VersionCount), Tags: x.Tags}
	}
	return out, nil
}

// ListSchemaVersions lists a schema's versions.
func (p *Provider) ListSchemaVersions(ctx context.Context, in *ListSchemaVersionsRequest) (*ListSchemaVersionsResponse, error) {
	sc := scope(ctx)
	vs, next, err := p.svc.ListVersions(ctx, sc, *in.RegistryName, *in.SchemaName, api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	arn := schemaregistry.SchemaARN(sc, *in.RegistryName, *in.SchemaName)
	out := &ListSchemaVersionsResponse{SchemaVersions: make([]SchemaVersionSummary, len(vs)), NextToken: api.OptionalString(next)}
	for i, v := range vs {
		out.SchemaVersions[i] = SchemaVersionSummary{SchemaName: in.SchemaName, SchemaArn: &arn, SchemaVersion: api.Ptr(v.Version), Type: Type(v.Type)}
	}
	return out, nil
}

// SearchSchemas lists the schemas of a registry that have keywords, with
// their versions.
func (p *Provider) SearchSchemas(ctx context.Context, in *SearchSchemasRequest) (*SearchSchemasResponse, error) {
	xs, versions, next, err := p.svc.SearchSchemas(ctx, scope(ctx), *in.RegistryName, *in.Keywords, api.Value(in.NextToken),
		int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &SearchSchemasResponse{Schemas: make([]SearchSchemaSummary, len(xs)), NextToken: api.OptionalString(next)}
	for i, x := range xs {
		s := SearchSchemaSummary{RegistryName: in.RegistryName, SchemaName: api.Ptr(x.Name), SchemaArn: api.Ptr(x.ARN)}
		for _, v := range versions[x.Name] {
			s.SchemaVersions = append(s.SchemaVersions, SearchSchemaVersionSummary{SchemaVersion: api.Ptr(v.Version), Type: Type(v.Type),
				CreatedDate: api.Ptr(v.Created)})
		}
		out.Schemas[i] = s
	}
	return out, nil
}

// ExportSchema exports a schema as JSON Schema Draft 4.
func (p *Provider) ExportSchema(ctx context.Context, in *ExportSchemaRequest) (*ExportSchemaResponse, error) {
	x, err := p.svc.ExportSchema(ctx, scope(ctx), *in.RegistryName, *in.SchemaName, api.Value(in.SchemaVersion), *in.Type)
	if err != nil {
		return nil, apiError(err)
	}
	return &ExportSchemaResponse{Content: api.Ptr(x.Content), SchemaArn: api.Ptr(x.ARN), SchemaName: api.Ptr(x.Name),
		SchemaVersion: api.Ptr(x.Version), Type: api.Ptr(x.Type)}, nil
}

// GetDiscoveredSchema infers the schema of events.
func (p *Provider) GetDiscoveredSchema(_ context.Context, in *GetDiscoveredSchemaRequest) (*GetDiscoveredSchemaResponse, error) {
	content, err := schemaregistry.DiscoverSchema(in.Events, string(in.Type))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetDiscoveredSchemaResponse{Content: &content}, nil
}

// discovererOutput is a discoverer as the Describe, Create and Update
// operations return it.
func discovererOutput(d schemaregistry.Discoverer) *DescribeDiscovererResponse {
	return &DescribeDiscovererResponse{DiscovererId: api.Ptr(d.ID), DiscovererArn: api.Ptr(d.ARN), SourceArn: api.Ptr(d.SourceARN),
		Description: api.OptionalString(d.Description), State: DiscovererState(d.State), CrossAccount: api.Ptr(d.CrossAccount), Tags: d.Tags}
}

// CreateDiscoverer creates a discoverer of an event bus.
func (p *Provider) CreateDiscoverer(ctx context.Context, in *CreateDiscovererRequest) (*CreateDiscovererResponse, error) {
	// AWS discovers the events of other accounts unless told not to.
	cross := in.CrossAccount == nil || *in.CrossAccount
	d, err := p.svc.CreateDiscoverer(ctx, scope(ctx), *in.SourceArn, api.Value(in.Description), cross, in.Tags)
	if err != nil {
		return nil, apiError(err)
	}
	return (*CreateDiscovererResponse)(discovererOutput(d)), nil
}

// DescribeDiscoverer describes a discoverer.
func (p *Provider) DescribeDiscoverer(ctx context.Context, in *DescribeDiscovererRequest) (*DescribeDiscovererResponse, error) {
	d, err := p.svc.DescribeDiscoverer(ctx, scope(ctx), *in.DiscovererId)
	if err != nil {
		return nil, apiError(err)
	}
	return discovererOutput(d), nil
}

// UpdateDiscoverer changes a discoverer.
func (p *Provider) UpdateDiscoverer(ctx context.Context, in *UpdateDiscovererRequest) (*UpdateDiscovererResponse, error) {
	d, err := p.svc.UpdateDiscoverer(ctx, scope(ctx), *in.DiscovererId, in.Description, in.CrossAccount)
	if err != nil {
		return nil, apiError(err)
	}
	return (*UpdateDiscovererResponse)(discovererOutput(d)), nil
}

// DeleteDiscoverer deletes a discoverer.
func (p *Provider) DeleteDiscoverer(ctx context.Context, in *DeleteDiscovererRequest) (*DeleteDiscovererOutput, error) {
	if err := p.svc.DeleteDiscoverer(ctx, scope(ctx), *in.DiscovererId); err != nil {
		return nil, apiError(err)
	}
	return &DeleteDiscovererOutput{}, nil
}

// ListDiscoverers lists discoverers.
func (p *Provider) ListDiscoverers(ctx context.Context, in *ListDiscoverersRequest) (*ListDiscoverersResponse, error) {
	ds, next, err := p.svc.ListDiscoverers(ctx, scope(ctx), api.Value(in.DiscovererIdPrefix), api.Value(in.SourceArnPrefix),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListDiscoverersResponse{Discoverers: make([]DiscovererSummary, len(ds)), NextToken: api.OptionalString(next)}
	for i, d := range ds {
		out.Discoverers[i] = DiscovererSummary{DiscovererId: api.Ptr(d.ID), DiscovererArn: api.Ptr(d.ARN), SourceArn: api.Ptr(d.SourceARN),
			State: DiscovererState(d.State), CrossAccount: api.Ptr(d.CrossAccount), Tags: d.Tags}
	}
	return out, nil
}

// StartDiscoverer starts a discoverer.
func (p *Provider) StartDiscoverer(ctx context.Context, in *StartDiscovererRequest) (*StartDiscovererResponse, error) {
	d, err := p.svc.SetState(ctx, scope(ctx), *in.DiscovererId, true)
	if err != nil {
		return nil, apiError(err)
	}
	return &StartDiscovererResponse{DiscovererId: api.Ptr(d.ID), State: DiscovererState(d.State)}, nil
}

// StopDiscoverer stops a discoverer.
func (p *Provider) StopDiscoverer(ctx context.Context, in *StopDiscovererRequest) (*StopDiscovererResponse, error) {
	d, err := p.svc.SetState(ctx, scope(ctx), *in.DiscovererId, false)
	if err != nil {
		return nil, apiError(err)
	}
	return &StopDiscovererResponse{DiscovererId: api.Ptr(d.ID), State: DiscovererState(d.State)}, nil
}

// TagResource tags a registry, schema or discoverer.
func (p *Provider) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceOutput, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, in.Tags, nil); err != nil {
		return nil, apiError(err)
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of a registry, schema or discoverer.
func (p *Provider) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceOutput, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, nil, in.TagKeys); err != nil {
		return nil, apiError(err)
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists the tags of a registry, schema or
// discoverer.
func (p *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	tags, err := p.svc.TagsOf(ctx, scope(ctx), *in.ResourceArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &ListTagsForResourceResponse{Tags: tags}, nil
}

// PutCodeBinding answers that Vigil generates no code bindings.
func (p *Provider) PutCodeBinding(context.Context, *PutCodeBindingRequest) (*PutCodeBindingResponse, error) {
	return nil, noCodeBindings()
}

// DescribeCodeBinding answers that Vigil generates no code bindings.
func (p *Provider) DescribeCodeBinding(context.Context, *DescribeCodeBindingRequest) (*DescribeCodeBindingResponse, error) {
	return nil, noCodeBindings()
}

// GetCodeBindingSource answers that Vigil generates no code bindings.
func (p *Provider) GetCodeBindingSource(context.Context, *GetCodeBindingSourceRequest) (*GetCodeBindingSourceResponse, error) {
	return nil, noCodeBindings()
}
