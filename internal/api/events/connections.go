package events

import (
	"context"
	"encoding/json"

	"github.com/vigilhq/vigil/internal/api"
	eventssvc "github.com/vigilhq/vigil/internal/events"
)

// Connections and API destinations.

// privateAPIs refuses connectivity parameters (endpoints in a VPC, which
// Vigil cannot reach).
func privateAPIs(given bool) error {
	if given {
		return validationError("Vigil does not support connectivity parameters (private API endpoints): InvocationConnectivityParameters and ConnectivityParameters are not taken.")
	}
	return nil
}

func httpParametersIn(p *ConnectionHttpParameters) *eventssvc.ConnectionHTTPParameters {
	if p == nil {
		return nil
	}
	out := &eventssvc.ConnectionHTTPParameters{}
	for _, h := range p.HeaderParameters {
		out.Header = append(out.Header, eventssvc.HTTPParameter{Key: api.Value(h.Key), Value: api.Value(h.Value), IsValueSecret: api.Value(h.IsValueSecret)})
	}
	for _, q := range p.QueryStringParameters {
		out.QueryString = append(out.QueryString, eventssvc.HTTPParameter{Key: api.Value(q.Key), Value: api.Value(q.Value), IsValueSecret: api.Value(q.IsValueSecret)})
	}
	for _, b := range p.BodyParameters {
		out.Body = append(out.Body, eventssvc.HTTPParameter{Key: api.Value(b.Key), Value: api.Value(b.Value), IsValueSecret: api.Value(b.IsValueSecret)})
	}
	return out
}

func httpParametersOut(p *eventssvc.ConnectionHTTPParameters) *ConnectionHttpParameters {
	if p == nil {
		return nil
	}
	out := &ConnectionHttpParameters{}
	for _, h := range p.Header {
		out.HeaderParameters = append(out.HeaderParameters, ConnectionHeaderParameter{Key: api.Ptr(h.Key),
			Value: api.OptionalString(h.Value), IsValueSecret: api.Ptr(h.IsValueSecret)})
	}
	for _, q := range p.QueryString {
		out.QueryStringParameters = append(out.QueryStringParameters, ConnectionQueryStringParameter{Key: api.Ptr(q.Key),
			Value: api.OptionalString(q.Value), IsValueSecret: api.Ptr(q.IsValueSecret)})
	}
	for _, b := range p.Body {
		out.BodyParameters = append(out.BodyParameters, ConnectionBodyParameter{Key: api.Ptr(b.Key),
			Value: api.OptionalString(b.Value), IsValueSecret: api.Ptr(b.IsValueSecret)})
	}
	return out
}

// createAuth is CreateConnection's AuthParameters as the service takes
// them.
func createAuth(in *CreateConnectionAuthRequestParameters) *eventssvc.ConnectionAuth {
	if in == nil {
		return nil
	}
	var a eventssvc.ConnectionAuth
	var blocks []string
	if k := in.ApiKeyAuthParameters; k != nil {
		a.APIKeyName, a.APIKeyValue = api.Value(k.ApiKeyName), api.Value(k.ApiKeyValue)
		blocks = append(blocks, "ApiKeyAuthParameters")
	}
	if b := in.BasicAuthParameters; b != nil {
		a.Username, a.Password = api.Value(b.Username), api.Value(b.Password)
		blocks = append(blocks, "BasicAuthParameters")
	}
	if o := in.OAuthParameters; o != nil {
		a.OAuth = &eventssvc.OAuthSettings{AuthorizationEndpoint: api.Value(o.AuthorizationEndpoint), HTTPMethod: string(o.HttpMethod),
			Parameters: httpParametersIn(o.OAuthHttpParameters)}
		if c := o.ClientParameters; c != nil {
			a.OAuth.ClientID, a.OAuth.ClientSecret = api.Value(c.ClientID), api.Value(c.ClientSecret)
		}
		blocks = append(blocks, "OAuthParameters")
	}
	a.Invocation = httpParametersIn(in.InvocationHttpParameters)
	a = a.WithBlocks(blocks...)
	return &a
}

// updateAuth is UpdateConnection's AuthParameters as the service takes
// them: the model's update types have the creation's members (each
// optional), so they are read as those.
func updateAuth(in *UpdateConnectionAuthRequestParameters) *eventssvc.ConnectionAuth {
	if in == nil {
		return nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic("BUG: events: cannot encode UpdateConnection's parameters: " + err.Error())
	}
	var c CreateConnectionAuthRequestParameters
	if err := json.Unmarshal(b, &c); err != nil {
		panic("BUG: events: UpdateConnection's parameters are not CreateConnection's: " + err.Error())
	}
	return createAuth(&c)
}

// authOut is a connection's AuthParameters, without its secrets.
func authOut(c *eventssvc.Connection) *ConnectionAuthResponseParameters {
	a := c.Auth
	out := &ConnectionAuthResponseParameters{InvocationHttpParameters: httpParametersOut(a.Invocation)}
	switch c.AuthorizationType {
	case eventssvc.AuthAPIKey:
		out.ApiKeyAuthParameters = &ConnectionApiKeyAuthResponseParameters{ApiKeyName: api.OptionalString(a.APIKeyName)}
	case eventssvc.AuthBasic:
		out.BasicAuthParameters = &ConnectionBasicAuthResponseParameters{Username: api.OptionalString(a.Username)}
	case eventssvc.AuthOAuth:
		if o := a.OAuth; o != nil {
			out.OAuthParameters = &ConnectionOAuthResponseParameters{
				ClientParameters:      &ConnectionOAuthClientResponseParameters{ClientID: api.OptionalString(o.ClientID)},
				AuthorizationEndpoint: api.OptionalString(o.AuthorizationEndpoint), HttpMethod: ConnectionOAuthHttpMethod(o.HTTPMethod),
				OAuthHttpParameters: httpParametersOut(o.Parameters)}
		}
	}
	return out
}

// CreateConnection creates a connection.
func (p *Provider) CreateConnection(ctx context.Context, in *CreateConnectionRequest) (*CreateConnectionResponse, error) {
	if err := privateAPIs(in.InvocationConnectivityParameters != nil ||
		in.AuthParameters != nil && in.AuthParameters.ConnectivityParameters != nil); err != nil {
		return nil, err
	}
	c, err := p.svc.CreateConnection(ctx, scope(ctx), *in.Name, eventssvc.ConnectionSettings{Description: in.Description,
		AuthorizationType: string(in.AuthorizationType), Auth: createAuth(in.AuthParameters), KmsKeyIdentifier: in.KmsKeyIdentifier})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateConnectionResponse{ConnectionArn: &c.ARN, ConnectionState: ConnectionState(c.State), CreationTime: &c.Created,
		LastModifiedTime: &c.Updated}, nil
}

// DescribeConnection describes a connection, without its secrets.
func (p *Provider) DescribeConnection(ctx context.Context, in *DescribeConnectionRequest) (*DescribeConnectionResponse, error) {
	c, err := p.svc.DescribeConnection(ctx, scope(ctx), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeConnectionResponse{ConnectionArn: &c.ARN, Name: &c.Name, Description: api.OptionalString(c.Description),
		ConnectionState: ConnectionState(c.State), StateReason: api.OptionalString(c.StateReason),
		AuthorizationType: ConnectionAuthorizationType(c.AuthorizationType), SecretArn: api.OptionalString(c.SecretARN),
		KmsKeyIdentifier: api.OptionalString(c.KmsKeyIdentifier), AuthParameters: authOut(&c), CreationTime: &c.Created,
		LastModifiedTime: &c.Updated, LastAuthorizedTime: optionalTime(c.Authorized)}, nil
}

// ListConnections lists connections.
func (p *Provider) ListConnections(ctx context.Context, in *ListConnectionsRequest) (*ListConnectionsResponse, error) {
	cs, next, err := p.svc.ListConnections(ctx, scope(ctx), api.Value(in.NamePrefix), string(in.ConnectionState),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListConnectionsResponse{Connections: make([]Connection, len(cs)), NextToken: api.OptionalString(next)}
	for i := range cs {
		c := &cs[i]
		out.Connections[i] = Connection{ConnectionArn: &c.ARN, Name: &c.Name, ConnectionState: ConnectionState(c.State),
			StateReason: api.OptionalString(c.StateReason), AuthorizationType: ConnectionAuthorizationType(c.AuthorizationType),
			CreationTime: &c.Created, LastModifiedTime: &c.Updated, LastAuthorizedTime: optionalTime(c.Authorized)}
	}
	return out, nil
}

// UpdateConnection changes a connection.
func (p *Provider) UpdateConnection(ctx context.Context, in *UpdateConnectionRequest) (*UpdateConnectionResponse, error) {
	if err := privateAPIs(in.InvocationConnectivityParameters != nil ||
		in.AuthParameters != nil && in.AuthParameters.ConnectivityParameters != nil); err != nil {
		return nil, err
	}
	c, err := p.svc.UpdateConnection(ctx, scope(ctx), *in.Name, eventssvc.ConnectionSettings{Description: in.Description,
		AuthorizationType: string(in.AuthorizationType), Auth: updateAuth(in.AuthParameters), KmsKeyIdentifier: in.KmsKeyIdentifier})
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateConnectionResponse{ConnectionArn: &c.ARN, ConnectionState: ConnectionState(c.State), CreationTime: &c.Created,
		LastModifiedTime: &c.Updated, LastAuthorizedTime: optionalTime(c.Authorized)}, nil
}

// DeleteConnection deletes a connection.
func (p *Provider) DeleteConnection(ctx context.Context, in *DeleteConnectionRequest) (*DeleteConnectionResponse, error) {
	c, err := p.svc.DeleteConnection(ctx, scope(ctx), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &DeleteConnectionResponse{ConnectionArn: &c.ARN, ConnectionState: ConnectionState(c.State), CreationTime: &c.Created,
		LastModifiedTime: &c.Updated, LastAuthorizedTime: optionalTime(c.Authorized)}, nil
}

// DeauthorizeConnection removes a connection's credentials.
func (p *Provider) DeauthorizeConnection(ctx context.Context, in *DeauthorizeConnectionRequest) (*DeauthorizeConnectionResponse, error) {
	c, err := p.svc.DeauthorizeConnection(ctx, scope(ctx), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &DeauthorizeConnectionResponse{ConnectionArn: &c.ARN, ConnectionState: ConnectionState(c.State), CreationTime: &c.Created,
		LastModifiedTime: &c.Updated, LastAuthorizedTime: optionalTime(c.Authorized)}, nil
}

// apiDestinationSettings are the settings of a Create or Update
// request.
func apiDestinationSettings(description, connection, endpoint *string, method ApiDestinationHttpMethod, rate *int32) eventssvc.APIDestinationSettings {
	set := eventssvc.APIDestinationSettings{Description: description, ConnectionARN: connection, InvocationEndpoint: endpoint,
		RateLimit: optionalInt(rate)}
	if method != "" {
		set.HTTPMethod = api.Ptr(string(method))
	}
	return set
}

// CreateApiDestination creates an API destination.
func (p *Provider) CreateApiDestination(ctx context.Context, in *CreateApiDestinationRequest) (*CreateApiDestinationResponse, error) {
	d, err := p.svc.CreateAPIDestination(ctx, scope(ctx), *in.Name, apiDestinationSettings(in.Description, in.ConnectionArn,
		in.InvocationEndpoint, in.HttpMethod, in.InvocationRateLimitPerSecond))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateApiDestinationResponse{ApiDestinationArn: &d.ARN, ApiDestinationState: ApiDestinationState(d.State),
		CreationTime: &d.Created, LastModifiedTime: &d.Updated}, nil
}

// DescribeApiDestination describes an API destination.
func (p *Provider) DescribeApiDestination(ctx context.Context, in *DescribeApiDestinationRequest) (*DescribeApiDestinationResponse, error) {
	d, err := p.svc.DescribeAPIDestination(ctx, scope(ctx), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeApiDestinationResponse{ApiDestinationArn: &d.ARN, Name: &d.Name, Description: api.OptionalString(d.Description),
		ApiDestinationState: ApiDestinationState(d.State), ConnectionArn: &d.ConnectionARN, InvocationEndpoint: &d.InvocationEndpoint,
		HttpMethod: ApiDestinationHttpMethod(d.HTTPMethod), InvocationRateLimitPerSecond: api.Ptr(int32(d.RateLimit)),
		CreationTime: &d.Created, LastModifiedTime: &d.Updated}, nil
}

// ListApiDestinations lists API destinations.
func (p *Provider) ListApiDestinations(ctx context.Context, in *ListApiDestinationsRequest) (*ListApiDestinationsResponse, error) {
	ds, next, err := p.svc.ListAPIDestinations(ctx, scope(ctx), api.Value(in.NamePrefix), api.Value(in.ConnectionArn),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListApiDestinationsResponse{ApiDestinations: make([]ApiDestination, len(ds)), NextToken: api.OptionalString(next)}
	for i := range ds {
		d := &ds[i]
		out.ApiDestinations[i] = ApiDestination{ApiDestinationArn: &d.ARN, Name: &d.Name, ApiDestinationState: ApiDestinationState(d.State),
			ConnectionArn: &d.ConnectionARN, InvocationEndpoint: &d.InvocationEndpoint, HttpMethod: ApiDestinationHttpMethod(d.HTTPMethod),
			InvocationRateLimitPerSecond: api.Ptr(int32(d.RateLimit)), CreationTime: &d.Created, LastModifiedTime: &d.Updated}
	}
	return out, nil
}

// UpdateApiDestination changes an API destination.
func (p *Provider) UpdateApiDestination(ctx context.Context, in *UpdateApiDestinationRequest) (*UpdateApiDestinationResponse, error) {
	d, err := p.svc.UpdateAPIDestination(ctx, scope(ctx), *in.Name, apiDestinationSettings(in.Description, in.ConnectionArn,
		in.InvocationEndpoint, in.HttpMethod, in.InvocationRateLimitPerSecond))
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateApiDestinationResponse{ApiDestinationArn: &d.ARN, ApiDestinationState: ApiDestinationState(d.State),
		CreationTime: &d.Created, LastModifiedTime: &d.Updated}, nil
}

// DeleteApiDestination deletes an API destination.
func (p *Provider) DeleteApiDestination(ctx context.Context, in *DeleteApiDestinationRequest) (*DeleteApiDestinationResponse, error) {
	if err := p.svc.DeleteAPIDestination(ctx, scope(ctx), *in.Name); err != nil {
		return nil, apiError(err)
	}
	return &DeleteApiDestinationResponse{}, nil
}
