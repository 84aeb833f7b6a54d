package alarms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// awsTime is the time format of alarm notifications, history data and
// events: "2026-12-07T10:20:00.123+0000".
const awsTime = "2006-01-02T15:04:05.000-0700"

func formatTime(t time.Time) string { return t.UTC().Format(awsTime) }

// transition sets the state of the alarm a at now. A change of state
// writes a StateUpdate history item, enqueues the actions of the new
// state (when enabled) and publishes a state change event; a state kept
// only has its reason rewritten.
func (s *Service) transition(ctx context.Context, a Alarm, state State, reason, reasonData string, now time.Time, evaluation []byte) error {
	return s.transitionActions(ctx, a, state, reason, reasonData, now, evaluation, true)
}

// transitionActions is transition, running the actions of a changed
// state only when runActions (a composite alarm's suppressor may hold
// them back), and writing the extra history items with the state (a
// multi-time-series alarm's contributors').
func (s *Service) transitionActions(ctx context.Context, a Alarm, state State, reason, reasonData string, now time.Time, evaluation []byte,
	runActions bool, extra ...store.AlarmHistoryItem) error {
	old := a.Alarm
	changed := State(old.State) != state
	transitioned := old.StateTransitioned
	var items []store.AlarmHistoryItem
	if changed {
		transitioned = ms(now)
		items = append(items, stateItem(old, state, reason, reasonData, now))
	}
	items = append(items, extra...)
	next := old
	next.State, next.StateReason, next.StateReasonData = string(state), reason, reasonData
	next.StateUpdated, next.StateTransitioned, next.Evaluation = ms(now), transitioned, evaluation
	if !runActions {
		next.ActionsEnabled = false
	}
	var actions []store.OutboxItem
	if changed {
		var err error
		if actions, err = s.actionItems(ctx, old, next, a.Definition); err != nil {
			// The state is recorded all the same; the actions are lost,
			// and the log says so.
			s.opt.Logger.Error("cannot make alarm actions", "alarm", old.ARN, "state", state, "err", err)
		}
	}
	if err := s.opt.Store.SetAlarmState(ctx, old.Account, old.Region, old.Name, string(state), reason, reasonData,
		ms(now), transitioned, evaluation, actions, items...); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	s.enqueued(actions)
	s.publishStateChange(ctx, old, next, a.Definition)
	return nil
}

// stateItem is the StateUpdate history item of a change from a's state.
func stateItem(a store.Alarm, state State, reason, reasonData string, now time.Time) store.AlarmHistoryItem {
	type stateJSON struct {
		StateValue      string          `json:"stateValue"`
		StateReason     string          `json:"stateReason"`
		StateReasonData json.RawMessage `json:"stateReasonData,omitempty"`
	}
	data, err := json.Marshal(struct {
		Version  string    `json:"version"`
		OldState stateJSON `json:"oldState"`
		NewState stateJSON `json:"newState"`
	}{"1.0",
		stateJSON{a.State, a.StateReason, rawJSON(a.StateReasonData)},
		stateJSON{string(state), reason, rawJSON(reasonData)}})
	if err != nil {
		panic("BUG: alarms: cannot encode a state item: " + err.Error())
	}
	return store.AlarmHistoryItem{
		Account: a.Account, Region: a.Region, AlarmName: a.Name, AlarmType: a.Type, Timestamp: ms(now),
		Type: store.HistoryStateUpdate, Summary: fmt.Sprintf("Alarm updated from %s to %s", a.State, state), Data: string(data),
	}
}

// rawJSON is s as JSON text, nil when empty or not JSON (a reason data
// SetAlarmState was given is checked to be JSON before).
func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

// SetAlarmState sets an alarm's state until its next evaluation, running
// the actions of the new state, as SetAlarmState does.
func (s *Service) SetAlarmState(ctx context.Context, sc Scope, name string, state State, reason, reasonData string) error {
	switch state {
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return errorf(ValidationError, "The value %s for parameter StateValue is invalid: it must be one of OK, ALARM, INSUFFICIENT_DATA.", state)
	}
	if reasonData != "" && !json.Valid([]byte(reasonData)) {
		return errorf(InvalidFormat, "The StateReasonData is not valid JSON.")
	}
	a, err := s.get(ctx, sc, name)
	if err != nil {
		return err
	}
	if err := s.transition(ctx, a, state, reason, reasonData, s.opt.Clock.Now(), a.Evaluation); err != nil {
		return err
	}
	// Composite alarms see the change at once; the alarm itself returns
	// to its evaluated state at its next period.
	if s.opt.Evaluate != nil {
		s.opt.Evaluate()
	}
	return nil
}
