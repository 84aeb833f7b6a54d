package logs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/store"
)

// maxSubscriptionFilters is the number of subscription filters a log group
// may have.
const maxSubscriptionFilters = 2

// SubscriptionFilter is a subscription filter as DescribeSubscriptionFilters
// returns it.
type SubscriptionFilter struct {
	Group          string
	Name           string
	Pattern        string
	DestinationARN string
	RoleARN        string
	Distribution   string
	Created        int64
}

type compiledSubscription struct {
	name        string
	pattern     *filterpattern.Pattern
	destination string
}

// checkTarget accepts the destinations Vigil delivers to — a CloudWatch
// Logs destination or a log group, in any account — and explains that the
// others are not supported.
func checkTarget(target string) (arn, error) {
	a, err := parseARN(target)
	if err != nil {
		return arn{}, errorf(InvalidParameter, "Invalid destination ARN %q.", target)
	}
	if a.service == "logs" && (a.resourceType == "destination" || a.resourceType == "log-group") && a.resource != "" {
		return a, nil
	}
	return arn{}, errorf(InvalidParameter,
		"Vigil delivers subscription data to CloudWatch Logs destinations (arn:aws:logs:REGION:ACCOUNT:destination:NAME) "+
			"and log groups (arn:aws:logs:REGION:ACCOUNT:log-group:NAME); %s is a %s target, which Vigil does not support.", target, a.service)
}

// PutSubscriptionFilter creates or replaces a subscription filter.
func (e *Engine) PutSubscriptionFilter(ctx context.Context, sc Scope, f SubscriptionFilter) error {
	if _, err := parsePattern(f.Pattern); err != nil {
		return err
	}
	target, err := checkTarget(f.DestinationARN)
	if err != nil {
		return err
	}
	g, err := e.group(ctx, sc, f.Group, "")
	if err != nil {
		return err
	}
	if target.resourceType == "destination" {
		if err := e.checkDestinationAccess(ctx, sc, target); err != nil {
			return err
		}
	}
	existing, err := e.opt.Store.SubscriptionFilters(ctx, g.ID)
	if err != nil {
		return err
	}
	if len(existing) >= maxSubscriptionFilters && !slices.ContainsFunc(existing, func(s store.SubscriptionFilter) bool { return s.Name == f.Name }) {
		return errorf(LimitExceeded, "Resource limit exceeded.")
	}
	if f.Distribution == "" {
		f.Distribution = "ByLogStream"
	}
	defer e.forgetFilters(g.ID)
	return e.opt.Store.PutSubscriptionFilter(ctx, store.SubscriptionFilter{
		GroupID: g.ID, Name: f.Name, Pattern: f.Pattern, DestinationARN: f.DestinationARN,
		RoleARN: f.RoleARN, Distribution: f.Distribution, Created: e.now(),
	})
}

// checkDestinationAccess verifies that a destination exists and that its
// access policy lets the scope's account subscribe (its own account always
// may).
func (e *Engine) checkDestinationAccess(ctx context.Context, sc Scope, target arn) error {
	d, err := e.opt.Store.LogDestination(ctx, target.account, target.region, target.resource)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified destination does not exist.")
	}
	if err != nil {
		return err
	}
	if target.account == sc.Account || policyAllows(d.AccessPolicy, sc.Account, "logs:PutSubscriptionFilter") {
		return nil
	}
	return errorf(AccessDenied, "User with accountId: %s is not authorized to perform: logs:PutSubscriptionFilter on resource: %s",
		sc.Account, DestinationARN(Scope{Account: target.account, Region: target.region}, target.resource))
}

// policyAllows evaluates a destination access policy: an Allow statement
// whose principal names the account (or "*") and whose actions include
// the action (or a wildcard) allows it. Deny statements and conditions are
// not evaluated: a policy that has them allows nothing it does not state.
func policyAllows(policy, account, action string) bool {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		var effect string
		if json.Unmarshal(st["Effect"], &effect) != nil || effect != "Allow" || st["Condition"] != nil {
			continue
		}
		if principalMatches(st["Principal"], account) && stringsMatch(st["Action"], action) {
			return true
		}
	}
	return false
}

func principalMatches(raw json.RawMessage, account string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var p struct{ AWS json.RawMessage }
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	for _, v := range stringList(p.AWS) {
		if v == "*" || v == account || v == "arn:aws:iam::"+account+":root" {
			return true
		}
	}
	return false
}

func stringsMatch(raw json.RawMessage, action string) bool {
	for _, v := range stringList(raw) {
		if v == "*" || strings.EqualFold(v, action) || strings.EqualFold(v, "logs:*") {
			return true
		}
	}
	return false
}

// stringList reads a JSON string or array of strings.
func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// DescribeSubscriptionFilters lists a group's subscription filters.
func (e *Engine) DescribeSubscriptionFilters(ctx context.Context, sc Scope, group, prefix string, limit int, token string) ([]SubscriptionFilter, string, error) {
	g, err := e.group(ctx, sc, group, "")
	if err != nil {
		return nil, "", err
	}
	stored, err := e.opt.Store.SubscriptionFilters(ctx, g.ID)
	if err != nil {
		return nil, "", err
	}
	var all []SubscriptionFilter
	for _, s := range stored {
		if strings.HasPrefix(s.Name, prefix) {
			all = append(all, SubscriptionFilter{Group: g.Name, Name: s.Name, Pattern: s.Pattern, DestinationARN: s.DestinationARN,
				RoleARN: s.RoleARN, Distribution: s.Distribution, Created: s.Created})
		}
	}
	return paginate(all, limit, 50, token, "subscriptionfilters", func(f SubscriptionFilter) string { return f.Name })
}

// DeleteSubscriptionFilter deletes a subscription filter.
func (e *Engine) DeleteSubscriptionFilter(ctx context.Context, sc Scope, group, name string) error {
	g, err := e.group(ctx, sc, group, "")
	if err != nil {
		return err
	}
	defer e.forgetFilters(g.ID)
	err = e.opt.Store.DeleteSubscriptionFilter(ctx, g.ID, name)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified subscription filter does not exist.")
	}
	return err
}

// Destination is a CloudWatch Logs destination.
type Destination struct {
	Name, TargetARN, RoleARN, AccessPolicy string
	ARN                                    string
	Created                                int64
}

func toDestination(sc Scope, d store.LogDestination) Destination {
	return Destination{Name: d.Name, TargetARN: d.TargetARN, RoleARN: d.RoleARN, AccessPolicy: d.AccessPolicy,
		ARN: DestinationARN(sc, d.Name), Created: d.Created}
}

// PutDestination creates or updates a destination; its target must be a
// log group (Vigil's stand-in for a Kinesis stream).
func (e *Engine) PutDestination(ctx context.Context, sc Scope, name, target, role string, tags map[string]string) (*Destination, error) {
	a, err := checkTarget(target)
	if err != nil {
		return nil, err
	}
	if a.resourceType != "log-group" {
		return nil, errorf(InvalidParameter, "The target of a destination must be a log group ARN; %s is not one.", target)
	}
	d := store.LogDestination{Account: sc.Account, Region: sc.Region, Name: name, TargetARN: target, RoleARN: role, Created: e.now()}
	if err := e.opt.Store.PutLogDestination(ctx, d, DestinationARN(sc, name), tags); err != nil {
		return nil, err
	}
	stored, err := e.opt.Store.LogDestination(ctx, sc.Account, sc.Region, name)
	if err != nil {
		return nil, err
	}
	out := toDestination(sc, *stored)
	return &out, nil
}

// PutDestinationPolicy sets the access policy of a destination.
func (e *Engine) PutDestinationPolicy(ctx context.Context, sc Scope, name, policy string) error {
	var doc map[string]any
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return errorf(InvalidParameter, "The access policy is not valid JSON.")
	}
	err := e.opt.Store.SetLogDestinationPolicy(ctx, sc.Account, sc.Region, name, policy)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified destination does not exist.")
	}
	return err
}

// DescribeDestinations lists destinations by name.
func (e *Engine) DescribeDestinations(ctx context.Context, sc Scope, prefix string, limit int, token string) ([]Destination, string, error) {
	stored, err := e.opt.Store.LogDestinations(ctx, sc.Account, sc.Region, prefix)
	if err != nil {
		return nil, "", err
	}
	all := make([]Destination, len(stored))
	for i, d := range stored {
		all[i] = toDestination(sc, d)
	}
	return paginate(all, limit, 50, token, "destinations", func(d Destination) string { return d.Name })
}

// DeleteDestination deletes a destination.
func (e *Engine) DeleteDestination(ctx context.Context, sc Scope, name string) error {
	err := e.opt.Store.DeleteLogDestination(ctx, sc.Account, sc.Region, name, DestinationARN(sc, name))
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified destination does not exist.")
	}
	return err
}
