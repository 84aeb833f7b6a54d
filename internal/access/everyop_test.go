package access

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/api/models"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/request"
)

// noPermission are the operations AWS lets anyone call.
var noPermission = map[string]bool{"sts:GetCallerIdentity": true}

// TestEveryOperationRefused: an IAM user with no policy is refused every
// operation of every service, AccessDenied naming the action; a user
// allowed everything is refused none.
func TestEveryOperationRefused(t *testing.T) {
	ids := &identities{m: map[string]*Identity{
		acct + "/user/nobody": {},
		acct + "/user/admin":  {Managed: []string{allow(`"*"`, "*")}},
	}}
	a := New(Options{Resolver: resolver(t, models.All...), Identities: ids})
	ctx := request.NewContext(context.Background(), &request.Info{Region: "us-east-1"})
	n := 0
	for _, m := range models.All {
		for name, op := range m.Operations {
			in := reflect.New(op.Input).Interface()
			err := a.Authorize(ctx, user("nobody"), m.IAMPrefix, name, in)
			var d *auth.Denied
			switch {
			case noPermission[m.IAMPrefix+":"+name]:
				if err != nil {
					t.Errorf("%s:%s: %v; it needs no permission", m.IAMPrefix, name, err)
				}
			case !errors.As(err, &d):
				t.Errorf("%s:%s by a user with no policy: %v, want AccessDenied", m.IAMPrefix, name, err)
			}
			if err := a.Authorize(ctx, user("admin"), m.IAMPrefix, name, in); err != nil {
				t.Errorf("%s:%s by an administrator: %v", m.IAMPrefix, name, err)
			}
			n++
		}
	}
	if n < 1000 {
		t.Errorf("only %d operations", n)
	}
}
