package authz

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// An accessor reads one member path of a generated input struct, its
// field indexes found once. Paths name members by their wire name (the
// first element of the field's aws tag): "logGroupName",
// "Delete.Objects[].Key". At most one element may end in "[]": the
// accessor then reads one value per element of that list (a slot).
type accessor struct {
	path string
	// pre leads from the input to the value, or to the list when list.
	pre  []int
	list bool
	// post leads from a list element to the value.
	post []int
	// final is the value's type, pointers removed.
	final reflect.Type
}

var timeType = reflect.TypeFor[time.Time]()

func compileAccessor(t reflect.Type, path string) (*accessor, error) {
	a := &accessor{path: path}
	cur := deref(t)
	elems := strings.Split(path, ".")
	for i, e := range elems {
		name, isList := strings.CutSuffix(e, "[]")
		if cur.Kind() != reflect.Struct || cur == timeType {
			return nil, fmt.Errorf("member path %s: %s is not a structure", path, strings.Join(elems[:i], "."))
		}
		idx, ft, ok := fieldByWire(cur, name)
		if !ok {
			return nil, fmt.Errorf("member path %s: %s has no member %q", path, cur.Name(), name)
		}
		if a.list {
			a.post = append(a.post, idx)
		} else {
			a.pre = append(a.pre, idx)
		}
		ft = deref(ft)
		switch {
		case isList && a.list:
			return nil, fmt.Errorf("member path %s: only one list may be expanded", path)
		case isList && ft.Kind() != reflect.Slice:
			return nil, fmt.Errorf("member path %s: %s is not a list", path, name)
		case isList:
			a.list = true
			ft = deref(ft.Elem())
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 && i < len(elems)-1:
			return nil, fmt.Errorf("member path %s: write %s[] to read the elements of the list", path, name)
		}
		cur = ft
	}
	a.final = cur
	return a, nil
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldByWire finds a struct field by the wire name in its aws tag.
func fieldByWire(t reflect.Type, wire string) (int, reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("aws")
		if !ok || f.Name == "_" {
			continue
		}
		if name, _, _ := strings.Cut(tag, ","); name == wire {
			return i, f.Type, true
		}
	}
	return 0, nil, false
}

// isScalar reports whether values of t can be read as text.
func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return t == timeType
}

// follow walks field indexes from v, through pointers; ok is false at a
// nil pointer (an absent member).
func follow(v reflect.Value, idx []int) (reflect.Value, bool) {
	for _, i := range idx {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	return v, true
}

// slots returns the length of the accessor's list (1 without a list).
func (a *accessor) slots(root reflect.Value) int {
	if !a.list {
		return 1
	}
	v, ok := follow(root, a.pre)
	if !ok {
		return 0
	}
	return v.Len()
}

// value reads the member in slot i; ok is false when it is absent.
func (a *accessor) value(root reflect.Value, slot int) (reflect.Value, bool) {
	v, ok := follow(root, a.pre)
	if !ok || !a.list {
		return v, ok
	}
	if slot >= v.Len() {
		return v, false
	}
	return follow(v.Index(slot), a.post)
}

// text reads the member in slot i as text; an empty string counts as
// absent (generated enum fields are plain strings, "" when not sent).
func (a *accessor) text(root reflect.Value, slot int) (string, bool) {
	v, ok := a.value(root, slot)
	if !ok {
		return "", false
	}
	s := scalarText(v)
	return s, s != ""
}

func scalarText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.UTC().Format(time.RFC3339)
	}
	panic(fmt.Sprintf("BUG: authz: %s is not a scalar", v.Type()))
}
