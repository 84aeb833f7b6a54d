package schemaregistry

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The types of schema content, as the API names them.
const (
	TypeOpenAPI3         = "OpenApi3"
	TypeJSONSchemaDraft4 = "JSONSchemaDraft4"
)

// maxContent is the longest content CreateSchema and UpdateSchema take,
// in characters, as the model says.
const maxContent = 100000

// validateContent checks that content is a document of its type: an
// OpenAPI 3 document whose components are schema objects, or a JSON
// Schema Draft 4 schema; local references ("#/…") must resolve. The
// messages are Vigil's: AWS documents none.
func validateContent(typ, content string) error {
	if n := len([]rune(content)); n > maxContent {
		return errorf(BadRequest, "Content is %d characters long; a schema takes at most %d.", n, maxContent)
	}
	v, err := decode([]byte(content))
	if err != nil {
		return errorf(BadRequest, "Invalid Schema Content: the content is not JSON: %v.", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return errorf(BadRequest, "Invalid Schema Content: the content is not a JSON object.")
	}
	c := &checker{doc: doc}
	switch typ {
	case TypeOpenAPI3:
		c.openAPI()
	case TypeJSONSchemaDraft4:
		c.draft4Root()
	default:
		return errorf(BadRequest, "Invalid Type %s: a schema is of type OpenApi3 or JSONSchemaDraft4.", typ)
	}
	if c.err != "" {
		return errorf(BadRequest, "Invalid Schema Content for type %s: %s.", typ, c.err)
	}
	return nil
}

// checker checks a document, keeping the first problem it finds.
type checker struct {
	doc     map[string]any
	draft4  bool
	err     string
	visited int
}

// maxNodes bounds the schema objects a check visits.
const maxNodes = 100000

func (c *checker) fail(path, format string, args ...any) {
	if c.err == "" {
		c.err = path + ": " + fmt.Sprintf(format, args...)
	}
}

func (c *checker) openAPI() {
	if v, ok := c.doc["openapi"].(string); !ok || !strings.HasPrefix(v, "3.") {
		c.fail("openapi", "an OpenAPI 3 document's openapi member is its version, such as \"3.0.0\"")
		return
	}
	info, ok := c.doc["info"].(map[string]any)
	if !ok {
		c.fail("info", "an OpenAPI document has an info object")
		return
	}
	for _, k := range []string{"title", "version"} {
		if _, ok := info[k].(string); !ok {
			c.fail("info."+k, "the info object has a %s string", k)
		}
	}
	if p, ok := c.doc["paths"]; !ok {
		c.fail("paths", "an OpenAPI 3.0 document has a paths object (empty for an event)")
	} else if _, ok := p.(map[string]any); !ok {
		c.fail("paths", "paths is an object")
	}
	if comps, ok := c.doc["components"]; ok {
		m, ok := comps.(map[string]any)
		if !ok {
			c.fail("components", "components is an object")
			return
		}
		if schemas, ok := m["schemas"]; ok {
			c.schemaMap("components.schemas", schemas)
		}
	}
	c.refs("", c.doc)
}

func (c *checker) draft4Root() {
	c.draft4 = true
	if s, ok := c.doc["$schema"]; ok {
		uri, _ := s.(string)
		if strings.TrimSuffix(uri, "#") != strings.TrimSuffix(draft4, "#") {
			c.fail("$schema", "a JSON Schema Draft 4 schema's $schema is %s (or none)", draft4)
			return
		}
	}
	c.schema("#", c.doc)
	c.refs("", c.doc)
}

// schemaMap checks an object of named schemas.
func (c *checker) schemaMap(path string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "an object of schemas")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		c.schema(path+"."+k, m[k])
	}
}

// schemaList checks a non-empty list of schemas.
func (c *checker) schemaList(path string, v any) {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		c.fail(path, "a non-empty list of schemas")
		return
	}
	for i, s := range l {
		c.schema(path+"["+strconv.Itoa(i)+"]", s)
	}
}

// openAPITypes and draft4Types are the values of type.
var (
	openAPITypes = []string{"array", "boolean", "integer", "number", "object", "string"}
	draft4Types  = []string{"array", "boolean", "integer", "null", "number", "object", "string"}
)

// schema checks a schema object: the types of its keywords, and the
// schemas it holds.
func (c *checker) schema(path string, v any) {
	if c.err != "" {
		return
	}
	if c.visited++; c.visited > maxNodes {
		c.fail(path, "the schema holds more than %d schemas", maxNodes)
		return
	}
	s, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "a schema is a JSON object")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		e, p := s[k], path+"."+k
		switch k {
		case "type":
			c.typ(p, e)
		case "properties", "patternProperties", "definitions":
			c.schemaMap(p, e)
		case "items":
			if l, ok := e.([]any); ok && c.draft4 {
				c.schemaList(p, l)
			} else {
				c.schema(p, e)
			}
		case "allOf", "anyOf", "oneOf":
			c.schemaList(p, e)
		case "not":
			c.schema(p, e)
		case "additionalProperties", "additionalItems":
			if _, ok := e.(bool); !ok {
				c.schema(p, e)
			}
		case "required":
			c.strings(p, e)
		case "enum":
			if l, ok := e.([]any); !ok || len(l) == 0 {
				c.fail(p, "enum is a non-empty list")
			}
		case "$ref", "format", "title", "description", "pattern":
			if _, ok := e.(string); !ok {
				c.fail(p, "%s is a string", k)
			}
		case "minimum", "maximum", "multipleOf":
			if _, ok := e.(json.Number); !ok {
				c.fail(p, "%s is a number", k)
			}
		case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties":
			if n, ok := e.(json.Number); !ok || !isCount(n) {
				c.fail(p, "%s is a non-negative integer", k)
			}
		}
	}
	if t, _ := s["type"].(string); t == "array" && !c.draft4 && s["items"] == nil {
		c.fail(path, "an OpenAPI schema of type array has items")
	}
}

// isCount reports whether n is a non-negative integer.
func isCount(n json.Number) bool {
	i, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil && i >= 0
}

func (c *checker) typ(path string, v any) {
	allowed := openAPITypes
	if c.draft4 {
		allowed = draft4Types
	}
	if t, ok := v.(string); ok {
		if !slices.Contains(allowed, t) {
			c.fail(path, "type %q is none of %s", t, strings.Join(allowed, ", "))
		}
		return
	}
	l, ok := v.([]any)
	if !ok || !c.draft4 || len(l) == 0 {
		c.fail(path, "type is one of %s", strings.Join(allowed, ", "))
		return
	}
	for _, e := range l {
		c.typ(path, e)
	}
}

// strings checks a list of distinct strings (non-empty in Draft 4).
func (c *checker) strings(path string, v any) {
	l, ok := v.([]any)
	if !ok || c.draft4 && len(l) == 0 {
		c.fail(path, "a non-empty list of strings")
		return
	}
	seen := map[string]bool{}
	for _, e := range l {
		s, ok := e.(string)
		if !ok || seen[s] {
			c.fail(path, "a list of distinct strings")
			return
		}
		seen[s] = true
	}
}

// refs checks that every local reference ($ref "#/…") of the document
// resolves.
func (c *checker) refs(path string, v any) {
	if c.err != "" {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok && strings.HasPrefix(ref, "#") && !c.resolves(ref) {
			c.fail(path+".$ref", "reference %s does not resolve in the document", ref)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			c.refs(path+"."+k, x[k])
		}
	case []any:
		for i, e := range x {
			c.refs(path+"["+strconv.Itoa(i)+"]", e)
		}
	}
}

// resolves reports whether a local reference (a JSON pointer after "#")
// names a member of the document.
func (c *checker) resolves(ref string) bool {
	pointer, err := url.PathUnescape(ref[1:])
	if err != nil {
		return false
	}
	var v any = c.doc
	if pointer == "" {
		return true
	}
	if !strings.HasPrefix(pointer, "/") {
		return false
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return false
			}
			v = x[i]
		default:
			return false
		}
	}
	return true
}

// nameChar reports whether r may be part of a registry or schema name.
func nameChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@'
}

// The longest registry and schema names: a discovered schema's name is
// its source (at most 256 characters) and detail type (128) joined by @.
const (
	maxRegistryName = 64
	maxSchemaName   = 385
)

// validName checks a registry's or schema's name.
func validName(what, name string, maxLen int) error {
	if name == "" || len(name) > maxLen || strings.IndexFunc(name, func(r rune) bool { return !nameChar(r) }) >= 0 {
		return errorf(BadRequest, "Invalid %s %q: it takes 1 to %d letters, digits and the characters . _ - @.", what, name, maxLen)
	}
	return nil
}
