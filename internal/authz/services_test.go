package authz

import (
	"reflect"
	"testing"

	allModels "github.com/vigilhq/vigil/internal/api/models"
)

// models are the generated service tables of every service Vigil routes.
var models = allModels.All

// services describes models for New, as the composition root does.
func services() []Service {
	out := make([]Service, 0, len(models))
	for _, m := range models {
		s := Service{Prefix: m.IAMPrefix, Inputs: map[string]reflect.Type{}}
		for name, op := range m.Operations {
			s.Inputs[name] = op.Input
		}
		out = append(out, s)
	}
	return out
}

// newResolver compiles the data for every routed service.
func newResolver(t testing.TB) *Resolver {
	t.Helper()
	r, err := New(services()...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEveryRoutedOperationHasAnEntry resolves every operation of every
// routed service, from the generated service tables, on an empty input:
// each needs an entry, and each entry names its resources.
func TestEveryRoutedOperationHasAnEntry(t *testing.T) {
	r := newResolver(t)
	ops, none := 0, 0
	for _, m := range models {
		if r.ops[m.IAMPrefix] == nil {
			t.Errorf("service %s (IAM prefix %s) has no entries", m.ID, m.IAMPrefix)
			continue
		}
		for name := range m.Operations {
			ops++
			got, err := r.Resolve(m.IAMPrefix, name, nil, testScope)
			if err != nil {
				t.Errorf("%s:%s: %v", m.IAMPrefix, name, err)
				continue
			}
			if len(got) == 0 {
				none++
			}
			for _, q := range got {
				if len(q.Resources) == 0 {
					t.Errorf("%s:%s: %s names no resource", m.IAMPrefix, name, q.Action)
				}
			}
		}
	}
	if none != 1 {
		t.Errorf("%d operations need no permission; want 1 (sts:GetCallerIdentity)", none)
	}
	t.Logf("%d services, %d operations", len(models), ops)
}

// TestActionsAreListed checks that every action a row names is in the
// action list of its service, and that every routed service has a data
// section.
func TestActionsAreListed(t *testing.T) {
	all, err := loadData()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if all[m.IAMPrefix] == nil {
			t.Errorf("no %s.authz for service %s", m.IAMPrefix, m.ID)
		}
	}
	actions := 0
	for _, svc := range all {
		actions += len(svc.actions)
		for _, op := range svc.ops {
			for _, q := range op.reqs {
				s := all[q.service]
				if s == nil || s.actions[q.action] == nil {
					t.Errorf("%s: %s:%s is not in the action list of %s", q.pos, q.service, q.action, q.service)
				}
			}
		}
	}
	t.Logf("%d data sections, %d actions", len(all), actions)
}
