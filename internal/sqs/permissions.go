package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// AddPermission and RemovePermission edit a queue's Policy attribute as
// AWS does: a statement per label, which GetQueueAttributes then reports
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html).

// maxActions is how many actions a statement takes: "An Amazon SQS policy
// can have a maximum of seven actions per statement."
const maxActions = 7

// labels are the labels a permission takes: "Maximum 80 characters.
// Allowed characters include alphanumeric characters, hyphens (-), and
// underscores (_)."
var labels = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// accountIDs are the principals AddPermission takes: AWS account numbers
// ("Amazon SQS AddPermission does not support adding a non-account
// principal").
var accountIDs = regexp.MustCompile(`^[0-9]{12}$`)

// sharedActions are the actions a permission grants: every action on a
// queue but those only its owner may call, or "*" for all of them
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-overview-of-managing-access.html);
// ownerActions are those.
var (
	sharedActions = []string{"*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
		"ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"}
	ownerActions = []string{"AddPermission", "CreateQueue", "DeleteQueue", "ListQueues", "ListQueueTags", "RemovePermission",
		"SetQueueAttributes", "TagQueue", "UntagQueue"}
)

// policyVersion is the Version of the policies AddPermission writes, as
// AWS writes them.
const policyVersion = "2008-10-17"

// AddPermission adds to a queue's policy a statement, labelled label,
// that allows the accounts the actions.
func (s *Service) AddPermission(ctx context.Context, sc Scope, queueURL, label string, accounts, actions []string) error {
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	if !labels.MatchString(label) {
		return errorf(InvalidParameterValue, "Value %s for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.", label)
	}
	if len(actions) == 0 {
		return errorf(MissingParameter, "The request must contain the parameter Actions.")
	}
	if len(accounts) == 0 || slices.ContainsFunc(accounts, func(a string) bool { return !accountIDs.MatchString(a) }) {
		return errorf(InvalidParameterValue, "Value [%s] for parameter PrincipalId is invalid. Reason: Unable to verify principal.", strings.Join(accounts, ", "))
	}
	if len(actions) > maxActions {
		return errorf(OverLimit, "%d Actions were found, maximum allowed is %d.", len(actions), maxActions)
	}
	principals, granted := make([]string, len(accounts)), make([]string, len(actions))
	for i, a := range accounts {
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	for i, a := range actions {
		switch {
		case slices.Contains(ownerActions, a):
			return errorf(InvalidParameterValue, "Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.", a)
		case !slices.Contains(sharedActions, a):
			return errorf(InvalidParameterValue, "Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.", a)
		}
		granted[i] = "SQS:" + a
	}
	return s.editPolicy(ctx, q, attrs, func(d *policy.Document) error {
		if d.HasSid(label) {
			return errorf(InvalidParameterValue, "Value %s for parameter Label is invalid. Reason: Already exists.", label)
		}
		d.Add(policy.Grant(label, principals, granted, q.ARN))
		return nil
	})
}

// RemovePermission removes the statement labelled label from a queue's
// policy, and the policy with its last statement.
func (s *Service) RemovePermission(ctx context.Context, sc Scope, queueURL, label string) error {
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	return s.editPolicy(ctx, q, attrs, func(d *policy.Document) error {
		if !d.Remove(label) {
			return errorf(InvalidParameterValue, "Value %s for parameter Label is invalid. Reason: can't find label.", label)
		}
		return nil
	})
}

// editPolicy edits a queue's policy (an empty one when it has none, as
// AWS starts them) among its attributes (attrs, as read), and stores it:
// none when it has no statement left.
func (s *Service) editPolicy(ctx context.Context, q *store.Queue, attrs map[string]string, edit func(d *policy.Document) error) error {
	doc := []byte(attrs["Policy"])
	if len(doc) == 0 {
		var err error
		if doc, err = json.Marshal(struct {
			Version string
			ID      string `json:"Id"`
		}{policyVersion, q.ARN + "/SQSDefaultPolicy"}); err != nil {
			return err
		}
	}
	d, err := policy.ParseDocument(doc)
	if err != nil {
		return fmt.Errorf("cannot edit the policy of %s: %w", q.ARN, err)
	}
	if err := edit(d); err != nil {
		return err
	}
	delete(attrs, "Policy")
	if d.Len() > 0 {
		attrs["Policy"] = string(d.Bytes())
	}
	return s.opt.Store.SetQueueAttributes(ctx, q.ARN, encodeAttributes(attrs), s.opt.Clock.Now().UnixMilli())
}
