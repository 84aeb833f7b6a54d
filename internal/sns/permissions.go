package sns

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// A topic's Policy attribute is checked with package policy when it is
// set, and edited by AddPermission and RemovePermission as AWS edits it.
// Vigil keeps and reports the policy; it does not enforce it yet (a topic
// is reached by its own account only).

// Limits of a topic's policy ("Amazon SNS API permissions: Actions and
// resources reference", Policy quotas).
const (
	maxPolicyBytes      = 30 * 1024
	maxPolicyStatements = 100
)

// topicActions are the actions of a topic's policy, which AddPermission
// grants ("Valid Amazon SNS policy actions").
var topicActions = map[string]bool{
	"AddPermission": true, "DeleteTopic": true, "GetDataProtectionPolicy": true, "GetTopicAttributes": true,
	"ListSubscriptionsByTopic": true, "Publish": true, "PutDataProtectionPolicy": true, "RemovePermission": true,
	"SetTopicAttributes": true, "Subscribe": true,
}

// errOutOfScope is AWS's answer to an action of another service in a
// topic's policy, and to AddPermission with an action a topic has not.
func errOutOfScope() error {
	return errorf(InvalidParameter, "Invalid parameter: Policy statement action out of service scope!")
}

// checkTopicPolicy checks a Policy attribute: an AWS policy document
// (package policy) of at most 30 KB of ASCII text and 100 statements,
// whose actions are SNS's. AWS words its refusals "Invalid parameter:
// Policy Error: …" (often with no more than "null"); Vigil says what is
// wrong.
func checkTopicPolicy(doc string) error {
	if len(doc) > maxPolicyBytes {
		return errorf(InvalidParameter, "Invalid parameter: Policy Error: the policy is larger than %d bytes", maxPolicyBytes)
	}
	for i := 0; i < len(doc); i++ {
		if doc[i] >= 0x80 {
			return errorf(InvalidParameter, "Invalid parameter: Policy Error: only ASCII characters are allowed in a topic's policy")
		}
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return errorf(InvalidParameter, "Invalid parameter: Policy Error: %v", err)
	}
	if len(p.Statements) > maxPolicyStatements {
		return errorf(InvalidParameter, "Invalid parameter: Policy Error: the policy has %d statements, more than %d", len(p.Statements), maxPolicyStatements)
	}
	for _, st := range p.Statements {
		if st.NotAction {
			continue
		}
		for _, a := range st.Actions {
			if vendor, _, _ := strings.Cut(a, ":"); a != "*" && !strings.EqualFold(vendor, "sns") {
				return errOutOfScope()
			}
		}
	}
	return nil
}

// accountIDs are what AddPermission takes as AWSAccountId.
var accountIDs = regexp.MustCompile(`^[0-9]{12}$`)

// AddPermission adds a statement to a topic's policy (its default policy
// when it has none) granting accounts actions on the topic, as AWS
// writes it: Sid the label, Principal the accounts' root ARNs, Action
// "SNS:" and each action name, one value as a string, several as a list.
func (s *Service) AddPermission(ctx context.Context, sc Scope, arn, label string, accounts, actions []string) error {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return err
	}
	if len(accounts) == 0 {
		return errorf(InvalidParameter, "Invalid parameter: AWSAccountId")
	}
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		if !accountIDs.MatchString(a) {
			return errorf(InvalidParameter, "Invalid parameter: AWSAccountId Reason: %q is not a 12-digit account id", a)
		}
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	if len(actions) == 0 {
		return errorf(InvalidParameter, "Invalid parameter: ActionName")
	}
	return s.editPolicy(ctx, sc, arn, func(d *policy.Document) (bool, error) {
		if d.HasSid(label) {
			return false, errorf(InvalidParameter, "Invalid parameter: Statement already exists")
		}
		if d.Len() >= maxPolicyStatements {
			return false, errorf(InvalidParameter, "Invalid parameter: Policy Error: the policy has %d statements already, the most a topic's policy has", d.Len())
		}
		granted := make([]string, len(actions))
		for i, a := range actions {
			if !topicActions[a] {
				return false, errOutOfScope()
			}
			granted[i] = "SNS:" + a
		}
		d.Add(policy.Grant(label, principals, granted, arn))
		return true, nil
	})
}

// RemovePermission removes the statements of a topic's policy whose Sid
// is label; removing a label the policy has not succeeds and changes
// nothing, as on AWS.
func (s *Service) RemovePermission(ctx context.Context, sc Scope, arn, label string) error {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return err
	}
	return s.editPolicy(ctx, sc, arn, func(d *policy.Document) (bool, error) {
		return d.Remove(label), nil
	})
}

// editPolicy edits a topic's policy (its default policy when it has
// none) in one store transaction; edit reports whether it changed it.
func (s *Service) editPolicy(ctx context.Context, sc Scope, arn string, edit func(d *policy.Document) (bool, error)) error {
	return s.updateTopic(ctx, arn, func(_ *store.Topic, attrs map[string]string) error {
		doc := attrs["Policy"]
		if doc == "" {
			doc = defaultPolicy(sc, arn)
		}
		d, err := policy.ParseDocument([]byte(doc))
		if err != nil {
			return fmt.Errorf("cannot edit the policy of topic %s: %w", arn, err)
		}
		changed, err := edit(d)
		if changed {
			attrs["Policy"] = string(d.Bytes())
		}
		return err
	})
}
