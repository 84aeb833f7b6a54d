// Package svcevents is Vigil's in-process bus of AWS service events: the
// records AWS services send to EventBridge's default event bus, such as
// "AWS API Call via CloudTrail" (published by the audit hook), "CloudWatch
// Alarm State Change" (the alarm evaluator) or "Config Configuration Item
// Change" (the Config recorder).
//
// Producers Publish; consumers Subscribe with a filter. Publish hands the
// event to every matching subscriber in the publisher's goroutine, so
// handlers must be quick: a consumer whose delivery must be durable
// (EventBridge rules and their targets, CloudTrail delivery to S3 or Logs)
// does not deliver from its handler but enqueues outbox items there, and
// the outbox makes the deliveries, with retries and dead letters.
//
// The bus is in-process. Each node publishes the events of the requests
// and jobs it runs, and only that node's subscribers see them: events are
// not shared across nodes. What must be delivered whatever node set it off
// goes through the outbox, which is shared.
//
// An Event marshals to the envelope AWS sends
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).
package svcevents

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/request"
)

// Detail types of the events Vigil's services publish.
const (
	// DetailTypeAPICall is the detail type of every event CloudTrail
	// delivers: an API call, its detail a CloudTrail record.
	DetailTypeAPICall = "AWS API Call via CloudTrail"
	// DetailTypeAlarmStateChange is the detail type of CloudWatch's alarm
	// state changes.
	DetailTypeAlarmStateChange = "CloudWatch Alarm State Change"
	// DetailTypeAlarmConfigChange is the detail type of CloudWatch's
	// alarm creations, updates and deletions.
	DetailTypeAlarmConfigChange = "CloudWatch Alarm Configuration Change"
)

// Event is one service event, shaped like the EventBridge event AWS
// sends.
type Event struct {
	// ID identifies the event (a version 4 UUID); Publish sets one when
	// it is empty.
	ID string
	// DetailType and Source say what happened and which service says so
	// ("AWS API Call via CloudTrail" from "aws.logs"); Source is "aws."
	// and the service's IAM prefix.
	DetailType string
	Source     string
	// Account and Region are where the event happened.
	Account string
	Region  string
	// Time is when it happened; the envelope keeps whole seconds, in UTC.
	Time time.Time
	// Resources are the ARNs of the resources the event concerns (none
	// for API calls).
	Resources []string
	// Detail is the event's detail, a JSON object whose shape DetailType
	// and Source determine.
	Detail json.RawMessage
	// ReplayName names the replay that sends the event again from an
	// archive ("" for an event that is not replayed); the envelope
	// carries it as replay-name, after region, only when it is set.
	ReplayName string
	// ReadOnly marks a read-only management event (an API call that
	// changes nothing). It is not part of the envelope: EventBridge
	// matches such events only against rules whose state is
	// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
	// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
	ReadOnly bool
}

// envelopeVersion is the version of the envelope, "0" in every event AWS
// sends.
const envelopeVersion = "0"

// envelope is an Event on the wire, its members in AWS's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	ReplayName string          `json:"replay-name,omitempty"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// MarshalJSON returns the EventBridge envelope of e: version, id,
// detail-type, source, account, time (RFC 3339, UTC, in seconds), region,
// replay-name (when set), resources (an empty list when there are none)
// and detail (an empty object when there is none).
func (e Event) MarshalJSON() ([]byte, error) {
	env := envelope{
		Version: envelopeVersion, ID: e.ID, DetailType: e.DetailType, Source: e.Source, Account: e.Account,
		Time: e.Time.UTC().Format(time.RFC3339), Region: e.Region, ReplayName: e.ReplayName, Resources: e.Resources, Detail: e.Detail,
	}
	if env.Resources == nil {
		env.Resources = []string{}
	}
	if len(env.Detail) == 0 {
		env.Detail = json.RawMessage("{}")
	}
	// encoding/json writes <, > and & as \u003c, \u003e and \u0026,
	// which AWS does not, but they read back the same.
	b, err := json.Marshal(&env)
	if err != nil {
		return nil, fmt.Errorf("cannot encode event %s: %w", e.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads an EventBridge envelope of version "0". ReadOnly,
// which the envelope does not carry, is left false.
func (e *Event) UnmarshalJSON(data []byte) error {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("cannot decode event: %w", err)
	}
	if env.Version != envelopeVersion {
		return fmt.Errorf("cannot decode event %s: unsupported version %q", env.ID, env.Version)
	}
	t, err := time.Parse(time.RFC3339, env.Time)
	if err != nil {
		return fmt.Errorf("cannot decode event %s: %w", env.ID, err)
	}
	*e = Event{
		ID: env.ID, DetailType: env.DetailType, Source: env.Source, Account: env.Account, Region: env.Region,
		Time: t, ReplayName: env.ReplayName, Resources: env.Resources, Detail: env.Detail,
	}
	return nil
}

// NewID returns a random version 4 UUID, the form of event ids.
func NewID() string { return request.NewUUID() }
