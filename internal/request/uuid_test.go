package request

import (
	"regexp"
	"slices"
	"testing"
	"time"
)

// TestUUIDs: NewUUID makes version 4 UUIDs; NewTimeUUID version 7 ones
// that carry their time and sort in time order.
func TestUUIDs(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	v7 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if u := NewUUID(); !v4.MatchString(u) {
		t.Errorf("NewUUID() = %q; not a version 4 UUID", u)
	}
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	if u := NewTimeUUID(t0); !v7.MatchString(u) || u[:13] != "01955f8c-0993" {
		t.Errorf("NewTimeUUID(%v) = %q; want a version 7 UUID starting 01955f8c-0993 (its Unix ms, %x)", t0, u, t0.UnixMilli())
	}
	var ids []string
	for i := range 100 {
		ids = append(ids, NewTimeUUID(t0.Add(time.Duration(i)*time.Millisecond)))
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("ids of growing times are not distinct and in order: %v", ids)
	}
}
