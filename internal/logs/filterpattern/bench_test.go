package filterpattern

import (
	"strings"
	"testing"
)

// benchMessages are typical events of each shape, about 200 bytes.
var (
	benchText = `2024-05-01T12:34:56.789Z INFO  [http-nio-8080-exec-7] c.e.shop.OrderController - request handled ` +
		`method=GET path=/api/v1/orders/12345 status=200 duration_ms=42 user=alice trace=4bf92f3577b34da6a3ce929d0e0e4736`
	benchJSON = `{"time":"2024-05-01T12:34:56.789Z","level":"INFO","logger":"c.e.shop.OrderController","thread":"http-nio-8080-exec-7",` +
		`"msg":"request handled","http":{"method":"GET","path":"/api/v1/orders/12345","status":200},"latency":42.5,"user":"alice"}`
	benchApache = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534 ` +
		`"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`
)

func benchMatch(b *testing.B, pattern, msg string, want bool) {
	b.Helper()
	p, err := Parse(pattern)
	if err != nil {
		b.Fatal(err)
	}
	if got := p.Match(msg); got != want {
		b.Fatalf("%q on the benchmark event = %v; want %v", pattern, got, want)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		p.Match(msg)
	}
}

func BenchmarkSingleTerm(b *testing.B) {
	b.Run("hit", func(b *testing.B) { benchMatch(b, "duration_ms", benchText, true) })
	b.Run("miss", func(b *testing.B) { benchMatch(b, "ERROR", benchText, false) })
	// A 64 KiB event, where the substring search dominates.
	long := strings.Repeat(benchText+"\n", 400)
	b.Run("miss-64KiB", func(b *testing.B) { benchMatch(b, "ERROR", long[:64<<10], false) })
}

func BenchmarkTwoTerms(b *testing.B) {
	benchMatch(b, `INFO "status=200"`, benchText, true)
}

func BenchmarkOrTerms(b *testing.B) {
	benchMatch(b, "?ERROR ?WARN ?FATAL", benchText, false)
}

func BenchmarkExclusion(b *testing.B) {
	benchMatch(b, "INFO -DEBUG -health", benchText, true)
}

func BenchmarkJSONEquality(b *testing.B) {
	benchMatch(b, `{ $.level = "INFO" && $.http.method = GET }`, benchJSON, true)
}

func BenchmarkJSONNumeric(b *testing.B) {
	benchMatch(b, `{ $.latency > 40 && $.http.status >= 200 }`, benchJSON, true)
}

func BenchmarkJSONWildcard(b *testing.B) {
	benchMatch(b, `{ $.http.* = 200 }`, benchJSON, true)
}

func BenchmarkDelimited(b *testing.B) {
	benchMatch(b, `[ip, user, username, timestamp, request = *.gif*, status_code = 4*, bytes > 1000, ...]`, benchApache, true)
}

func BenchmarkRegex(b *testing.B) {
	b.Run("literal", func(b *testing.B) { benchMatch(b, `%status=[45]\d\d%`, benchText, false) })
	b.Run("classes", func(b *testing.B) { benchMatch(b, `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, benchApache, true) })
}

// BenchmarkExtract measures metric filters, which call Extract on every
// event: most events do not match, and those that do yield a value.
func BenchmarkExtract(b *testing.B) {
	b.Run("json-miss", func(b *testing.B) { benchExtractMiss(b, `{ $.latency > 100 }`, benchJSON) })
	b.Run("delimited-miss", func(b *testing.B) { benchExtractMiss(b, `[..., status_code = 5*, bytes]`, benchApache) })
	b.Run("json", func(b *testing.B) {
		p, err := Parse(`{ $.latency = * }`)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(benchJSON)))
		b.ReportAllocs()
		for b.Loop() {
			f, _ := p.Extract(benchJSON)
			f.Get("$.latency")
		}
	})
	b.Run("delimited", func(b *testing.B) {
		p, err := Parse(`[ip, user, username, timestamp, request, status_code, bytes, ...]`)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(benchApache)))
		b.ReportAllocs()
		for b.Loop() {
			f, _ := p.Extract(benchApache)
			f.Get("$bytes")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, tt := range []struct{ name, pattern string }{
		{"terms", "ERROR -DEBUG"},
		{"json", `{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != "Yes") }`},
		{"delimited", `[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]`},
		{"regex", `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(tt.pattern); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchExtractMiss(b *testing.B, pattern, msg string) {
	b.Helper()
	p, err := Parse(pattern)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Extract(msg); ok {
			b.Fatal("matched")
		}
	}
}

// BenchmarkAdversarial runs events built to make a careless matcher take
// quadratic time; each should cost about as much per byte as a plain
// event.
func BenchmarkAdversarial(b *testing.B) {
	var keys strings.Builder
	keys.WriteString("{")
	for i := range 20_000 {
		if i > 0 {
			keys.WriteString(",")
		}
		keys.WriteString(`"k` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `":1`)
	}
	keys.WriteString("}")
	b.Run("json-wildcard-many-keys", func(b *testing.B) { benchMatch(b, `{ $.* = 2 }`, keys.String(), false) })
	b.Run("delimited-unclosed-brackets", func(b *testing.B) {
		benchMatch(b, `[a, b=x, ...]`, strings.Repeat("[ ", 50_000), false)
	})
	b.Run("delimited-unclosed-quotes", func(b *testing.B) {
		benchMatch(b, `[a, b=x, ...]`, `"`+strings.Repeat(`\" `, 30_000), false)
	})
	b.Run("regex", func(b *testing.B) {
		benchMatch(b, `%a.*b.*c.*d$%`, strings.Repeat("a b c ", 20_000), false)
	})
}
