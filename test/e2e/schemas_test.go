package e2e

import "testing"

// TestSchemasScenario runs testdata/schemas.json: EventBridge Schema
// Registry's registries, schemas and their versions, search, policies
// and tags; a discoverer on a custom bus that infers the schema of the
// events put on it, and a new version when their shape grows, exported
// to JSON Schema; with every client (restJson1).
func TestSchemasScenario(t *testing.T) {
	runScenario(t, "testdata/schemas.json")
}
