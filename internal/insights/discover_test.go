package insights

import (
	"strings"
	"testing"
)

func TestDiscoverFields(t *testing.T) {
	tests := []struct{ msg, want string }{
		{`{"a":1,"b":{"c":"x","d":[1,{"e":true}]},"n":null,"f":1.50,"g":1e3,"@h":"at"}`,
			"a=1 b.c=x b.d.0=1 b.d.1.e=true f=1.5 g=1000 @@h=at"},
		{`  {"level":"ERROR"}  `, "level=ERROR"},
		{`{"a":1} trailing`, ""},
		{`[1,2]`, ""},
		{`not json`, ""},
		{"REPORT RequestId: r1\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 10.25 ms\t\nXRAY TraceId: 1-a\tSegmentId: s1\tSampled: true",
			"@type=REPORT @requestId=r1 @duration=1.5 @billedDuration=2 @memorySize=128000000 @maxMemoryUsed=60000000 @initDuration=10.25 @xrayTraceId=1-a @xraySegmentId=s1"},
		{"START RequestId: r2 Version: $LATEST", "@type=START @requestId=r2"},
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010 1418530070 ACCEPT OK",
			"version=2 accountId=123456789010 interfaceId=eni-1 srcAddr=10.0.0.1 dstAddr=10.0.0.2 srcPort=443 dstPort=49152 protocol=6 packets=10 bytes=840 startTime=1418530010 endTime=1418530070 action=ACCEPT logStatus=OK"},
		{"2 123456789010 eni-1 10.0.0.1 too short", ""},
		{"1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -",
			"version=1.0 protocol=UDP queryTimestamp=2017-12-13T08:15:50.235Z hostZoneId=Z123412341234 queryName=example.com queryType=A responseCode=NOERROR edgeLocation=FRA6 resolverIp=192.168.1.1"},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range DiscoverFields(tt.msg) {
			got = append(got, f.Name+"="+f.Value)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("DiscoverFields(%q):\n got %s\nwant %s", tt.msg, strings.Join(got, " "), tt.want)
		}
	}
}

func TestDiscoverFieldsLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 300; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strings.Repeat("x", i%3) + FormatNumber(float64(i)) + `":1`)
	}
	b.WriteString("}")
	if n := len(DiscoverFields(b.String())); n != MaxJSONFields {
		t.Errorf("discovered %d fields; want %d", n, MaxJSONFields)
	}
}

func TestRuleFor(t *testing.T) {
	r := RuleFor("a.b.0.c")
	if strings.Join(r.JSONPath, "|") != "a|b|0|c" || r.JSONKey != "a.b.0.c" || len(r.Platform) != 0 {
		t.Errorf("RuleFor(a.b.0.c) = %+v", r)
	}
	if r := RuleFor("@duration"); len(r.JSONPath) != 0 || len(r.Platform) != 1 {
		t.Errorf("RuleFor(@duration) = %+v", r)
	}
	if r := RuleFor("@@x"); strings.Join(r.JSONPath, "|") != "@x" {
		t.Errorf("RuleFor(@@x) = %+v", r)
	}
	if r := RuleFor("protocol"); len(r.Platform) != 2 || strings.Join(r.JSONPath, "|") != "protocol" {
		t.Errorf("RuleFor(protocol) = %+v", r)
	}
}

func TestFormatNumber(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	tests := map[float64]string{
		0: "0", 5: "5", -3: "-3", 2.5: "2.5", tenth + fifth: "0.30000000000000004", 6.103515625e-05: "0.00006103515625",
		1e-9: "1e-09", 1e15: "1000000000000000", 1e22: "1e+22", 123456789.125: "123456789.125",
	}
	for f, want := range tests {
		if got := FormatNumber(f); got != want {
			t.Errorf("FormatNumber(%v) = %s; want %s", f, got, want)
		}
	}
}

func TestGlobToRegex(t *testing.T) {
	re, groups := GlobToRegex("[*] * The error was: *")
	if re != `(?s)\[(?P<g1>.*?)\] (?P<g2>.*?) The error was: (?P<g3>.*)` || strings.Join(groups, ",") != "g1,g2,g3" {
		t.Errorf("GlobToRegex = %s %v", re, groups)
	}
}

func TestParsePeriod(t *testing.T) {
	tests := map[string]string{
		"5m": "5 m 300000", "1h": "1 h 3600000", "300s": "60 s 60000", "2hrs": "2 h 7200000", "10min": "10 m 600000",
		"1500ms": "1000 ms 1000", "30h": "24 h 86400000", "2d": "2 d 172800000", "1w": "1 w 604800000",
		"1mo": "1 mo 0", "3mon": "3 mo 0", "1qtr": "1 q 0", "2years": "2 y 0", "1day": "1 d 86400000",
	}
	for in, want := range tests {
		p, err := parsePeriod(in)
		if err != nil {
			t.Errorf("parsePeriod(%s): %v", in, err)
			continue
		}
		if got := FormatNumber(float64(p.N)) + " " + p.Unit + " " + FormatNumber(float64(p.Millis)); got != want {
			t.Errorf("parsePeriod(%s) = %s; want %s", in, got, want)
		}
	}
	for _, bad := range []string{"0m", "5x", "m", "5ss"} {
		if _, err := parsePeriod(bad); err == nil {
			t.Errorf("parsePeriod(%s) succeeded", bad)
		}
	}
}

// TestCatalog pins the function catalog to AWS's documented list.
func TestCatalog(t *testing.T) {
	documented := strings.Fields(`abs ceil floor greatest least log round sqrt haversine toNumber toInt toLong toDouble
		bin datefloor dateceil fromMillis toMillis now parseDate formatDate strftime
		ispresent coalesce case if isNumeric messageSize queryStartTime queryEndTime queryTimeRange
		jsonParse jsonStringify jsonArraySize jsonArrayContains
		isValidIp isValidIpV4 isValidIpV6 isIpInSubnet isIpv4InSubnet isIpv6InSubnet ipv4ToNumber isPrivateIP isPublicIP isReservedIP
		isempty isblank concat ltrim rtrim trim strlen toupper tolower substr replace regexReplace strcontains startsWith endsWith
		urlencode urldecode base64encode base64decode split hexToAscii hexToDec decToHex
		avg count count_distinct max min pct stddev sum earliest latest sortsFirst sortsLast`)
	if len(Funcs()) != len(documented) {
		t.Errorf("catalog has %d functions; the documentation %d", len(Funcs()), len(documented))
	}
	for _, name := range documented {
		if _, ok := LookupFunc(strings.ToUpper(name)); !ok {
			t.Errorf("documented function %s is missing", name)
		}
	}
}
