package policy

// Trace is told what an evaluation looks at, for IAM's policy simulator
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html),
// which reports the statements that decided a request (MatchedStatements)
// and the condition keys the request lacked (MissingContextValues).
type Trace interface {
	// Applies is told each statement that applies to the request: its
	// principal, action, resource and conditions all cover it.
	Applies(s *Statement)
	// Missing is told each condition key that a statement covering the
	// request's action looks up, in a condition or a policy variable, and
	// that the request does not hold; the Null operator, which asks
	// whether a key is there, tells nothing.
	Missing(key string)
}

// Explain decides r exactly as Authorize does, and tells t what the
// evaluation looks at. Where Authorize skips what cannot change its
// decision, Explain looks further: at the Allow statements of a policy
// that allows already, and at every condition of a statement, so that t
// hears of each statement that applies and of each key missing; like
// Authorize, it stops at the first explicit deny. Authorize does not pay
// for it: its evaluation has no Trace.
func Explain(r *Request, ps *Policies, t Trace) Result { return authorize(r, ps, t) }

// applies tells the trace, if any, that a statement applies.
func (e *evaluation) applies(s *Statement) {
	if e.trace != nil {
		e.trace.Applies(s)
	}
}

// missing tells the trace, if any, that the request lacks a key.
func (e *evaluation) missing(key string) {
	if e.trace != nil {
		e.trace.Missing(key)
	}
}
