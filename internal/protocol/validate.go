package protocol

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AWS services check every request against the constraints of their model
// before an operation runs, and answer all violations in one message:
//
//	1 validation error detected: Value null at 'logGroupName' failed to
//	satisfy constraint: Member must not be null
//
// Validate reproduces those checks and that wording.

// maxValidationErrors bounds the violations listed in one message.
const maxValidationErrors = 10

// Validate checks in (a pointer to a generated input struct) against the
// model's constraints and returns the service's validation error, or nil.
func (s *Service) Validate(in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	ti := infoOf(v.Type())
	if ti.kind != kStruct {
		return nil
	}
	var vs violations
	s.validateStruct(&vs, v, ti.st)
	if len(vs.missing) > 0 && s.MissingParameterError != "" {
		// The service checks required members itself and names them as
		// awsQuery parameters.
		msgs := make([]string, len(vs.missing))
		for i, p := range vs.missing {
			msgs[i] = "The parameter " + p[1] + " is required."
		}
		return s.serviceError(s.MissingParameterError, strings.Join(msgs, "\n"))
	}
	errs := vs.errs
	for _, p := range vs.missing {
		errs = append(errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p[0]))
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) > maxValidationErrors {
		errs = errs[:maxValidationErrors]
	}
	noun := "errors"
	if len(errs) == 1 {
		noun = "error"
	}
	msg := fmt.Sprintf("%d validation %s detected: %s", len(errs), noun, strings.Join(errs, "; "))
	if s.ValidationQueryCode != "" {
		// A Coral framework validation error, not a modeled one.
		return &Error{Code: s.ValidationError, QueryCode: s.ValidationQueryCode, Namespace: "com.amazon.coral.validate",
			Status: http.StatusBadRequest, Message: msg}
	}
	return s.serviceError(s.ValidationError, msg)
}

// serviceError returns the service's error code with a message: a modeled
// error when the model has the shape, else a generic one.
func (s *Service) serviceError(code, msg string) error {
	if shape, ok := s.Errors[code]; ok {
		return &Error{Code: code, QueryCode: shape.QueryCode, Status: shape.Status, Server: shape.Server, Message: msg, Namespace: s.Namespace}
	}
	return &Error{Code: code, Status: http.StatusBadRequest, Message: msg}
}

// The validator keeps the path to the value it checks as a stack of
// segments and writes it out only for a violation, so that valid input
// costs no allocations. camel is how AWS's validator writes a path
// (logEvents.1.member.timestamp), wire the awsQuery parameter
// (MetricData.member.1.Value).
type segment struct {
	field  *fieldInfo // a structure member, or
	member string     // a list element (with index), or
	index  int
	key    string // a map value
}

type violations struct {
	errs    []string
	missing [][2]string // camel and wire paths
	stack   []segment
}

func (vs *violations) push(s segment) { vs.stack = append(vs.stack, s) }

func (vs *violations) pop() { vs.stack = vs.stack[:len(vs.stack)-1] }

// path writes the current path.
func (vs *violations) path() (camel, wire string) {
	var c, w strings.Builder
	for i, s := range vs.stack {
		switch {
		case s.field != nil:
			if i > 0 {
				c.WriteByte('.')
				w.WriteByte('.')
			}
			c.WriteString(s.field.path)
			w.WriteString(s.field.wire)
		case s.member != "":
			n := strconv.Itoa(s.index)
			c.WriteString("." + n + ".member")
			w.WriteString("." + s.member + "." + n)
		default:
			c.WriteString("." + s.key)
			w.WriteString("." + s.key)
		}
	}
	return c.String(), w.String()
}

func (vs *violations) camel() string { c, _ := vs.path(); return c }

func (vs *violations) full() bool { return len(vs.errs)+len(vs.missing) >= maxValidationErrors }

func (s *Service) validateStruct(vs *violations, v reflect.Value, st *structInfo) {
	for _, f := range st.fields {
		if vs.full() {
			return
		}
		// The member joins the path only to report it or to descend: a
		// request is mostly valid leaves.
		fv := v.Field(f.index)
		if !f.t.present(fv) {
			if f.required {
				vs.push(segment{field: f})
				c, w := vs.path()
				vs.missing = append(vs.missing, [2]string{c, w})
				vs.pop()
			}
			continue
		}
		val := f.t.value(fv)
		msgs := s.check(val, f.t, f.c)
		nested := f.t.kind == kStruct || f.t.kind == kList || f.t.kind == kMap
		if len(msgs) == 0 && !nested {
			continue
		}
		vs.push(segment{field: f})
		for _, msg := range msgs {
			vs.errs = append(vs.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", display(val), vs.camel(), msg))
		}
		if nested {
			s.validateNested(vs, val, f)
		}
		vs.pop()
	}
}

// validateNested checks the elements of lists and maps and the members of
// nested structures.
func (s *Service) validateNested(vs *violations, val reflect.Value, f *fieldInfo) {
	switch f.t.kind {
	case kStruct:
		s.validateStruct(vs, val, f.t.st)
	case kList:
		var elemErrs []string
		for i := 0; i < val.Len(); i++ {
			ev := val.Index(i)
			if f.t.elem.kind == kStruct {
				vs.push(segment{member: f.listMemberName(), index: i + 1})
				s.validateStruct(vs, ev, f.t.elem.st)
				vs.pop()
			} else if f.elem.any() || f.t.elem.kind == kEnum {
				elemErrs = appendUnique(elemErrs, s.check(ev, f.t.elem, f.elem))
			}
		}
		if len(elemErrs) > 0 {
			vs.errs = append(vs.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy constraint: [%s]", display(val), vs.camel(), strings.Join(elemErrs, ", ")))
		}
	case kMap:
		var keyErrs, valErrs []string
		iter := val.MapRange()
		for iter.Next() {
			keyErrs = appendUnique(keyErrs, s.check(iter.Key(), f.t.key, f.key))
			if f.t.elem.kind == kStruct {
				vs.push(segment{key: iter.Key().String()})
				s.validateStruct(vs, iter.Value(), f.t.elem.st)
				vs.pop()
			} else {
				valErrs = appendUnique(valErrs, s.check(iter.Value(), f.t.elem, f.elem))
			}
		}
		if len(keyErrs) > 0 {
			vs.errs = append(vs.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Map keys must satisfy constraint: [%s]", display(val), vs.camel(), strings.Join(keyErrs, ", ")))
		}
		if len(valErrs) > 0 {
			vs.errs = append(vs.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Map value must satisfy constraint: [%s]", display(val), vs.camel(), strings.Join(valErrs, ", ")))
		}
	}
}

func appendUnique(list, add []string) []string {
outer:
	for _, a := range add {
		for _, l := range list {
			if l == a {
				continue outer
			}
		}
		list = append(list, a)
	}
	return list
}

// check returns the constraints a present value breaks.
func (s *Service) check(v reflect.Value, ti *typeInfo, c constraints) []string {
	var out []string
	switch ti.kind {
	case kString, kEnum:
		str := v.String()
		out = lengthChecks(out, runeLength(str, c), c)
		if c.pat >= 0 {
			if re := s.pattern(c.pat); re != nil && !re.MatchString(str) {
				out = append(out, "Member must satisfy regular expression pattern: "+s.Patterns[c.pat])
			}
		}
		if ti.kind == kEnum && !inEnum(str, ti.enum) {
			out = append(out, "Member must satisfy enum value set: ["+strings.Join(ti.enum, ", ")+"]")
		}
	case kBlob, kList, kMap:
		out = lengthChecks(out, float64(v.Len()), c)
	case kInt32, kInt64:
		out = rangeChecks(out, float64(v.Int()), c)
	case kFloat32, kFloat64:
		out = rangeChecks(out, v.Float(), c)
	}
	return out
}

// runeLength returns the length in characters that the checks of c need.
// The byte length settles most of them without counting: a string has at
// most as many characters as bytes and at least a quarter as many.
func runeLength(s string, c constraints) float64 {
	b := float64(len(s))
	if (!c.hasMin || b < c.min || b/4 >= c.min) && (!c.hasMax || b <= c.max) {
		return b
	}
	return float64(utf8.RuneCountInString(s))
}

func inEnum(s string, values []string) bool {
	for _, v := range values {
		if v == s {
			return true
		}
	}
	return false
}

func lengthChecks(out []string, n float64, c constraints) []string {
	if c.hasMin && n < c.min {
		out = append(out, "Member must have length greater than or equal to "+formatBound(c.min))
	}
	if c.hasMax && n > c.max {
		out = append(out, "Member must have length less than or equal to "+formatBound(c.max))
	}
	return out
}

func rangeChecks(out []string, n float64, c constraints) []string {
	if c.hasMin && n < c.min {
		out = append(out, "Member must have value greater than or equal to "+formatBound(c.min))
	}
	if c.hasMax && n > c.max {
		out = append(out, "Member must have value less than or equal to "+formatBound(c.max))
	}
	return out
}

func formatBound(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// display formats a value the way AWS quotes it in validation messages.
func display(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", v.Len(), v.Len())
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = display(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			parts = append(parts, display(iter.Key())+"="+display(iter.Value()))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Pointer:
		if v.IsNil() {
			return "null"
		}
		return display(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return fmt.Sprint(v.Interface())
		}
		return v.Type().Name() + "(...)"
	}
	return fmt.Sprint(v.Interface())
}

// CompilePattern compiles a model pattern (Java syntax) to a Go regular
// expression that must match the whole value, as the services apply them.
func CompilePattern(javaPattern string) (*regexp.Regexp, error) {
	// Java matches UTF-16 code units: a surrogate-pair range spells the
	// supplementary planes, which Go matches as runes.
	p := strings.ReplaceAll(javaPattern, `\uD800\uDC00-\uDBFF\uDFFF`, `\x{10000}-\x{10FFFF}`)
	p = javaUnicodeEscape.ReplaceAllString(p, `\x{$1}`)
	return regexp.Compile(`^(?:` + p + `)$`)
}

var javaUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)
