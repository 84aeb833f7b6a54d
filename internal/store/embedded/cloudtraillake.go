package embedded

import "github.com/vigilhq/vigil/internal/store"

// EventDataStores returns the store of CloudTrail Lake's event data
// stores, kept with the resource state.
func (s *Store) EventDataStores() store.EventDataStores { return s.state.EventDataStores() }

// LakeEvents returns the store of the events of event data stores, kept
// with the telemetry, which answers their SQL queries.
func (s *Store) LakeEvents() store.LakeEvents { return s.tel.Lake() }
