package widget

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseCorpus parses testdata/parse: ok-*.json must parse, and each
// err-*.json must fail with the code and message its .err file gives as
// "Code: part of the message".
func TestParseCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			w, err := ParseWidget(string(text))
			switch {
			case strings.HasPrefix(name, "ok-"):
				if err != nil {
					t.Fatalf("ParseWidget: %v", err)
				}
				if _, err := w.Queries(testNow); err != nil {
					t.Fatalf("Queries: %v", err)
				}
			case strings.HasPrefix(name, "err-"):
				want, rerr := os.ReadFile(strings.TrimSuffix(file, ".json") + ".err")
				if rerr != nil {
					t.Fatal(rerr)
				}
				code, msg, _ := strings.Cut(strings.TrimSpace(string(want)), ": ")
				var we *Error
				if !errors.As(err, &we) {
					t.Fatalf("got %v, want an *Error %s", err, code)
				}
				if we.Code != code || !strings.Contains(we.Message, msg) {
					t.Fatalf("got %s: %s\nwant %s: …%s…", we.Code, we.Message, code, msg)
				}
				if want := strings.Contains(msg, "Vigil"); we.Unsupported != want {
					t.Fatalf("%s: Unsupported is %v, want %v", we.Message, we.Unsupported, want)
				}
			default:
				t.Fatalf("corpus file %s is neither ok- nor err-", file)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	w, err := ParseWidget(`{"metrics": [["AWS/EC2", "CPUUtilization"]]}`)
	if err != nil {
		t.Fatal(err)
	}
	if w.Width != 600 || w.Height != 400 || w.Period != 300 || w.Stat != "Average" ||
		w.View != ViewTimeSeries || w.Legend != LegendBottom || w.Theme != ThemeLight ||
		w.Timezone != time.UTC || !w.Left.ShowUnits || !w.Right.ShowUnits || w.Stacked {
		t.Fatalf("defaults: %+v", w)
	}
	if w.Start.String() != "-PT3H" || w.End.String() != "-PT0H" {
		t.Fatalf("range: %s to %s", w.Start, w.End)
	}
	want := Metric{ID: "m1", AutoID: true, Namespace: "AWS/EC2", MetricName: "CPUUtilization", Visible: true, YAxis: AxisLeft}
	if !reflect.DeepEqual(w.Metrics, []Metric{want}) {
		t.Fatalf("metrics:\n got %+v\nwant %+v", w.Metrics, want)
	}
}

func TestParseShorthands(t *testing.T) {
	f := func(rows string, want ...[]string) {
		t.Helper()
		w, err := ParseWidget(`{"metrics": ` + rows + `}`)
		if err != nil {
			t.Fatalf("%s: %v", rows, err)
		}
		var got [][]string
		for _, m := range w.Metrics {
			row := []string{m.Namespace, m.MetricName}
			for _, d := range m.Dimensions {
				row = append(row, d.Name, d.Value)
			}
			got = append(got, row)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %q\nwant %q", rows, got, want)
		}
	}
	f(`[["N", "M", "A", "1"], [".", ".", ".", "2"], [".", "M2", ".", "."]]`,
		[]string{"N", "M", "A", "1"}, []string{"N", "M", "A", "2"}, []string{"N", "M2", "A", "2"})
	f(`[["K", "Cpu", "Cluster", "c", "Broker", "1"], ["...", "2"], ["...", {"stat": "p99"}]]`,
		[]string{"K", "Cpu", "Cluster", "c", "Broker", "1"},
		[]string{"K", "Cpu", "Cluster", "c", "Broker", "2"},
		[]string{"K", "Cpu", "Cluster", "c", "Broker", "2"})
	// Entries before "..." replace the previous row's first ones.
	f(`[["N", "M", "A", "1"], ["N2", "...", "3"]]`,
		[]string{"N", "M", "A", "1"}, []string{"N2", "M", "A", "3"})
	// The listed entries replace the previous row's last ones, all of them
	// if need be.
	f(`[["N", "M"], ["...", "A", "B"]]`, []string{"N", "M"}, []string{"A", "B"})
}

func TestParseOptionsAndAnnotations(t *testing.T) {
	text, err := os.ReadFile("testdata/parse/ok-doc-options-expressions.json")
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWidget(string(text))
	if err != nil {
		t.Fatal(err)
	}
	got := w.Metrics
	if len(got) != 4 {
		t.Fatalf("got %d rows", len(got))
	}
	if m := got[1]; m.ID != "m2" || m.Stat != "Average" || m.Label != "Average value" || m.Color != "#cccccc" ||
		m.Period != 300 || m.Namespace != "MyNamespace" || m.Dimensions[0].Value != "i-0987654321abcdef0" {
		t.Fatalf("row 1: %+v", m)
	}
	if m := got[3]; m.ID != "e4" || !m.AutoID || m.Expression != "RATE(e1)" || m.YAxis != AxisRight {
		t.Fatalf("row 3: %+v", m)
	}

	text, err = os.ReadFile("testdata/parse/ok-doc-annotation-horizontal-band.json")
	if err != nil {
		t.Fatal(err)
	}
	if w, err = ParseWidget(string(text)); err != nil {
		t.Fatal(err)
	}
	wantH := []HorizontalAnnotation{{Value: 200, Label: "Band top", Band: true, Value2: 95.5, Label2: "Band bottom", Color: "#9467bd", Visible: true, YAxis: AxisRight}}
	if !reflect.DeepEqual(w.Horizontal, wantH) {
		t.Fatalf("horizontal:\n got %+v\nwant %+v", w.Horizontal, wantH)
	}

	text, err = os.ReadFile("testdata/parse/ok-doc-annotation-vertical-fill-after.json")
	if err != nil {
		t.Fatal(err)
	}
	if w, err = ParseWidget(string(text)); err != nil {
		t.Fatal(err)
	}
	wantV := []VerticalAnnotation{{Time: time.Date(2018, 8, 28, 15, 25, 26, 0, time.UTC), Label: "Bug fix deployed", Color: "#9467bd", Fill: FillAfter, Visible: true}}
	if !reflect.DeepEqual(w.Vertical, wantV) {
		t.Fatalf("vertical:\n got %+v\nwant %+v", w.Vertical, wantV)
	}
}

func TestParseTooManyMetrics(t *testing.T) {
	rows := strings.Repeat(`["N", "M"],`, MaxMetrics)
	if _, err := ParseWidget(`{"metrics": [` + rows[:len(rows)-1] + `]}`); err != nil {
		t.Fatalf("%d metrics: %v", MaxMetrics, err)
	}
	_, err := ParseWidget(`{"metrics": [` + rows + `["N", "M"]]}`)
	var we *Error
	if !errors.As(err, &we) || !strings.Contains(we.Message, "it has 101") {
		t.Fatalf("101 metrics: got %v", err)
	}
}

func TestParseSizeLimit(t *testing.T) {
	text := `{"title": "` + strings.Repeat("x", MaxWidgetBytes) + `", "metrics": [["N", "M"]]}`
	_, err := ParseWidget(text)
	var we *Error
	if !errors.As(err, &we) || we.Code != CodeInvalidParameterValue || !strings.Contains(we.Message, "at most 102400 bytes") {
		t.Fatalf("got %v", err)
	}
	if _, err := ParseWidget(""); err == nil || !strings.Contains(err.Error(), "MissingParameter") {
		t.Fatalf("empty widget: got %v", err)
	}
}

func TestValidStat(t *testing.T) {
	for _, s := range []string{
		"SampleCount", "Average", "Sum", "Minimum", "Maximum", "IQM",
		"p0", "p50", "p99.9", "p99.99", "p100", "tm99", "wm90", "tc95.5", "ts10",
		"TM(10%:90%)", "TM(:95%)", "TM(5%:)", "tm(10%:90%)", "WM(150:1000)", "PR(:300)", "PR(100:2000)", "TC(0.005:0.030)", "TS(80%:)",
	} {
		if !validStat(s) {
			t.Errorf("validStat(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "average", "Median", "p", "p101", "p99.999", "p-1", "p1e2", "pNaN", "tm", "tm101", "PR90", "pr90",
		"TM()", "TM(:)", "TM(90%:10%)", "TM(a:b)", "TM(10%:90%", "XX(1:2)", "TM(1e3:)", "TM(%:)",
	} {
		if validStat(s) {
			t.Errorf("validStat(%q) = true, want false", s)
		}
	}
}

func TestTimeRefs(t *testing.T) {
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	f := func(s string, want time.Time) {
		t.Helper()
		r, err := parseTimeRef("x", s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := r.At(now); !got.Equal(want) {
			t.Fatalf("%s: got %v, want %v", s, got, want)
		}
	}
	f("-PT3H", now.Add(-3*time.Hour))
	f("-PT0H", now)
	f("-PT15M", now.Add(-15*time.Minute))
	f("-PT90S", now.Add(-90*time.Second))
	f("-PT1.5H", now.Add(-90*time.Minute))
	f("-P1D", now.AddDate(0, 0, -1))
	f("-P2W", now.AddDate(0, 0, -14))
	f("-P1M", time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)) // Go normalizes February 31st
	f("-P1Y2M3DT4H5M6S", now.AddDate(-1, -2, -3).Add(-(4*time.Hour + 5*time.Minute + 6*time.Second)))
	f("2018-04-25T12:00:00.000Z", time.Date(2018, 4, 25, 12, 0, 0, 0, time.UTC))
	f("2018-04-25T14:00:00+02:00", time.Date(2018, 4, 25, 12, 0, 0, 0, time.UTC))
	f("2018-04-25T12:00Z", time.Date(2018, 4, 25, 12, 0, 0, 0, time.UTC))
	for _, s := range []string{"", "-", "-P", "-PT", "-P1H", "-PT1D", "-P1.5D", "-P1DT", "-PTT1H", "-PT1H2", "P1D", "2018-04-25", "2018-04-25T12:00:00", "now"} {
		if _, err := parseTimeRef("x", s); err == nil {
			t.Errorf("parseTimeRef(%q) succeeded, want an error", s)
		}
	}
}

func TestQueries(t *testing.T) {
	w, err := ParseWidget(`{
		"period": 60, "stat": "Sum", "start": "-PT1H", "liveData": true,
		"metrics": [
			["App", "Errors", "Service", "api", {"id": "errors"}],
			["App", "Errors", "Service", "web", {"stat": "p99", "period": 300, "visible": false, "region": "eu-west-1"}],
			[{"expression": "errors*2", "label": "double"}]
		]
	}`)
	if err != nil {
		t.Fatal(err)
	}
	req, err := w.Queries(testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := Request{
		Start: testNow.Add(-time.Hour), End: testNow, LiveData: true,
		Queries: []Query{
			{ID: "errors", Namespace: "App", MetricName: "Errors", Dimensions: []Dimension{{"Service", "api"}}, Stat: "Sum", Period: 60, Label: "Errors api", ReturnData: true},
			{ID: "m2", Namespace: "App", MetricName: "Errors", Dimensions: []Dimension{{"Service", "web"}}, Stat: "p99", Period: 300, Label: "Errors web", Region: "eu-west-1"},
			{ID: "e3", Expression: "errors*2", Period: 60, Label: "double", ReturnData: true},
		},
	}
	if !reflect.DeepEqual(req, want) {
		t.Fatalf("Queries:\n got %+v\nwant %+v", req, want)
	}
}

func TestQueriesPeriodToTimeRange(t *testing.T) {
	f := func(view, start string, want int) {
		t.Helper()
		w, err := ParseWidget(`{"view": "` + view + `", "start": "` + start + `", "setPeriodToTimeRange": true, "metrics": [["N", "M", {"period": 60}]]}`)
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.Queries(testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Queries[0].Period; got != want {
			t.Fatalf("%s over %s: period %d, want %d", view, start, got, want)
		}
	}
	f("singleValue", "-PT3H", 3*3600)
	f("bar", "-PT90S", 120) // rounded up to whole minutes
	f("pie", "-P1D", 86400)
	f("timeSeries", "-PT3H", 60) // ignored by time series, as on AWS
}

func TestQueriesRange(t *testing.T) {
	w, err := ParseWidget(`{"start": "2030-01-01T00:00:00Z", "metrics": [["N", "M"]]}`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Queries(testNow)
	var we *Error
	if !errors.As(err, &we) || we.Code != CodeInvalidParameterCombination {
		t.Fatalf("start after now: got %v", err)
	}
}

func TestGeneratedIDsAvoidExplicitOnes(t *testing.T) {
	w, err := ParseWidget(`{"metrics": [["N", "M"], ["N", "M2", {"id": "m1"}]]}`)
	if err != nil {
		t.Fatal(err)
	}
	if w.Metrics[0].ID == "m1" || w.Metrics[0].ID == "" || w.Metrics[1].ID != "m1" {
		t.Fatalf("ids %q and %q", w.Metrics[0].ID, w.Metrics[1].ID)
	}
}

// FuzzParseWidget checks that no MetricWidget makes the parser, the query
// builder or the renderer panic.
func FuzzParseWidget(f *testing.F) {
	files, _ := filepath.Glob("testdata/parse/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range samples {
		f.Add(s.json)
	}
	f.Fuzz(func(t *testing.T, text string) {
		w, err := ParseWidget(text)
		if err != nil {
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		req, err := w.Queries(testNow)
		if err != nil {
			return
		}
		// Render small, to keep the fuzzer fast.
		w.Width, w.Height = min(w.Width, 120), min(w.Height, 90)
		render(t, w, waves(req), FormatSVG, RenderOptions{})
		render(t, w, waves(req), FormatPNG, RenderOptions{})
	})
}
