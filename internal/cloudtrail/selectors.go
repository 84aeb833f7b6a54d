package cloudtrail

import (
	"context"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// EventSelector is a basic event selector.
type EventSelector struct {
	// ReadWriteType is All, ReadOnly or WriteOnly.
	ReadWriteType           string   `json:"readWriteType"`
	IncludeManagementEvents bool     `json:"includeManagementEvents"`
	ExcludeSources          []string `json:"excludeSources,omitempty"`
}

// FieldSelector is a condition of an advanced event selector.
type FieldSelector struct {
	Field                                 string   `json:"field"`
	Equals, StartsWith, EndsWith          []string `json:",omitempty"`
	NotEquals, NotStartsWith, NotEndsWith []string `json:",omitempty"`
}

// AdvancedSelector is an advanced event selector: all its fields must
// hold.
type AdvancedSelector struct {
	Name   string          `json:"name,omitempty"`
	Fields []FieldSelector `json:"fields"`
}

// maxSelectors bounds the basic selectors of a trail.
const maxSelectors = 5

// advancedFields are the fields of management events that advanced
// selectors may test.
var advancedFields = map[string]bool{"eventCategory": true, "readOnly": true, "eventSource": true, "eventName": true}

// checkSelectors refuses selectors CloudTrail refuses, and those that
// ask for what Vigil does not record (data events).
func checkSelectors(basic []EventSelector, advanced []AdvancedSelector, dataResources bool) error {
	switch {
	case len(basic) > 0 && len(advanced) > 0:
		return errorf(InvalidCombination, "You cannot apply both event selectors and advanced event selectors to a trail.")
	case len(basic) == 0 && len(advanced) == 0:
		return errorf(InvalidEventSelectors, "You must specify either event selectors or advanced event selectors.")
	case len(basic) > maxSelectors:
		return errorf(InvalidEventSelectors, "Too many event selectors: a trail has at most %d.", maxSelectors)
	case dataResources:
		return errorf(InvalidEventSelectors, "Vigil records no data events yet: DataResources are not supported.")
	}
	for _, b := range basic {
		if !slices.Contains([]string{"All", "ReadOnly", "WriteOnly"}, b.ReadWriteType) {
			return errorf(InvalidEventSelectors, "Invalid ReadWriteType %q: it must be All, ReadOnly or WriteOnly.", b.ReadWriteType)
		}
	}
	for _, a := range advanced {
		category := false
		for _, f := range a.Fields {
			if !advancedFields[f.Field] {
				return errorf(InvalidEventSelectors, "Vigil records management events only: the field %s is not supported in advanced event selectors.", f.Field)
			}
			if f.Field == "eventCategory" {
				category = true
				if len(f.Equals) != 1 || f.Equals[0] != "Management" || len(f.NotEquals)+len(f.StartsWith)+len(f.EndsWith)+len(f.NotStartsWith)+len(f.NotEndsWith) > 0 {
					return errorf(InvalidEventSelectors, "Vigil records management events only: eventCategory must be Equals [Management].")
				}
			}
			if f.Field == "readOnly" && !(len(f.Equals) == 1 && (f.Equals[0] == "true" || f.Equals[0] == "false")) {
				return errorf(InvalidEventSelectors, "readOnly takes Equals with one value, true or false.")
			}
		}
		if !category {
			return errorf(InvalidEventSelectors, "Each advanced event selector must have an eventCategory field.")
		}
	}
	return nil
}

// PutEventSelectors replaces a trail's selectors.
func (s *Service) PutEventSelectors(ctx context.Context, account, region, nameOrARN string, basic []EventSelector, advanced []AdvancedSelector, dataResources bool) (*Trail, error) {
	t, err := s.homeTrail(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	if err := checkSelectors(basic, advanced, dataResources); err != nil {
		return nil, err
	}
	t.Selectors, t.AdvancedSelectors = basic, advanced
	if err := s.opt.Store.SetTrailSettings(ctx, t.ARN, mustJSON(t.Settings)); err != nil {
		return nil, s.notFound(err, nameOrARN)
	}
	return t, nil
}

// DefaultSelectors are a trail's selectors until it is given some: every
// management event.
var DefaultSelectors = []EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}

// selects says whether the trail delivers e.
func (st *Settings) selects(e *store.TrailEvent) bool {
	if len(st.AdvancedSelectors) > 0 {
		return slices.ContainsFunc(st.AdvancedSelectors, func(a AdvancedSelector) bool { return a.selects(e) })
	}
	basic := st.Selectors
	if len(basic) == 0 {
		basic = DefaultSelectors
	}
	return slices.ContainsFunc(basic, func(b EventSelector) bool {
		return b.IncludeManagementEvents && !slices.Contains(b.ExcludeSources, e.Source) &&
			(b.ReadWriteType == "All" || (b.ReadWriteType == "ReadOnly") == e.ReadOnly)
	})
}

func (a *AdvancedSelector) selects(e *store.TrailEvent) bool {
	for _, f := range a.Fields {
		var v string
		switch f.Field {
		case "eventCategory":
			v = "Management"
		case "readOnly":
			v = "false"
			if e.ReadOnly {
				v = "true"
			}
		case "eventSource":
			v = e.Source
		case "eventName":
			v = e.Name
		}
		if !f.holds(v) {
			return false
		}
	}
	return true
}

// holds says whether v passes the field's conditions: one of Equals,
// StartsWith or EndsWith when any is given, and none of the negations.
func (f *FieldSelector) holds(v string) bool {
	eq := func(p string) bool { return v == p }
	pre := func(p string) bool { return strings.HasPrefix(v, p) }
	suf := func(p string) bool { return strings.HasSuffix(v, p) }
	if len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0 &&
		!slices.ContainsFunc(f.Equals, eq) && !slices.ContainsFunc(f.StartsWith, pre) && !slices.ContainsFunc(f.EndsWith, suf) {
		return false
	}
	return !slices.ContainsFunc(f.NotEquals, eq) && !slices.ContainsFunc(f.NotStartsWith, pre) && !slices.ContainsFunc(f.NotEndsWith, suf)
}
