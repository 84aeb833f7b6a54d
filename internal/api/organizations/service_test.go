package organizations

import (
	"errors"
	"reflect"
	"testing"

	orgs "github.com/vigilhq/vigil/internal/organizations"
	"github.com/vigilhq/vigil/internal/protocol"
)

// TestEveryCodeIsModeled maps each of the engine's codes to its
// exception: one the model declares, carrying the message (and the
// reason).
func TestEveryCodeIsModeled(t *testing.T) {
	for code := orgs.InvalidInput; code <= orgs.AccountNotRegistered; code++ {
		err := apiError(&orgs.Error{Code: code, Reason: "R", Message: "m"})
		var modeled protocol.ModeledError
		if !errors.As(err, &modeled) {
			t.Errorf("code %d maps to %T, not a modeled error", code, err)
			continue
		}
		shape, ok := Model.Errors[modeled.ErrorCode()]
		if !ok || reflect.TypeOf(err).Elem() != shape.Type {
			t.Errorf("code %d maps to %s, which the model does not declare", code, modeled.ErrorCode())
		}
		v := reflect.ValueOf(err).Elem()
		if msg := v.FieldByName("Message").Interface().(*string); msg == nil || *msg != "m" {
			t.Errorf("code %d: %s has no message", code, modeled.ErrorCode())
		}
		if r := v.FieldByName("Reason"); r.IsValid() && r.String() != "R" {
			t.Errorf("code %d: %s has reason %q; want R", code, modeled.ErrorCode(), r.String())
		}
	}
	plain := errors.New("disk full")
	if got := apiError(plain); got != plain {
		t.Errorf("apiError(an internal error) = %v; want it as it is", got)
	}
}
