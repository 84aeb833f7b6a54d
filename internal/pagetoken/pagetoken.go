// Package pagetoken writes and reads the NextToken of paged lists: the
// key of the last item of a page, marked with the list's prefix so that
// a token of another list is refused rather than misread.
package pagetoken

import (
	"encoding/base64"
	"strings"
)

// Encode returns the token of the page after key, in the list marked
// prefix.
func Encode(prefix, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + key))
}

// Decode returns the key of a token of the list marked prefix; "" for
// no token; false when t is not such a token.
func Decode(prefix, t string) (string, bool) {
	if t == "" {
		return "", true
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(b), prefix) {
		return "", false
	}
	return strings.TrimPrefix(string(b), prefix), true
}
