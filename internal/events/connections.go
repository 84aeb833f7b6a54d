package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// Connections (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection.html)
// hold how an API destination authorizes: an API key header, Basic
// credentials, or OAuth client credentials exchanged for a bearer token,
// with HTTP parameters added to each invocation. Their secrets are kept
// in the state store and never returned.

// The authorization types of a connection.
const (
	AuthAPIKey = "API_KEY"
	AuthBasic  = "BASIC"
	AuthOAuth  = "OAUTH_CLIENT_CREDENTIALS"
)

// The states of a connection Vigil reports: an API key or Basic
// connection is authorized when created; an OAuth one is authorizing
// until a token is fetched at its first invocation.
const (
	ConnectionAuthorized   = "AUTHORIZED"
	ConnectionAuthorizing  = "AUTHORIZING"
	ConnectionDeauthorized = "DEAUTHORIZED"
)

// HTTPParameter is a header, query string or body parameter of a
// connection. A secret value is never returned.
type HTTPParameter struct {
	Key, Value    string
	IsValueSecret bool `json:",omitempty"`
}

// ConnectionHTTPParameters are the parameters a connection adds to its
// invocations or its OAuth token requests.
type ConnectionHTTPParameters struct {
	Header, QueryString, Body []HTTPParameter `json:",omitempty"`
}

// OAuthSettings are an OAuth client-credentials connection's.
type OAuthSettings struct {
	ClientID, ClientSecret string `json:",omitempty"`
	// AuthorizationEndpoint is the token endpoint; HTTPMethod (GET, POST
	// or PUT) how it is called.
	AuthorizationEndpoint, HTTPMethod string                    `json:",omitempty"`
	Parameters                        *ConnectionHTTPParameters `json:",omitempty"`
}

// ConnectionAuth are a connection's AuthParameters. In an update, what
// is empty (nil) is kept.
type ConnectionAuth struct {
	APIKeyName, APIKeyValue string                    `json:",omitempty"`
	Username, Password      string                    `json:",omitempty"`
	OAuth                   *OAuthSettings            `json:",omitempty"`
	Invocation              *ConnectionHTTPParameters `json:",omitempty"`
	// blocks says which parameter blocks a request gave (API key, Basic,
	// OAuth), for validation.
	blocks []string
}

// WithBlocks returns the auth parameters naming the parameter blocks the
// request gave ("ApiKeyAuthParameters", "BasicAuthParameters",
// "OAuthParameters"), which the authorization type is checked against.
func (a ConnectionAuth) WithBlocks(blocks ...string) ConnectionAuth {
	a.blocks = blocks
	return a
}

// ConnectionSettings are what CreateConnection sets and UpdateConnection
// changes (those given).
type ConnectionSettings struct {
	Description       *string
	AuthorizationType string
	Auth              *ConnectionAuth
	KmsKeyIdentifier  *string
}

// connectionDefinition is what a connection holds beyond what the store
// looks it up by, its secrets included.
type connectionDefinition struct {
	Description       string         `json:",omitempty"`
	AuthorizationType string         `json:",omitempty"`
	Auth              ConnectionAuth `json:",omitzero"`
	KmsKeyIdentifier  string         `json:",omitempty"`
}

func encodeJSON(v any, what string) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: events: cannot encode " + what + ": " + err.Error())
	}
	return b
}

// Sealer encrypts what Vigil keeps secret at rest (auth.Sealer, with the
// data directory's key): a connection's definition holds its secrets.
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// encodeConnection encodes a connection's definition as it is stored:
// sealed, when the Service has a Sealer.
func (s *Service) encodeConnection(def connectionDefinition) []byte {
	b := encodeJSON(def, "a connection")
	if s.opt.Sealer != nil {
		b = s.opt.Sealer.Seal(b)
	}
	return b
}

func (s *Service) decodeConnection(c *store.EventConnection) (connectionDefinition, error) {
	var def connectionDefinition
	b := c.Definition
	if s.opt.Sealer != nil {
		var err error
		if b, err = s.opt.Sealer.Open(b); err != nil {
			return def, fmt.Errorf("cannot open connection %s: %w", c.ARN, err)
		}
	}
	if err := json.Unmarshal(b, &def); err != nil {
		return def, fmt.Errorf("cannot read connection %s: %w", c.ARN, err)
	}
	return def, nil
}

// Connection is a connection as the API describes it: its secrets
// (API key value, password, client secret, secret parameter values)
// removed.
type Connection struct {
	Name, ARN, Description, State, StateReason     string
	AuthorizationType, SecretARN, KmsKeyIdentifier string
	Auth                                           ConnectionAuth
	Created, Updated, Authorized                   time.Time
}

// redacted returns parameters without their secret values.
func redacted(p *ConnectionHTTPParameters) *ConnectionHTTPParameters {
	if p == nil {
		return nil
	}
	strip := func(ps []HTTPParameter) []HTTPParameter {
		out := slices.Clone(ps)
		for i := range out {
			if out[i].IsValueSecret {
				out[i].Value = ""
			}
		}
		return out
	}
	return &ConnectionHTTPParameters{Header: strip(p.Header), QueryString: strip(p.QueryString), Body: strip(p.Body)}
}

func (s *Service) describeConnection(c *store.EventConnection) (Connection, error) {
	def, err := s.decodeConnection(c)
	if err != nil {
		return Connection{}, err
	}
	a := def.Auth
	auth := ConnectionAuth{APIKeyName: a.APIKeyName, Username: a.Username, Invocation: redacted(a.Invocation)}
	if a.OAuth != nil {
		auth.OAuth = &OAuthSettings{ClientID: a.OAuth.ClientID, AuthorizationEndpoint: a.OAuth.AuthorizationEndpoint,
			HTTPMethod: a.OAuth.HTTPMethod, Parameters: redacted(a.OAuth.Parameters)}
	}
	out := Connection{Name: c.Name, ARN: c.ARN, Description: def.Description, State: c.State,
		AuthorizationType: def.AuthorizationType, KmsKeyIdentifier: def.KmsKeyIdentifier, Auth: auth,
		Created: msTime(c.Created), Updated: msTime(c.Updated)}
	if c.State != ConnectionDeauthorized {
		out.SecretARN = connectionSecretARN(c)
	}
	if c.Authorized > 0 {
		out.Authorized = msTime(c.Authorized)
	}
	return out, nil
}

// connectionSecretARN names the secret Vigil keeps a connection's
// credentials as, in the form AWS's Secrets Manager names them.
func connectionSecretARN(c *store.EventConnection) string {
	return "arn:aws:secretsmanager:" + c.Region + ":" + c.Account + ":secret:events!connection/" + c.Name + "/" +
		resourceName(c.ARN)
}

func connectionARN(sc Scope, name, id string) string {
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":connection/" + name + "/" + id
}

// connectionNotFound is AWS's answer for a connection that does not
// exist.
func connectionNotFound(name string) error {
	return errorf(ResourceNotFound, "Failed to describe the connection(s). Connection '%s' does not exist.", name)
}

// authBlock is the parameter block an authorization type takes.
var authBlock = map[string]string{AuthAPIKey: "ApiKeyAuthParameters", AuthBasic: "BasicAuthParameters", AuthOAuth: "OAuthParameters"}

// checkAuth validates the auth parameters given for an authorization
// type; create requires every credential of the type.
func checkAuth(typ string, a *ConnectionAuth, create bool) error {
	want, ok := authBlock[typ]
	if !ok {
		return errorf(Validation, "Parameter AuthorizationType is not valid. Reason: %q is not one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS.", typ)
	}
	for _, b := range a.blocks {
		if b != want {
			return errorf(Validation, "Parameter AuthParameters is not valid. Reason: %s cannot be used with AuthorizationType %s.", b, typ)
		}
	}
	if create && !slices.Contains(a.blocks, want) {
		return errorf(Validation, "Parameter AuthParameters is not valid. Reason: %s is required for AuthorizationType %s.", want, typ)
	}
	if o := a.OAuth; o != nil {
		if o.HTTPMethod != "" && !slices.Contains([]string{"GET", "POST", "PUT"}, o.HTTPMethod) {
			return errorf(Validation, "Parameter OAuthParameters.HttpMethod is not valid. Reason: %q is not one of GET, POST, PUT.", o.HTTPMethod)
		}
		if o.AuthorizationEndpoint != "" {
			if err := checkEndpoint("AuthorizationEndpoint", o.AuthorizationEndpoint); err != nil {
				return err
			}
		}
		if create && (o.ClientID == "" || o.ClientSecret == "" || o.AuthorizationEndpoint == "" || o.HTTPMethod == "") {
			return errorf(Validation, "Parameter OAuthParameters is not valid. Reason: ClientParameters, AuthorizationEndpoint and HttpMethod are required.")
		}
	}
	return nil
}

// checkEndpoint validates an endpoint Vigil calls: an https URL, or, for
// local testing (where AWS takes only https), an http URL of the loopback
// host (localhost, 127.0.0.1, [::1]).
func checkEndpoint(param, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil
	}
	return errorf(Validation, "Parameter %s is not valid. Reason: %s is not an https URL.", param, endpoint)
}

func isLoopback(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }

// merge sets the auth parameters given in an update on a connection's.
func (a *ConnectionAuth) merge(set *ConnectionAuth) {
	for _, f := range []struct{ to, from *string }{
		{&a.APIKeyName, &set.APIKeyName}, {&a.APIKeyValue, &set.APIKeyValue}, {&a.Username, &set.Username}, {&a.Password, &set.Password},
	} {
		if *f.from != "" {
			*f.to = *f.from
		}
	}
	if set.Invocation != nil {
		a.Invocation = set.Invocation
	}
	if o := set.OAuth; o != nil {
		if a.OAuth == nil {
			a.OAuth = &OAuthSettings{}
		}
		for _, f := range []struct{ to, from *string }{
			{&a.OAuth.ClientID, &o.ClientID}, {&a.OAuth.ClientSecret, &o.ClientSecret},
			{&a.OAuth.AuthorizationEndpoint, &o.AuthorizationEndpoint}, {&a.OAuth.HTTPMethod, &o.HTTPMethod},
		} {
			if *f.from != "" {
				*f.to = *f.from
			}
		}
		if o.Parameters != nil {
			a.OAuth.Parameters = o.Parameters
		}
	}
	a.blocks = nil
}

// initialState is the state of a connection whose credentials were just
// set.
func initialState(typ string) string {
	if typ == AuthOAuth {
		return ConnectionAuthorizing
	}
	return ConnectionAuthorized
}

// CreateConnection creates a connection.
func (s *Service) CreateConnection(ctx context.Context, sc Scope, name string, set ConnectionSettings) (Connection, error) {
	if set.Auth == nil {
		return Connection{}, errorf(Validation, "Parameter AuthParameters is required.")
	}
	if err := checkAuth(set.AuthorizationType, set.Auth, true); err != nil {
		return Connection{}, err
	}
	def := connectionDefinition{AuthorizationType: set.AuthorizationType, Auth: *set.Auth}
	def.Auth.blocks = nil
	if set.Description != nil {
		def.Description = *set.Description
	}
	if set.KmsKeyIdentifier != nil {
		def.KmsKeyIdentifier = *set.KmsKeyIdentifier
	}
	now := s.now()
	c := store.EventConnection{ARN: connectionARN(sc, name, svcevents.NewID()), Account: sc.Account, Region: sc.Region, Name: name,
		State: initialState(set.AuthorizationType), Definition: s.encodeConnection(def), Created: now, Updated: now}
	if c.State == ConnectionAuthorized {
		c.Authorized = now
	}
	err := s.opt.Store.CreateConnection(ctx, c)
	if errors.Is(err, store.ErrExists) {
		return Connection{}, errorf(ResourceAlreadyExists, "Connection %s already exists.", name)
	}
	if err != nil {
		return Connection{}, err
	}
	return s.describeConnection(&c)
}

// DescribeConnection describes a connection.
func (s *Service) DescribeConnection(ctx context.Context, sc Scope, name string) (Connection, error) {
	c, err := s.opt.Store.Connection(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return Connection{}, connectionNotFound(name)
	}
	if err != nil {
		return Connection{}, err
	}
	return s.describeConnection(c)
}

// ListConnections lists connections by name, those whose names begin
// with prefix and, when state is not "", in that state.
func (s *Service) ListConnections(ctx context.Context, sc Scope, prefix, state, token string, limit int) ([]Connection, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	cs, err := s.opt.Store.Connections(ctx, sc.Account, sc.Region, prefix, state, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(cs, limit, func(c store.EventConnection) string { return c.Name }, s.describeConnection)
}

// UpdateConnection changes a connection. New credentials authorize it
// again (an OAuth one once a token is fetched with them).
func (s *Service) UpdateConnection(ctx context.Context, sc Scope, name string, set ConnectionSettings) (Connection, error) {
	c, err := s.opt.Store.UpdateConnection(ctx, sc.Account, sc.Region, name, func(c *store.EventConnection) error {
		def, err := s.decodeConnection(c)
		if err != nil {
			return err
		}
		typ := def.AuthorizationType
		changed := set.AuthorizationType != "" && set.AuthorizationType != typ
		if changed {
			typ = set.AuthorizationType
			if set.Auth == nil {
				return errorf(Validation, "Parameter AuthParameters is not valid. Reason: %s is required for AuthorizationType %s.", authBlock[typ], typ)
			}
		}
		if set.Auth != nil {
			if err := checkAuth(typ, set.Auth, changed); err != nil {
				return err
			}
			if changed {
				def.Auth = ConnectionAuth{}
			}
			def.Auth.merge(set.Auth)
			def.AuthorizationType = typ
			if len(set.Auth.blocks) > 0 || changed || c.State == ConnectionDeauthorized {
				c.State = initialState(typ)
				c.Authorized = 0
				if c.State == ConnectionAuthorized {
					c.Authorized = s.now()
				}
			}
		}
		if set.Description != nil {
			def.Description = *set.Description
		}
		if set.KmsKeyIdentifier != nil {
			def.KmsKeyIdentifier = *set.KmsKeyIdentifier
		}
		c.Definition = s.encodeConnection(def)
		c.Updated = s.now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return Connection{}, connectionNotFound(name)
	}
	if err != nil {
		return Connection{}, err
	}
	return s.describeConnection(c)
}

// DeauthorizeConnection removes a connection's credentials (the API key
// value, the password or the client secret, and the OAuth token Vigil
// holds): its API destinations fail until UpdateConnection gives new
// ones.
func (s *Service) DeauthorizeConnection(ctx context.Context, sc Scope, name string) (Connection, error) {
	c, err := s.opt.Store.UpdateConnection(ctx, sc.Account, sc.Region, name, func(c *store.EventConnection) error {
		def, err := s.decodeConnection(c)
		if err != nil {
			return err
		}
		def.Auth.APIKeyValue, def.Auth.Password = "", ""
		if def.Auth.OAuth != nil {
			def.Auth.OAuth.ClientSecret = ""
		}
		c.Definition = s.encodeConnection(def)
		c.State, c.Authorized, c.Updated = ConnectionDeauthorized, 0, s.now()
		return nil
	})
	return s.forgotten(c, name, err)
}

// DeleteConnection deletes a connection; the invocations of the API
// destinations that use it fail.
func (s *Service) DeleteConnection(ctx context.Context, sc Scope, name string) (Connection, error) {
	c, err := s.opt.Store.DeleteConnection(ctx, sc.Account, sc.Region, name)
	return s.forgotten(c, name, err)
}

// forgotten describes connection c, named name, after a change that
// leaves it without credentials (deauthorized or deleted): its cached
// OAuth token is dropped.
func (s *Service) forgotten(c *store.EventConnection, name string, err error) (Connection, error) {
	if errors.Is(err, store.ErrNotFound) {
		return Connection{}, connectionNotFound(name)
	}
	if err != nil {
		return Connection{}, err
	}
	s.tokens.drop(c.ARN)
	return s.describeConnection(c)
}

// ownConnection resolves a connection ARN of the caller's scope.
func (s *Service) ownConnection(ctx context.Context, sc Scope, arn string) (*store.EventConnection, error) {
	prefix := "arn:aws:events:" + sc.Region + ":" + sc.Account + ":connection/"
	rest, ok := strings.CutPrefix(arn, prefix)
	name, _, _ := strings.Cut(rest, "/")
	if !ok || name == "" {
		return nil, errorf(Validation, "Parameter ConnectionArn is not valid. Reason: %s is not the ARN of a connection of account %s in %s.", arn, sc.Account, sc.Region)
	}
	c, err := s.opt.Store.Connection(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.ARN != arn {
		return nil, connectionNotFound(name)
	}
	return c, err
}
