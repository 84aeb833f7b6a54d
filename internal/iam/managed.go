package iam

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// AWS's own managed policies (arn:aws:iam::aws:policy/…) that Vigil's
// services need, with the documents AWS publishes, their default version
// and dates: managed/policies.json. Every account sees them; they cannot
// change. ReadOnlyAccess is reduced (its entry's note says how): AWS's
// grants the read-only actions of every AWS service, Vigil's those of the
// services it serves. Their ids are Vigil's (ANPA and a digest of the
// ARN), not AWS's.
//
//go:embed managed/policies.json
var managedFS embed.FS

// awsPolicyPrefix starts the ARNs of AWS's own policies.
const awsPolicyPrefix = "arn:aws:iam::aws:policy"

// awsManaged is one of AWS's managed policies.
type awsManaged struct {
	entity   store.IAMEntity
	document string
}

// awsPolicies returns AWS's managed policies by ARN, read once.
var awsPolicies = sync.OnceValue(func() map[string]*awsManaged {
	raw, err := managedFS.ReadFile("managed/policies.json")
	if err != nil {
		panic("BUG: iam: cannot read the AWS managed policies: " + err.Error())
	}
	var list []struct {
		Name, Path, Version string
		Created, Updated    time.Time
		Document            json.RawMessage
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		panic("BUG: iam: cannot decode the AWS managed policies: " + err.Error())
	}
	out := make(map[string]*awsManaged, len(list))
	for _, p := range list {
		arn := awsPolicyPrefix + p.Path + p.Name
		var doc bytes.Buffer
		if err := json.Indent(&doc, p.Document, "", "    "); err != nil {
			panic("BUG: iam: AWS managed policy " + p.Name + ": " + err.Error())
		}
		sum := sha256.Sum256([]byte(arn))
		out[arn] = &awsManaged{
			entity: store.IAMEntity{
				Kind: store.IAMPolicy, ID: policyPrefix + base32.StdEncoding.EncodeToString(sum[:])[:17], Name: p.Name, Path: p.Path,
				ARN: arn, Created: p.Created, Updated: p.Updated, DefaultVersion: p.Version,
			},
			document: doc.String(),
		}
	}
	return out
})

// isAWSPolicy says whether an ARN names one of AWS's managed policies
// (whether Vigil has it or not).
func isAWSPolicy(arn string) bool { return strings.HasPrefix(arn, awsPolicyPrefix+"/") }

// awsPolicy returns the AWS managed policy of an ARN: NoSuchEntity when
// Vigil does not have it.
func awsPolicy(arn string) (*awsManaged, error) {
	p, ok := awsPolicies()[arn]
	if !ok {
		return nil, policyNotFound(arn)
	}
	return p, nil
}

// awsPolicyList lists AWS's managed policies.
func awsPolicyList() []store.IAMEntity {
	out := make([]store.IAMEntity, 0, len(awsPolicies()))
	for _, p := range awsPolicies() {
		out = append(out, p.entity)
	}
	slices.SortFunc(out, func(a, b store.IAMEntity) int { return strings.Compare(a.ARN, b.ARN) })
	return out
}
