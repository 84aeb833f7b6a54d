package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
)

// Document is a policy document as written, for the operations that edit
// a resource's policy statement by statement — SNS's and SQS's
// AddPermission and RemovePermission: its members keep their order, and
// its statements their text.
type Document struct {
	members []member
	// statement is the index in members of the Statement member (-1: none
	// yet).
	statement  int
	statements []json.RawMessage
}

// ParseDocument reads a policy document for editing: a JSON object whose
// Statement, when it has one, is a statement or a list of them. It checks
// no more than that, since an edit may leave a policy no statement.
func ParseDocument(doc []byte) (*Document, error) {
	if !json.Valid(doc) {
		return nil, errors.New("cannot edit the policy: it is not JSON")
	}
	ms, err := members(doc)
	if err != nil {
		return nil, errors.New("cannot edit the policy: it is not a JSON object naming each member once")
	}
	d := &Document{members: ms, statement: -1}
	for i, m := range ms {
		if m.key != "Statement" {
			continue
		}
		d.statement = i
		d.statements = []json.RawMessage{m.value}
		if isArray(m.value) && json.Unmarshal(m.value, &d.statements) != nil {
			return nil, errors.New("cannot edit the policy: its Statement is not a list")
		}
		for _, s := range d.statements {
			if !bytes.HasPrefix(bytes.TrimSpace(s), []byte("{")) {
				return nil, errors.New("cannot edit the policy: its Statement holds something else than statements")
			}
		}
	}
	return d, nil
}

// sid returns the Sid of a statement ("" when it has none).
func sid(statement json.RawMessage) string {
	var s struct{ Sid any }
	if json.Unmarshal(statement, &s) != nil {
		return ""
	}
	id, _ := s.Sid.(string)
	return id
}

// Len returns the number of statements of the document.
func (d *Document) Len() int { return len(d.statements) }

// HasSid reports whether a statement of the document has this Sid.
func (d *Document) HasSid(id string) bool {
	for _, s := range d.statements {
		if sid(s) == id {
			return true
		}
	}
	return false
}

// Add appends a statement, JSON (as Grant returns).
func (d *Document) Add(statement []byte) {
	d.statements = append(d.statements, json.RawMessage(statement))
}

// Remove removes the statements whose Sid is id, and reports whether
// there were any.
func (d *Document) Remove(id string) bool {
	n := len(d.statements)
	d.statements = slices.DeleteFunc(d.statements, func(s json.RawMessage) bool { return sid(s) == id })
	return len(d.statements) < n
}

// Bytes returns the document as compact JSON, its members in their order
// (a Statement added last when it had none) and its Statement a list.
// Nothing but white space changes in the text of what was there: no
// escaping of <, > and &, as encoding/json would.
func (d *Document) Bytes() []byte {
	statements := append([]byte("["), bytes.Join(asBytes(d.statements), []byte(","))...)
	statements = append(statements, ']')
	ms := d.members
	if d.statement < 0 {
		ms = append(ms[:len(ms):len(ms)], member{key: "Statement"})
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(m.key)
		b.Write(key)
		b.WriteByte(':')
		if m.key == "Statement" {
			b.Write(statements)
		} else {
			b.Write(m.value)
		}
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Compact(&out, b.Bytes()); err != nil {
		panic("BUG: policy: an edited document is not JSON: " + err.Error())
	}
	return out.Bytes()
}

func asBytes(raws []json.RawMessage) [][]byte {
	out := make([][]byte, len(raws))
	for i, r := range raws {
		out[i] = r
	}
	return out
}

// Grant returns the statement an AddPermission writes, as AWS writes it:
// {"Sid":…,"Effect":"Allow","Principal":{"AWS":…},"Action":…,"Resource":…},
// with Principal's AWS and Action a string when they hold one value and a
// list when they hold more.
func Grant(id string, principals, actions []string, resource string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Sid       string
		Effect    Effect
		Principal struct{ AWS any }
		Action    any
		Resource  string
	}{id, EffectAllow, struct{ AWS any }{oneOrList(principals)}, oneOrList(actions), resource})
	if err != nil {
		panic("BUG: policy: cannot encode a statement: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// oneOrList is a list of one value as the value, else the list.
func oneOrList(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}
