package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"
)

// XML serves awsQuery responses and restXml bodies. Members are elements
// named by wire name; lists wrap <member> elements (or the member's
// locationName) unless flattened; maps are <entry><key/><value/></entry>.
// Timestamps default to ISO 8601.

const xmlTimestamp = "2006-01-02T15:04:05.000Z"

// appendXMLMembers writes the body members of a structure as elements.
func appendXMLMembers(b []byte, v reflect.Value, st *structInfo) []byte {
	for _, f := range st.body {
		if f.attr {
			continue
		}
		fv := v.Field(f.index)
		if !f.written(fv) {
			continue
		}
		b = appendXMLMember(b, f.queryName(), f.t.value(fv), f.t, f)
	}
	return b
}

// appendXMLMember writes one member; f is nil for list and map elements.
func appendXMLMember(b []byte, name string, v reflect.Value, ti *typeInfo, f *fieldInfo) []byte {
	switch ti.kind {
	case kList:
		if f != nil && f.flat {
			if f.member != "" {
				name = f.member
			}
			for i := 0; i < v.Len(); i++ {
				b = appendXMLMember(b, name, v.Index(i), ti.elem, nil)
			}
			return b
		}
		member := "member"
		if f != nil {
			member = f.listMemberName()
		}
		b = appendXMLStart(b, name, "")
		for i := 0; i < v.Len(); i++ {
			b = appendXMLMember(b, member, v.Index(i), ti.elem, nil)
		}
		return appendXMLEnd(b, name)
	case kMap:
		keyName, valueName := "key", "value"
		if f != nil {
			keyName, valueName = f.mapKeyName(), f.mapValueName()
		}
		flat := f != nil && f.flat
		if !flat {
			b = appendXMLStart(b, name, "")
		}
		for _, k := range sortedMapKeys(v) {
			entry := "entry"
			if flat {
				entry = name
			}
			b = appendXMLStart(b, entry, "")
			b = appendXMLMember(b, keyName, k, ti.key, nil)
			b = appendXMLMember(b, valueName, v.MapIndex(k), ti.elem, nil)
			b = appendXMLEnd(b, entry)
		}
		if !flat {
			b = appendXMLEnd(b, name)
		}
		return b
	case kStruct:
		b = append(b, '<')
		b = append(b, name...)
		if ti.st.ns != "" {
			b = appendXMLNamespace(b, ti.st)
		}
		for _, af := range ti.st.fields {
			if fv := v.Field(af.index); af.attr && af.t.present(fv) {
				b = append(b, ' ')
				b = append(b, af.wire...)
				b = append(b, `="`...)
				b = appendXMLText(b, xmlScalarText(af.t.value(fv), af.t, af.ts))
				b = append(b, '"')
			}
		}
		b = append(b, '>')
		b = appendXMLMembers(b, v, ti.st)
		return appendXMLEnd(b, name)
	}
	ts := ""
	if f != nil {
		ts = f.ts
	}
	b = appendXMLStart(b, name, "")
	b = appendXMLText(b, xmlScalarText(v, ti, ts))
	return appendXMLEnd(b, name)
}

func appendXMLNamespace(b []byte, st *structInfo) []byte {
	b = append(b, " xmlns"...)
	if st.nsPrefix != "" {
		b = append(b, ':')
		b = append(b, st.nsPrefix...)
	}
	b = append(b, `="`...)
	b = appendXMLText(b, st.ns)
	return append(b, '"')
}

func appendXMLStart(b []byte, name, xmlns string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	if xmlns != "" {
		b = append(b, ` xmlns="`...)
		b = appendXMLText(b, xmlns)
		b = append(b, '"')
	}
	return append(b, '>')
}

func appendXMLEnd(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

func appendXMLText(b []byte, s string) []byte {
	var buf bytes.Buffer
	_ = xml.EscapeText(&buf, []byte(s))
	return append(b, buf.Bytes()...)
}

// xmlScalarText formats a scalar for XML, query strings and headers; ts is
// the member's timestamp format ("" for ISO 8601).
func xmlScalarText(v reflect.Value, ti *typeInfo, ts string) string {
	switch ti.kind {
	case kString, kEnum:
		return v.String()
	case kBool:
		return strconv.FormatBool(v.Bool())
	case kInt32, kInt64:
		return strconv.FormatInt(v.Int(), 10)
	case kFloat32, kFloat64:
		bits := 64
		if ti.kind == kFloat32 {
			bits = 32
		}
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return strconv.FormatFloat(f, 'g', -1, bits)
	case kTime:
		return formatTimestamp(v.Interface().(time.Time), ts)
	case kBlob:
		return base64.StdEncoding.EncodeToString(v.Bytes())
	}
	return ""
}

// formatTimestamp writes t in a model timestamp format.
func formatTimestamp(t time.Time, format string) string {
	switch format {
	case "rfc822":
		return t.UTC().Format(http.TimeFormat) // "GMT", as RFC 7231 writes it; RFC1123 would write "UTC"
	case "unixTimestamp":
		return string(appendEpoch(nil, t))
	}
	return t.UTC().Format(xmlTimestamp)
}

// xmlDecoder reads restXml request bodies into generated types.
type xmlDecoder struct {
	d     *xml.Decoder
	depth int
}

// decodeXML decodes an XML document whose root element is the structure ti
// describes (its name is not checked, as AWS does not either).
func decodeXML(data []byte, dst reflect.Value, ti *typeInfo) error {
	x := &xmlDecoder{d: xml.NewDecoder(bytes.NewReader(data))}
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			return nil // an empty body is an empty structure
		}
		if err != nil {
			return malformedXML(err)
		}
		if start, ok := tok.(xml.StartElement); ok {
			return x.element(start, dst, ti, nil)
		}
	}
}

func malformedXML(err error) error {
	return &Error{Code: "MalformedXML", Status: 400, Message: "The XML you provided was not well-formed or did not validate against our published schema", Cause: err}
}

// element decodes the element that start opened into dst.
func (x *xmlDecoder) element(start xml.StartElement, dst reflect.Value, ti *typeInfo, f *fieldInfo) error {
	if x.depth++; x.depth > maxDepth {
		return malformedXML(errors.New("nesting too deep"))
	}
	defer func() { x.depth-- }()
	switch ti.kind {
	case kStruct:
		return x.structure(start, ti.deref(dst), ti.st)
	case kList:
		if dst.IsNil() {
			dst.Set(reflect.MakeSlice(ti.typ, 0, 0)) // <list/> is an empty list
		}
		return x.children(func(child xml.StartElement) error {
			return x.appendElem(child, dst, ti)
		})
	case kMap:
		return x.children(func(entry xml.StartElement) error {
			return x.mapEntry(entry, dst, ti, f)
		})
	}
	text, err := x.text()
	if err != nil {
		return err
	}
	return setScalarText(dst, ti, text, start.Name.Local)
}

func (x *xmlDecoder) structure(start xml.StartElement, sv reflect.Value, st *structInfo) error {
	for _, a := range start.Attr {
		name := a.Name.Local
		if a.Name.Space != "" {
			name = a.Name.Space + ":" + name
		}
		for _, f := range st.fields {
			if f.attr && (f.wire == name || f.wire == a.Name.Local || hasSuffixAfterColon(f.wire, a.Name.Local)) {
				if err := setScalarText(sv.Field(f.index), f.t, a.Value, f.wire); err != nil {
					return err
				}
			}
		}
	}
	return x.children(func(child xml.StartElement) error {
		f := st.fieldForElement(child.Name.Local)
		if f == nil {
			return x.d.Skip()
		}
		fv := sv.Field(f.index)
		if f.t.kind == kList && f.flat {
			return x.appendElem(child, fv, f.t)
		}
		if f.t.kind == kMap && f.flat {
			return x.mapEntry(child, fv, f.t, f)
		}
		return x.element(child, fv, f.t, f)
	})
}

func hasSuffixAfterColon(wire, local string) bool {
	for i := 0; i < len(wire); i++ {
		if wire[i] == ':' {
			return wire[i+1:] == local
		}
	}
	return false
}

// fieldForElement finds the member an element names, including flattened
// lists whose member has its own locationName.
func (st *structInfo) fieldForElement(name string) *fieldInfo {
	if f, ok := st.byWire[name]; ok && !f.attr {
		return f
	}
	for _, f := range st.body {
		if f.flat && f.member == name {
			return f
		}
	}
	return nil
}

func (x *xmlDecoder) appendElem(child xml.StartElement, dst reflect.Value, ti *typeInfo) error {
	if dst.IsNil() {
		dst.Set(reflect.MakeSlice(ti.typ, 0, 4))
	}
	ev := reflect.New(ti.elem.typ).Elem()
	if err := x.element(child, ev, ti.elem, nil); err != nil {
		return err
	}
	dst.Set(reflect.Append(dst, ev))
	return nil
}

func (x *xmlDecoder) mapEntry(entry xml.StartElement, dst reflect.Value, ti *typeInfo, f *fieldInfo) error {
	keyName, valueName := "key", "value"
	if f != nil {
		keyName, valueName = f.mapKeyName(), f.mapValueName()
	}
	kv := reflect.New(ti.key.typ).Elem()
	ev := reflect.New(ti.elem.typ).Elem()
	err := x.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case keyName:
			return x.element(c, kv, ti.key, nil)
		case valueName:
			return x.element(c, ev, ti.elem, nil)
		}
		return x.d.Skip()
	})
	if err != nil {
		return err
	}
	if dst.IsNil() {
		dst.Set(reflect.MakeMap(ti.typ))
	}
	dst.SetMapIndex(kv, ev)
	return nil
}

// children calls fn for each child element until the current element ends.
func (x *xmlDecoder) children(fn func(xml.StartElement) error) error {
	for {
		tok, err := x.d.Token()
		if err != nil {
			return malformedXML(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text returns the character data of the current element up to its end.
func (x *xmlDecoder) text() (string, error) {
	var buf []byte
	for {
		tok, err := x.d.Token()
		if err != nil {
			return "", malformedXML(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.StartElement:
			if err := x.d.Skip(); err != nil {
				return "", malformedXML(err)
			}
		case xml.EndElement:
			return string(buf), nil
		}
	}
}
