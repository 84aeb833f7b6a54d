package request

import (
	"strings"
	"sync/atomic"
)

// BaseURL is where clients reach Vigil (http://127.0.0.1:4580), known once
// its listener is: the links services hand out (SNS's, SQS's queue URLs)
// start with it. Its zero value is empty; it is safe for concurrent use.
type BaseURL struct {
	u atomic.Pointer[string]
}

// Set sets the URL, without a trailing slash.
func (b *BaseURL) Set(u string) {
	u = strings.TrimSuffix(u, "/")
	b.u.Store(&u)
}

// String returns the URL ("" until Set).
func (b *BaseURL) String() string {
	if u := b.u.Load(); u != nil {
		return *u
	}
	return ""
}
