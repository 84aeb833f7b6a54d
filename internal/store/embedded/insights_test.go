package embedded

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store/storetest"
)

// TestInsightsCorpus runs the Logs Insights corpus
// (internal/insights/testdata/queries; format in storetest) against the
// store, as every backend must pass it.
func TestInsightsCorpus(t *testing.T) {
	storetest.InsightsCorpus(t, openBackend)
}
