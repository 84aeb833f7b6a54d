package authz

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// A tagSource reads the tags a request carries: a map of strings, a list
// of {Key, Value} structures, or S3's "k1=v1&k2=v2" (@query-tags).
type tagSource struct {
	acc  *accessor
	kind tagKind
	// key and val index the fields of a tagList's elements.
	key, val int
}

type tagKind uint8

const (
	tagMap tagKind = iota
	tagList
	tagQuery
)

// tagSource compiles src as a set of tags; ok is false when it is not one.
func (c *compiler) tagSource(src *srcDef, asvc *serviceDef, input reflect.Type) (*tagSource, bool, error) {
	if len(src.alts) != 1 || src.alts[0].isLit {
		return nil, false, nil
	}
	a := src.alts[0]
	acc, err := compileAccessor(input, a.path)
	if err != nil || acc.list {
		return nil, false, err
	}
	t := acc.final
	switch {
	case a.conv == "query-tags":
		if a.sel != "" {
			return nil, false, fmt.Errorf("@query-tags has no output %s", a.sel)
		}
		if t.Kind() != reflect.String {
			return nil, false, fmt.Errorf("@query-tags reads a string, not %s", t)
		}
		return &tagSource{acc: acc, kind: tagQuery}, true, nil
	case a.conv != "":
		return nil, false, nil
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && deref(t.Elem()).Kind() == reflect.String:
		return &tagSource{acc: acc, kind: tagMap}, true, nil
	case t.Kind() == reflect.Slice && deref(t.Elem()).Kind() == reflect.Struct:
		et := deref(t.Elem())
		k, kt, kok := fieldByWireFold(et, "key")
		v, vt, vok := fieldByWireFold(et, "value")
		if kok && vok && deref(kt).Kind() == reflect.String && deref(vt).Kind() == reflect.String {
			return &tagSource{acc: acc, kind: tagList, key: k, val: v}, true, nil
		}
	}
	return nil, false, nil
}

// fieldByWireFold finds a field by wire name, ignoring case.
func fieldByWireFold(t reflect.Type, wire string) (int, reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup("aws"); ok && f.Name != "_" {
			if name, _, _ := strings.Cut(tag, ","); strings.EqualFold(name, wire) {
				return i, f.Type, true
			}
		}
	}
	return 0, nil, false
}

// each calls fn for every tag of the request, in key order; a query that
// does not parse is reported as err.
func (ts *tagSource) each(root reflect.Value, fn func(k, v string)) error {
	v, ok := ts.acc.value(root, 0)
	if !ok {
		return nil
	}
	type kv struct{ k, v string }
	var tags []kv
	switch ts.kind {
	case tagMap:
		for it := v.MapRange(); it.Next(); {
			val, _ := follow(it.Value(), nil)
			tags = append(tags, kv{it.Key().String(), stringOf(val)})
		}
	case tagList:
		for i := range v.Len() {
			e, ok := follow(v.Index(i), nil)
			if !ok {
				continue
			}
			k, _ := follow(e.Field(ts.key), nil)
			val, _ := follow(e.Field(ts.val), nil)
			tags = append(tags, kv{stringOf(k), stringOf(val)})
		}
	case tagQuery:
		q, err := url.ParseQuery(v.String())
		if err != nil {
			return err
		}
		for k, vals := range q {
			tags = append(tags, kv{k, vals[0]})
		}
	}
	slices.SortFunc(tags, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	for _, t := range tags {
		fn(t.k, t.v)
	}
	return nil
}

// stringOf reads a followed string value; "" for an absent one.
func stringOf(v reflect.Value) string {
	if v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}
