package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// compositePasses bounds the passes of a run over composite alarms: a
// composite whose child is a composite changes a pass after its child, so
// chains up to this depth settle in one run.
const compositePasses = 10

// PutCompositeAlarm creates or updates a composite alarm. Its rule's
// children must exist, and no cycle may pass through it.
func (s *Service) PutCompositeAlarm(ctx context.Context, sc Scope, in PutInput) error {
	d := &in.Definition
	rule, err := ParseRule(d.AlarmRule)
	if err != nil {
		return errorf(ValidationError, "%s", err.Error())
	}
	var missing []string
	for _, ref := range rule.Children() {
		name, err := s.childName(sc, ref)
		if err != nil {
			return err
		}
		if _, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, name); errors.Is(err, store.ErrNotFound) {
			missing = append(missing, ref)
		} else if err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return errorf(ValidationError, "Could not save the composite alarm as alarms [%s] in the alarm rule do not exist", strings.Join(missing, ", "))
	}
	if err := s.refuseCycle(ctx, sc, in.Name, rule); err != nil {
		return err
	}
	if d.ActionsSuppressor != "" {
		name, err := s.childName(sc, d.ActionsSuppressor)
		if err != nil {
			return err
		}
		if _, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, name); errors.Is(err, store.ErrNotFound) {
			return errorf(ValidationError, "The ActionsSuppressor alarm %s does not exist.", d.ActionsSuppressor)
		} else if err != nil {
			return err
		}
		if d.ActionsSuppressorWaitPeriod < 0 || d.ActionsSuppressorExtensionPeriod < 0 {
			return errorf(ValidationError, "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod must not be negative.")
		}
	} else if d.ActionsSuppressorWaitPeriod != 0 || d.ActionsSuppressorExtensionPeriod != 0 {
		return errorf(ValidationError, "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are only for a composite alarm with an ActionsSuppressor.")
	}
	return s.put(ctx, sc, store.CompositeAlarm, in)
}

// childName returns the name of the alarm a rule reference names: an
// alarm of the caller's account and region, by name or ARN.
func (s *Service) childName(sc Scope, ref string) (string, error) {
	if !strings.HasPrefix(ref, "arn:") {
		return ref, nil
	}
	if prefix := ARN(sc, ""); !strings.HasPrefix(ref, prefix) {
		return "", errorf(ValidationError, "The alarm %s is not in this account and region: Vigil's composite alarms read the alarms of their own account and region.", ref)
	}
	return RuleRefName(ref), nil
}

// refuseCycle refuses a rule of the composite alarm name through which a
// cycle would pass: one whose children lead back to it.
func (s *Service) refuseCycle(ctx context.Context, sc Scope, name string, rule *Rule) error {
	seen := map[string]bool{}
	stack := []string{}
	for _, ref := range rule.Children() {
		n, _ := s.childName(sc, ref)
		stack = append(stack, n)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == name {
			return errorf(ValidationError, "The alarm rule of %s creates a cycle: one of its children depends on it.", name)
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		children, err := s.children(ctx, sc, n)
		if err != nil {
			return err
		}
		stack = append(stack, children...)
	}
	return nil
}

// children returns the names of the children of the alarm name: none for
// a metric alarm or an alarm that does not exist.
func (s *Service) children(ctx context.Context, sc Scope, name string) ([]string, error) {
	sa, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if sa.Type != store.CompositeAlarm {
		return nil, nil
	}
	a, err := read(*sa)
	if err != nil {
		return nil, err
	}
	return ruleChildren(sc, a.Definition)
}

// ruleChildren returns the names of a composite definition's children.
func ruleChildren(sc Scope, d *Definition) ([]string, error) {
	rule, err := ParseRule(d.AlarmRule)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ref := range rule.Children() {
		n := ref
		if strings.HasPrefix(ref, "arn:") {
			n = RuleRefName(ref)
		}
		out = append(out, n)
	}
	return out, nil
}

// parents returns the composite alarms of a scope whose rule or actions
// suppressor names the alarm name.
func (s *Service) parents(ctx context.Context, sc Scope, name string) ([]Alarm, error) {
	all, err := s.alarmsOfType(ctx, sc, store.CompositeAlarm)
	if err != nil {
		return nil, err
	}
	var out []Alarm
	for _, a := range all {
		children, err := ruleChildren(sc, a.Definition)
		if err != nil {
			return nil, err
		}
		if slices.Contains(children, name) {
			out = append(out, a)
		}
	}
	return out, nil
}

// compositeEvaluation is what a composite alarm carries between runs
// (the store's Evaluation).
type compositeEvaluation struct {
	// PendingSince is when the alarm went into ALARM while its actions
	// wait for the suppressor (ms; 0: none pending).
	PendingSince int64 `json:"pendingSince,omitempty"`
	// SuppressorAlarm is when the suppressor was last seen in ALARM (ms),
	// from which the extension period counts.
	SuppressorAlarm int64 `json:"suppressorAlarm,omitempty"`
	// SuppressedBy and SuppressedReason are the alarm's
	// ActionsSuppressedBy and ActionsSuppressedReason.
	SuppressedBy     string `json:"suppressedBy,omitempty"`
	SuppressedReason string `json:"suppressedReason,omitempty"`
}

// CompositeSuppression returns a composite alarm's ActionsSuppressedBy
// and ActionsSuppressedReason ("" when none).
func CompositeSuppression(a Alarm) (by, reason string) {
	var ev compositeEvaluation
	if len(a.Evaluation) > 0 && json.Unmarshal(a.Evaluation, &ev) == nil {
		return ev.SuppressedBy, ev.SuppressedReason
	}
	return "", ""
}

// evaluateComposites evaluates the composite alarms given, a pass at a
// time until none changes.
func (s *Service) evaluateComposites(ctx context.Context, composites []Alarm, now time.Time) error {
	var errs []error
	for range compositePasses {
		changed := false
		for i := range composites {
			c, err := s.evaluateComposite(ctx, composites[i], now)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			changed = changed || c.State != composites[i].State
			composites[i] = c
		}
		if !changed {
			break
		}
	}
	return errors.Join(errs...)
}

// evaluateComposite evaluates one composite alarm on its children's
// states, runs the actions its suppressor lets run, and returns it as it
// now is.
func (s *Service) evaluateComposite(ctx context.Context, a Alarm, now time.Time) (Alarm, error) {
	sc := Scope{a.Account, a.Region}
	rule, err := ParseRule(a.Definition.AlarmRule)
	if err != nil {
		return a, err
	}
	states := map[string]store.Alarm{}
	for _, ref := range rule.Children() {
		name, err := s.childName(sc, ref)
		if err != nil {
			return a, err
		}
		child, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, name)
		if err == nil {
			states[ref] = *child
		} else if !errors.Is(err, store.ErrNotFound) {
			return a, err
		}
	}
	value := rule.Eval(func(ref string) (State, bool) {
		c, ok := states[ref]
		return State(c.State), ok
	})
	state := StateOK
	if value {
		state = StateAlarm
	}
	ev, err := s.suppression(ctx, a, now)
	if err != nil {
		return a, err
	}
	changed := State(a.State) != state
	runActions := true
	switch {
	case ev.SuppressedBy == "Alarm" || ev.SuppressedBy == "ExtensionPeriod":
		runActions = false
	case changed && state == StateAlarm && a.Definition.ActionsSuppressor != "" && a.Definition.ActionsSuppressorWaitPeriod > 0:
		ev.PendingSince, ev.SuppressedBy = ms(now), "WaitPeriod"
		ev.SuppressedReason = fmt.Sprintf("Actions suppressed by WaitPeriod: waiting %d seconds for %s to go into ALARM", a.Definition.ActionsSuppressorWaitPeriod, a.Definition.ActionsSuppressor)
		runActions = false
	}
	if !changed {
		return a, s.settlePending(ctx, a, ev, now)
	}
	if state == StateOK {
		ev.PendingSince = 0
	}
	reason, reasonData := compositeReason(rule, states, value)
	evaluation := encodeComposite(ev)
	if err := s.transitionActions(ctx, a, state, reason, reasonData, now, evaluation, runActions); err != nil {
		return a, err
	}
	a.State, a.StateReason, a.StateReasonData, a.Evaluation = string(state), reason, reasonData, evaluation
	return a, nil
}

// suppression returns the composite alarm's suppression at now from its
// suppressor's state.
func (s *Service) suppression(ctx context.Context, a Alarm, now time.Time) (compositeEvaluation, error) {
	var ev compositeEvaluation
	if len(a.Evaluation) > 0 {
		if err := json.Unmarshal(a.Evaluation, &ev); err != nil {
			return ev, fmt.Errorf("alarm %s: cannot read its evaluation: %w", a.Name, err)
		}
	}
	ev.SuppressedBy, ev.SuppressedReason = "", ""
	d := a.Definition
	if d.ActionsSuppressor == "" {
		return ev, nil
	}
	name, err := s.childName(Scope{a.Account, a.Region}, d.ActionsSuppressor)
	if err != nil {
		return ev, err
	}
	sup, err := s.opt.Store.Alarm(ctx, a.Account, a.Region, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ev, err
	}
	switch {
	case sup != nil && State(sup.State) == StateAlarm:
		ev.SuppressorAlarm, ev.PendingSince = ms(now), 0
		ev.SuppressedBy, ev.SuppressedReason = "Alarm", fmt.Sprintf("Alarm is in ALARM state, actions suppressed by %s", d.ActionsSuppressor)
	case ev.SuppressorAlarm > 0 && ms(now) < ev.SuppressorAlarm+int64(d.ActionsSuppressorExtensionPeriod)*1000:
		ev.SuppressedBy = "ExtensionPeriod"
		ev.SuppressedReason = fmt.Sprintf("Actions suppressed by ExtensionPeriod: %s left ALARM less than %d seconds ago", d.ActionsSuppressor, d.ActionsSuppressorExtensionPeriod)
	case ev.PendingSince > 0 && ms(now) < ev.PendingSince+int64(d.ActionsSuppressorWaitPeriod)*1000:
		ev.SuppressedBy = "WaitPeriod"
		ev.SuppressedReason = fmt.Sprintf("Actions suppressed by WaitPeriod: waiting %d seconds for %s to go into ALARM", d.ActionsSuppressorWaitPeriod, d.ActionsSuppressor)
	}
	return ev, nil
}

// settlePending runs the actions of an alarm that stayed in ALARM through
// its wait period without its suppressor going into ALARM, and records
// the suppression.
func (s *Service) settlePending(ctx context.Context, a Alarm, ev compositeEvaluation, now time.Time) error {
	var actions []store.OutboxItem
	if ev.PendingSince > 0 && ev.SuppressedBy == "" {
		ev.PendingSince = 0
		if State(a.State) == StateAlarm {
			prev := a.Alarm
			prev.State = string(StateOK)
			var err error
			if actions, err = s.actionItems(ctx, prev, a.Alarm, a.Definition); err != nil {
				return err
			}
		}
	}
	evaluation := encodeComposite(ev)
	if string(evaluation) == string(a.Evaluation) && len(actions) == 0 {
		return nil
	}
	if err := s.opt.Store.SetAlarmState(ctx, a.Account, a.Region, a.Name, a.State, a.StateReason, a.StateReasonData,
		a.StateUpdated, a.StateTransitioned, evaluation, actions); err != nil {
		return err
	}
	s.enqueued(actions)
	return nil
}

func encodeComposite(ev compositeEvaluation) []byte {
	if ev == (compositeEvaluation{}) {
		return nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic("BUG: alarms: cannot encode a composite evaluation: " + err.Error())
	}
	return b
}

// compositeReason writes a composite alarm's reason: the children whose
// state made the rule's value, the most recent first.
func compositeReason(rule *Rule, states map[string]store.Alarm, value bool) (string, string) {
	var triggering []store.Alarm
	for _, ref := range rule.Children() {
		c, ok := states[ref]
		if ok && (State(c.State) == StateAlarm) == value {
			triggering = append(triggering, c)
		}
	}
	slices.SortStableFunc(triggering, func(a, b store.Alarm) int { return int(b.StateTransitioned - a.StateTransitioned) })
	type triggered struct {
		ARN   string `json:"arn"`
		State struct {
			Value     string `json:"value"`
			Timestamp string `json:"timestamp"`
		} `json:"state"`
	}
	data := struct {
		TriggeringAlarms []triggered `json:"triggeringAlarms"`
	}{TriggeringAlarms: []triggered{}}
	for _, c := range triggering {
		t := triggered{ARN: c.ARN}
		t.State.Value, t.State.Timestamp = c.State, formatTime(time.UnixMilli(c.StateTransitioned))
		data.TriggeringAlarms = append(data.TriggeringAlarms, t)
	}
	b, err := json.Marshal(data)
	if err != nil {
		panic("BUG: alarms: cannot encode a composite reason: " + err.Error())
	}
	if len(triggering) == 0 {
		return fmt.Sprintf("The alarm rule evaluated to %s.", strings.ToUpper(fmt.Sprint(value))), string(b)
	}
	c := triggering[0]
	return fmt.Sprintf("%s transitioned to %s at %s", c.ARN, c.State,
		time.UnixMilli(c.StateTransitioned).UTC().Format("Monday 02 January, 2006 15:04:05 UTC")), string(b)
}
