package authz

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// compiledOp is an operation's requirements, ready to evaluate on its
// input type.
type compiledOp struct {
	input reflect.Type
	reqs  []*creq
}

type creq struct {
	gate      *cgate
	action    string
	resources []*cres
	conds     []*ccond
	// resourceTags: the action's resources support aws:ResourceTag.
	resourceTags bool
}

// cres is a compiled resource: "*", an ARN member, or a template whose
// variables (in tmpl.vars order) are read by binds (nil: the scope's).
type cres struct {
	star  bool
	arn   *csrc
	tmpl  *template
	binds []*csrc
	// list is the list the bindings read, one ARN per element.
	list *accessor
	// optional resources are left out when their members are absent.
	optional bool
}

type csrc struct {
	text string
	alts []*calt
	// list is the list read by the alternatives, if any.
	list *accessor
}

type calt struct {
	lit   string
	isLit bool
	acc   *accessor
	conv  *converter
	sel   string
}

type cgate struct {
	not bool
	src *csrc
	op  string
	lit string
}

// ccond fills a condition key: from values (src), or from a set of tags
// (tags): the key's placeholder expanded per tag when tagPrefix is set,
// else the tags' keys.
type ccond struct {
	key       string
	src       *csrc
	tags      *tagSource
	tagPrefix string
}

// maxVars bounds the variables of a template (checked when compiling):
// a resource is built in a fixed array.
const maxVars = 8

// compiler compiles operations against their input types, checking the
// data against the Service Authorization Reference tables it carries.
type compiler struct {
	all map[string]*serviceDef
}

func (c *compiler) op(od *opDef, input reflect.Type) (*compiledOp, error) {
	if input.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s: input of %s is %s, not a struct", od.pos, od.name, input)
	}
	co := &compiledOp{input: input}
	for _, rd := range od.reqs {
		r, err := c.req(rd, input)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", rd.pos, od.name, err)
		}
		co.reqs = append(co.reqs, r)
	}
	return co, nil
}

func (c *compiler) req(rd *reqDef, input reflect.Type) (*creq, error) {
	asvc := c.all[rd.service]
	if asvc == nil {
		return nil, fmt.Errorf("no data for service %s", rd.service)
	}
	act := asvc.actions[rd.action]
	if act == nil {
		return nil, fmt.Errorf("%s:%s is not in %s's action list", rd.service, rd.action, rd.service)
	}
	r := &creq{action: rd.service + ":" + rd.action, resourceTags: hasKey(act.keys, keyResourceTag)}
	// used are the resource types named; anyType is set by a resource of
	// unknown type (arn(…), !*), which may be any of the action's;
	// skipRequired by one that departs from the reference.
	used := map[string]bool{}
	anyType, skipRequired := false, false
	for _, res := range rd.resources {
		cr, err := c.resource(res, act, asvc, input)
		if err != nil {
			return nil, err
		}
		r.resources = append(r.resources, cr)
		switch {
		case res.typ != "":
			used[res.typ] = true
		case res.arn != nil || res.unlisted:
			anyType = true
		}
		skipRequired = skipRequired || res.arn != nil || res.unlisted
	}
	var keys []string
	keys = append(keys, act.keys...)
	for _, res := range rd.resources {
		if rt := asvc.resources[res.typ]; res.unlisted && rt != nil {
			keys = append(keys, rt.keys...)
			r.resourceTags = r.resourceTags || hasKey(rt.keys, keyResourceTag)
		}
	}
	for _, t := range act.types {
		if !used[t.name] && !anyType {
			if t.required && !skipRequired {
				return nil, fmt.Errorf("%s requires a %s resource", r.action, t.name)
			}
			continue
		}
		if rt := asvc.resources[t.name]; rt != nil {
			keys = append(keys, rt.keys...)
			r.resourceTags = r.resourceTags || hasKey(rt.keys, keyResourceTag)
		}
	}
	if !slices.ContainsFunc(r.resources, func(cr *cres) bool { return !cr.star }) {
		// "*" has no tags to look up.
		r.resourceTags = false
	}
	for _, cd := range rd.conds {
		if !hasKey(keys, cd.key) {
			return nil, fmt.Errorf("%s does not support condition key %s", r.action, cd.key)
		}
		cc, err := c.cond(cd, asvc, input)
		if err != nil {
			return nil, err
		}
		r.conds = append(r.conds, cc)
	}
	if rd.gate != nil {
		src, err := c.src(rd.gate.src, asvc, input, "")
		if err != nil {
			return nil, err
		}
		r.gate = &cgate{not: rd.gate.not, src: src, op: rd.gate.op, lit: rd.gate.lit}
	}
	return r, nil
}

const keyResourceTag = "aws:ResourceTag/${TagKey}"

func hasKey(keys []string, k string) bool { return slices.Contains(keys, k) }

func (c *compiler) resource(res *resDef, act *actionDef, asvc *serviceDef, input reflect.Type) (*cres, error) {
	cr, err := c.resourceForm(res, act, asvc, input)
	if err != nil {
		return nil, err
	}
	if res.optional && res.star {
		return nil, fmt.Errorf("* cannot be optional")
	}
	cr.optional = res.optional
	return cr, nil
}

func (c *compiler) resourceForm(res *resDef, act *actionDef, asvc *serviceDef, input reflect.Type) (*cres, error) {
	listed := func(typ string) bool {
		return slices.ContainsFunc(act.types, func(t typeRef) bool { return t.name == typ })
	}
	switch {
	case res.star:
		if !res.unlisted && slices.ContainsFunc(act.types, func(t typeRef) bool { return t.required }) {
			return nil, fmt.Errorf("%s:%s has required resource types: * must be marked !*", asvc.prefix, act.name)
		}
		return &cres{star: true}, nil
	case res.arn != nil:
		if len(act.types) == 0 && !res.unlisted {
			return nil, fmt.Errorf("%s:%s has no resource types: arn(…) must be marked !arn(…)", asvc.prefix, act.name)
		}
		src, err := c.src(res.arn, asvc, input, "")
		if err != nil {
			return nil, err
		}
		return &cres{arn: src, list: src.list}, nil
	}
	rt := asvc.resources[res.typ]
	if rt == nil {
		return nil, fmt.Errorf("%s has no resource type %s", asvc.prefix, res.typ)
	}
	if !listed(res.typ) && !res.unlisted {
		return nil, fmt.Errorf("%s:%s does not list resource type %s (mark it !%s if AWS evaluates it)", asvc.prefix, act.name, res.typ, res.typ)
	}
	if len(rt.tmpl.vars) > maxVars {
		return nil, fmt.Errorf("resource type %s has more than %d variables", res.typ, maxVars)
	}
	cr := &cres{tmpl: rt.tmpl, binds: make([]*csrc, len(rt.tmpl.vars))}
	for _, b := range res.binds {
		i := slices.Index(rt.tmpl.vars, b.v)
		if i < 0 {
			return nil, fmt.Errorf("%s has no variable %s (%s)", res.typ, b.v, rt.tmpl.text)
		}
		if cr.binds[i] != nil {
			return nil, fmt.Errorf("%s binds %s twice", res.typ, b.v)
		}
		src, err := c.src(b.src, asvc, input, b.v)
		if err != nil {
			return nil, err
		}
		cr.binds[i] = src
	}
	for i, v := range rt.tmpl.vars {
		if cr.binds[i] == nil && !isScopeVar(v) {
			return nil, fmt.Errorf("%s leaves variable %s unbound (%s)", res.typ, v, rt.tmpl.text)
		}
	}
	mergeScope(cr)
	for _, b := range cr.binds {
		if b == nil || b.list == nil {
			continue
		}
		if cr.list != nil && !sameList(cr.list, b.list) {
			return nil, fmt.Errorf("%s reads two lists, %s and %s", res.typ, cr.list.path, b.list.path)
		}
		cr.list = b.list
	}
	return cr, nil
}

// mergeScope binds the scope variables of a template that no binding
// names to the account, region and partition of the ARNs (or queue
// URLs) the other bindings read, when they hold one.
func mergeScope(cr *cres) {
	for i, v := range cr.tmpl.vars {
		if !isScopeVar(v) || cr.binds[i] != nil {
			continue
		}
		for _, b := range cr.binds {
			if b == nil {
				continue
			}
			var alts []*calt
			for _, a := range b.alts {
				if a.conv != nil && a.conv.merges() && slices.Contains(a.conv.outputs(), v) {
					alts = append(alts, &calt{acc: a.acc, conv: a.conv, sel: v})
				}
			}
			if len(alts) > 0 {
				cr.binds[i] = &csrc{text: b.text, alts: alts, list: b.list}
				break
			}
		}
	}
}

func sameList(a, b *accessor) bool { return slices.Equal(a.pre, b.pre) }

// src compiles a value source. bound is the variable it fills, the
// output taken from a converter that names none.
func (c *compiler) src(sd *srcDef, asvc *serviceDef, input reflect.Type, bound string) (*csrc, error) {
	s := &csrc{text: sd.text}
	for _, ad := range sd.alts {
		if ad.isLit {
			s.alts = append(s.alts, &calt{lit: ad.lit, isLit: true})
			continue
		}
		acc, err := compileAccessor(input, ad.path)
		if err != nil {
			return nil, err
		}
		if !isScalar(acc.final) {
			return nil, fmt.Errorf("member %s is a %s, not a value", ad.path, acc.final)
		}
		a := &calt{acc: acc}
		if ad.conv != "" {
			if a.conv, err = c.converter(ad.conv, asvc); err != nil {
				return nil, err
			}
			if a.conv.kind == convQueryTags {
				return nil, fmt.Errorf("@query-tags gives tags, not a value")
			}
			a.sel = ad.sel
			if a.sel == "" && bound != "" && slices.Contains(a.conv.outputs(), bound) {
				a.sel = bound
			}
			if a.sel == "" {
				a.sel = a.conv.defaultOutput()
			}
			if a.sel == "" {
				return nil, fmt.Errorf("%s: name the output of @%s to take (%s)", ad.path, ad.conv, strings.Join(a.conv.outputs(), ", "))
			}
			if !slices.Contains(a.conv.outputs(), a.sel) {
				return nil, fmt.Errorf("@%s gives no %q (it gives %s)", ad.conv, a.sel, strings.Join(a.conv.outputs(), ", "))
			}
		}
		if acc.list {
			if s.list != nil && !sameList(s.list, acc) {
				return nil, fmt.Errorf("%s reads two lists", sd.text)
			}
			s.list = acc
		}
		s.alts = append(s.alts, a)
	}
	return s, nil
}

func (c *compiler) converter(name string, asvc *serviceDef) (*converter, error) {
	if k, ok := builtinConverter(name); ok {
		return &converter{kind: k}, nil
	}
	svc, typ := asvc, name
	if p, t, ok := strings.Cut(name, ":"); ok {
		if svc = c.all[p]; svc == nil {
			return nil, fmt.Errorf("converter @%s: no service %s", name, p)
		}
		typ = t
	}
	rt := svc.resources[typ]
	if rt == nil {
		return nil, fmt.Errorf("converter @%s: %s has no resource type %s", name, svc.prefix, typ)
	}
	return &converter{kind: convARN, typ: typ, tmpl: rt.tmpl}, nil
}

func (c *compiler) cond(cd *condDef, asvc *serviceDef, input reflect.Type) (*ccond, error) {
	cc := &ccond{key: cd.key}
	prefix, placeholder := tagPlaceholder(cd.key)
	if ts, ok, err := c.tagSource(cd.src, asvc, input); err != nil {
		return nil, err
	} else if ok {
		cc.tags, cc.tagPrefix = ts, prefix
		return cc, nil
	}
	if placeholder {
		return nil, fmt.Errorf("condition key %s needs a set of tags, not %s", cd.key, cd.src.text)
	}
	src, err := c.src(cd.src, asvc, input, "")
	if err != nil {
		return nil, err
	}
	cc.src = src
	return cc, nil
}

// tagPlaceholder splits a key such as aws:RequestTag/${TagKey} or
// s3:RequestObjectTag/<key> into the part before its tag-key placeholder.
func tagPlaceholder(key string) (string, bool) {
	for _, p := range []string{"${TagKey}", "<key>"} {
		if prefix, ok := strings.CutSuffix(key, p); ok {
			return prefix, true
		}
	}
	return "", false
}
