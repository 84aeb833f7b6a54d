package alarms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// A multi-time-series alarm is an alarm on a Metrics Insights query with
// GROUP BY: each time series the query returns is a contributor, whose
// state is decided apart by the alarm's rules. The alarm is in ALARM while
// a contributor is, else OK while it has contributors, else
// INSUFFICIENT_DATA; DescribeAlarmContributors lists the contributors in
// ALARM, and each change of a contributor's state is an
// AlarmContributorStateUpdate history item.

// Contributor is one time series of a multi-time-series alarm, as a
// Source returns it.
type Contributor struct {
	// Attributes are the values the query grouped the series by.
	Attributes map[string]string
	Points     []Datapoint
}

// Grouped reports whether the alarm is a multi-time-series alarm.
func (d *Definition) Grouped() bool {
	for _, q := range d.Metrics {
		if q.Returns() && isInsights(q.Expression) && strings.Contains(strings.ToUpper(q.Expression), "GROUP BY") {
			return true
		}
	}
	return false
}

func isInsights(expr string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(expr)), "SELECT")
}

// contributorState is what the alarm keeps of a contributor between
// evaluations.
type contributorState struct {
	Attributes   map[string]string `json:"attributes"`
	State        State             `json:"state"`
	Reason       string            `json:"reason"`
	ReasonData   string            `json:"reasonData,omitempty"`
	Transitioned int64             `json:"transitioned"`
}

// contributorsEvaluation is a multi-time-series alarm's Evaluation.
type contributorsEvaluation struct {
	Contributors map[string]*contributorState `json:"contributors"`
}

func decodeContributors(b []byte) (contributorsEvaluation, error) {
	ev := contributorsEvaluation{Contributors: map[string]*contributorState{}}
	if len(b) == 0 {
		return ev, nil
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return ev, fmt.Errorf("cannot read the contributors of an alarm: %w", err)
	}
	if ev.Contributors == nil {
		ev.Contributors = map[string]*contributorState{}
	}
	return ev, nil
}

// contributorID is a contributor's id: 16 hexadecimal digits of a hash of
// its attributes, the same at every evaluation.
func contributorID(attrs map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(attrs[k]), attrs[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// evaluateGrouped evaluates a multi-time-series alarm on its
// contributors. A contributor not returned is evaluated on no datapoints
// while it is in ALARM (its missing data decides), and forgotten
// otherwise.
func (s *Service) evaluateGrouped(ctx context.Context, a Alarm, series []Contributor, now time.Time) error {
	ev, err := decodeContributors(a.Evaluation)
	if err != nil {
		return err
	}
	cfg := a.Definition.Config()
	next := map[string]*contributorState{}
	var items []store.AlarmHistoryItem
	decide := func(id string, attrs map[string]string, points []Datapoint) {
		c := ev.Contributors[id]
		if c == nil {
			c = &contributorState{Attributes: attrs, State: StateInsufficientData, Reason: initialReason, Transitioned: ms(now)}
		}
		res := Evaluate(cfg, c.State, now, points)
		if res.Changed {
			items = append(items, contributorItem(a, id, c, res, now))
			c.State, c.Reason, c.ReasonData, c.Transitioned = res.State, res.Reason, string(res.ReasonData), ms(now)
		}
		next[id] = c
	}
	for _, c := range series {
		decide(contributorID(c.Attributes), c.Attributes, c.Points)
	}
	for id, c := range ev.Contributors {
		if _, seen := next[id]; !seen && c.State == StateAlarm {
			decide(id, c.Attributes, nil)
		}
	}
	state, reason := groupedState(next)
	evaluation, err := json.Marshal(contributorsEvaluation{Contributors: next})
	if err != nil {
		return err
	}
	if state == State(a.State) && len(items) == 0 {
		s.evaluations.WithLabelValues("unchanged").Inc()
		if string(evaluation) == string(a.Evaluation) {
			return nil
		}
		return s.opt.Store.SetAlarmState(ctx, a.Account, a.Region, a.Name, a.State, a.StateReason, a.StateReasonData,
			a.StateUpdated, a.StateTransitioned, evaluation, nil)
	}
	s.evaluations.WithLabelValues("changed").Inc()
	if state == State(a.State) {
		reason = a.StateReason
	}
	return s.transitionActions(ctx, a, state, reason, "", now, evaluation, true, items...)
}

// groupedState is a multi-time-series alarm's state and reason from its
// contributors'.
func groupedState(cs map[string]*contributorState) (State, string) {
	alarm, ok := 0, 0
	for _, c := range cs {
		switch c.State {
		case StateAlarm:
			alarm++
		case StateOK:
			ok++
		}
	}
	switch {
	case alarm > 0:
		return StateAlarm, fmt.Sprintf("%s of %d in ALARM.", count(alarm, "contributor"), len(cs))
	case ok > 0:
		return StateOK, fmt.Sprintf("No contributor in ALARM: %s in OK.", count(ok, "contributor"))
	}
	return StateInsufficientData, "Insufficient Data: no contributor has enough data."
}

// contributorItem is the AlarmContributorStateUpdate history item of a
// contributor's change.
func contributorItem(a Alarm, id string, c *contributorState, res Result, now time.Time) store.AlarmHistoryItem {
	attrs, err := json.Marshal(c.Attributes)
	if err != nil {
		panic("BUG: alarms: cannot encode contributor attributes: " + err.Error())
	}
	old := a.Alarm
	old.State, old.StateReason, old.StateReasonData = string(c.State), c.Reason, c.ReasonData
	item := stateItem(old, res.State, res.Reason, string(res.ReasonData), now)
	item.Type = store.HistoryContributorStateUpdate
	item.Summary = fmt.Sprintf("Contributor %s updated from %s to %s", id, c.State, res.State)
	item.ContributorID, item.ContributorAttributes = id, string(attrs)
	return item
}

// ContributorView is a contributor as DescribeAlarmContributors
// describes it.
type ContributorView struct {
	ID           string
	Attributes   map[string]string
	Reason       string
	Transitioned time.Time
}

// DescribeAlarmContributors lists the contributors in ALARM of a
// multi-time-series alarm, by id, a page at a time.
func (s *Service) DescribeAlarmContributors(ctx context.Context, sc Scope, name, token string) ([]ContributorView, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	a, err := s.get(ctx, sc, name)
	if err != nil {
		return nil, "", err
	}
	ev, err := decodeContributors(a.Evaluation)
	if err != nil || !a.Definition.Grouped() {
		return nil, "", err
	}
	var out []ContributorView
	for _, id := range slices.Sorted(maps.Keys(ev.Contributors)) {
		c := ev.Contributors[id]
		if c.State != StateAlarm || after != "" && id <= after {
			continue
		}
		if len(out) == maxRecords {
			return out, encodeToken(out[len(out)-1].ID), nil
		}
		out = append(out, ContributorView{ID: id, Attributes: c.Attributes, Reason: c.Reason, Transitioned: time.UnixMilli(c.Transitioned)})
	}
	return out, "", nil
}
