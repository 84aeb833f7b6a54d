package widget

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// tenByDay is a line chart of ten series of a day at one-minute periods:
// 1,440 points each.
func tenByDay(b testing.TB) (*Widget, map[string][]series.Series) {
	rows := make([]string, 10)
	for i := range rows {
		rows[i] = fmt.Sprintf(`["App", "Latency", "Host", "host-%d"]`, i)
	}
	w, req := prepare(b, `{"title": "Latency by host", "start": "-P1D", "period": 60,
		"annotations": {"horizontal": [{"value": 120, "label": "SLO", "fill": "above"}]},
		"metrics": [`+strings.Join(rows, ",")+`]}`)
	data := map[string][]series.Series{}
	for k, q := range req.Queries {
		s := synth(req, q, func(i int) float64 {
			return 100 + 20*math.Sin(float64(i)/60+float64(k)) + 5*math.Sin(float64(i*7+k))
		})
		if s.Len() != 1440 {
			b.Fatalf("series has %d points, want 1440", s.Len())
		}
		data[q.ID] = []series.Series{s}
	}
	return w, data
}

func BenchmarkRenderLines(b *testing.B) {
	for _, format := range []string{FormatPNG, FormatSVG} {
		b.Run(format, func(b *testing.B) {
			w, data := tenByDay(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.Render(data, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseWidget(b *testing.B) {
	text := samples[0].json
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseWidget(text); err != nil {
			b.Fatal(err)
		}
	}
}
