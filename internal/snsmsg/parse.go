package snsmsg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"unicode/utf8"
)

// Parse reads a document SNS delivers: a JSON object of the members of a
// Notification, a SubscriptionConfirmation or an UnsubscribeConfirmation,
// in any order. It refuses what SNS never sends (invalid UTF-8, a member
// twice, an unknown member or one the Type does not have, a missing
// member (only a Notification's Subject and MessageAttributes may be left
// out), an empty Subject, a value that is not a string, MessageAttributes
// excepted), so that a message it accepts is signed and marshalled as it
// was received. It does not verify the signature.
func Parse(data []byte) (*Message, error) {
	m, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("cannot read an SNS message: %w", err)
	}
	return m, nil
}

// parse is Parse, with errors that do not say what was read.
func parse(data []byte) (*Message, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("it is not UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(d, '{'); err != nil {
		return nil, err
	}
	values := map[string]string{}
	var attrs []Attribute
	var hasAttrs bool
	for d.More() {
		name, err := nextString(d)
		if err != nil {
			return nil, err
		}
		if _, dup := values[name]; dup || (name == "MessageAttributes" && hasAttrs) {
			return nil, fmt.Errorf("member %s appears twice", name)
		}
		if name == "MessageAttributes" {
			hasAttrs = true
			if attrs, err = parseAttributes(d); err != nil {
				return nil, err
			}
			continue
		}
		if values[name], err = nextString(d); err != nil {
			return nil, fmt.Errorf("member %s: %w", name, err)
		}
	}
	if err := expectDelim(d, '}'); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data follows the JSON object")
	}

	if _, ok := values["Type"]; !ok {
		return nil, errors.New("member Type is missing")
	}
	m := &Message{Type: values["Type"], MessageAttributes: attrs}
	has, _, err := m.members()
	if err != nil {
		return nil, err
	}
	if hasAttrs && m.Type != Notification {
		return nil, fmt.Errorf("an SNS %s has no MessageAttributes", m.Type)
	}
	for _, f := range has {
		v, ok := values[f.name]
		switch {
		case !ok && f.name != "Subject":
			return nil, fmt.Errorf("member %s of an SNS %s is missing", f.name, m.Type)
		case ok && v == "" && f.name == "Subject":
			return nil, errors.New("member Subject is empty: SNS leaves out a Subject it was not given")
		}
		*f.value = v
		delete(values, f.name)
	}
	if len(values) > 0 {
		return nil, fmt.Errorf("an SNS %s has no member %s", m.Type, slices.Min(slices.Collect(maps.Keys(values))))
	}
	return m, nil
}

// parseAttributes reads the object of MessageAttributes: each attribute
// an object of exactly a Type and a Value, both strings.
func parseAttributes(d *json.Decoder) ([]Attribute, error) {
	if err := expectDelim(d, '{'); err != nil {
		return nil, fmt.Errorf("member MessageAttributes: %w", err)
	}
	var attrs []Attribute
	seen := map[string]bool{}
	for d.More() {
		name, err := nextString(d)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("message attribute %q appears twice", name)
		}
		seen[name] = true
		a, err := parseAttribute(d, name)
		if err != nil {
			return nil, fmt.Errorf("message attribute %q: %w", name, err)
		}
		attrs = append(attrs, a)
	}
	return attrs, expectDelim(d, '}')
}

// parseAttribute reads the object of the attribute name.
func parseAttribute(d *json.Decoder, name string) (Attribute, error) {
	a := Attribute{Name: name}
	if err := expectDelim(d, '{'); err != nil {
		return a, err
	}
	var hasType, hasValue bool
	for d.More() {
		key, err := nextString(d)
		if err != nil {
			return a, err
		}
		var dst *string
		switch {
		case key == "Type" && !hasType:
			hasType, dst = true, &a.Type
		case key == "Value" && !hasValue:
			hasValue, dst = true, &a.Value
		default:
			return a, fmt.Errorf("unexpected or repeated member %s", key)
		}
		if *dst, err = nextString(d); err != nil {
			return a, fmt.Errorf("member %s: %w", key, err)
		}
	}
	if !hasType || !hasValue {
		return a, errors.New("it needs both a Type and a Value")
	}
	return a, expectDelim(d, '}')
}

// expectDelim reads the next token, which must be delim.
func expectDelim(d *json.Decoder, delim json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != delim {
		return fmt.Errorf("found %v where JSON %v belongs", t, delim)
	}
	return nil
}

// nextString reads the next token, which must be a string.
func nextString(d *json.Decoder) (string, error) {
	t, err := d.Token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("found %v where a JSON string belongs", t)
	}
	return s, nil
}
