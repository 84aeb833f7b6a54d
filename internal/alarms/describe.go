package alarms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
)

// Paging limits of the describing operations.
const (
	defaultMaxRecords = 50
	maxRecords        = 100
	// historyRetention is how long history items are kept.
	historyRetention = 30 * 24 * time.Hour
)

// DescribeQuery is a DescribeAlarms request.
type DescribeQuery struct {
	// ChildrenOf and ParentsOf list the children of a composite alarm,
	// or the composite alarms an alarm is a child of, of every type; no
	// other filter combines with them.
	ChildrenOf, ParentsOf string
	Names                 []string
	NamePrefix            string
	Types                 []string
	State                 string
	ActionPrefix          string
	MaxRecords            int
	NextToken             string
}

// DescribeAlarms lists alarms by name, a page at a time.
func (s *Service) DescribeAlarms(ctx context.Context, sc Scope, q DescribeQuery) ([]Alarm, string, error) {
	if len(q.Names) > 0 && q.NamePrefix != "" {
		return nil, "", errorf(InvalidParameterCombination, "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	limit, err := pageSize(q.MaxRecords)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeToken(q.NextToken)
	if err != nil {
		return nil, "", err
	}
	if q.ChildrenOf != "" || q.ParentsOf != "" {
		return s.family(ctx, sc, q, after, limit)
	}
	types := q.Types
	if len(types) == 0 {
		// AWS lists metric alarms only unless asked for composites.
		types = []string{store.MetricAlarm}
	}
	sq := store.AlarmQuery{Account: sc.Account, Region: sc.Region, Names: q.Names, NamePrefix: q.NamePrefix,
		Types: types, State: q.State, After: after, Limit: limit + 1}
	var out []Alarm
	for {
		page, err := s.opt.Store.Alarms(ctx, sq)
		if err != nil {
			return nil, "", err
		}
		for _, sa := range page {
			a, err := read(sa)
			if err != nil {
				return nil, "", err
			}
			if q.ActionPrefix == "" || hasActionPrefix(a.Definition, q.ActionPrefix) {
				out = append(out, a)
			}
		}
		if len(out) > limit || len(page) < sq.Limit {
			break
		}
		sq.After = page[len(page)-1].Name
	}
	if len(out) > limit {
		return out[:limit], encodeToken(out[limit-1].Name), nil
	}
	return out, "", nil
}

// family lists the children or the parents of an alarm, by name.
func (s *Service) family(ctx context.Context, sc Scope, q DescribeQuery, after string, limit int) ([]Alarm, string, error) {
	if q.ChildrenOf != "" && q.ParentsOf != "" || len(q.Names) > 0 || q.NamePrefix != "" || len(q.Types) > 0 || q.State != "" || q.ActionPrefix != "" {
		return nil, "", errorf(InvalidParameterCombination, "With ChildrenOfAlarmName or ParentsOfAlarmName, no other parameter may be given but MaxRecords and NextToken.")
	}
	var list []Alarm
	if q.ParentsOf != "" {
		ps, err := s.parents(ctx, sc, q.ParentsOf)
		if err != nil {
			return nil, "", err
		}
		list = ps
	} else {
		names, err := s.children(ctx, sc, q.ChildrenOf)
		if err != nil || len(names) == 0 {
			// An empty filter would select every alarm.
			return nil, "", err
		}
		found, err := s.opt.Store.Alarms(ctx, store.AlarmQuery{Account: sc.Account, Region: sc.Region, Names: names})
		if err != nil {
			return nil, "", err
		}
		for _, sa := range found {
			a, err := read(sa)
			if err != nil {
				return nil, "", err
			}
			list = append(list, a)
		}
	}
	// The lists are by name: skip the pages before.
	for len(list) > 0 && after != "" && list[0].Name <= after {
		list = list[1:]
	}
	if len(list) > limit {
		return list[:limit], encodeToken(list[limit-1].Name), nil
	}
	return list, "", nil
}

func hasActionPrefix(d *Definition, prefix string) bool {
	for _, list := range [][]string{d.OKActions, d.AlarmActions, d.InsufficientDataActions} {
		for _, a := range list {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
	}
	return false
}

func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return defaultMaxRecords, nil
	case n < 1 || n > maxRecords:
		return 0, errorf(ValidationError, "The value %d for parameter MaxRecords is invalid: it must be between 1 and %d.", n, maxRecords)
	}
	return n, nil
}

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "alarms1:"

func encodeToken(key string) string { return pagetoken.Encode(tokenPrefix, key) }

func decodeToken(t string) (string, error) {
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(InvalidNextToken, "The service cannot decode the next token %q.", t)
	}
	return key, nil
}

// MetricQuery selects the alarms of DescribeAlarmsForMetric.
type ForMetricQuery struct {
	Namespace, MetricName        string
	Dimensions                   []Dimension
	Statistic, ExtendedStatistic string
	Period                       int64
	Unit                         string
}

// DescribeAlarmsForMetric lists the alarms on one metric (not those on
// expressions that read it, as in AWS), by name.
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, sc Scope, q ForMetricQuery) ([]Alarm, error) {
	all, err := s.alarmsOfType(ctx, sc, store.MetricAlarm)
	if err != nil {
		return nil, err
	}
	var out []Alarm
	for _, a := range all {
		d := a.Definition
		if d.Namespace != q.Namespace || d.MetricName != q.MetricName || !sameDimensions(d.Dimensions, q.Dimensions) ||
			q.Statistic != "" && d.Statistic != q.Statistic || q.ExtendedStatistic != "" && d.ExtendedStatistic != q.ExtendedStatistic ||
			q.Period != 0 && d.Period != q.Period || q.Unit != "" && d.Unit != q.Unit {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// alarmsOfType returns every alarm of a type of a scope, by name.
func (s *Service) alarmsOfType(ctx context.Context, sc Scope, typ string) ([]Alarm, error) {
	all, err := s.opt.Store.Alarms(ctx, store.AlarmQuery{Account: sc.Account, Region: sc.Region, Types: []string{typ}})
	if err != nil {
		return nil, err
	}
	out := make([]Alarm, len(all))
	for i, sa := range all {
		if out[i], err = read(sa); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameDimensions(a, b []Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(ds []Dimension) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = d.Name + "\x00" + d.Value
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// DeleteAlarms deletes alarms: all of them, or none when one does not
// exist. Their history is kept.
func (s *Service) DeleteAlarms(ctx context.Context, sc Scope, names []string) error {
	if len(names) == 0 {
		// An empty filter would select every alarm.
		return nil
	}
	found, err := s.opt.Store.Alarms(ctx, store.AlarmQuery{Account: sc.Account, Region: sc.Region, Names: names})
	if err != nil {
		return err
	}
	var missing []string
	for _, n := range names {
		if !slices.ContainsFunc(found, func(a store.Alarm) bool { return a.Name == n }) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return errorf(ResourceNotFound, "The following alarms do not exist: %s", strings.Join(missing, ", "))
	}
	for _, n := range names {
		parents, err := s.parents(ctx, sc, n)
		if err != nil {
			return err
		}
		for _, p := range parents {
			if !slices.Contains(names, p.Name) {
				return errorf(ValidationError, "The alarm %s cannot be deleted: it is in the rule of the composite alarm %s.", n, p.Name)
			}
		}
	}
	if err := s.opt.Store.DeleteAlarms(ctx, sc.Account, sc.Region, names); err != nil {
		return err
	}
	now := s.opt.Clock.Now()
	for _, a := range found {
		if err := store.RemoveTags(ctx, s.opt.Tags, a.ARN); err != nil {
			return err
		}
		s.publishConfigChange(ctx, a, nil, nil, now)
	}
	return nil
}

// SetActionsEnabled enables or disables the actions of alarms; names of
// no alarm are ignored, as in AWS.
func (s *Service) SetActionsEnabled(ctx context.Context, sc Scope, names []string, enabled bool) error {
	return s.opt.Store.SetActionsEnabled(ctx, sc.Account, sc.Region, names, enabled)
}

// HistoryQuery is a DescribeAlarmHistory request.
type HistoryQuery struct {
	AlarmName string
	// ContributorID keeps the items of a contributor of a
	// multi-time-series alarm.
	ContributorID string
	Types         []string
	ItemType      string
	Start, End    *time.Time
	MaxRecords    int
	NextToken     string
	// Ascending is ScanBy TimestampAscending.
	Ascending bool
}

// DescribeAlarmHistory lists history items, newest first unless asked
// otherwise, a page at a time. EndDate is inclusive.
func (s *Service) DescribeAlarmHistory(ctx context.Context, sc Scope, q HistoryQuery) ([]store.AlarmHistoryItem, string, error) {
	limit, err := pageSize(q.MaxRecords)
	if err != nil {
		return nil, "", err
	}
	cursor, err := decodeToken(q.NextToken)
	if err != nil {
		return nil, "", err
	}
	hq := store.AlarmHistoryQuery{Account: sc.Account, Region: sc.Region, AlarmName: q.AlarmName, ContributorID: q.ContributorID, AlarmTypes: q.Types,
		Type: q.ItemType, Descending: !q.Ascending, Limit: limit + 1}
	if len(hq.AlarmTypes) == 0 {
		hq.AlarmTypes = []string{store.MetricAlarm}
	}
	if q.Start != nil {
		hq.Start = ms(*q.Start)
	}
	if q.End != nil {
		hq.End = ms(*q.End) + 1
	}
	if cursor != "" {
		ts, id, ok := strings.Cut(cursor, ".")
		hq.After.Timestamp, err = strconv.ParseInt(ts, 10, 64)
		if err == nil {
			hq.After.ID, err = strconv.ParseInt(id, 10, 64)
		}
		if !ok || err != nil {
			return nil, "", errorf(InvalidNextToken, "The service cannot decode the next token %q.", q.NextToken)
		}
	}
	items, err := s.opt.Store.AlarmHistory(ctx, hq)
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		l := items[limit-1]
		return items[:limit], encodeToken(fmt.Sprintf("%d.%d", l.Timestamp, l.ID)), nil
	}
	return items, "", nil
}

// ExpireHistory deletes the history items older than AWS's 30 days.
func (s *Service) ExpireHistory(ctx context.Context, now time.Time) error {
	_, err := s.opt.Store.DeleteAlarmHistoryBefore(ctx, ms(now.Add(-historyRetention)))
	return err
}

// Owns reports whether arn is the ARN of an alarm or a mute rule of the
// scope sc, whose tags the service keeps.
func Owns(sc Scope, arn string) bool {
	return strings.HasPrefix(arn, ARN(sc, "")) || strings.HasPrefix(arn, muteRuleARN(sc, ""))
}

// exists answers ResourceNotFound unless the alarm or mute rule of arn (an
// ARN Owns) exists.
func (s *Service) exists(ctx context.Context, sc Scope, arn string) error {
	var err error
	if name, ok := strings.CutPrefix(arn, ARN(sc, "")); ok {
		_, err = s.get(ctx, sc, name)
	} else {
		_, err = s.GetMuteRule(ctx, sc, strings.TrimPrefix(arn, muteRuleARN(sc, "")))
	}
	return err
}

// Tags returns the tags of an alarm or mute rule, or ResourceNotFound.
func (s *Service) Tags(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	if err := s.exists(ctx, sc, arn); err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// Tag adds and removes the tags of an alarm or mute rule.
func (s *Service) Tag(ctx context.Context, sc Scope, arn string, add map[string]string, remove []string) error {
	if err := s.exists(ctx, sc, arn); err != nil {
		return err
	}
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(LimitExceeded, "The maximum number of tags for a resource is %d.", maxTags)
	}
	return err
}
