package sns

import (
	"errors"
	"testing"
)

// FuzzDataProtectionPolicy checks that any text is taken or refused with
// an InvalidParameter, never a panic.
func FuzzDataProtectionPolicy(f *testing.F) {
	f.Add(dataProtection(auditStatement(`"0"`)))
	f.Add(dataProtection(auditStatement("99")))
	f.Add(dataProtection(`{"DataDirection": "Outbound", "Principal": ["*"], "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/Name"],
		"Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}}`))
	f.Add(`{"Name":"p","Version":"2021-06-01","Configuration":{"CustomDataIdentifier":[{"Name":"T","Regex":"x"}]},"Statement":[]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var e *Error
		if err := checkDataProtection(doc); err != nil && (!errors.As(err, &e) || e.Code != InvalidParameter) {
			t.Fatalf("checkDataProtection(%q) = %v; want nil or an InvalidParameter", doc, err)
		}
	})
}
