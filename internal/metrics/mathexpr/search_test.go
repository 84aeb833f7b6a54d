package mathexpr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// The search corpus: testdata/search/*.txtar. Each "-- query --" section
// holds a SEARCH query string, followed by a "-- metrics --" section whose
// lines say whether a metric matches:
//
//	match    | Namespace | MetricName | Dim=Value | …
//	no-match | …
//
// or by an "-- error --" section with the error the client reads.
func TestSearchCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/search/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var q *SearchQuery
			var qerr error
			var src string
			checked := true
			for _, s := range txtar.Parse(data).Files {
				switch s.Name {
				case "query":
					if !checked {
						t.Errorf("query %q has nothing to check", src)
					}
					src = strings.TrimSuffix(string(s.Data), "\n")
					q, qerr = ParseSearch(src)
					checked = false
				case "error":
					checked = true
					want := strings.TrimSpace(string(s.Data))
					if qerr == nil {
						t.Errorf("ParseSearch(%q) = nil error, want %q", src, want)
					} else if qerr.Error() != want {
						t.Errorf("ParseSearch(%q) error %q, want %q", src, qerr.Error(), want)
					}
				case "metrics":
					checked = true
					if qerr != nil {
						t.Errorf("ParseSearch(%q): %v (%s)", src, qerr, detail(qerr))
						continue
					}
					for line := range strings.Lines(string(s.Data)) {
						outcome, spec, ok := strings.Cut(line, "|")
						if !ok {
							continue
						}
						m := parseMetricSpec(spec)
						want := strings.TrimSpace(outcome) == "match"
						if got := q.Match(m.Namespace, m.Name, m.Dimensions); got != want {
							t.Errorf("query %q, metric %s: match %v, want %v", src, strings.TrimSpace(spec), got, want)
						}
					}
				default:
					t.Fatalf("unknown section %q", s.Name)
				}
			}
			if !checked {
				t.Errorf("query %q has nothing to check", src)
			}
		})
	}
}

func TestSearchSchema(t *testing.T) {
	q, err := ParseSearch(`{"My Namespace", Dim1 Dim2,Dim1} x`)
	if err != nil {
		t.Fatal(err)
	}
	if q.Schema == nil || q.Schema.Namespace != "My Namespace" || strings.Join(q.Schema.DimensionNames, ",") != "Dim1,Dim2" {
		t.Errorf("schema %+v, want My Namespace with Dim1, Dim2", q.Schema)
	}
	if q.String() != `{"My Namespace", Dim1 Dim2,Dim1} x` {
		t.Errorf("String() = %q", q.String())
	}
	q, err = ParseSearch(`MetricName="Errors"`)
	if err != nil || q.Schema != nil {
		t.Errorf("ParseSearch without schema: %+v, %v", q, err)
	}
}

func TestTokenize(t *testing.T) {
	// The table of "CloudWatch search expressions: Tokenization".
	for in, want := range map[string]string{
		"CustomCount1":      "customcount1 custom count 1",
		"SDBFailure":        "sdbfailure sdb failure",
		"Project2-trial333": "project2trial333 project 2 trial 333",
		"Network-Errors_2":  "networkerrors2 network errors 2",
		"AWS/EC2":           "awsec2 aws ec 2",
		"t2.micro":          "t2micro t 2 micro",
		"":                  "",
	} {
		tk := tokenize(in)
		got := strings.TrimSpace(tk.whole + " " + strings.Join(tk.lower, " "))
		if got != want {
			t.Errorf("tokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidStatistic(t *testing.T) {
	for stat, want := range map[string]bool{
		"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true, "IQM": true,
		"p99": true, "p99.9": true, "p0": true, "p100": true, "tm90": true, "wm99.5": true, "tc10": true, "ts50": true,
		"tm(10%:90%)": true, "tm(:95%)": true, "TM(100:2000)": true, "PR(:300)": true, "TC(0.005:)": true, "WM(1:2)": true,
		"": false, "Avg": false, "average": false, "p101": false, "p": false, "P99": false, "tm(10:90)": false,
		"PR(a:b)": false, "p99.": false, "Sum ": false,
	} {
		if got := ValidStatistic(stat); got != want {
			t.Errorf("ValidStatistic(%q) = %v, want %v", stat, got, want)
		}
	}
}
