package iam

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
)

// checkActionNames checks the actions of a simulation: SERVICE:ACTION
// each, without the wildcards the simulator does not take.
func checkActionNames(actions []string) error {
	for _, a := range actions {
		service, name, ok := strings.Cut(a, ":")
		if !ok || service == "" || name == "" || strings.ContainsAny(a, "*? ") || strings.Contains(name, ":") {
			return errorf(InvalidInput, "Invalid action name %s: an action is SERVICE:ACTION (iam:CreateUser), without wildcards.", a)
		}
	}
	return nil
}

// simulatedResources checks the resources of a simulation, and that they
// are those its EC2 scenario needs; it returns nil for none, or "*"
// alone, which stand for every resource.
func simulatedResources(arns []string, scenario string) ([]string, error) {
	for _, r := range arns {
		if r != "*" && (!strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5) {
			return nil, errorf(InvalidInput, "Resource %s must be in ARN format or \"*\".", r)
		}
	}
	if scenario != "" {
		if err := checkScenario(scenario, arns); err != nil {
			return nil, err
		}
	}
	if len(arns) == 0 || len(arns) == 1 && arns[0] == "*" {
		return nil, nil
	}
	return arns, nil
}

// ec2Scenarios are the EC2 scenarios of ResourceHandlingOption, with the
// types of the resources each needs.
var ec2Scenarios = map[string][]string{
	"EC2-VPC-InstanceStore":        {"instance", "image", "security-group", "network-interface"},
	"EC2-VPC-InstanceStore-Subnet": {"instance", "image", "security-group", "network-interface", "subnet"},
	"EC2-VPC-EBS":                  {"instance", "image", "security-group", "network-interface", "volume"},
	"EC2-VPC-EBS-Subnet":           {"instance", "image", "security-group", "network-interface", "subnet", "volume"},
}

// checkScenario checks that the resources of a simulation are those its
// EC2 scenario needs.
func checkScenario(scenario string, arns []string) error {
	needs, ok := ec2Scenarios[scenario]
	if !ok {
		return errorf(InvalidInput, "Invalid ResourceHandlingOption %s: the scenarios are EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet, EC2-VPC-EBS and EC2-VPC-EBS-Subnet.", scenario)
	}
	for _, kind := range needs {
		if !slices.ContainsFunc(arns, func(arn string) bool { return ec2Type(arn) == kind }) {
			return errorf(InvalidInput, "The ResourceHandlingOption %s needs a resource of type %s in ResourceArns.", scenario, kind)
		}
	}
	return nil
}

// ec2Type returns the resource type of an EC2 ARN
// (arn:aws:ec2:REGION:ACCOUNT:TYPE/ID); "" for another ARN.
func ec2Type(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "ec2" {
		return ""
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	return kind
}

// simulatedContext returns the condition keys of the simulated requests
// with their values, binary values decoded from base64: the condition
// operators compare the bytes.
func simulatedContext(entries []ContextEntry) (map[string][]string, error) {
	out := make(map[string][]string, len(entries))
	for _, e := range entries {
		values := e.Values
		if strings.HasPrefix(e.Type, "binary") {
			values = make([]string, len(e.Values))
			for i, v := range e.Values {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					return nil, errorf(InvalidInput, "Invalid value %s of context key %s: binary values are base64.", v, e.Key)
				}
				values[i] = string(b)
			}
		}
		out[e.Key] = append(out[e.Key], values...)
	}
	return out, nil
}

// resourceOwner reads ResourceOwner, an account id or its root's ARN
// (arn:aws:iam::ACCOUNT:root), into the account; "" is def.
func resourceOwner(owner, def string) (string, error) {
	if owner == "" {
		return def, nil
	}
	id := owner
	if rest, ok := strings.CutPrefix(owner, "arn:aws:iam::"); ok {
		id, _ = strings.CutSuffix(rest, ":root")
	}
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return "", errorf(InvalidInput, "Invalid ResourceOwner %s: it is an account id, or its root's ARN (arn:aws:iam::ACCOUNT:root).", owner)
	}
	return id, nil
}

// namesService reports whether a resource-based policy, which Parse
// took, names a service principal in a Principal or NotPrincipal.
func namesService(doc string) bool {
	var p struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	list := []json.RawMessage{p.Statement}
	if bytes.HasPrefix(bytes.TrimSpace(p.Statement), []byte("[")) && json.Unmarshal(p.Statement, &list) != nil {
		return false
	}
	for _, raw := range list {
		var st struct{ Principal, NotPrincipal json.RawMessage }
		if json.Unmarshal(raw, &st) != nil {
			return false
		}
		for _, element := range []json.RawMessage{st.Principal, st.NotPrincipal} {
			var byType map[string]json.RawMessage
			if json.Unmarshal(element, &byType) == nil && byType["Service"] != nil {
				return true
			}
		}
	}
	return false
}
