package authz

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/protocol"
)

// testScope is the scope of the resolution tests.
var testScope = Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}

// req builds an expected requirement.
func req(action string, resources ...string) Requirement {
	return Requirement{Action: action, Resources: resources}
}

// tagged marks the expected requirement as supporting aws:ResourceTag.
func (q Requirement) tagged() Requirement {
	q.ResourceTags = true
	return q
}

// cond adds an expected condition key.
func (q Requirement) cond(key string, values ...string) Requirement {
	m := map[string][]string{}
	for k, v := range q.Conditions {
		m[k] = v
	}
	m[key] = values
	q.Conditions = m
	return q
}

// resolveTester returns a function that resolves an operation of service
// in testScope and compares the result with want.
func resolveTester(t *testing.T, r *Resolver, service string) func(op string, in any, want ...Requirement) {
	return func(op string, in any, want ...Requirement) {
		t.Helper()
		got, err := r.Resolve(service, op, in, testScope)
		if err != nil {
			t.Errorf("%s:%s: %v", service, op, err)
			return
		}
		if len(want) == 0 {
			want = []Requirement{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:%s:\n got %s\nwant %s", service, op, show(got), show(want))
		}
	}
}

func show(qs []Requirement) string {
	var b strings.Builder
	for _, q := range qs {
		fmt.Fprintf(&b, "\n  %s %q tags=%v %v", q.Action, q.Resources, q.ResourceTags, q.Conditions)
	}
	return b.String()
}

// input builds the input of op in m from pairs of member path (wire
// names, through nested structures) and string value.
func input(t *testing.T, m *protocol.Service, op string, pairs ...string) any {
	t.Helper()
	o := m.Operations[op]
	if o == nil {
		t.Fatalf("%s has no operation %s", m.ID, op)
	}
	in := reflect.New(o.Input)
	for i := 0; i+1 < len(pairs); i += 2 {
		v := in.Elem()
		for _, name := range strings.Split(pairs[i], ".") {
			idx, _, ok := fieldByWire(v.Type(), name)
			if !ok {
				t.Fatalf("%s input has no member %s", op, pairs[i])
			}
			v = v.Field(idx)
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
		}
		v.SetString(pairs[i+1])
	}
	return in.Interface()
}
