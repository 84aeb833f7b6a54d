// Package api holds small helpers shared by the service API packages under
// it: reading and writing the optional (pointer) members of the generated
// types.
package api

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
