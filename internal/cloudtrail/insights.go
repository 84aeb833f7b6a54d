package cloudtrail

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// CloudTrail Insights: a trail with insight selectors keeps, for each
// region it delivers and each API (event source and name) of the
// management write calls there, a baseline of calls a minute, and of
// failed calls a minute. A minute well above its baseline starts an
// Insights event; the first minute back under it ends it. AWS does not
// publish its model; Vigil's is plain and documented (docs/cloudtrail.md):
//
//   - The baseline is an exponentially weighted mean and variance of the
//     per-minute counts, minutes without calls counting as 0, with a
//     weight halving every week (about AWS's seven days of baseline).
//   - Nothing is reported until a region's baseline covers 36 hours, as
//     AWS takes up to 36 hours to deliver the first Insights events.
//   - A minute is unusual when its count exceeds the mean by more than
//     three standard deviations and by at least minExcess calls, and is at
//     least twice the mean.

// InsightTypes are the insight types Vigil detects.
var InsightTypes = []string{"ApiCallRateInsight", "ApiErrorRateInsight"}

const (
	// InsightsEvery is how often the insight job runs (each minute).
	InsightsEvery = time.Minute
	// insightWarmUp is how much baseline a region needs first.
	insightWarmUp = 36 * time.Hour
	// minExcess is the fewest calls above the mean that can be unusual.
	minExcess = 10
	// insightGrace is how long after its end a minute is analysed.
	insightGrace = time.Minute
)

// decay is the weight a minute's count keeps one minute later: it halves
// in a week.
var decay = math.Pow(0.5, 1/(7*24*60.0))

// NextInsights is the time of the insight run after after.
func NextInsights(after time.Time) time.Time { return after.Truncate(InsightsEvery).Add(InsightsEvery) }

// Baseline is the weighted sums of one API's per-minute counts: W the
// weights, S1 the weighted counts, S2 the weighted squares.
type Baseline struct {
	W, S1, S2 float64
	// Since is the first minute it covers (ms); Last the last (ms).
	Since, Last int64
	// Open is the insight under way (nil: none).
	Open *OpenInsight `json:",omitempty"`
}

// OpenInsight is an Insights event started and not yet ended.
type OpenInsight struct {
	SharedID string
	Start    int64
	// Baseline is the mean when it started; Counts the counts of its
	// minutes so far.
	Baseline float64
	Counts   []float64
}

// age moves b to minute m: the minutes in between had no calls.
func (b *Baseline) age(m int64) {
	if b.Last == 0 {
		b.Since, b.Last = m, m-int64(time.Minute/time.Millisecond)
	}
	n := float64((m - b.Last) / int64(time.Minute/time.Millisecond))
	if n <= 1 {
		return
	}
	// n-1 empty minutes: every sum decays, the weights gain a geometric
	// series.
	k := math.Pow(decay, n-1)
	b.W = k*b.W + (1-k)/(1-decay)
	b.S1 *= k
	b.S2 *= k
	b.Last = m - int64(time.Minute/time.Millisecond)
}

// add adds minute m's count x.
func (b *Baseline) add(m int64, x float64) {
	b.age(m)
	b.W = decay*b.W + 1
	b.S1 = decay*b.S1 + x
	b.S2 = decay*b.S2 + x*x
	b.Last = m
}

// stats returns the mean and standard deviation of the counts.
func (b *Baseline) stats() (mean, sd float64) {
	if b.W == 0 {
		return 0, 0
	}
	mean = b.S1 / b.W
	return mean, math.Sqrt(max(0, b.S2/b.W-mean*mean))
}

// unusual says whether x is well above the baseline.
func (b *Baseline) unusual(x float64) bool {
	mean, sd := b.stats()
	return x > mean+3*sd && x >= mean+minExcess && x >= 2*mean
}

// InsightState is a trail's baselines by region, insight type and API.
type InsightState struct {
	// Done is the end of the last minute analysed (ms).
	Done      int64
	Baselines map[string]*Baseline `json:",omitempty"`
}

// PutInsightSelectors sets (or, with none, clears) a trail's insight
// types.
func (s *Service) PutInsightSelectors(ctx context.Context, account, region, nameOrARN string, types []string) (*Trail, error) {
	t, err := s.homeTrail(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	for _, it := range types {
		if !slices.Contains(InsightTypes, it) {
			return nil, errorf(InvalidInsightSelectors, "Invalid InsightType %q: it must be ApiCallRateInsight or ApiErrorRateInsight.", it)
		}
	}
	if len(types) > 0 && !t.selects(&store.TrailEvent{Category: "Management", Source: "cloudtrail.amazonaws.com"}) {
		return nil, errorf(InvalidInsightSelectors, "Insights are computed from management write events: trail %s does not log them.", t.Name)
	}
	enabling := len(t.Insights) == 0 && len(types) > 0
	t.Insights = slices.Compact(slices.Sorted(slices.Values(types)))
	if err := s.opt.Store.SetTrailSettings(ctx, t.ARN, mustJSON(t.Settings)); err != nil {
		return nil, s.notFound(err, nameOrARN, account)
	}
	s.trailsChanged()
	if enabling {
		// Insights learn from now on, never from the past.
		from := ms(s.opt.Clock.Now().Truncate(time.Minute))
		if err := s.updateState(ctx, t.ARN, func(st *State) { st.Insight = InsightState{Done: from} }); err != nil {
			return nil, s.notFound(err, nameOrARN, account)
		}
	}
	return t, nil
}

// Insights analyses, for every logging trail with insight selectors, the
// minutes completed since its last run, and records the Insights events
// that start or end; a periodic job. The trail delivers them.
func (s *Service) Insights(ctx context.Context, now time.Time) error {
	return s.eachTrail(ctx, func(stored *store.Trail, t *Trail) error { return s.trailInsights(ctx, stored, t, now) })
}

func (s *Service) trailInsights(ctx context.Context, stored *store.Trail, t *Trail, now time.Time) error {
	if !t.State.Logging || len(t.Insights) == 0 {
		return nil
	}
	st := &t.State.Insight
	// A minute is analysed once the calls answered in it are surely
	// recorded (the audit hook queues them).
	end := ms(now.Add(-insightGrace).Truncate(time.Minute))
	if end <= st.Done {
		return nil
	}
	if st.Baselines == nil {
		st.Baselines = map[string]*Baseline{}
	}
	var found []store.TrailEvent
	for _, region := range t.regions() {
		counts, err := s.opt.Store.CountCalls(ctx, t.Account, region, st.Done, end)
		if err != nil {
			return err
		}
		found = append(found, s.analyse(t, region, counts, st, end)...)
	}
	st.Done = end
	if len(found) > 0 {
		if err := s.opt.Store.AppendEvents(ctx, found); err != nil {
			return err
		}
	}
	return s.opt.Store.SetTrailState(ctx, t.ARN, mustJSON(t.State), stored.Delivered)
}

// regions are the regions whose events a trail delivers: its home
// region, and for a multi-region trail those it delivered files of.
func (t *Trail) regions() []string {
	out := []string{t.Region}
	if t.MultiRegion {
		for _, r := range t.State.Regions {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// analyse feeds a region's minutes up to end into the baselines, and
// returns the Insights events they start and end.
func (s *Service) analyse(t *Trail, region string, counts []store.CallCount, st *InsightState, end int64) []store.TrailEvent {
	type key struct{ insight, source, name string }
	byMinute := map[int64]map[key]float64{}
	for _, c := range counts {
		for _, it := range t.Insights {
			x := float64(c.Calls)
			if it == "ApiErrorRateInsight" {
				x = float64(c.Errors)
			}
			if byMinute[c.Minute] == nil {
				byMinute[c.Minute] = map[key]float64{}
			}
			byMinute[c.Minute][key{it, c.Source, c.Name}] = x
			if st.Baselines[region+"|"+it+"|"+c.Source+"|"+c.Name] == nil {
				st.Baselines[region+"|"+it+"|"+c.Source+"|"+c.Name] = &Baseline{}
			}
		}
	}
	// The region's baselines of the trail's insight types, their keys
	// split once.
	type baseline struct {
		key
		b *Baseline
	}
	var mine []baseline
	for id, b := range st.Baselines {
		p := strings.SplitN(id, "|", 4)
		if p[0] == region && slices.Contains(t.Insights, p[1]) {
			mine = append(mine, baseline{key{p[1], p[2], p[3]}, b})
		}
	}
	var out []store.TrailEvent
	minute := int64(time.Minute / time.Millisecond)
	for m := st.Done; m < end; m += minute {
		for _, bl := range mine {
			b, it, source, name := bl.b, bl.insight, bl.source, bl.name
			x := byMinute[m][bl.key]
			if x == 0 && b.Open == nil && len(byMinute[m]) == 0 {
				continue // an empty minute of every API: aged in bulk by add
			}
			warm := b.Since != 0 && m-b.Since >= insightWarmUp.Milliseconds()
			switch {
			case b.Open != nil && b.unusual(x):
				b.Open.Counts = append(b.Open.Counts, x)
			case b.Open != nil:
				out = append(out, t.insightEvent(region, it, source, name, b, m, false))
				b.Open = nil
			case warm && b.unusual(x):
				mean, _ := b.stats()
				b.Open = &OpenInsight{SharedID: request.NewUUID(), Start: m, Baseline: mean, Counts: []float64{x}}
				out = append(out, t.insightEvent(region, it, source, name, b, m, true))
			}
			b.add(m, x)
		}
	}
	return out
}

// insightRecord is an Insights event as CloudTrail writes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-contents.html).
type insightRecord struct {
	EventVersion       string         `json:"eventVersion"`
	EventTime          string         `json:"eventTime"`
	AWSRegion          string         `json:"awsRegion"`
	EventID            string         `json:"eventID"`
	EventType          string         `json:"eventType"`
	RecipientAccountID string         `json:"recipientAccountId"`
	SharedEventID      string         `json:"sharedEventID"`
	InsightDetails     insightDetails `json:"insightDetails"`
	EventCategory      string         `json:"eventCategory"`
}

type insightDetails struct {
	State          string         `json:"state"`
	EventSource    string         `json:"eventSource"`
	EventName      string         `json:"eventName"`
	InsightType    string         `json:"insightType"`
	InsightContext insightContext `json:"insightContext"`
}

type insightContext struct {
	Statistics insightStatistics `json:"statistics"`
}

type insightStatistics struct {
	Baseline         average  `json:"baseline"`
	Insight          *average `json:"insight,omitempty"`
	InsightDuration  *int     `json:"insightDuration,omitempty"`
	BaselineDuration int64    `json:"baselineDuration"`
}

type average struct {
	Average float64 `json:"average"`
}

// insightEvent returns the Start (at minute m) or End event of b's
// insight, recorded for the trail.
func (t *Trail) insightEvent(region, insight, source, name string, b *Baseline, m int64, start bool) store.TrailEvent {
	id := request.NewUUID()
	rec := insightRecord{
		EventVersion: "1.08", EventTime: TimeOf(m).Format(time.RFC3339), AWSRegion: region, EventID: id,
		EventType: "AwsCloudTrailInsight", RecipientAccountID: t.Account, SharedEventID: b.Open.SharedID,
		InsightDetails: insightDetails{State: "Start", EventSource: source, EventName: name, InsightType: insight,
			InsightContext: insightContext{Statistics: insightStatistics{Baseline: average{b.Open.Baseline},
				BaselineDuration: (b.Open.Start - b.Since) / int64(time.Minute/time.Millisecond)}}},
		EventCategory: "Insight",
	}
	if !start {
		sum := 0.0
		for _, c := range b.Open.Counts {
			sum += c
		}
		n := len(b.Open.Counts)
		rec.InsightDetails.State = "End"
		rec.InsightDetails.InsightContext.Statistics.Insight = &average{sum / float64(n)}
		rec.InsightDetails.InsightContext.Statistics.InsightDuration = &n
	}
	return store.TrailEvent{Account: t.Account, Region: region, Time: m, ID: id, Name: name, Source: source,
		Category: "Insight", Resource: t.ARN, Record: mustJSON(rec)}
}
