package iam

import (
	"errors"

	"github.com/vigilhq/vigil/internal/policy"
)

// DocumentKind is the kind of a policy document, which decides what it
// must and must not hold.
type DocumentKind int

// The kinds of documents.
const (
	// ManagedPolicy is a managed policy's version (or a permissions
	// boundary): of Version 2012-10-17, naming actions and resources,
	// never a principal.
	ManagedPolicy DocumentKind = iota
	// InlinePolicy is an inline policy of a user, group or role, which
	// may also be of Version 2008-10-17 (or name none).
	InlinePolicy
	// TrustPolicy is a role's trust policy: its statements name a
	// principal and STS's actions, never a resource.
	TrustPolicy
)

// validateDocument checks a policy document a client sends as IAM does
// (package policy), answering MalformedPolicyDocument with IAM's
// message.
func validateDocument(kind DocumentKind, doc string) error {
	var err error
	switch kind {
	case TrustPolicy:
		_, err = policy.ParseTrust([]byte(doc))
	case InlinePolicy:
		_, err = policy.ParseIdentity([]byte(doc), policy.KindInline)
	default:
		_, err = policy.ParseIdentity([]byte(doc), policy.KindManaged)
	}
	var pe *policy.Error
	if errors.As(err, &pe) {
		return errorf(MalformedPolicyDocument, "%s", pe.Reason)
	}
	return err
}

// policySize is a document's size as IAM's quotas count it: its
// characters but white space.
func policySize(doc string) int { return policy.Size([]byte(doc)) }
