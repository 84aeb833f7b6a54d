package embedded

import "github.com/vigilhq/vigil/internal/store"

// IAM returns the store of IAM's identities (in SQLite, beside the
// access keys that the authenticator reads).
func (s *Store) IAM() store.IAM { return s.state.IAM() }
