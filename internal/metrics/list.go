package metrics

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Scope is the account and region a request acts in.
type Scope struct {
	Account, Region string
}

// MetricID identifies a metric: its namespace, name and dimensions.
type MetricID struct {
	Namespace  string
	Name       string
	Dimensions []Dimension
}

// DimensionFilter keeps the metrics that have a dimension of that name,
// with that value when Value is set.
type DimensionFilter struct {
	Name  string
	Value *string
}

// ListQuery is a ListMetrics request.
type ListQuery struct {
	Namespace, Name string
	Dimensions      []DimensionFilter
	// RecentlyActive keeps the metrics that received data in the past
	// three hours (PT3H).
	RecentlyActive bool
	NextToken      string
}

// ListMetrics limits.
const (
	listPage       = 500
	recentlyActive = 3 * time.Hour
)

// ListMetrics lists the metrics that match a query, 500 a page, ordered by
// namespace, name and dimensions, and the token of the next page ("" on
// the last).
func (e *Engine) ListMetrics(ctx context.Context, sc Scope, q ListQuery) ([]MetricID, string, error) {
	sq := store.MetricQuery{Account: sc.Account, Region: sc.Region, Namespace: q.Namespace, Name: q.Name, Limit: listPage}
	if q.NextToken != "" {
		k, err := decodeListToken(q.NextToken)
		if err != nil {
			return nil, "", err
		}
		k.Account, k.Region = sc.Account, sc.Region
		sq.AfterKey = &k
	}
	if q.RecentlyActive {
		sq.SeenSince = e.opt.Clock.Now().Add(-recentlyActive).UnixMilli()
	}
	var out []MetricID
	for len(out) < listPage {
		page, err := e.opt.Store.ListMetrics(ctx, sq)
		if err != nil {
			return nil, "", err
		}
		for _, m := range page {
			dims := DecodeDimensions(m.Key.Dimensions)
			if !matchDimensions(dims, q.Dimensions) {
				continue
			}
			out = append(out, MetricID{Namespace: m.Key.Namespace, Name: m.Key.Name, Dimensions: dims})
			if len(out) == listPage {
				return out, encodeListToken(m.Key), nil
			}
		}
		if len(page) < sq.Limit {
			break
		}
		sq.AfterKey = &page[len(page)-1].Key
	}
	return out, "", nil
}

// matchDimensions reports whether a metric's dimensions satisfy every
// filter.
func matchDimensions(dims []Dimension, filters []DimensionFilter) bool {
	for _, f := range filters {
		found := false
		for _, d := range dims {
			if d.Name == f.Name && (f.Value == nil || d.Value == *f.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func encodeListToken(k store.MetricKey) string {
	b, _ := json.Marshal([3]string{k.Namespace, k.Name, k.Dimensions})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeListToken(s string) (store.MetricKey, error) {
	var parts [3]string
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &parts)
	}
	if err != nil {
		return store.MetricKey{}, errorf(InvalidParameterValue, "Request parameter NextToken is invalid")
	}
	return store.MetricKey{Namespace: parts[0], Name: parts[1], Dimensions: parts[2]}, nil
}

// key returns a metric's store key, validating its dimensions as
// PutMetricData does (param names the parameter for messages).
func (sc Scope) key(id MetricID, param paramPath) (store.MetricKey, error) {
	dims, err := canonicalDimensions(id.Dimensions, param)
	if err != nil {
		return store.MetricKey{}, err
	}
	return store.MetricKey{Account: sc.Account, Region: sc.Region, Namespace: id.Namespace, Name: id.Name, Dimensions: dims}, nil
}
