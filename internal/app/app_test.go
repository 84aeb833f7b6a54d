package app

import (
	"context"
	"reflect"
	"testing"
)

// TestEveryHandlerMethodIsBound guards against an operation method whose
// name or types do not match the model: it would never be called, and its
// operation would answer NotImplemented.
func TestEveryHandlerMethodIsBound(t *testing.T) {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	for _, api := range (&App{}).apis() {
		if api.impl == nil {
			continue
		}
		bound := api.bind(api.impl)
		typ := reflect.TypeOf(api.impl)
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			ft := m.Type
			looksLikeOp := ft.NumIn() == 3 && ft.In(1) == ctxType && ft.In(2).Kind() == reflect.Pointer &&
				ft.NumOut() == 2 && ft.Out(1) == errType
			if looksLikeOp && bound[m.Name] == nil {
				t.Errorf("%s: method %s looks like an operation but is not bound to one", api.model.ID, m.Name)
			}
		}
	}
}
