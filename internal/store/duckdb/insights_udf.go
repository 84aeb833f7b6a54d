package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ddb "github.com/duckdb/duckdb-go/v2"
)

// Logs Insights functions DuckDB lacks run as Go scalar UDFs, registered
// on the connection that runs a query (registerInsightsUDFs).

type udf struct {
	in     []ddb.Type
	out    ddb.Type
	nullIn bool // SpecialNullHandling: the function sees NULL arguments
	fn     func(args []driver.Value) (any, error)
}

func (u *udf) Config() ddb.ScalarFuncConfig {
	cfg := ddb.ScalarFuncConfig{SpecialNullHandling: u.nullIn}
	for _, t := range u.in {
		ti, err := ddb.NewTypeInfo(t)
		if err != nil {
			panic("BUG: " + err.Error())
		}
		cfg.InputTypeInfos = append(cfg.InputTypeInfos, ti)
	}
	ti, err := ddb.NewTypeInfo(u.out)
	if err != nil {
		panic("BUG: " + err.Error())
	}
	cfg.ResultTypeInfo = ti
	return cfg
}

func (u *udf) Executor() ddb.ScalarFuncExecutor {
	return ddb.ScalarFuncExecutor{RowExecutor: u.fn}
}

var (
	tVarchar = ddb.TYPE_VARCHAR
	tBool    = ddb.TYPE_BOOLEAN
	tDouble  = ddb.TYPE_DOUBLE
	tBigint  = ddb.TYPE_BIGINT
	tBlob    = ddb.TYPE_BLOB
)

func insightsUDFs() map[string]*udf {
	str := func(v driver.Value) string { s, _ := v.(string); return s }
	return map[string]*udf{
		"vigil_natkey": {in: []ddb.Type{tVarchar}, out: tBlob, fn: func(a []driver.Value) (any, error) {
			return naturalKey(str(a[0])), nil
		}},
		"vigil_ip_is": {in: []ddb.Type{tVarchar, tVarchar}, out: tBool, fn: func(a []driver.Value) (any, error) {
			return ipIs(str(a[0]), str(a[1])), nil
		}},
		"vigil_ip_in_subnet": {in: []ddb.Type{tVarchar, tVarchar, tVarchar}, out: tBool, fn: func(a []driver.Value) (any, error) {
			return ipInSubnet(str(a[0]), str(a[1]), str(a[2])), nil
		}},
		"vigil_ipv4_number": {in: []ddb.Type{tVarchar}, out: tDouble, fn: func(a []driver.Value) (any, error) {
			ip, err := netip.ParseAddr(str(a[0]))
			if err != nil || !ip.Is4() {
				return nil, nil
			}
			b := ip.As4()
			return float64(binary.BigEndian.Uint32(b[:])), nil
		}},
		"vigil_b64decode": {in: []ddb.Type{tVarchar}, out: tVarchar, fn: func(a []driver.Value) (any, error) {
			s := str(a[0])
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(s); err == nil && utf8.Valid(b) {
					return string(b), nil
				}
			}
			return nil, nil
		}},
		"vigil_hex_to_ascii": {in: []ddb.Type{tVarchar}, out: tVarchar, fn: func(a []driver.Value) (any, error) {
			s := strings.TrimPrefix(strings.TrimPrefix(str(a[0]), "0x"), "0X")
			b, err := hex.DecodeString(s)
			if err != nil || !utf8.Valid(b) {
				return nil, nil
			}
			return string(b), nil
		}},
		"vigil_hex_to_dec": {in: []ddb.Type{tVarchar}, out: tDouble, fn: func(a []driver.Value) (any, error) {
			s := strings.TrimSpace(str(a[0]))
			neg := strings.HasPrefix(s, "-")
			s = strings.TrimPrefix(s, "-")
			s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
			n, err := strconv.ParseUint(s, 16, 64)
			if err != nil {
				return nil, nil
			}
			if neg {
				return -float64(n), nil
			}
			return float64(n), nil
		}},
		"vigil_format_date": {in: []ddb.Type{tBigint, tVarchar, tVarchar}, out: tVarchar, fn: func(a []driver.Value) (any, error) {
			ms, _ := a[0].(int64)
			loc, err := location(str(a[2]))
			if err != nil {
				return nil, nil
			}
			return strftime(time.UnixMilli(ms).In(loc), str(a[1])), nil
		}},
		"vigil_parse_date": {in: []ddb.Type{tVarchar, tVarchar, tVarchar}, out: tDouble, fn: func(a []driver.Value) (any, error) {
			loc, err := location(str(a[2]))
			if err != nil {
				return nil, nil
			}
			layout, ok := javaLayout(str(a[1]))
			if !ok {
				return nil, nil
			}
			t, err := time.ParseInLocation(layout, str(a[0]), loc)
			if err != nil {
				return nil, nil
			}
			return float64(t.UnixMilli()), nil
		}},
	}
}

// registerInsightsUDFs registers the functions through conn unless they
// are there already. DuckDB keeps them in the database's catalog, for
// every connection; two first queries may race to register, so a failed
// registration of a function that now exists is no error.
func registerInsightsUDFs(ctx context.Context, conn *sql.Conn) error {
	exists := func(name string) (bool, error) {
		var n int
		err := conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_functions() WHERE function_name = ?`, name).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("cannot list functions: %w", err)
		}
		return n > 0, nil
	}
	udfs := insightsUDFs()
	names := make([]string, 0, len(udfs))
	for name := range udfs {
		names = append(names, name)
	}
	sort.Strings(names)
	// vigil_natkey is registered last: once it exists, all do.
	if ok, err := exists("vigil_natkey"); err != nil || ok {
		return err
	}
	for _, name := range names {
		if name == "vigil_natkey" {
			continue
		}
		if err := registerUDF(conn, name, udfs[name], exists); err != nil {
			return err
		}
	}
	return registerUDF(conn, "vigil_natkey", udfs["vigil_natkey"], exists)
}

func registerUDF(conn *sql.Conn, name string, f *udf, exists func(string) (bool, error)) error {
	if ok, err := exists(name); err != nil || ok {
		return err
	}
	if err := ddb.RegisterScalarUDF(conn, name, f); err != nil {
		if ok, _ := exists(name); ok {
			return nil
		}
		return fmt.Errorf("cannot register function %s: %w", name, err)
	}
	return nil
}

func location(tz string) (*time.Location, error) {
	if tz == "" || strings.EqualFold(tz, "UTC") || tz == "Z" {
		return time.UTC, nil
	}
	if strings.HasPrefix(tz, "+") || strings.HasPrefix(tz, "-") {
		t, err := time.Parse("-07:00", tz)
		if err != nil {
			if t, err = time.Parse("-0700", tz); err != nil {
				return nil, err
			}
		}
		_, off := t.Zone()
		return time.FixedZone(tz, off), nil
	}
	return time.LoadLocation(tz)
}

// naturalKey encodes s so that byte order is the order AWS documents for
// sort (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Sort.html):
// values that are numbers come after all others and sort by value; other
// values compare chunk by chunk, runs of digits by length and then value,
// other characters by code point, a digit run ranking as its first digit
// against other characters.
func naturalKey(s string) []byte {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsNaN(f) && isNumberText(s) {
		b := make([]byte, 9, 9+len(s))
		b[0] = 2
		bits := math.Float64bits(f)
		if f >= 0 {
			bits ^= 1 << 63
		} else {
			bits = ^bits
		}
		binary.BigEndian.PutUint64(b[1:], bits)
		return append(b, s...) // ties ("01" and "1") by text
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, 1)
	for i := 0; i < len(s); {
		if s[i] >= '0' && s[i] <= '9' {
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b = append(b, '0')
			b = binary.BigEndian.AppendUint32(b, uint32(j-i))
			b = append(b, s[i:j]...)
			i = j
			continue
		}
		b = append(b, s[i])
		i++
	}
	return b
}

// isNumberText reports whether s is written as a number (digits with an
// optional sign, fraction and exponent), as opposed to words such as
// "Inf" that ParseFloat accepts.
func isNumberText(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E') {
			return false
		}
	}
	return true
}

func ipIs(s, mode string) bool {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || ip.Zone() != "" {
		return false
	}
	switch mode {
	case "any":
		return true
	case "v4":
		return ip.Is4()
	case "v6":
		return ip.Is6()
	case "private":
		return ip.IsPrivate()
	case "reserved":
		return isReserved(ip)
	case "public":
		return !ip.IsPrivate() && !isReserved(ip)
	}
	return false
}

// reservedNets are the special-purpose ranges of RFC 6890 and its
// successors (IANA's special-purpose address registries) other than the
// RFC 1918 and fc00::/7 private ranges.
var reservedNets = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
		"192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"255.255.255.255/32",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001::/23", "2001:db8::/32",
		"fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

func isReserved(ip netip.Addr) bool {
	for _, n := range reservedNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func ipInSubnet(s, cidr, mode string) bool {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return false
	}
	pfx, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return false
	}
	switch mode {
	case "v4":
		if !ip.Is4() || !pfx.Addr().Is4() {
			return false
		}
	case "v6":
		if !ip.Is6() || !pfx.Addr().Is6() {
			return false
		}
	}
	return pfx.Masked().Contains(ip)
}

// strftime formats t with the strftime directives formatDate documents.
func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'L':
			fmt.Fprintf(&b, "%03d", t.Nanosecond()/1e6)
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1e3)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// javaLayout translates a Java DateTimeFormatter pattern (as parseDate
// takes) to a Go layout; ok is false for letters Vigil does not support.
func javaLayout(p string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			if j == 0 {
				b.WriteByte('\'')
			} else {
				b.WriteString(p[i+1 : i+1+j])
			}
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == c {
			j++
		}
		n := j - i
		i = j
		var s string
		switch c {
		case 'y', 'u':
			s = map[bool]string{true: "06", false: "2006"}[n == 2]
		case 'M':
			s = [...]string{"1", "01", "Jan", "January"}[min(n, 4)-1]
		case 'd':
			s = map[bool]string{true: "2", false: "02"}[n == 1]
		case 'H':
			s = "15"
		case 'h':
			s = map[bool]string{true: "3", false: "03"}[n == 1]
		case 'm':
			s = map[bool]string{true: "4", false: "04"}[n == 1]
		case 's':
			s = map[bool]string{true: "5", false: "05"}[n == 1]
		case 'S':
			s = strings.Repeat("0", n)
			if b.Len() == 0 || !strings.HasSuffix(b.String(), ".") && !strings.HasSuffix(b.String(), ",") {
				return "", false
			}
		case 'a':
			s = "PM"
		case 'E':
			s = map[bool]string{true: "Monday", false: "Mon"}[n >= 4]
		case 'X':
			s = [...]string{"Z07", "Z0700", "Z07:00"}[min(n, 3)-1]
		case 'x':
			s = [...]string{"-07", "-0700", "-07:00"}[min(n, 3)-1]
		case 'Z':
			s = map[bool]string{true: "-07:00", false: "-0700"}[n >= 4]
		case 'z':
			s = "MST"
		default:
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}
