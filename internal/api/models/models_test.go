package models

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestAllListsEveryPackage fails when a service package appears under
// internal/api without being added to All.
func TestAllListsEveryPackage(t *testing.T) {
	dirs, err := filepath.Glob("../*/zz_api.go")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("cannot find the generated service tables: %v", err)
	}
	var ids []string
	for _, m := range All {
		ids = append(ids, m.ID)
	}
	for _, d := range dirs {
		if id := filepath.Base(filepath.Dir(d)); !slices.Contains(ids, id) {
			t.Errorf("internal/api/%s is not in All", id)
		}
	}
	if len(dirs) != len(All) {
		t.Errorf("%d service packages under internal/api, %d models", len(dirs), len(All))
	}
}
