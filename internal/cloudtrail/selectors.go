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
	// DataResources choose data events: S3 objects whose ARNs begin
	// with one of the values.
	DataResources []DataResource `json:"dataResources,omitempty"`
}

// DataResource is a basic selector's data events of one resource type.
type DataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// S3ObjectType is the resource type of S3's object-level data events,
// the data events Vigil records.
const S3ObjectType = "AWS::S3::Object"

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

// advancedFields are the fields advanced selectors may test, and the
// event categories each applies to.
var advancedFields = map[string][]string{
	"eventCategory": {"Management", "Data"}, "readOnly": {"Management", "Data"}, "eventName": {"Management", "Data"},
	"eventSource": {"Management"}, "resources.type": {"Data"}, "resources.ARN": {"Data"},
}

// allS3 are the values of a DataResource that select every bucket's
// objects.
var allS3 = []string{"arn:aws:s3", "arn:aws:s3:::"}

// checkSelectors refuses selectors CloudTrail refuses, and those that
// ask for what Vigil does not record: data events of other resource
// types than S3 objects, event categories other than management and
// data.
func checkSelectors(basic []EventSelector, advanced []AdvancedSelector) error {
	switch {
	case len(basic) > 0 && len(advanced) > 0:
		return errorf(InvalidCombination, "You cannot apply both event selectors and advanced event selectors to a trail.")
	case len(basic) == 0 && len(advanced) == 0:
		return errorf(InvalidEventSelectors, "You must specify either event selectors or advanced event selectors.")
	case len(basic) > maxSelectors:
		return errorf(InvalidEventSelectors, "Too many event selectors: a trail has at most %d.", maxSelectors)
	}
	for _, b := range basic {
		if !slices.Contains([]string{"All", "ReadOnly", "WriteOnly"}, b.ReadWriteType) {
			return errorf(InvalidEventSelectors, "Invalid ReadWriteType %q: it must be All, ReadOnly or WriteOnly.", b.ReadWriteType)
		}
		for _, d := range b.DataResources {
			if d.Type != S3ObjectType {
				return errorf(InvalidEventSelectors, "Vigil records data events of %s only, not of %s.", S3ObjectType, d.Type)
			}
			for _, v := range d.Values {
				if !slices.Contains(allS3, v) && (!strings.HasPrefix(v, "arn:aws:s3:::") || len(v) <= len("arn:aws:s3:::")) {
					return errorf(InvalidEventSelectors, "Value %s for parameter DataResources.Values is invalid.", v)
				}
			}
		}
	}
	for _, a := range advanced {
		if err := checkAdvanced(a); err != nil {
			return err
		}
	}
	return nil
}

// checkAdvanced refuses an advanced selector without a category Vigil
// records, or with fields that its category has not.
func checkAdvanced(a AdvancedSelector) error {
	category := ""
	for _, f := range a.Fields {
		if f.Field == "eventCategory" {
			if len(f.Equals) != 1 || len(f.NotEquals)+len(f.StartsWith)+len(f.EndsWith)+len(f.NotStartsWith)+len(f.NotEndsWith) > 0 ||
				!slices.Contains(advancedFields["eventCategory"], f.Equals[0]) {
				return errorf(InvalidEventSelectors, "eventCategory must be Equals [Management] or Equals [Data]: Vigil records no other events.")
			}
			category = f.Equals[0]
		}
	}
	if category == "" {
		return errorf(InvalidEventSelectors, "Each advanced event selector must have an eventCategory field.")
	}
	resourceType := false
	for _, f := range a.Fields {
		if !slices.Contains(advancedFields[f.Field], category) {
			return errorf(InvalidEventSelectors, "The field %s is not supported for %s events.", f.Field, category)
		}
		switch f.Field {
		case "readOnly":
			if !(len(f.Equals) == 1 && (f.Equals[0] == "true" || f.Equals[0] == "false")) {
				return errorf(InvalidEventSelectors, "readOnly takes Equals with one value, true or false.")
			}
		case "resources.type":
			if len(f.Equals) != 1 || f.Equals[0] != S3ObjectType {
				return errorf(InvalidEventSelectors, "Vigil records data events of %s only: resources.type must be Equals [%s].", S3ObjectType, S3ObjectType)
			}
			resourceType = true
		}
	}
	if category == "Data" && !resourceType {
		return errorf(InvalidEventSelectors, "An advanced event selector of data events must have a resources.type field.")
	}
	return nil
}

// PutEventSelectors replaces a trail's selectors.
func (s *Service) PutEventSelectors(ctx context.Context, account, region, nameOrARN string, basic []EventSelector, advanced []AdvancedSelector) (*Trail, error) {
	t, err := s.homeTrail(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	if err := checkSelectors(basic, advanced); err != nil {
		return nil, err
	}
	t.Selectors, t.AdvancedSelectors = basic, advanced
	if err := s.opt.Store.SetTrailSettings(ctx, t.ARN, mustJSON(t.Settings)); err != nil {
		return nil, s.notFound(err, nameOrARN, account)
	}
	s.trailsChanged()
	return t, nil
}

// DefaultSelectors are a trail's selectors until it is given some: every
// management event.
var DefaultSelectors = []EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}

// selects says whether the trail delivers e.
func (st *Settings) selects(e *store.TrailEvent) bool {
	if e.Category == "Insight" {
		return false // a trail delivers its own Insights events (Trail.delivers)
	}
	if len(st.AdvancedSelectors) > 0 {
		return slices.ContainsFunc(st.AdvancedSelectors, func(a AdvancedSelector) bool { return a.selects(e) })
	}
	basic := st.Selectors
	if len(basic) == 0 {
		basic = DefaultSelectors
	}
	return slices.ContainsFunc(basic, func(b EventSelector) bool { return b.selects(e) })
}

func (b *EventSelector) selects(e *store.TrailEvent) bool {
	if b.ReadWriteType != "All" && (b.ReadWriteType == "ReadOnly") != e.ReadOnly {
		return false
	}
	if e.Category != "Data" {
		return b.IncludeManagementEvents && !slices.Contains(b.ExcludeSources, e.Source)
	}
	return slices.ContainsFunc(b.DataResources, func(d DataResource) bool {
		return slices.ContainsFunc(d.Values, func(v string) bool {
			return slices.Contains(allS3, v) || strings.HasPrefix(e.Resource, v)
		})
	})
}

func (a *AdvancedSelector) selects(e *store.TrailEvent) bool {
	for _, f := range a.Fields {
		var v string
		switch f.Field {
		case "eventCategory":
			v = e.Category
		case "readOnly":
			v = "false"
			if e.ReadOnly {
				v = "true"
			}
		case "eventSource":
			v = e.Source
		case "eventName":
			v = e.Name
		case "resources.type":
			v = S3ObjectType
		case "resources.ARN":
			v = e.Resource
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
