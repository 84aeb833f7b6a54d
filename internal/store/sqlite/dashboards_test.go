package sqlite

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store/storetest"
)

// TestDashboardsConformance runs the dashboards suite on the state store.
func TestDashboardsConformance(t *testing.T) {
	storetest.Dashboards(t, func(t *testing.T, dir string) storetest.Backend {
		s := open(t, dir)
		return storetest.Backend{Dashboards: s.Dashboards(), Tags: s.Tags()}
	})
}
