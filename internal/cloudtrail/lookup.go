package cloudtrail

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
)

// LookupPage is the most events LookupEvents returns at once, and its
// default.
const LookupPage = 50

// lookupToken marks LookupEvents' NextToken.
const lookupToken = "lookup:"

// Lookup is a LookupEvents request.
type Lookup struct {
	Account, Region string
	// Attribute and Value select the events (none when Attribute is "").
	Attribute, Value string
	// From and To bound the events' time (zero: 90 days ago; now).
	From, To time.Time
	// Insight asks for Insights events instead of management events.
	Insight bool
	// Limit (0: LookupPage) and Token page the events.
	Limit int
	Token string
}

// lookupAttributes are the attributes LookupEvents filters on, those
// Vigil's events carry.
var lookupAttributes = map[string]bool{
	"EventId": true, "EventName": true, "EventSource": true,
	"Username": true, "AccessKeyId": true, "ReadOnly": true,
}

// LookupEvents returns an account's events of a region, newest first,
// and the token of the next page ("" at the end).
func (s *Service) LookupEvents(ctx context.Context, l Lookup) ([]store.TrailEvent, string, error) {
	if l.Attribute != "" && !lookupAttributes[l.Attribute] {
		return nil, "", errorf(InvalidLookupAttributes,
			"Vigil's events record no resources: the lookup attribute %s is not supported.", l.Attribute)
	}
	if l.Attribute == "ReadOnly" && l.Value != "true" && l.Value != "false" {
		return nil, "", errorf(InvalidLookupAttributes, "ReadOnly must be true or false.")
	}
	now := s.opt.Clock.Now()
	from, to := l.From, l.To
	if oldest := now.Add(-Retention); from.Before(oldest) {
		// Events past 90 days are deleted within the hour after: never
		// shown.
		from = oldest
	}
	if to.IsZero() {
		to = now
	}
	if from.After(to) {
		return nil, "", errorf(InvalidTimeRange, "Start time must be before end time.")
	}
	q := store.TrailEventQuery{
		Account: l.Account, Region: l.Region, From: ms(from), To: ms(to) + 1,
		Attribute: l.Attribute, Value: l.Value, Limit: l.Limit,
	}
	if q.Limit == 0 {
		q.Limit = LookupPage
	}
	if l.Token != "" {
		key, ok := pagetoken.Decode(lookupToken, l.Token)
		t, seq, ok2 := strings.Cut(key, ",")
		q.BeforeTime, _ = strconv.ParseInt(t, 10, 64)
		q.BeforeSeq, _ = strconv.ParseInt(seq, 10, 64)
		if !ok || !ok2 || q.BeforeSeq <= 0 {
			return nil, "", errorf(InvalidNextToken, "Invalid NextToken.")
		}
	}
	if l.Insight {
		q.Category = "Insight"
	}
	q.Limit++ // one more tells whether there is a next page
	events, err := s.opt.Store.LookupEvents(ctx, q)
	if err != nil || len(events) < q.Limit {
		return events, "", err
	}
	events = events[:q.Limit-1]
	last := events[len(events)-1]
	return events, pagetoken.Encode(lookupToken, strconv.FormatInt(last.Time, 10)+","+strconv.FormatInt(last.Seq, 10)), nil
}

// ExpireEvents deletes the events past the retention of the event
// history; a periodic job.
func (s *Service) ExpireEvents(ctx context.Context, now time.Time) error {
	if err := s.opt.Store.MarkEvents(ctx, ms(now)); err != nil {
		return err
	}
	n, err := s.opt.Store.ExpireEvents(ctx, ms(now.Add(-Retention)))
	if n > 0 {
		s.opt.Logger.Info("CloudTrail deleted events past 90 days", "events", n)
	}
	return err
}
