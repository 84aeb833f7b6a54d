package policy

// Set is a compiled set of policies that apply together — a principal's
// identity-based policies (its inline and managed policies and its
// groups'), its permissions boundary, a session's policies, the SCPs of
// one level of an organization — indexed so that deciding a request
// looks at the statements that can apply to its action only: those
// naming it exactly, found in a map, and those with wildcards or a
// NotAction. A Set is immutable, and safe to share between goroutines:
// callers cache one per principal and replace it when its policies
// change.
type Set struct {
	stmts []*Statement
	// byAction maps an action, in lower case, to the statements whose
	// Action names it exactly and holds no wildcard.
	byAction map[string][]int32
	// always are the other statements, whose action is matched each time.
	always []int32
}

// NewSet compiles policies into a Set.
func NewSet(policies ...*Policy) *Set {
	s := &Set{byAction: map[string][]int32{}}
	for _, p := range policies {
		for i := range p.Statements {
			st := &p.Statements[i]
			n := int32(len(s.stmts))
			s.stmts = append(s.stmts, st)
			a := &st.actions
			if st.NotAction || a.all || len(a.globs) > 0 {
				s.always = append(s.always, n)
				continue
			}
			for j, x := range a.exact {
				if !contains(a.exact[:j], x) {
					s.byAction[x] = append(s.byAction[x], n)
				}
			}
		}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NamesKey reports whether a condition of the Set's policies looks up a
// key whose name begins with prefix (see Policy.NamesKey); false for a
// nil Set.
func (s *Set) NamesKey(prefix string) bool {
	if s == nil {
		return false
	}
	for _, st := range s.stmts {
		if st.namesKey(prefix) {
			return true
		}
	}
	return false
}

// Evaluate decides r against the policies of the Set taken together:
// ExplicitDeny when a Deny statement of one of them applies, else Allow
// when an Allow statement does, else ImplicitDeny.
func (s *Set) Evaluate(r *Request) Decision {
	var e evaluation
	e.init(r)
	return s.decide(&e)
}

// decide is Evaluate; a nil Set decides ImplicitDeny.
func (s *Set) decide(e *evaluation) Decision {
	if s == nil {
		return ImplicitDeny
	}
	d := ImplicitDeny
	var exact []int32
	if e.keyLen >= 0 {
		exact = s.byAction[string(e.keyBuf[:e.keyLen])]
	} else {
		exact = s.byAction[e.long]
	}
	for _, i := range exact {
		if d = s.apply(e, i, false, d); d == ExplicitDeny {
			return d
		}
	}
	for _, i := range s.always {
		if d = s.apply(e, i, true, d); d == ExplicitDeny {
			return d
		}
	}
	return d
}

// apply evaluates statement i, d being the decision so far.
func (s *Set) apply(e *evaluation, i int32, checkAction bool, d Decision) Decision {
	st := s.stmts[i]
	if d == Allow && st.Effect == EffectAllow && e.trace == nil {
		return d // only a Deny can change the outcome
	}
	if st.names(e) == noMatch || !st.covers(e, checkAction) {
		return d
	}
	e.applies(st)
	if st.Effect == EffectDeny {
		return ExplicitDeny
	}
	return Allow
}
