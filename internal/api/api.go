// Package api holds small helpers shared by the service API packages under
// it: reading and writing the optional (pointer) members of the generated
// types, and their lists of tags.
package api

import (
	"maps"
	"slices"
)

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Value returns *p, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// OptionalString returns a pointer to s, or nil when s is empty (absent
// members are omitted on the wire).
func OptionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// TagMap reads a request's list of tags, kv giving each one's key and
// value, as a map (nil when there are none).
func TagMap[T any](tags []T, kv func(T) (key, value *string)) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		m[Value(k)] = Value(v)
	}
	return m
}

// TagList lists tags as a response does, sorted by key, tag making each.
func TagList[T any](tags map[string]string, tag func(key, value *string) T) []T {
	out := make([]T, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, tag(Ptr(k), Ptr(tags[k])))
	}
	return out
}
