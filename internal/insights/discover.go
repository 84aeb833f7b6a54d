package insights

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Field discovery follows "Supported logs and discovered fields":
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
//
//   - JSON events (the message, trimmed, is a JSON object): every leaf is a
//     field named by its path in dot notation, array elements by their
//     index (requestParameters.items.0.instanceId); a key that starts with
//     @ gets another @ (@example.com is @@example.com). At most
//     MaxJSONFields fields are extracted from one event; JSON null is no
//     value; true and false are the text "true" and "false".
//   - Lambda platform lines (START, END, REPORT): @type, @requestId,
//     @duration, @billedDuration, @memorySize and @maxMemoryUsed (bytes:
//     MB × 1,000,000, so that the documented "@memorySize / 1000 / 1000"
//     gives MB), @initDuration, @xrayTraceId, @xraySegmentId.
//   - VPC Flow Logs in the default version 2 format: version, accountId,
//     interfaceId, srcAddr, dstAddr, srcPort, dstPort, protocol, packets,
//     bytes, startTime, endTime, action, logStatus.
//   - Route 53 public DNS query logs: version, queryTimestamp, hostZoneId,
//     queryName, queryType, responseCode, protocol, edgeLocation,
//     resolverIp.

// MaxJSONFields is the most fields discovered in one JSON event.
const MaxJSONFields = 200

// FieldRule says how a store extracts a discovered field from a message:
// the first platform rule that matches, else the JSON value.
type FieldRule struct {
	// Platform are the rules for platform lines (Lambda, VPC Flow Logs,
	// Route 53), tried in order.
	Platform []PlatformRule
	// JSONPath is the field's path in a JSON message: keys, and indexes
	// for numeric parts. JSONKey is the whole name as one key (a key that
	// contains dots), tried when JSONPath finds nothing.
	JSONPath []string
	JSONKey  string
}

// PlatformRule extracts a field from a platform log line.
type PlatformRule struct {
	// Prefix, when set, must start the message for Pattern to apply.
	Prefix string
	// Pattern (RE2) and Group extract the value; group N is also named gN.
	Pattern string
	Group   int
	// Scale multiplies the extracted whole number (0: no scaling).
	Scale int64
}

const (
	lambdaReport = `^REPORT RequestId: (?P<g1>\S+)\s+Duration: (?P<g2>[0-9.]+) ms\s+Billed Duration: (?P<g3>[0-9]+) ms\s+Memory Size: (?P<g4>[0-9]+) MB\s+Max Memory Used: (?P<g5>[0-9]+) MB(?:\s+Init Duration: (?P<g6>[0-9.]+) ms)?`
	lambdaAny    = `^(?P<g1>START|END|REPORT) RequestId: (?P<g2>\S+)`
	route53      = `^(?P<g1>1\.0) (?P<g2>\d{4}-\d\d-\d\dT[0-9:.]+Z) (?P<g3>\S+) (?P<g4>\S+) (?P<g5>\S+) (?P<g6>\S+) (?P<g7>UDP|TCP) (?P<g8>\S+) (?P<g9>\S+) (?P<g10>\S+)\s*$`
	vpcFlowV2    = `^(?P<g1>2) (?P<g2>\S+) (?P<g3>\S+) (?P<g4>\S+) (?P<g5>\S+) (?P<g6>\S+) (?P<g7>\S+) (?P<g8>\S+) (?P<g9>\S+) (?P<g10>\S+) (?P<g11>\d+) (?P<g12>\d+) (?P<g13>ACCEPT|REJECT|-) (?P<g14>OK|NODATA|SKIPDATA)\s*$`
)

var platformRules = map[string][]PlatformRule{
	"@type":           {{Prefix: "", Pattern: lambdaAny, Group: 1}},
	"@requestId":      {{Pattern: lambdaAny, Group: 2}},
	"@duration":       {{Prefix: "REPORT ", Pattern: lambdaReport, Group: 2}},
	"@billedDuration": {{Prefix: "REPORT ", Pattern: lambdaReport, Group: 3}},
	"@memorySize":     {{Prefix: "REPORT ", Pattern: lambdaReport, Group: 4, Scale: 1_000_000}},
	"@maxMemoryUsed":  {{Prefix: "REPORT ", Pattern: lambdaReport, Group: 5, Scale: 1_000_000}},
	"@initDuration":   {{Prefix: "REPORT ", Pattern: lambdaReport, Group: 6}},
	"@xrayTraceId":    {{Prefix: "REPORT ", Pattern: `XRAY TraceId: (?P<g1>[^\s]+)`, Group: 1}},
	"@xraySegmentId":  {{Prefix: "REPORT ", Pattern: `XRAY TraceId: [^\s]+\s+SegmentId: (?P<g1>[^\s]+)`, Group: 1}},
	"version":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 1}, {Prefix: "1.0 ", Pattern: route53, Group: 1}},
	"accountId":       {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 2}},
	"interfaceId":     {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 3}},
	"srcAddr":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 4}},
	"dstAddr":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 5}},
	"srcPort":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 6}},
	"dstPort":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 7}},
	"protocol":        {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 8}, {Prefix: "1.0 ", Pattern: route53, Group: 7}},
	"packets":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 9}},
	"bytes":           {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 10}},
	"startTime":       {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 11}},
	"endTime":         {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 12}},
	"action":          {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 13}},
	"logStatus":       {{Prefix: "2 ", Pattern: vpcFlowV2, Group: 14}},
	"queryTimestamp":  {{Prefix: "1.0 ", Pattern: route53, Group: 2}},
	"hostZoneId":      {{Prefix: "1.0 ", Pattern: route53, Group: 3}},
	"queryName":       {{Prefix: "1.0 ", Pattern: route53, Group: 4}},
	"queryType":       {{Prefix: "1.0 ", Pattern: route53, Group: 5}},
	"responseCode":    {{Prefix: "1.0 ", Pattern: route53, Group: 6}},
	"edgeLocation":    {{Prefix: "1.0 ", Pattern: route53, Group: 8}},
	"resolverIp":      {{Prefix: "1.0 ", Pattern: route53, Group: 9}},
}

// platformOrder lists the platform fields in the order LogRecord shows.
var platformOrder = []string{
	"@type", "@requestId", "@duration", "@billedDuration", "@memorySize", "@maxMemoryUsed", "@initDuration",
	"@xrayTraceId", "@xraySegmentId",
	"version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort", "protocol", "packets",
	"bytes", "startTime", "endTime", "action", "logStatus",
	"queryTimestamp", "hostZoneId", "queryName", "queryType", "responseCode", "edgeLocation", "resolverIp",
}

// RuleFor returns how to extract the discovered field name.
func RuleFor(name string) FieldRule {
	r := FieldRule{Platform: platformRules[name]}
	key := name
	if strings.HasPrefix(key, "@") {
		// A JSON key "@x" shows as "@@x"; other @ names are not JSON keys.
		if !strings.HasPrefix(key, "@@") {
			return r
		}
		key = key[1:]
	}
	r.JSONPath = strings.Split(key, ".")
	if len(r.JSONPath) > 1 {
		r.JSONKey = key
	}
	return r
}

var compiledRules = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for _, rs := range platformRules {
		for _, r := range rs {
			if _, ok := m[r.Pattern]; !ok {
				m[r.Pattern] = regexp.MustCompile(r.Pattern)
			}
		}
	}
	return m
}()

// FieldValue is one discovered field of an event.
type FieldValue struct {
	Name, Value string
}

// DiscoverFields returns the fields discovered in a message (not the
// system fields), in a stable order: platform fields, then JSON fields in
// document order.
func DiscoverFields(message string) []FieldValue {
	var out []FieldValue
	matches := map[string][]string{}
	for _, name := range platformOrder {
		for _, r := range platformRules[name] {
			if r.Prefix != "" && !strings.HasPrefix(message, r.Prefix) {
				continue
			}
			m, ok := matches[r.Pattern]
			if !ok {
				m = compiledRules[r.Pattern].FindStringSubmatch(message)
				matches[r.Pattern] = m
			}
			if m == nil || r.Group >= len(m) || m[r.Group] == "" {
				continue
			}
			v := m[r.Group]
			if r.Scale != 0 {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					continue
				}
				v = strconv.FormatInt(n*r.Scale, 10)
			}
			out = append(out, FieldValue{name, v})
			break
		}
	}
	trimmed := strings.TrimSpace(message)
	if strings.HasPrefix(trimmed, "{") {
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.UseNumber()
		var fields []FieldValue
		if flattenJSON(dec, "", &fields) == nil && !dec.More() {
			seen := map[string]bool{}
			for _, f := range out {
				seen[f.Name] = true
			}
			for _, f := range fields {
				if !seen[f.Name] {
					out = append(out, f)
					seen[f.Name] = true
				}
			}
		}
	}
	return out
}

// flattenJSON reads one JSON value and appends its leaves.
func flattenJSON(dec *json.Decoder, prefix string, out *[]FieldValue) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if prefix == "" && strings.HasPrefix(k, "@") {
					k = "@" + k
				}
				if err := flattenJSON(dec, join(prefix, k), out); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case '[':
			for i := 0; dec.More(); i++ {
				if err := flattenJSON(dec, join(prefix, strconv.Itoa(i)), out); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
	case string:
		add(out, prefix, v)
	case json.Number:
		add(out, prefix, normalizeJSONNumber(string(v)))
	case bool:
		add(out, prefix, strconv.FormatBool(v))
	case nil:
	}
	return nil
}

func add(out *[]FieldValue, name, v string) {
	if len(*out) < MaxJSONFields && name != "" {
		*out = append(*out, FieldValue{name, v})
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// normalizeJSONNumber writes a JSON number as the query engine shows it:
// whole numbers without exponent or fraction, others in the shortest
// form.
func normalizeJSONNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return FormatNumber(f)
}

// FormatNumber formats a number as query results show it: whole numbers
// without a fraction; others in plain decimal notation, shortest digits
// that read back the same (scientific notation only below 1e-7 or from
// 1e21); NaN and infinities as "NaN", "Infinity" and "-Infinity".
func FormatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10)
	case math.Abs(f) >= 1e-7 && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
