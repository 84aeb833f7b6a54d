package sqlite

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store/storetest"
)

// TestSchemaRegistryConformance runs the schema registry suite on the
// state store alone.
func TestSchemaRegistryConformance(t *testing.T) {
	storetest.SchemaRegistry(t, func(t *testing.T, dir string) storetest.Backend {
		return storetest.Backend{SchemaRegistry: open(t, dir).SchemaRegistry()}
	})
}
