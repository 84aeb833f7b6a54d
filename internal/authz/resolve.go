package authz

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
)

//go:embed *.authz
var dataFiles embed.FS

// Service describes a service Vigil routes, for New.
type Service struct {
	// Prefix is the service's IAM prefix ("logs", "config"), the key of
	// its data section and of Resolve.
	Prefix string
	// Inputs holds the generated input struct type of each operation,
	// by operation name (protocol.Operation.Input).
	Inputs map[string]reflect.Type
}

// Scope is where a request runs: the partition, region and account that
// fill ${Partition}, ${Region} and ${Account} in ARNs, unless a member
// names a resource elsewhere (an ARN, a queue URL).
type Scope struct {
	// Partition is "aws" unless Vigil answers as another partition.
	Partition string
	// Region and Account are the request's (its SigV4 scope, its
	// principal's account).
	Region  string
	Account string
}

// Requirement is one authorization a call needs: Action on every one of
// Resources, in the context of Conditions.
type Requirement struct {
	// Action is the IAM action, "logs:PutLogEvents".
	Action string
	// Resources are ARNs, or "*" for an action without resource types.
	Resources []string
	// Conditions holds the condition keys the request fills
	// ("aws:RequestTag/env", "sns:Protocol", "s3:prefix"); nil when none.
	Conditions map[string][]string
	// ResourceTags reports that the action's resources support
	// aws:ResourceTag/${TagKey}: the caller looks up each resource's tags
	// and evaluates it with ResourceConditions.
	ResourceTags bool
}

// ResourceConditions returns the condition keys to evaluate q on one of
// its resources whose tags are tags: Conditions, plus
// aws:ResourceTag/KEY for each tag when q.ResourceTags. Conditions is not
// modified.
func (q Requirement) ResourceConditions(tags map[string]string) map[string][]string {
	if !q.ResourceTags || len(tags) == 0 {
		return q.Conditions
	}
	out := make(map[string][]string, len(q.Conditions)+len(tags))
	maps.Copy(out, q.Conditions)
	for k, v := range tags {
		out["aws:ResourceTag/"+k] = []string{v}
	}
	return out
}

// InputError reports a member whose value cannot name a resource: an ARN
// of the wrong form, a malformed queue URL or copy source. The call is
// invalid; the caller answers the service's validation error.
type InputError struct {
	Service, Operation string
	// Member is the member's path, Value what it held.
	Member, Value string
	Reason        string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("cannot authorize %s:%s: %s %q %s", e.Service, e.Operation, e.Member, e.Value, e.Reason)
}

// Resolver finds the requirements of calls. It is immutable and safe for
// concurrent use.
type Resolver struct {
	ops map[string]map[string]*compiledOp
}

// New compiles the embedded data for services. It fails when an
// operation of a service has no entry, when an entry names an operation
// the service does not have, or when an entry does not fit the
// operation's input type or the Service Authorization Reference tables
// of the data.
func New(services ...Service) (*Resolver, error) {
	all, err := loadData()
	if err != nil {
		return nil, err
	}
	r := &Resolver{ops: map[string]map[string]*compiledOp{}}
	var errs []error
	for _, s := range services {
		sd := all[s.Prefix]
		if sd == nil {
			errs = append(errs, fmt.Errorf("no authorization data for service %s", s.Prefix))
			continue
		}
		c := &compiler{all: all}
		ops := make(map[string]*compiledOp, len(s.Inputs))
		for name, in := range s.Inputs {
			od := sd.ops[name]
			if od == nil {
				errs = append(errs, fmt.Errorf("%s: no entry for operation %s", sd.file, name))
				continue
			}
			co, err := c.op(od, in)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ops[name] = co
		}
		for name, od := range sd.ops {
			if _, ok := s.Inputs[name]; !ok {
				errs = append(errs, fmt.Errorf("%s: %s is not an operation of %s", od.pos, name, s.Prefix))
			}
		}
		r.ops[s.Prefix] = ops
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// loadData parses every embedded data file.
func loadData() (map[string]*serviceDef, error) {
	names, err := fs.Glob(dataFiles, "*.authz")
	if err != nil {
		return nil, err
	}
	all := map[string]*serviceDef{}
	for _, name := range names {
		b, err := dataFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := parseData(name, string(b), all); err != nil {
			return nil, err
		}
	}
	for _, svc := range all {
		if err := checkTables(svc); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// Resolve returns what a call of op of service (by IAM prefix) needs,
// input being the operation's decoded input (a pointer to its generated
// struct, or nil). An empty result means the call needs no permission
// (sts:GetCallerIdentity). The error is an *InputError when a member
// cannot name a resource.
func (r *Resolver) Resolve(service, op string, input any, scope Scope) ([]Requirement, error) {
	co := r.ops[service][op]
	if co == nil {
		return nil, fmt.Errorf("authz: no entry for %s:%s", service, op)
	}
	root, err := co.root(input)
	if err != nil {
		return nil, fmt.Errorf("authz: %s:%s: %w", service, op, err)
	}
	out := make([]Requirement, 0, len(co.reqs))
	for _, q := range co.reqs {
		req, ok, err := q.resolve(root, scope)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				ie.Service, ie.Operation = service, op
			}
			return nil, err
		}
		if ok {
			out = append(out, req)
		}
	}
	return out, nil
}

// root returns the struct value input points to.
func (co *compiledOp) root(input any) (reflect.Value, error) {
	v := reflect.ValueOf(input)
	switch {
	case !v.IsValid():
		return reflect.Zero(co.input), nil
	case v.Type() == co.input:
		return v, nil
	case v.Kind() == reflect.Pointer && v.Type().Elem() == co.input:
		if v.IsNil() {
			return reflect.Zero(co.input), nil
		}
		return v.Elem(), nil
	}
	return reflect.Value{}, fmt.Errorf("input is a %s, want *%s", v.Type(), co.input)
}

// resolve evaluates one requirement; ok is false when its gate does not
// hold.
func (q *creq) resolve(root reflect.Value, scope Scope) (Requirement, bool, error) {
	if q.gate != nil {
		holds, err := q.gate.holds(root)
		if err != nil || !holds {
			return Requirement{}, false, err
		}
	}
	req := Requirement{Action: q.action, ResourceTags: q.resourceTags}
	var err error
	for _, res := range q.resources {
		if req.Resources, err = res.build(root, scope, req.Resources, false); err != nil {
			return Requirement{}, false, err
		}
	}
	if len(req.Resources) == 0 {
		// Every resource was left out (optional, or an empty list): the
		// call still needs the action, on the first with empty parts.
		if req.Resources, err = q.resources[0].build(root, scope, nil, true); err != nil {
			return Requirement{}, false, err
		}
	}
	req.Resources = dedupe(req.Resources)
	for _, c := range q.conds {
		if req.Conditions, err = c.fill(root, req.Conditions); err != nil {
			return Requirement{}, false, err
		}
	}
	return req, true, nil
}

func (g *cgate) holds(root reflect.Value) (bool, error) {
	found, first := false, ""
	for i := range g.src.slots(root) {
		v, ok, err := g.src.eval(root, i)
		if err != nil {
			return false, err
		}
		if ok && v != "" {
			found, first = true, v
			break
		}
	}
	switch g.op {
	case "==":
		return found && first == g.lit, nil
	case "!=":
		return !found || first != g.lit, nil
	}
	return found != g.not, nil
}

// slots is the number of values the source reads: one, or one per
// element of its list.
func (s *csrc) slots(root reflect.Value) int {
	if s.list == nil {
		return 1
	}
	return s.list.slots(root)
}

// eval reads the source in a slot: its first present alternative.
func (s *csrc) eval(root reflect.Value, slot int) (string, bool, error) {
	for _, a := range s.alts {
		if a.isLit {
			return a.lit, true, nil
		}
		raw, ok := a.acc.text(root, slot)
		if !ok {
			continue
		}
		if a.conv == nil {
			return raw, true, nil
		}
		v, err := a.conv.value(raw, a.sel)
		if err != nil {
			return "", false, &InputError{Member: a.acc.path, Value: raw, Reason: err.Error()}
		}
		return v, true, nil
	}
	return "", false, nil
}

// build appends the resource's ARNs to out. An optional resource whose
// members are absent adds none unless forced; a forced one adds at
// least one, with empty parts.
func (r *cres) build(root reflect.Value, scope Scope, out []string, force bool) ([]string, error) {
	switch {
	case r.star:
		return append(out, "*"), nil
	case r.arn != nil:
		n := len(out)
		for i := range r.arn.slots(root) {
			v, ok, err := r.arn.eval(root, i)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, v)
			}
		}
		if len(out) == n && (force || (!r.optional && r.list == nil)) {
			// A missing ARN member: the call fails validation.
			out = append(out, "")
		}
		return out, nil
	}
	if r.optional && !force && !r.present(root) {
		return out, nil
	}
	n := 1
	if r.list != nil {
		// An empty list still names the resource with an empty part.
		n = max(1, r.list.slots(root))
	}
	for i := range n {
		s, err := r.expand(root, scope, i)
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// present reports whether a member the bindings read is present.
func (r *cres) present(root reflect.Value) bool {
	for _, b := range r.binds {
		if b == nil {
			continue
		}
		for _, a := range b.alts {
			if a.isLit {
				continue
			}
			for i := range a.acc.slots(root) {
				if _, ok := a.acc.text(root, i); ok {
					return true
				}
			}
		}
	}
	return false
}

// expand fills the template for one slot.
func (r *cres) expand(root reflect.Value, scope Scope, slot int) (string, error) {
	var vals [maxVars]string
	size := len(r.tmpl.text)
	for i, v := range r.tmpl.vars {
		var s string
		if b := r.binds[i]; b != nil {
			x, ok, err := b.eval(root, slot)
			if err != nil {
				return "", err
			}
			if ok {
				s = x
			}
		}
		if s == "" {
			s = scope.value(v)
		}
		vals[i] = s
		size += len(s)
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, p := range r.tmpl.parts {
		if p.v == "" {
			sb.WriteString(p.lit)
		} else {
			sb.WriteString(vals[p.vi])
		}
	}
	return sb.String(), nil
}

// value is the scope's value of a scope variable, "" for any other.
func (s Scope) value(v string) string {
	switch v {
	case varPartition:
		return s.Partition
	case varRegion:
		return s.Region
	case varAccount:
		return s.Account
	}
	return ""
}

// fill adds the condition's values to m, made when needed.
func (c *ccond) fill(root reflect.Value, m map[string][]string) (map[string][]string, error) {
	add := func(k, v string) {
		if m == nil {
			m = map[string][]string{}
		}
		if !slices.Contains(m[k], v) {
			m[k] = append(m[k], v)
		}
	}
	if c.tags != nil {
		err := c.tags.each(root, func(k, v string) {
			if c.tagPrefix != "" {
				add(c.tagPrefix+k, v)
			} else {
				add(c.key, k)
			}
		})
		if err != nil {
			raw, _ := c.tags.acc.text(root, 0)
			return m, &InputError{Member: c.tags.acc.path, Value: raw, Reason: "is not a tag set: " + err.Error()}
		}
		return m, nil
	}
	for i := range c.src.slots(root) {
		v, ok, err := c.src.eval(root, i)
		if err != nil {
			return m, err
		}
		if ok {
			add(c.key, v)
		}
	}
	return m, nil
}

// dedupe removes repeated ARNs (PutEvents entries on one bus), keeping
// the first of each.
func dedupe(ss []string) []string {
	if len(ss) < 2 {
		return ss
	}
	if len(ss) <= 16 {
		out := ss[:1]
		for _, s := range ss[1:] {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	seen := make(map[string]struct{}, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if _, dup := seen[s]; !dup {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}
