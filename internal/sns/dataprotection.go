package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/store"
)

// A topic's data protection policy asks SNS to audit, mask or redact, or
// deny messages that hold sensitive data
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-data-protection-policies.html).
// Vigil does not inspect message data, so it performs none of these
// operations. It checks a policy's shape as AWS documents it, and keeps
// only a policy whose statements change nothing that happens to a
// message: Audit statements with a SampleRate of 0, which sample no
// message. A policy that would have Vigil deny, de-identify or audit
// messages is refused with an error naming the operation: storing it
// would have clients believe their messages are protected.

// The language version of data protection policies.
const dataProtectionVersion = "2021-06-01"

type dataProtectionPolicy struct {
	Name          string
	Description   string
	Version       string
	Configuration *struct {
		CustomDataIdentifier []struct{ Name, Regex string }
	}
	Statement []dataProtectionStatement
}

type dataProtectionStatement struct {
	Sid            string
	DataDirection  string
	Principal      []string
	DataIdentifier []string
	Operation      struct {
		Audit *struct {
			SampleRate            json.RawMessage
			FindingsDestination   *auditDestination
			NoFindingsDestination *auditDestination
		}
		Deidentify *struct {
			MaskConfig   *struct{ MaskWithCharacter string }
			RedactConfig *struct{}
		}
		Deny *struct{}
	}
}

type auditDestination struct {
	CloudWatchLogs *struct{ LogGroup string }
	Firehose       *struct{ DeliveryStream string }
	S3             *struct{ Bucket string }
}

// dataProtectionError is an InvalidParameter about a data protection
// policy, in AWS's "Invalid parameter: NAME Reason: …" form.
func dataProtectionError(format string, args ...any) error {
	return errorf(InvalidParameter, "Invalid parameter: DataProtectionPolicy Reason: %s", fmt.Sprintf(format, args...))
}

// checkDataProtection checks a data protection policy: its shape, then
// that Vigil can honour it.
func checkDataProtection(doc string) error {
	if !json.Valid([]byte(doc)) {
		return dataProtectionError("the policy is not JSON")
	}
	var p dataProtectionPolicy
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return dataProtectionError("%s", jsonProblem(err))
	}
	switch {
	case p.Name == "":
		return dataProtectionError("Name is required")
	case p.Version != dataProtectionVersion:
		return dataProtectionError("Version must be %s", dataProtectionVersion)
	case len(p.Statement) == 0:
		return dataProtectionError("Statement must hold at least one statement")
	}
	custom := map[string]bool{}
	if p.Configuration != nil {
		for _, c := range p.Configuration.CustomDataIdentifier {
			if c.Name == "" || c.Regex == "" {
				return dataProtectionError("a CustomDataIdentifier needs a Name and a Regex")
			}
			custom[c.Name] = true
		}
	}
	audits := 0
	for i := range p.Statement {
		st := &p.Statement[i]
		if err := st.check(custom); err != nil {
			return dataProtectionError("%s: %v", st.name(i), err)
		}
		if st.Operation.Audit != nil {
			audits++
		}
	}
	if audits > 1 {
		return dataProtectionError("a policy has at most one Audit statement")
	}
	for i := range p.Statement {
		if op := p.Statement[i].unsupported(); op != "" {
			return dataProtectionError("%s: Vigil does not perform the %s operation of data protection policies, as it does not inspect message data; "+
				"it keeps a policy only when its statements are Audit operations with a SampleRate of 0", p.Statement[i].name(i), op)
		}
	}
	return nil
}

// name names a statement in errors: by its Sid, or its place from 1.
func (st *dataProtectionStatement) name(i int) string {
	if st.Sid != "" {
		return fmt.Sprintf("statement %q", st.Sid)
	}
	return fmt.Sprintf("statement %d", i+1)
}

// check checks the shape of a statement, given the names of the custom
// data identifiers.
func (st *dataProtectionStatement) check(custom map[string]bool) error {
	if st.DataDirection != "Inbound" && st.DataDirection != "Outbound" {
		return errors.New("DataDirection must be Inbound or Outbound")
	}
	if len(st.Principal) == 0 {
		return errors.New("Principal must name at least one principal")
	}
	if len(st.DataIdentifier) == 0 {
		return errors.New("DataIdentifier must name at least one data identifier")
	}
	for _, id := range st.DataIdentifier {
		if !custom[id] && !(strings.HasPrefix(id, "arn:") && strings.Contains(id, ":data-identifier/")) {
			return fmt.Errorf("%q is neither a managed data identifier's ARN nor a custom data identifier of the policy", id)
		}
	}
	op := &st.Operation
	n := 0
	for _, set := range []bool{op.Audit != nil, op.Deidentify != nil, op.Deny != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("Operation must hold one of Audit, Deidentify and Deny")
	}
	switch {
	case op.Audit != nil:
		if st.DataDirection != "Inbound" {
			return errors.New("Audit applies to Inbound data only")
		}
		if _, err := sampleRate(op.Audit.SampleRate); err != nil {
			return err
		}
		if !op.Audit.FindingsDestination.set() && !op.Audit.NoFindingsDestination.set() {
			return errors.New("Audit needs a FindingsDestination or a NoFindingsDestination")
		}
	case op.Deidentify != nil:
		d := op.Deidentify
		if st.DataDirection != "Inbound" {
			return errors.New("Deidentify applies to Inbound data only")
		}
		if (d.MaskConfig != nil) == (d.RedactConfig != nil) {
			return errors.New("Deidentify must hold one of MaskConfig and RedactConfig")
		}
		if d.MaskConfig != nil && utf8.RuneCountInString(d.MaskConfig.MaskWithCharacter) != 1 {
			return errors.New("MaskWithCharacter must be one character")
		}
	}
	return nil
}

// set reports whether a destination names somewhere to write.
func (d *auditDestination) set() bool {
	return d != nil && (d.CloudWatchLogs != nil && d.CloudWatchLogs.LogGroup != "" ||
		d.Firehose != nil && d.Firehose.DeliveryStream != "" || d.S3 != nil && d.S3.Bucket != "")
}

// sampleRate reads an Audit's SampleRate: an integer from 0 to 99,
// written as a string ("99") or a number.
func sampleRate(raw json.RawMessage) (int, error) {
	s := string(bytes.Trim(raw, `"`))
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 99 {
		return 0, errors.New("SampleRate must be an integer from 0 to 99")
	}
	return n, nil
}

// unsupported names the operation of a statement that Vigil would have
// to perform, or returns "" when the statement changes nothing.
func (st *dataProtectionStatement) unsupported() string {
	op := &st.Operation
	switch {
	case op.Deny != nil:
		return "Deny"
	case op.Deidentify != nil:
		return "Deidentify"
	}
	if rate, _ := sampleRate(op.Audit.SampleRate); rate > 0 {
		return fmt.Sprintf("Audit (SampleRate %d)", rate)
	}
	return ""
}

// jsonProblem words an error of decoding a policy, JSON, without Go's
// names.
func jsonProblem(err error) string {
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	want := "a string"
	switch typ.Type.Kind() {
	case reflect.Slice:
		want = "a list"
	case reflect.Struct, reflect.Pointer:
		want = "an object"
	}
	if typ.Field == "" {
		return "the policy must be " + want
	}
	return fmt.Sprintf("%s must be %s", typ.Field, want)
}

// GetDataProtectionPolicy returns a topic's data protection policy as it
// was put ("" when it has none).
func (s *Service) GetDataProtectionPolicy(ctx context.Context, sc Scope, arn string) (string, error) {
	t, err := s.topic(ctx, sc, arn)
	if err != nil {
		return "", err
	}
	return t.DataProtectionPolicy, nil
}

// PutDataProtectionPolicy sets a topic's data protection policy, or
// deletes it when doc is empty, as AWS does.
func (s *Service) PutDataProtectionPolicy(ctx context.Context, sc Scope, arn, doc string) error {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return err
	}
	if doc != "" {
		if err := checkDataProtection(doc); err != nil {
			return err
		}
	}
	return s.updateTopic(ctx, arn, func(t *store.Topic, _ map[string]string) error {
		t.DataProtectionPolicy = doc
		return nil
	})
}
