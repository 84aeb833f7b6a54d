package authz

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/api/athena"
	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/configservice"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/glue"
	"github.com/vigilhq/vigil/internal/api/guardduty"
	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/inspector"
	"github.com/vigilhq/vigil/internal/api/inspector2"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/api/scheduler"
	"github.com/vigilhq/vigil/internal/api/schemas"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/api/support"
	"github.com/vigilhq/vigil/internal/protocol"
)

// models are the generated service tables of every service Vigil routes
// (internal/app registers one service per package under internal/api).
var models = []*protocol.Service{
	athena.Model, cloudtrail.Model, cloudwatch.Model, configservice.Model, events.Model, glue.Model,
	guardduty.Model, iam.Model, inspector.Model, inspector2.Model, logs.Model, s3.Model, scheduler.Model,
	schemas.Model, sns.Model, sqs.Model, sts.Model, support.Model,
}

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

// TestModelsListEveryAPIPackage fails when a service package appears
// under internal/api without being added to models.
func TestModelsListEveryAPIPackage(t *testing.T) {
	dirs, err := filepath.Glob("../api/*/zz_api.go")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range models {
		ids = append(ids, m.ID)
	}
	for _, d := range dirs {
		id := filepath.Base(filepath.Dir(d))
		if !slices.Contains(ids, id) {
			t.Errorf("internal/api/%s is not in models: add its Model and its data file", id)
		}
	}
	if len(dirs) != len(models) {
		t.Errorf("%d service packages under internal/api, %d models", len(dirs), len(models))
	}
	if _, err := os.Stat("../api/logs/zz_api.go"); err != nil {
		t.Fatalf("cannot find the generated service tables: %v", err)
	}
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
