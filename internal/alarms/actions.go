package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
)

// The outbox kind of alarm actions, and the version of its payload.
const (
	KindAction    = "cloudwatch.alarm-action"
	actionVersion = 1
)

// NotificationKind is the dispatch kind of an alarm notification: its
// payload is the JSON message AWS publishes to an SNS topic, its subject
// AWS's (`ALARM: "cpu-high" in US East (N. Virginia)`).
const NotificationKind = "cloudwatch.alarm-notification"

// actionPayload is an action waiting in the outbox: what to deliver and
// what the history item of its outcome says.
type actionPayload struct {
	AlarmName string `json:"alarmName"`
	AlarmType string `json:"alarmType"`
	// StateUpdated is when the state the action is for was set (ms).
	StateUpdated int64 `json:"stateUpdated"`
	// Message is the notification, AWS's alarm JSON, and Subject its
	// subject.
	Message string `json:"message"`
	Subject string `json:"subject,omitempty"`
}

// RegisterDeliveries makes the service the deliverer of its actions in p:
// the composition root's wiring, which tests share.
func (s *Service) RegisterDeliveries(p *outbox.Processor) {
	p.Register(KindAction, outbox.DelivererFunc(s.deliverAction), outbox.Policy{})
}

// actionItems returns the outbox items of the actions of next's state,
// the state old changed to, when its actions are enabled and no mute rule
// holds them back; they are enqueued with the state.
func (s *Service) actionItems(ctx context.Context, old, next store.Alarm, d *Definition) ([]store.OutboxItem, error) {
	actions := d.Actions(State(next.State))
	if !next.ActionsEnabled || len(actions) == 0 {
		return nil, nil
	}
	now := s.opt.Clock.Now()
	if rule, err := s.mutedBy(ctx, next, now); err != nil || rule != "" {
		if rule != "" {
			s.opt.Logger.Info("alarm actions muted", "alarm", next.ARN, "state", next.State, "muteRule", rule)
		}
		return nil, err
	}
	p, err := json.Marshal(actionPayload{AlarmName: next.Name, AlarmType: next.Type, StateUpdated: next.StateUpdated,
		Message: string(notification(old, next, d)), Subject: subject(next)})
	if err != nil {
		return nil, err
	}
	items := make([]store.OutboxItem, len(actions))
	for i, a := range actions {
		items[i] = store.OutboxItem{Kind: KindAction, Version: actionVersion, Account: next.Account, Region: next.Region,
			Target: a, Payload: p, NextAttempt: next.StateUpdated}
	}
	return items, nil
}

// enqueued tells the outbox that a write enqueued items.
func (s *Service) enqueued(items []store.OutboxItem) {
	if len(items) > 0 && s.opt.Notify != nil {
		s.opt.Notify()
	}
}

// deliverAction executes an action and records its outcome in the
// alarm's history. Only SNS topics are delivered to (through the
// dispatcher, by whatever serves SNS); the other action types AWS runs
// (EC2, Auto Scaling, Systems Manager, Lambda) are recorded as failed.
// A failure retrying cannot cure is recorded and not retried.
func (s *Service) deliverAction(ctx context.Context, it store.OutboxItem) error {
	if it.Version != actionVersion {
		return outbox.Permanent(fmt.Errorf("alarm action payload of version %d; this Vigil reads version %d", it.Version, actionVersion))
	}
	var p actionPayload
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return outbox.Permanent(fmt.Errorf("cannot read an alarm action: %w", err))
	}
	err := s.execute(ctx, it, p)
	if err != nil && !outbox.IsPermanent(err) {
		return err
	}
	item := actionItem(it, p, err, ms(s.opt.Clock.Now()))
	if herr := s.opt.Store.AddAlarmHistory(ctx, item); herr != nil {
		return herr
	}
	return nil
}

// execute runs one action.
func (s *Service) execute(ctx context.Context, it store.OutboxItem, p actionPayload) error {
	to, err := dispatch.Parse(it.Target)
	if err != nil {
		return outbox.Permanent(err)
	}
	if to.Service != "sns" {
		return outbox.Permanent(fmt.Errorf("Vigil does not run %s actions; it executes SNS topic actions only", actionType(to)))
	}
	if s.opt.Dispatcher.Route(to) == nil {
		return outbox.Permanent(fmt.Errorf("Vigil does not serve SNS topics yet, so the notification to %s was not published", it.Target))
	}
	return s.opt.Dispatcher.Dispatch(ctx, dispatch.Message{
		ID: outbox.IdempotencyKey(it), Kind: NotificationKind, Version: 1,
		Source: dispatch.Source{Service: "cloudwatch", Account: it.Account, Region: it.Region},
		Target: it.Target, Payload: []byte(p.Message), Subject: p.Subject,
	})
}

// maxSubject is the longest subject SNS takes: "less than 100
// characters".
const maxSubject = 99

// subject is the subject of an alarm's notification, as AWS writes it,
// cut to SNS's limit.
func subject(a store.Alarm) string {
	s := a.State + ": \"" + a.Name + "\" in " + regionName(a.Region)
	if r := []rune(s); len(r) > maxSubject {
		s = string(r[:maxSubject])
	}
	return s
}

// actionType names the kind of action an ARN is, for the failure reason.
func actionType(a dispatch.Address) string {
	switch a.Service {
	case "automate", "swf":
		return "EC2 (" + a.Resource + ")"
	case "autoscaling":
		return "Auto Scaling"
	case "ssm":
		return "Systems Manager OpsItem"
	case "ssm-incidents":
		return "Systems Manager Incident Manager"
	case "lambda":
		return "Lambda"
	}
	return a.Service
}

// actionItem is the Action history item of an executed action.
func actionItem(it store.OutboxItem, p actionPayload, err error, now int64) store.AlarmHistoryItem {
	data := map[string]any{"actionState": "Succeeded", "stateUpdateTimestamp": p.StateUpdated}
	summary := "Successfully executed action " + it.Target
	if err != nil {
		data["actionState"] = "Failed"
		data["error"] = errorText(err)
		summary = "Failed to execute action " + it.Target + ". Received error: \"" + errorText(err) + "\""
	} else if strings.HasPrefix(it.Target, "arn:") {
		data["notificationResource"] = it.Target
		data["publishedMessage"] = p.Message
	}
	b, jerr := json.Marshal(data)
	if jerr != nil {
		panic("BUG: alarms: cannot encode an action item: " + jerr.Error())
	}
	return store.AlarmHistoryItem{
		Account: it.Account, Region: it.Region, AlarmName: p.AlarmName, AlarmType: p.AlarmType,
		Timestamp: now, Type: store.HistoryAction, Summary: summary, Data: string(b),
	}
}

// errorText is an action's error without the wrapping of the outbox.
func errorText(err error) string {
	var de *dispatch.Error
	if errors.As(err, &de) {
		return de.Err.Error()
	}
	return err.Error()
}
