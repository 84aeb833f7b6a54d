package logs

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// The embedded metric format (EMF) lets a JSON log event carry metrics:
//
//	{"_aws": {"Timestamp": 1574109732004, "CloudWatchMetrics": [{
//	    "Namespace": "lambda-function-metrics",
//	    "Dimensions": [["functionVersion"]],
//	    "Metrics": [{"Name": "time", "Unit": "Milliseconds", "StorageResolution": 60}]}]},
//	 "functionVersion": "$LATEST", "time": 100}
//
// An event that breaks the specification
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)
// is stored as a plain log event and publishes nothing.

// Units are the CloudWatch units a data point may have:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
var Units = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// EMF limits from the specification.
const (
	emfMaxDimensions   = 30
	emfMaxMetrics      = 100
	emfMaxValues       = 100
	emfMaxNameLength   = 1024
	emfMaxNamespaceLen = 1024
)

type emfDocument struct {
	AWS *struct {
		Timestamp         *json.Number   `json:"Timestamp"`
		CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

type emfDirective struct {
	Namespace  *string     `json:"Namespace"`
	Dimensions *[][]string `json:"Dimensions"`
	Metrics    []struct {
		Name              *string `json:"Name"`
		Unit              *string `json:"Unit"`
		StorageResolution *int    `json:"StorageResolution"`
	} `json:"Metrics"`
}

// emfData returns the data points an EMF event publishes, or nil when the
// message is not valid EMF.
func emfData(message string) []Datum {
	if len(message) < 8 || message[0] != '{' || !strings.Contains(message, `"_aws"`) {
		return nil
	}
	var root map[string]json.RawMessage
	if json.Unmarshal([]byte(message), &root) != nil {
		return nil
	}
	var doc emfDocument
	if json.Unmarshal([]byte(message), &doc) != nil || doc.AWS == nil || doc.AWS.Timestamp == nil || doc.AWS.CloudWatchMetrics == nil {
		return nil
	}
	ms, err := doc.AWS.Timestamp.Int64()
	if err != nil || ms < 0 || ms > maxEMFTimestamp {
		return nil
	}
	ts := time.UnixMilli(ms).UTC()
	var out []Datum
	for _, dir := range doc.AWS.CloudWatchMetrics {
		data, ok := emfDirectiveData(dir, root, ts)
		if !ok {
			return nil
		}
		out = append(out, data...)
	}
	return out
}

func emfDirectiveData(dir emfDirective, root map[string]json.RawMessage, ts time.Time) ([]Datum, bool) {
	if dir.Namespace == nil || *dir.Namespace == "" || len(*dir.Namespace) > emfMaxNamespaceLen ||
		dir.Dimensions == nil || dir.Metrics == nil || len(dir.Metrics) > emfMaxMetrics {
		return nil, false
	}
	sets := *dir.Dimensions
	if len(sets) == 0 {
		sets = [][]string{{}}
	}
	var dimSets [][]Dimension
	for _, set := range sets {
		if len(set) > emfMaxDimensions {
			return nil, false
		}
		var dims []Dimension
		for _, name := range set {
			var v string
			raw, ok := root[name]
			if !ok || json.Unmarshal(raw, &v) != nil || v == "" {
				return nil, false
			}
			dims = append(dims, Dimension{Name: name, Value: v})
		}
		dimSets = append(dimSets, dims)
	}
	var out []Datum
	for _, m := range dir.Metrics {
		if m.Name == nil || *m.Name == "" || len(*m.Name) > emfMaxNameLength {
			return nil, false
		}
		unit := "None"
		if m.Unit != nil {
			if !slices.Contains(Units, *m.Unit) {
				return nil, false
			}
			unit = *m.Unit
		}
		res := 60
		if m.StorageResolution != nil {
			if *m.StorageResolution != 1 && *m.StorageResolution != 60 {
				return nil, false
			}
			res = *m.StorageResolution
		}
		values, ok := emfValues(root[*m.Name])
		if !ok {
			return nil, false
		}
		for _, dims := range dimSets {
			d := Datum{Namespace: *dir.Namespace, Name: *m.Name, Dimensions: dims, Timestamp: ts, Unit: unit, StorageResolution: res}
			if len(values) == 1 {
				d.Value = values[0]
			} else {
				d.Values = values
			}
			out = append(out, d)
		}
	}
	return out, true
}

// maxEMFTimestamp is the last millisecond of year 9999: a later time
// has no RFC 3339 form, and no metric store takes it.
const maxEMFTimestamp = 253402300799999

// emfValues reads a metric's value member: a number or an array of at
// most 100 numbers.
func emfValues(raw json.RawMessage) ([]float64, bool) {
	if raw == nil {
		return nil, false
	}
	var one float64
	if json.Unmarshal(raw, &one) == nil {
		return []float64{one}, true
	}
	var many []float64
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 || len(many) > emfMaxValues {
		return nil, false
	}
	return many, true
}
