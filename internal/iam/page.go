package iam

import (
	"slices"
	"sort"
	"strings"

	"github.com/vigilhq/vigil/internal/pagetoken"
)

// Page asks for a page of a list, as IAM's Marker and MaxItems do.
type Page struct {
	// Marker is the Marker the page before returned ("" for the first).
	Marker string
	// MaxItems caps the page (0: IAM's default, 100).
	MaxItems int
}

// Paged is a page of a list and the Marker of the next page ("" when it
// is the last: IsTruncated is false).
type Paged[T any] struct {
	Items  []T
	Marker string
}

// defaultMaxItems is the size of a page whose request names none.
const defaultMaxItems = 100

// paginate returns the page p asks for of items, which it sorts by key:
// the items whose key follows the one p.Marker names. list names the
// list, so that a marker of another list is refused. IAM's lists are
// bounded by its quotas (5,000 users, 1,000 roles, 1,500 policies an
// account), so the engine reads a list whole and pages it here, one
// mechanism for every list.
func paginate[T any](items []T, p Page, list string, key func(T) string) (Paged[T], error) {
	prefix := "iam:" + list + ":"
	after, ok := pagetoken.Decode(prefix, p.Marker)
	if !ok {
		return Paged[T]{}, errorf(ValidationError, "Invalid Marker: %s", p.Marker)
	}
	max := p.MaxItems
	if max <= 0 {
		max = defaultMaxItems
	}
	slices.SortStableFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	if p.Marker != "" {
		items = items[sort.Search(len(items), func(i int) bool { return key(items[i]) > after }):]
	}
	if len(items) <= max {
		return Paged[T]{Items: items}, nil
	}
	return Paged[T]{Items: items[:max], Marker: pagetoken.Encode(prefix, key(items[max-1]))}, nil
}
