package protocol

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
)

// A three-operation service, as tools/apigen generates one: the interface,
// the Unimplemented type and implementations of every shape.
type (
	opIn  struct{}
	opOut struct{}

	threeOps interface {
		A(context.Context, *opIn) (*opOut, error)
		B(context.Context, *opIn) (*opOut, error)
		C(context.Context, *opIn) (*opOut, error)
	}

	unimplementedOps struct{}
)

var errUnimplemented = errors.New("not implemented")

func (unimplementedOps) A(context.Context, *opIn) (*opOut, error) { return nil, errUnimplemented }
func (unimplementedOps) B(context.Context, *opIn) (*opOut, error) { return nil, errUnimplemented }

//go:noinline
func (unimplementedOps) C(context.Context, *opIn) (*opOut, error) { return nil, errUnimplemented }

// pointerA declares A on its pointer.
type pointerA struct {
	unimplementedOps
	n int
}

func (p *pointerA) A(context.Context, *opIn) (*opOut, error) { p.n++; return &opOut{}, nil }

// valueB declares B on its value.
type valueB struct{ unimplementedOps }

func (valueB) B(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// extendsB embeds an implementation and adds C.
type extendsB struct{ valueB }

func (extendsB) C(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// deepEmbedded embeds Unimplemented two levels down.
type deepEmbedded struct{ deepInner }
type deepInner struct{ unimplementedOps }

// pointerEmbedded embeds Unimplemented through a nil pointer.
type pointerEmbedded struct{ *unimplementedOps }

func (pointerEmbedded) C(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// viaInterface forwards to the implementation it holds, and declares B.
type viaInterface struct{ threeOps }

func (viaInterface) B(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// generic implementations, declaring A on the value and B on the pointer.
type genericA[T any] struct{ unimplementedOps }

func (genericA[T]) A(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

type genericB[T any] struct{ unimplementedOps }

func (*genericB[T]) B(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// recursive embeds itself through a pointer.
type recursive struct {
	*recursive
	unimplementedOps
}

func (*recursive) C(context.Context, *opIn) (*opOut, error) { return &opOut{}, nil }

// shadowed declares A in an embedded type, which shadows the deeper
// Unimplemented of another embedded type; B and C come from the shallower
// of the two Unimplemented.
type shadowed struct {
	pointerA
	deepEmbedded
}

func TestImplemented(t *testing.T) {
	self := &viaInterface{}
	self.threeOps = self
	tests := []struct {
		name string
		impl threeOps
		want []string
	}{
		{"nil", nil, nil},
		{"Unimplemented", unimplementedOps{}, nil},
		{"*Unimplemented", &unimplementedOps{}, nil},
		{"pointer method", &pointerA{}, []string{"A"}},
		{"value method", valueB{}, []string{"B"}},
		{"value method through a pointer", &valueB{}, []string{"B"}},
		{"embedded implementation", extendsB{}, []string{"B", "C"}},
		{"embedded implementation through a pointer", &extendsB{}, []string{"B", "C"}},
		{"unnamed struct", &struct{ unimplementedOps }{}, nil},
		{"unnamed struct embedding an implementation", struct{ *pointerA }{&pointerA{}}, []string{"A"}},
		{"two levels down", deepEmbedded{}, nil},
		{"nil *Unimplemented", pointerEmbedded{}, []string{"C"}},
		{"interface holding an implementation", viaInterface{&pointerA{}}, []string{"A", "B"}},
		{"interface holding Unimplemented", viaInterface{unimplementedOps{}}, []string{"B"}},
		{"nil interface", viaInterface{}, []string{"B"}},
		{"interface holding itself", self, []string{"B"}},
		{"generic value method", genericA[int]{}, []string{"A"}},
		{"generic value method through a pointer", &genericA[string]{}, []string{"A"}},
		{"generic pointer method", &genericB[int]{}, []string{"B"}},
		{"recursive", &recursive{}, []string{"C"}},
		{"shallower declaration wins", &shadowed{}, []string{"A"}},
	}
	for _, tt := range tests {
		implemented := Implemented(tt.impl, reflect.TypeFor[unimplementedOps]())
		var got []string
		for _, op := range []string{"A", "B", "C", "D"} {
			if implemented(op) {
				got = append(got, op)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: implemented %q; want %q", tt.name, got, tt.want)
		}
		// What Implemented reports is what calling the method does.
		if tt.impl == nil || slices.Contains([]string{"nil *Unimplemented", "nil interface", "interface holding itself"}, tt.name) {
			continue
		}
		for _, op := range []string{"A", "B", "C"} {
			_, err := reflect.ValueOf(tt.impl).MethodByName(op).Interface().(func(context.Context, *opIn) (*opOut, error))(context.Background(), &opIn{})
			if (err == nil) != slices.Contains(tt.want, op) {
				t.Errorf("%s: %s returns %v, but Implemented says %v", tt.name, op, err, slices.Contains(tt.want, op))
			}
		}
	}
}

// TestBindImplemented: the binding the generated Handlers functions do
// runs the declared method and leaves the others out.
func TestBindImplemented(t *testing.T) {
	impl := &pointerA{}
	h := map[string]Handler{}
	implemented := Implemented(impl, reflect.TypeFor[unimplementedOps]())
	for op, f := range map[string]func(context.Context, *opIn) (*opOut, error){"A": impl.A, "B": impl.B, "C": impl.C} {
		if implemented(op) {
			Bind(h, op, f)
		}
	}
	if len(h) != 1 || h["A"] == nil {
		t.Fatalf("bound %v; want A alone", h)
	}
	if out, err := h["A"](context.Background(), &opIn{}); err != nil || out.(*opOut) == nil || impl.n != 1 {
		t.Errorf("A = %v, %v (%d calls); want the output of pointerA.A", out, err, impl.n)
	}
}
