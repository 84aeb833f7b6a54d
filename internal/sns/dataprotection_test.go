package sns

import (
	"strings"
	"testing"
)

// dataProtection returns a data protection policy with one statement.
func dataProtection(statement string) string {
	return `{
  "Name": "data_protection_policy",
  "Description": "Test Policy",
  "Version": "2021-06-01",
  "Statement": [` + statement + `]
}`
}

// auditStatement is an Audit statement at a sample rate.
func auditStatement(rate string) string {
	return `{"Sid": "audit", "DataDirection": "Inbound", "Principal": ["*"],
  "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"],
  "Operation": {"Audit": {"SampleRate": ` + rate + `, "FindingsDestination": {"CloudWatchLogs": {"LogGroup": "/aws/vendedlogs/findings"}}}}}`
}

func TestDataProtectionPolicyStored(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	get := func() string {
		t.Helper()
		doc, err := f.svc.GetDataProtectionPolicy(f.ctx, scope, arn)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if got := get(); got != "" {
		t.Fatalf("GetDataProtectionPolicy of a new topic = %q", got)
	}
	// An Audit that samples no message is kept, as given.
	doc := dataProtection(auditStatement(`"0"`))
	if err := f.svc.PutDataProtectionPolicy(f.ctx, scope, arn, doc); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != doc {
		t.Fatalf("GetDataProtectionPolicy =\n%s\nwant\n%s", got, doc)
	}
	// It is no topic attribute (LocalStack's snapshot of AWS,
	// test_data_protection_policy_crud).
	attrs, err := f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := attrs["DataProtectionPolicy"]; ok {
		t.Errorf("GetTopicAttributes lists DataProtectionPolicy: %v", attrs)
	}
	// An empty policy deletes it ("Deleting a data protection policy using
	// an empty JSON string").
	if err := f.svc.PutDataProtectionPolicy(f.ctx, scope, arn, ""); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "" {
		t.Fatalf("GetDataProtectionPolicy after deleting = %q", got)
	}

	_, err = f.svc.GetDataProtectionPolicy(f.ctx, scope, arn+"x")
	wantErr(t, err, NotFound, "Topic does not exist")
	err = f.svc.PutDataProtectionPolicy(f.ctx, other, arn, doc)
	wantErr(t, err, NotFound, "Topic does not exist")
}

func TestDataProtectionPolicyOperationsRefused(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	const keeps = "; it keeps a policy only when its statements are Audit operations with a SampleRate of 0"
	for _, c := range []struct {
		statement, want string
	}{
		// LocalStack's test_data_protection_policy_crud, which AWS took.
		{`{"Sid": "test-statement", "DataDirection": "Inbound", "Principal": ["*"],
		   "DataIdentifier": ["arn:aws:dataprotection:us-east-1::data-identifier/EmailAddress"], "Operation": {"Deny": {}}}`,
			`statement "test-statement": Vigil does not perform the Deny operation of data protection policies, as it does not inspect message data` + keeps},
		{`{"DataDirection": "Inbound", "Principal": ["arn:aws:iam::123456789012:user/ExampleUser"],
		   "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"], "Operation": {"Deidentify": {"RedactConfig": {}}}}`,
			`statement 1: Vigil does not perform the Deidentify operation of data protection policies, as it does not inspect message data` + keeps},
		{auditStatement("99"),
			`statement "audit": Vigil does not perform the Audit (SampleRate 99) operation of data protection policies, as it does not inspect message data` + keeps},
	} {
		doc := dataProtection(c.statement)
		err := f.svc.PutDataProtectionPolicy(f.ctx, scope, arn, doc)
		wantErr(t, err, InvalidParameter, "Invalid parameter: DataProtectionPolicy Reason: "+c.want)
		_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "new", DataProtectionPolicy: doc})
		wantErr(t, err, InvalidParameter, "Invalid parameter: DataProtectionPolicy Reason: "+c.want)
	}
	if doc, err := f.svc.GetDataProtectionPolicy(f.ctx, scope, arn); err != nil || doc != "" {
		t.Fatalf("GetDataProtectionPolicy after refusals = %q, %v", doc, err)
	}
	if topics, _, err := f.svc.ListTopics(f.ctx, scope, ""); err != nil || len(topics) != 1 {
		t.Fatalf("ListTopics = %v, %v; want the refused creates to create nothing", topics, err)
	}
}

func TestDataProtectionPolicyShape(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	const deny = `{"DataDirection": "Inbound", "Principal": ["*"], "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/Name"], "Operation": {"Deny": {}}}`
	for _, c := range []struct {
		doc, want string
	}{
		{`{"Name":`, "the policy is not JSON"},
		{`[]`, "the policy must be an object"},
		{`{"Name": "p", "Version": "2021-06-01", "Statement": [` + deny + `], "Extra": 1}`, `unknown field "Extra"`},
		{`{"Version": "2021-06-01", "Statement": [` + deny + `]}`, "Name is required"},
		{`{"Name": "p", "Version": "2012-10-17", "Statement": [` + deny + `]}`, "Version must be 2021-06-01"},
		{`{"Name": "p", "Version": "2021-06-01", "Statement": []}`, "Statement must hold at least one statement"},
		{`{"Name": "p", "Version": "2021-06-01", "Statement": [` + deny + `]} {}`, "the policy is not JSON"},
		{dataProtection(strings.Replace(deny, `"Inbound"`, `"Sideways"`, 1)), "statement 1: DataDirection must be Inbound or Outbound"},
		{dataProtection(strings.Replace(deny, `["*"]`, `[]`, 1)), "statement 1: Principal must name at least one principal"},
		{dataProtection(strings.Replace(deny, `["*"]`, `"*"`, 1)), "Statement.Principal must be a list"},
		{dataProtection(strings.Replace(deny, `"arn:aws:dataprotection::aws:data-identifier/Name"`, `"Name"`, 1)),
			`statement 1: "Name" is neither a managed data identifier's ARN nor a custom data identifier of the policy`},
		{dataProtection(strings.Replace(deny, `{"Deny": {}}`, `{"Deny": {}, "Deidentify": {"RedactConfig": {}}}`, 1)),
			"statement 1: Operation must hold one of Audit, Deidentify and Deny"},
		{dataProtection(strings.Replace(deny, `{"Deny": {}}`, `{"Deny": {"Now": true}}`, 1)), `unknown field "Now"`},
		{dataProtection(strings.Replace(deny, `{"Deny": {}}`, `{"Deidentify": {"MaskConfig": {"MaskWithCharacter": "##"}}}`, 1)),
			"statement 1: MaskWithCharacter must be one character"},
		{dataProtection(strings.Replace(deny, `{"Deny": {}}`, `{"Deidentify": {}}`, 1)),
			"statement 1: Deidentify must hold one of MaskConfig and RedactConfig"},
		{dataProtection(strings.Replace(strings.Replace(deny, `{"Deny": {}}`, `{"Deidentify": {"RedactConfig": {}}}`, 1), "Inbound", "Outbound", 1)),
			"statement 1: Deidentify applies to Inbound data only"},
		{dataProtection(auditStatement(`"100"`)), `statement "audit": SampleRate must be an integer from 0 to 99`},
		{dataProtection(strings.Replace(auditStatement("0"), "Inbound", "Outbound", 1)), `statement "audit": Audit applies to Inbound data only`},
		{dataProtection(strings.Replace(auditStatement("0"), `"FindingsDestination": {"CloudWatchLogs": {"LogGroup": "/aws/vendedlogs/findings"}}`,
			`"FindingsDestination": {}`, 1)), `statement "audit": Audit needs a FindingsDestination or a NoFindingsDestination`},
		{dataProtection(auditStatement("0") + "," + strings.Replace(auditStatement("0"), `"audit"`, `"audit2"`, 1)), "a policy has at most one Audit statement"},
	} {
		err := f.svc.PutDataProtectionPolicy(f.ctx, scope, arn, c.doc)
		wantErr(t, err, InvalidParameter, "Invalid parameter: DataProtectionPolicy Reason: "+c.want)
	}
	// A custom data identifier of the policy, and a sample rate written as
	// a number, are taken.
	doc := `{"Name": "p", "Version": "2021-06-01", "Configuration": {"CustomDataIdentifier": [{"Name": "Ticket", "Regex": "T-[0-9]+"}]},
		"Statement": [` + strings.Replace(auditStatement("0"), `"arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"`, `"Ticket"`, 1) + `]}`
	if err := f.svc.PutDataProtectionPolicy(f.ctx, scope, arn, doc); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTopicDataProtectionPolicy(t *testing.T) {
	f := newFixture(t)
	doc := dataProtection(auditStatement(`"0"`))
	arn, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", DataProtectionPolicy: doc})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.GetDataProtectionPolicy(f.ctx, scope, arn); err != nil || got != doc {
		t.Fatalf("GetDataProtectionPolicy = %q, %v; want %q", got, err, doc)
	}
	// Creating it again: the same policy, or none, returns it; another is
	// a difference.
	for _, again := range []string{doc, ""} {
		if got, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", DataProtectionPolicy: again}); err != nil || got != arn {
			t.Errorf("CreateTopic again with %.20q = %q, %v; want %s", again, got, err, arn)
		}
	}
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", DataProtectionPolicy: strings.Replace(doc, "Test Policy", "Other", 1)})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
}
