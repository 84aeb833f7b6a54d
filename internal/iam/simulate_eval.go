package iam

import (
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
)

// evaluate simulates an action: on "*", or on each resource named and
// then on all of them together, since IAM now answers one result an
// action, not one an action and resource
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).
func (sim *simulator) evaluate(action string) Evaluation {
	if sim.resources == nil {
		return Evaluation{Action: action, Resource: "*", Outcome: sim.decide(action, "*", false)}
	}
	ev := Evaluation{Action: action, Resources: make([]ResourceOutcome, len(sim.resources))}
	for i, resource := range sim.resources {
		ev.Resources[i] = ResourceOutcome{Resource: resource, Outcome: sim.decide(action, resource, true)}
	}
	if len(sim.resources) == 1 {
		ev.Resource = sim.resources[0]
	}
	ev.Outcome = aggregate(ev.Resources)
	return ev
}

// decide simulates an action on a resource, named by the simulation or
// "*".
func (sim *simulator) decide(action, resource string, named bool) Outcome {
	r := &policy.Request{Principal: sim.principal, Action: action, Resource: resource, Context: sim.context}
	ps := &policy.Policies{Identity: sim.identity, Boundary: sim.boundary, Resource: sim.resource, ResourceAccount: sim.accountOf(resource)}
	var t simulationTrace
	res := policy.Explain(r, ps, &t)
	out := Outcome{Decision: res.Decision, Missing: t.missing}
	slices.SortFunc(out.Missing, strings.Compare)
	for _, st := range t.applied {
		if res.Decision == policy.Allow && st.Effect == policy.EffectAllow || res.Decision == policy.ExplicitDeny && st.Effect == policy.EffectDeny {
			out.Matched = appendNew(out.Matched, sim.sources[st])
		}
	}
	if sim.boundary != nil {
		allowed := sim.boundary.Evaluate(r) == policy.Allow
		out.Boundary = &allowed
	}
	if named && ps.ResourceAccount != sim.principal.Account {
		resourceDecision := policy.ImplicitDeny
		if sim.resource != nil {
			resourceDecision = sim.resource.Evaluate(r)
		}
		out.Details = map[string]policy.Decision{SourceIdentity: sim.identity.Evaluate(r), SourceResource: resourceDecision}
	}
	return out
}

// accountOf returns the account that owns a resource: the one its ARN
// names, else the simulation's resource owner.
func (sim *simulator) accountOf(resource string) string {
	if parts := strings.SplitN(resource, ":", 6); len(parts) == 6 && parts[4] != "" {
		return parts[4]
	}
	return sim.owner
}

// simulationTrace keeps what policy.Explain tells of an evaluation.
type simulationTrace struct {
	applied []*policy.Statement
	missing []string
}

func (t *simulationTrace) Applies(s *policy.Statement) { t.applied = append(t.applied, s) }

// Missing keeps each key once, whatever its case.
func (t *simulationTrace) Missing(key string) {
	if !slices.ContainsFunc(t.missing, func(k string) bool { return strings.EqualFold(k, key) }) {
		t.missing = append(t.missing, key)
	}
}

// appendNew appends what list does not have yet.
func appendNew[T comparable](list []T, items ...T) []T {
	for _, x := range items {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

// restrictiveness orders decisions: an allow, an implicit deny, an
// explicit deny.
func restrictiveness(d policy.Decision) int {
	switch d {
	case policy.Allow:
		return 0
	case policy.ImplicitDeny:
		return 1
	}
	return 2
}

// aggregate returns the outcome of an action on several resources: the
// most restrictive decision, with the statements of the resources so
// decided, the missing keys of all, whether the boundary allows on all,
// and each type of policy's most restrictive decision.
func aggregate(rs []ResourceOutcome) Outcome {
	out := Outcome{Decision: policy.Allow, Details: map[string]policy.Decision{}}
	for _, r := range rs {
		if restrictiveness(r.Decision) > restrictiveness(out.Decision) {
			out.Decision = r.Decision
		}
	}
	for _, r := range rs {
		if r.Decision == out.Decision {
			out.Matched = appendNew(out.Matched, r.Matched...)
		}
		out.Missing = appendNew(out.Missing, r.Missing...)
		if r.Boundary != nil {
			allowed := *r.Boundary && (out.Boundary == nil || *out.Boundary)
			out.Boundary = &allowed
		}
		for typ, d := range r.Details {
			if seen, ok := out.Details[typ]; !ok || restrictiveness(d) > restrictiveness(seen) {
				out.Details[typ] = d
			}
		}
	}
	slices.SortFunc(out.Missing, strings.Compare)
	return out
}
