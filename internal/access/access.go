// Package access decides, at the front door, whether the principal of a
// call may make it: the call's IAM actions and resources (package authz,
// from the Service Authorization Reference) are evaluated against the
// principal's policies with AWS's evaluation logic (package policy):
// identity-based policies (an IAM user's inline and attached policies
// and its groups', a role's), its permissions boundary, the session
// policies of temporary credentials, the service control policies of its
// account, and the resource-based policies the composition root hooks in
// (a role's trust policy for sts:AssumeRole, TagSession and
// SetSourceIdentity; the policies of S3 buckets, SQS queues, SNS topics
// and event buses).
//
// An account's root acting with its own long-term keys is allowed what
// no SCP and none of its own resources' policies denies; it costs nothing
// for the services without resource policies. Other accounts' resources
// called by a root the services decide themselves, in their own words.
//
// Compiled policies are cached by principal for a while, and forgotten
// at once when IAM changes anything of their account (Forget).
package access

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/authz"
	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Identity is what an IAM user's or role's permissions are made of.
type Identity struct {
	// Inline are its inline policies' documents (a user's groups'
	// included); Managed its attached managed policies' default versions.
	Inline, Managed []string
	// Boundary is its permissions boundary's document ("" for none).
	Boundary string
	// Tags are its tags (aws:PrincipalTag).
	Tags map[string]string
}

// Identities finds the policies of principals: the IAM service.
type Identities interface {
	// Identity returns an IAM user's ("user") or role's ("role")
	// policies, or an error matching store.ErrNotFound.
	Identity(ctx context.Context, account, kind, name string) (*Identity, error)
	// ManagedPolicy returns the default version of the managed policy
	// with an ARN, or an error matching store.ErrNotFound.
	ManagedPolicy(ctx context.Context, arn string) (string, error)
}

// ResourcePolicy returns the resource-based policy of a resource (nil for
// none) and the account that owns it.
type ResourcePolicy func(ctx context.Context, arn string) (p *policy.Policy, owner string, err error)

// Options configure an Authorizer.
type Options struct {
	Resolver   *authz.Resolver
	Identities Identities
	Clock      clock.Clock
	// Resources are the resource-based policy hooks, by IAM action, and
	// ServiceResources by the service of the resource's ARN ("s3").
	Resources        map[string]ResourcePolicy
	ServiceResources map[string]ResourcePolicy
	// ResourceTags returns the tags of a resource by its ARN (the tags
	// the services keep by ARN), for aws:ResourceTag; nil: the key is
	// never filled.
	ResourceTags func(ctx context.Context, arn string) (map[string]string, error)
	// SCPs returns the service control policies of an account, one list
	// of documents a level of its organization (root first), and a
	// version that changes with them; nil levels: none apply (the
	// account is in no organization, or is its management account).
	// nil: Vigil has no Organizations.
	SCPs func(ctx context.Context, account string) (levels [][]string, version uint64, err error)
	// Entity returns an IAM user, role or group ("user", "role",
	// "group") by name: its ARN, path included (which the ARNs of authz,
	// built from names, lack), its unique id and its permissions
	// boundary's ARN. nil: ARNs are used as they are, and principals are
	// not checked against what IAM holds.
	Entity func(ctx context.Context, account, kind, name string) (arn, id, boundary string, err error)
}

// Authorizer implements auth.Authorizer.
type Authorizer struct {
	opt  Options
	sets *cache.TTL[string, *compiled]
	// scps are accounts' compiled SCP levels, with their version.
	scpMu sync.Mutex
	scps  map[string]compiledSCPs
}

type compiledSCPs struct {
	version uint64
	levels  []*policy.Set
	// resourceTags: a level names aws:ResourceTag.
	resourceTags bool
}

// compiled is a principal's policies, parsed.
type compiled struct {
	identity, boundary, session *policy.Set
	// resourceTags: a policy names aws:ResourceTag, so that requests
	// need their resource's tags (looked up only then).
	resourceTags bool
	tags         map[string]string
	// err is the reason the principal may do nothing (its user or role
	// is gone).
	err error
}

const (
	cacheSize = 10000
	cacheTTL  = time.Minute
)

// New returns an Authorizer.
func New(opt Options) *Authorizer {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	return &Authorizer{opt: opt, sets: cache.NewTTL[string, *compiled](cacheSize, cacheTTL)}
}

// Forget drops what is cached of an account's principals: IAM calls it
// after every change.
func (a *Authorizer) Forget(account string) {
	a.sets.ForgetIf(func(k string) bool { return strings.HasPrefix(k, account+"|") })
}

// Authorize decides a call; its refusal is an *auth.Denied.
func (a *Authorizer) Authorize(ctx context.Context, p request.Principal, prefix, op string, input any) error {
	scps, err := a.scpLevels(ctx, p.Account)
	if err != nil {
		return err
	}
	// A root with its own keys is allowed what no SCP and no resource
	// policy denies: only the services with resource policies make it
	// worth a look.
	if p.Session == nil && isRoot(p) && scps == nil && a.opt.ServiceResources[prefix] == nil {
		return nil
	}
	if err := sessionLimits(p, prefix, op); err != nil {
		return err
	}
	info := request.FromContext(ctx)
	for _, in := range entries(op, input) {
		reqs, err := a.opt.Resolver.Resolve(prefix, op, in, authz.Scope{Partition: "aws", Region: info.Region, Account: p.Account})
		var ie *authz.InputError
		if errors.As(err, &ie) {
			// A member that names no resource in the form AWS takes: the
			// service might read it more loosely than the policies were
			// written against, so the call goes no further.
			return &auth.Denied{Message: fmt.Sprintf("User: %s is not authorized to perform: %s:%s because %s %q %s", p.ARN, prefix, op, ie.Member, ie.Value, ie.Reason)}
		} else if err != nil {
			return err
		}
		if prefix == "iam" {
			if reqs, err = a.iamPaths(ctx, op, in, reqs); err != nil {
				return err
			}
		}
		for _, q := range reqs {
			for _, resource := range q.Resources {
				if err := a.decide(ctx, info, p, q.Action, resource, q.Conditions, scps, q.ResourceTags); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// iamPaths completes what authz's IAM rows, built from names, lack: a
// user, role or group created with a Path is created at PATH/NAME; and
// UpdateUser and UpdateGroup need their action on the new ARN as well
// (its new path or name, the other as it is).
func (a *Authorizer) iamPaths(ctx context.Context, op string, input any, reqs []authz.Requirement) ([]authz.Requirement, error) {
	v := reflect.ValueOf(input)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reqs, nil
	}
	field := func(name string) (string, bool) {
		f := v.Elem().FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
			return "", false
		}
		return f.Elem().String(), true
	}
	switch op {
	case "CreateUser", "CreateRole", "CreateGroup", "CreatePolicy", "CreateInstanceProfile", "CreateVirtualMFADevice":
		path, ok := field("Path")
		if !ok || path == "/" {
			return reqs, nil
		}
		out := make([]authz.Requirement, len(reqs))
		for i, q := range reqs {
			q.Resources = slices.Clone(q.Resources)
			for j, r := range q.Resources {
				if k := strings.LastIndexByte(r, '/'); k > 0 && strings.HasPrefix(r, "arn:aws:iam::") {
					q.Resources[j] = r[:k] + path + r[k+1:]
				}
			}
			out[i] = q
		}
		return out, nil
	case "UpdateUser", "UpdateGroup":
		kind, nameField := "user", "NewUserName"
		if op == "UpdateGroup" {
			kind, nameField = "group", "NewGroupName"
		}
		newPath, pathSet := field("NewPath")
		newName, nameSet := field(nameField)
		if (!pathSet && !nameSet) || len(reqs) == 0 || len(reqs[0].Resources) != 1 || a.opt.Entity == nil {
			return reqs, nil
		}
		old := reqs[0].Resources[0]
		account, res, _ := strings.Cut(strings.TrimPrefix(old, "arn:aws:iam::"), ":")
		name := res[strings.LastIndexByte(res, '/')+1:]
		arn, _, _, err := a.opt.Entity(ctx, account, kind, name)
		if errors.Is(err, store.ErrNotFound) {
			return reqs, nil // no such entity: the service answers it
		}
		if err != nil {
			return nil, err
		}
		rest := strings.TrimPrefix(arn, "arn:aws:iam::"+account+":"+kind)
		path := rest[:strings.LastIndexByte(rest, '/')+1]
		if pathSet {
			path = newPath
		}
		if !nameSet {
			newName = name
		}
		q := reqs[0]
		q.Resources = []string{"arn:aws:iam::" + account + ":" + kind + path + newName}
		return append(slices.Clone(reqs), q), nil
	}
	return reqs, nil
}

// batches are the operations AWS decides entry by entry, and the member
// that holds their entries: one entry's source cannot pass for
// another's.
var batches = map[string]string{"PutEvents": "Entries"}

// entries returns the inputs to decide a call with: the input itself, or,
// for a batch, one copy a entry holding that entry alone.
func entries(op string, input any) []any {
	field, ok := batches[op]
	v := reflect.ValueOf(input)
	if !ok || v.Kind() != reflect.Pointer || v.IsNil() {
		return []any{input}
	}
	list := v.Elem().FieldByName(field)
	if !list.IsValid() || list.Kind() != reflect.Slice || list.Len() < 2 {
		return []any{input}
	}
	out := make([]any, list.Len())
	for i := range out {
		one := reflect.New(v.Elem().Type())
		one.Elem().Set(v.Elem())
		one.Elem().FieldByName(field).Set(list.Slice(i, i+1))
		out[i] = one.Interface()
	}
	return out
}

// AuthorizeAction decides one action on one resource for a principal
// off a request: a delivery across accounts (dispatch), made as its
// source.
func (a *Authorizer) AuthorizeAction(ctx context.Context, p request.Principal, action, resource string) error {
	scps, err := a.scpLevels(ctx, p.Account)
	if err != nil {
		return err
	}
	if p.Session == nil && isRoot(p) && scps == nil {
		return nil
	}
	info, ok := request.Lookup(ctx)
	if !ok {
		info = &request.Info{Region: regionOf(resource)}
	}
	return a.decide(ctx, info, p, action, resource, nil, scps, true)
}

// scpLevels returns the compiled SCP levels of an account (nil when none
// apply), compiled again only when their version changes.
func (a *Authorizer) scpLevels(ctx context.Context, account string) (*compiledSCPs, error) {
	if a.opt.SCPs == nil || account == "" {
		return nil, nil
	}
	levels, version, err := a.opt.SCPs(ctx, account)
	if err != nil || levels == nil {
		return nil, err
	}
	a.scpMu.Lock()
	c, ok := a.scps[account]
	a.scpMu.Unlock()
	if ok && c.version == version {
		return &c, nil
	}
	c = compiledSCPs{version: version, levels: make([]*policy.Set, len(levels))}
	for i, docs := range levels {
		var ps []*policy.Policy
		for _, doc := range docs {
			p, err := policy.ParseIdentity([]byte(doc), policy.KindSCP)
			if err != nil {
				return nil, fmt.Errorf("cannot read a service control policy of %s: %w", account, err)
			}
			ps = append(ps, p)
		}
		c.levels[i] = policy.NewSet(ps...)
		c.resourceTags = c.resourceTags || c.levels[i].NamesKey(resourceTagKey)
	}
	a.scpMu.Lock()
	if a.scps == nil || len(a.scps) >= cacheSize {
		a.scps = map[string]compiledSCPs{}
	}
	a.scps[account] = c
	a.scpMu.Unlock()
	return &c, nil
}

// resourceTagKey begins the keys of a resource's tags.
const resourceTagKey = "aws:ResourceTag/"

// withResourceTags adds the aws:ResourceTag keys of a resource's tags.
func (a *Authorizer) withResourceTags(ctx context.Context, resource string, keys map[string][]string) (map[string][]string, error) {
	tags, err := a.opt.ResourceTags(ctx, taggedARN(resource))
	if err != nil || len(tags) == 0 {
		return keys, err
	}
	out := make(map[string][]string, len(keys)+len(tags))
	for k, v := range keys {
		out[k] = v
	}
	for k, v := range tags {
		out[resourceTagKey+k] = []string{v}
	}
	return out, nil
}

// taggedARN is the ARN a resource's tags are kept under: a log group's
// for the ARNs of its streams (log-group:G:log-stream:S, log-group:G:*).
func taggedARN(arn string) string {
	if i := strings.Index(arn, ":log-stream:"); i > 0 && strings.Contains(arn, ":logs:") {
		return arn[:i]
	}
	return strings.TrimSuffix(arn, ":*")
}

// sessionLimits refuses what AWS never lets temporary credentials do,
// whatever their policies: a federated user may call neither IAM nor STS
// (but GetCallerIdentity); a session token made without MFA may not call
// IAM, nor STS but AssumeRole and GetCallerIdentity
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
func sessionLimits(p request.Principal, prefix, op string) error {
	s := p.Session
	if s == nil || prefix != "iam" && prefix != "sts" || op == "GetCallerIdentity" {
		return nil
	}
	switch {
	case strings.Contains(p.ARN, ":federated-user/"):
		return &auth.Denied{Message: fmt.Sprintf("User: %s is not authorized to perform: %s:%s: federated users may not call IAM or STS", p.ARN, prefix, op)}
	case p.ARN == s.Issuer && !s.MFA && (prefix == "iam" || op != "AssumeRole"):
		return &auth.Denied{Message: fmt.Sprintf("User: %s is not authorized to perform: %s:%s with session credentials: it takes MFA authentication information", p.ARN, prefix, op)}
	}
	return nil
}

// decide evaluates one action on one resource.
func (a *Authorizer) decide(ctx context.Context, info *request.Info, p request.Principal, action, resource string, keys map[string][]string,
	scps *compiledSCPs, tagged bool) error {
	resource, boundary := a.iamARN(ctx, p, resource)
	if boundary != "" && strings.HasPrefix(action, "iam:") && keys["iam:PermissionsBoundary"] == nil {
		// What changes a user or role is decided with the boundary it
		// has (AWS's guard against removing one's own boundary).
		keys = withKey(keys, "iam:PermissionsBoundary", boundary)
	}
	ps := &policy.Policies{}
	if scps != nil {
		ps.SCPs = scps.levels
	}
	hook := a.opt.Resources[action]
	if hook == nil {
		hook = a.opt.ServiceResources[serviceOf(resource)]
	}
	if hook != nil && resource != "*" {
		if err := a.resourcePolicy(ctx, hook, resource, ps); err != nil {
			return err
		}
	}
	if p.Session == nil && isRoot(p) && scps == nil && (ps.Resource == nil || ps.ResourceAccount != p.Account) {
		// A root in no organization is bound here by its own
		// resources' Denies only; another account's resources the
		// services decide, as S3 words it.
		return nil
	}
	c, err := a.compiled(ctx, p)
	if err != nil {
		return err
	}
	ps.Identity, ps.Boundary, ps.Session = c.identity, c.boundary, c.session
	r := &policy.Request{Principal: policy.Principal{Account: p.Account, ARN: p.ARN, UserID: p.UserID, Tags: c.tags},
		Action: action, Resource: resource, Context: a.context(info, p, keys)}
	names := c.resourceTags || scps != nil && scps.resourceTags || ps.Resource != nil && ps.Resource.NamesKey(resourceTagKey)
	if tagged && resource != "*" && a.opt.ResourceTags != nil && names {
		if r.Context, err = a.withResourceTags(ctx, resource, r.Context); err != nil {
			return err
		}
	}
	if res := policy.Authorize(r, ps); res.Decision != policy.Allow {
		return &auth.Denied{Message: res.Message(r)}
	}
	return nil
}

// iamARN returns the ARN of the IAM user, role or group that resource
// names by name only: the caller's own for a user ARN without a name (an
// operation on the caller: CreateAccessKey without UserName), the stored
// one, with its path, else; any other resource as it is. For a user or
// role it also returns the ARN of its permissions boundary.
func (a *Authorizer) iamARN(ctx context.Context, p request.Principal, resource string) (string, string) {
	rest, ok := strings.CutPrefix(resource, "arn:aws:iam::")
	if !ok {
		return resource, ""
	}
	account, res, _ := strings.Cut(rest, ":")
	kind, name, _ := strings.Cut(res, "/")
	switch {
	case kind != "user" && kind != "role" && kind != "group", a.opt.Entity == nil:
		return resource, ""
	case name == "":
		if kind != "user" || account != p.Account || !strings.Contains(p.ARN, ":user/") {
			return resource, ""
		}
		resource, name = p.ARN, p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
	}
	arn, _, boundary, err := a.opt.Entity(ctx, account, kind, name[strings.LastIndexByte(name, '/')+1:])
	switch {
	case err != nil:
		return resource, ""
	case strings.Contains(name, "/") && arn != resource:
		// A path the entity does not have names no entity.
		return resource, ""
	}
	return arn, boundary
}

func withKey(keys map[string][]string, k, v string) map[string][]string {
	out := make(map[string][]string, len(keys)+1)
	for key, vs := range keys {
		out[key] = vs
	}
	out[k] = []string{v}
	return out
}

// serviceOf returns the service of an ARN ("" for none).
func serviceOf(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 {
		return ""
	}
	return parts[2]
}

// regionOf returns the region of an ARN ("" for none).
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

func (a *Authorizer) resourcePolicy(ctx context.Context, hook ResourcePolicy, arn string, ps *policy.Policies) error {
	rp, owner, err := hook(ctx, arn)
	if err != nil {
		return fmt.Errorf("cannot read the resource-based policy of %s: %w", arn, err)
	}
	ps.Resource, ps.ResourceAccount = rp, owner
	return nil
}

// context returns the condition keys of a request: the global keys Vigil
// knows and the action's own.
func (a *Authorizer) context(info *request.Info, p request.Principal, keys map[string][]string) map[string][]string {
	now := a.opt.Clock.Now().UTC()
	c := make(map[string][]string, len(keys)+8)
	for k, v := range keys {
		c[k] = v
	}
	c["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
	c["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	c["aws:RequestedRegion"] = []string{info.Region}
	c["aws:SecureTransport"] = []string{strconv.FormatBool(info.TLS)}
	if ip := info.SourceIP; ip != "" {
		c["aws:SourceIp"] = []string{ip}
	}
	if s := p.Session; s != nil {
		c["aws:MultiFactorAuthPresent"] = []string{strconv.FormatBool(s.MFA)}
		if s.MFA {
			c["aws:MultiFactorAuthAge"] = []string{strconv.FormatInt(int64(now.Sub(s.Issued).Seconds()), 10)}
		}
		c["aws:TokenIssueTime"] = []string{s.Issued.UTC().Format(time.RFC3339)}
		if s.SourceIdentity != "" {
			c["aws:SourceIdentity"] = []string{s.SourceIdentity}
		}
	}
	return c
}

// compiled returns a principal's policies, parsed, from the cache.
func (a *Authorizer) compiled(ctx context.Context, p request.Principal) (*compiled, error) {
	key := p.Account + "|" + p.ARN
	if p.Session != nil {
		key += "|" + p.AccessKey
	}
	now := a.opt.Clock.Now()
	if c, ok := a.sets.Get(key, now); ok {
		return c, c.err
	}
	epoch := a.sets.Epoch()
	c, err := a.build(ctx, p)
	if err != nil {
		return nil, err
	}
	a.sets.Fill(key, c, now.Add(cacheTTL), epoch)
	return c, c.err
}

// build reads and parses a principal's policies.
func (a *Authorizer) build(ctx context.Context, p request.Principal) (*compiled, error) {
	c := &compiled{}
	kind, name, account := identityOf(p)
	switch {
	case kind == "root":
		// A root's session (GetSessionToken, GetFederationToken): the
		// root's permissions, which no policy grants.
		all, _ := policy.ParseIdentity([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.KindInline)
		c.identity = policy.NewSet(all)
	case kind != "":
		gone := &auth.Denied{Message: fmt.Sprintf("User: %s is not authorized to perform this operation: its %s %s no longer exists", p.ARN, kind, name)}
		if ok, err := a.same(ctx, p, account, kind, name); err != nil || !ok {
			c.err = gone
			return c, err
		}
		id, err := a.opt.Identities.Identity(ctx, account, kind, name)
		if errors.Is(err, store.ErrNotFound) {
			c.err = gone
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		if c.identity, err = parseSet(id.Inline, policy.KindInline, id.Managed); err != nil {
			return nil, err
		}
		if id.Boundary != "" {
			if c.boundary, err = parseSet(nil, 0, []string{id.Boundary}); err != nil {
				return nil, err
			}
		}
		c.tags = id.Tags
	}
	if s := p.Session; s != nil {
		if s.Policy != "" || len(s.PolicyARNs) > 0 || strings.Contains(p.ARN, ":federated-user/") {
			var docs []string
			for _, arn := range s.PolicyARNs {
				doc, err := a.opt.Identities.ManagedPolicy(ctx, arn)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				docs = append(docs, doc)
			}
			var inline []string
			if s.Policy != "" {
				inline = []string{s.Policy}
			}
			set, err := parseSet(inline, policy.KindSession, docs)
			if err != nil {
				return nil, err
			}
			c.session = set
		}
		if len(s.Tags) > 0 {
			tags := make(map[string]string, len(c.tags)+len(s.Tags))
			for k, v := range c.tags {
				tags[k] = v
			}
			for k, v := range s.Tags {
				tags[k] = v
			}
			c.tags = tags
		}
	}
	c.resourceTags = c.identity.NamesKey(resourceTagKey) || c.boundary.NamesKey(resourceTagKey) || c.session.NamesKey(resourceTagKey)
	return c, nil
}

// same reports whether the IAM user or role whose policies govern p is
// the one p was issued for: its ARN (path included) is p's (a session's
// issuer's), and a session's issuer has the unique id it had, so that a
// user or role deleted and created again under the same name gives the
// sessions of the old one nothing.
func (a *Authorizer) same(ctx context.Context, p request.Principal, account, kind, name string) (bool, error) {
	if a.opt.Entity == nil {
		return true, nil
	}
	arn, id, _, err := a.opt.Entity(ctx, account, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	want, wantID := p.ARN, ""
	if s := p.Session; s != nil {
		want, wantID = s.Issuer, s.IssuerID
	} else if kind == "user" {
		wantID = p.UserID
	}
	return arn == want && (wantID == "" || wantID == id), nil
}

// parseSet compiles documents into a Set; a document that no longer
// parses (none should: IAM checked it) fails the call.
func parseSet(inline []string, inlineKind policy.Kind, managed []string) (*policy.Set, error) {
	var ps []*policy.Policy
	for _, doc := range inline {
		p, err := policy.ParseIdentity([]byte(doc), inlineKind)
		if err != nil {
			return nil, fmt.Errorf("cannot read a stored policy: %w", err)
		}
		ps = append(ps, p)
	}
	for _, doc := range managed {
		if doc == "" {
			continue
		}
		p, err := policy.ParseIdentity([]byte(doc), policy.KindManaged)
		if err != nil {
			return nil, fmt.Errorf("cannot read a stored policy: %w", err)
		}
		ps = append(ps, p)
	}
	return policy.NewSet(ps...), nil
}

// identityOf returns the IAM identity whose policies govern p: its user,
// or its session's role or issuing user ("root" for a root's session).
func identityOf(p request.Principal) (kind, name, account string) {
	arn := p.ARN
	if s := p.Session; s != nil {
		arn = s.Issuer
	}
	_, account, resource, ok := splitIAM(arn)
	switch {
	case !ok:
		return "", "", ""
	case resource == "root":
		return "root", "", account
	case strings.HasPrefix(resource, "user/"):
		return "user", resource[strings.LastIndexByte(resource, '/')+1:], account
	case strings.HasPrefix(resource, "role/"):
		return "role", resource[strings.LastIndexByte(resource, '/')+1:], account
	}
	return "", "", ""
}

// splitIAM splits arn:aws:iam::ACCOUNT:RESOURCE.
func splitIAM(arn string) (partition, account, resource string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", "", "", false
	}
	return parts[1], parts[4], parts[5], true
}

// isRoot reports whether p is its account's root.
func isRoot(p request.Principal) bool { return p.ARN == "arn:aws:iam::"+p.Account+":root" }
