package organizations

import (
	"cmp"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/pagetoken"
)

// Page asks for one page of a list: after the page whose NextToken it
// holds ("" for the first), at most MaxResults items (0 for 20, which is
// also the most the model allows).
type Page struct {
	NextToken  string
	MaxResults int
}

// Paged holds the items of one page, and the token of the next ("" after
// the last).
type Paged[T any] struct {
	Items     []T
	NextToken string
}

// paginate cuts the page p asks for out of items, which key sorts. A
// token holds the key of the last item of its page, marked with list, so
// that the token of another list is refused. Quotas bound what an
// organization holds (1,000 policies, 2,000 OUs), so every list is read
// whole and paged here.
func paginate[T any](items []T, p Page, list string, key func(T) string) (Paged[T], error) {
	prefix := "organizations:" + list + ":"
	after, ok := pagetoken.Decode(prefix, p.NextToken)
	if !ok {
		return Paged[T]{}, invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid: get it from the response to a previous call of the operation.")
	}
	first := 0
	if p.NextToken != "" {
		i, found := slices.BinarySearchFunc(items, after, func(v T, k string) int { return strings.Compare(key(v), k) })
		if found {
			i++
		}
		first = i
	}
	last := min(first+cmp.Or(p.MaxResults, 20), len(items))
	page := Paged[T]{Items: items[first:last]}
	if last < len(items) {
		page.NextToken = pagetoken.Encode(prefix, key(items[last-1]))
	}
	return page, nil
}
