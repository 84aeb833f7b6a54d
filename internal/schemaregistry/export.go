package schemaregistry

import (
	"errors"
	"slices"
	"strings"
)

// ExportSchema turns an OpenAPI 3 schema into JSON Schema Draft 4, as AWS
// exports its discovered and AWS event schemas
// (https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-registries-name-registryname-schemas-name-schemaname-export.html):
// the event's component (the one marked with x-amazon-events-source, or
// the only one) is the root, titled with the document's title, the other
// components its definitions; references to components point at the
// definitions. Every object's members are in key order, after $schema,
// title and definitions at the root, as in AWS's exports.

// draft4 is the $schema of a JSON Schema Draft 4 document.
const draft4 = "http://json-schema.org/draft-04/schema#"

// openAPIOnly are the keywords of OpenAPI's schema objects that JSON
// Schema Draft 4 lacks; nullable becomes a "null" type instead.
var openAPIOnly = []string{"discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example", "deprecated", "nullable"}

// exportDraft4 converts an OpenAPI 3 document.
func exportDraft4(content string) (string, error) {
	v, err := decode([]byte(content))
	if err != nil {
		return "", err
	}
	doc, _ := v.(map[string]any)
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	root, err := rootComponent(schemas)
	if err != nil {
		return "", err
	}
	info, _ := doc["info"].(map[string]any)
	out := (&obj{}).set("$schema", draft4)
	if t, ok := info["title"].(string); ok {
		out.set("title", t)
	}
	var names []string
	for n := range schemas {
		if n != root {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) > 0 {
		defs := &obj{}
		for _, n := range names {
			defs.set(n, draft4Schema(schemas[n]))
		}
		out.set("definitions", defs)
	}
	if r, ok := draft4Schema(schemas[root]).(*obj); ok {
		for i, k := range r.keys {
			if k != "$schema" && k != "title" && k != "definitions" {
				out.set(k, r.vals[i])
			}
		}
	}
	return string(marshal(out)), nil
}

// rootComponent names the component an export is rooted at.
func rootComponent(schemas map[string]any) (string, error) {
	var marked []string
	for n, s := range schemas {
		if m, ok := s.(map[string]any); ok && m["x-amazon-events-source"] != nil {
			marked = append(marked, n)
		}
	}
	switch {
	case len(marked) == 1:
		return marked[0], nil
	case len(marked) == 0 && len(schemas) == 1:
		for n := range schemas {
			return n, nil
		}
	}
	return "", errors.New("the schema has no single event component (marked x-amazon-events-source) to export")
}

// draft4Schema converts a schema object (and the schemas it holds) to
// Draft 4: component references become definition references, OpenAPI's
// own keywords go, and a nullable type admits null. Other members are
// kept as they are.
func draft4Schema(v any) any {
	x, ok := v.(map[string]any)
	if !ok {
		return sortedObj(v)
	}
	out := make(map[string]any, len(x))
	for k, e := range x {
		switch k {
		case "properties", "patternProperties", "definitions":
			if m, ok := e.(map[string]any); ok {
				named := make(map[string]any, len(m))
				for n, s := range m {
					named[n] = draft4Schema(s)
				}
				e = named
			}
		case "items", "allOf", "anyOf", "oneOf":
			if l, ok := e.([]any); ok {
				each := make([]any, len(l))
				for i, s := range l {
					each[i] = draft4Schema(s)
				}
				e = each
			} else {
				e = draft4Schema(e)
			}
		case "not", "additionalProperties", "additionalItems":
			e = draft4Schema(e)
		case "$ref":
			if ref, ok := e.(string); ok {
				if name, ok := strings.CutPrefix(ref, componentRef); ok {
					e = "#/definitions/" + name
				}
			}
		default:
			if slices.Contains(openAPIOnly, k) {
				continue
			}
		}
		out[k] = e
	}
	if nullable, _ := x["nullable"].(bool); nullable {
		if t, ok := x["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	return sortedObj(out)
}
