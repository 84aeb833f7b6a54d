package embedded

import "github.com/vigilhq/vigil/internal/store"

// Organizations returns the store of AWS Organizations (in SQLite,
// beside the accounts its members are).
func (s *Store) Organizations() store.Organizations { return s.state.Organizations() }
