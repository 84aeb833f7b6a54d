package eventpattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// IP addresses are read as Event Ruler reads them (CIDR.java): a string
// of four dot-separated numbers is IPv4, one of hex digits and colons with
// at least one colon is IPv6; anything else is not an address. An IPv6
// address that maps an IPv4 one (::ffff:10.0.0.1) is that IPv4 address,
// as Java's InetAddress makes it. A string in a pattern's list of values
// that is an address matches the same address however it is written
// ("2001:db8::1" matches "2001:0db8:0:0:0:0:0:1"), as Event Ruler turns it
// into a one-address range.

// ipAddr is an IPv4 address in b[:4] or an IPv6 one in b.
type ipAddr struct {
	b  [16]byte
	v4 bool
}

// bits returns the length of the address in bits.
func (a ipAddr) bits() int {
	if a.v4 {
		return 32
	}
	return 128
}

// masked returns the address with all but its first n bits cleared.
func (a ipAddr) masked(n int) ipAddr {
	m := a
	for i := range m.b {
		switch {
		case n >= 8:
			n -= 8
		case n > 0:
			m.b[i] &= 0xff << (8 - n)
			n = 0
		default:
			m.b[i] = 0
		}
	}
	return m
}

// ipForm says whether a string looks like an address (ipv4Form,
// ipv6Form) or not (ipNone), by Event Ruler's regular expressions
// [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ and [0-9a-fA-F:]*:[0-9a-fA-F:]*.
type ipForm uint8

const (
	ipNone ipForm = iota
	ipv4Form
	ipv6Form
)

func formOf(s string) ipForm {
	if s == "" {
		return ipNone
	}
	dots, digits, colon := 0, 0, false
	v4, v6 := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			continue
		case c == '.':
			if digits == 0 {
				v4 = false
			}
			dots++
			digits = 0
			v6 = false
			continue
		case c == ':':
			colon = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
		default:
			return ipNone
		}
		v4 = false
	}
	switch {
	case v4 && dots == 3 && digits > 0:
		return ipv4Form
	case v6 && colon:
		return ipv6Form
	}
	return ipNone
}

// parseIP reads s as an address. It returns the form s has and whether it
// is a valid address of that form.
func parseIP(s string) (ipAddr, ipForm, bool) {
	form := formOf(s)
	var a ipAddr
	switch form {
	case ipv4Form:
		a.v4 = true
		for i, part := range strings.Split(s, ".") {
			if len(part) > 10 {
				return a, form, false
			}
			n, err := strconv.Atoi(part)
			if err != nil || n > 255 {
				return a, form, false
			}
			a.b[i] = byte(n)
		}
		return a, form, true
	case ipv6Form:
		p, err := netip.ParseAddr(s)
		if err != nil {
			return a, form, false
		}
		if p.Is4In6() {
			a.v4 = true
			v4 := p.Unmap().As4()
			copy(a.b[:], v4[:])
			return a, form, true
		}
		a.b = p.As16()
		return a, form, true
	}
	return a, form, false
}

// cidr is a block of addresses: those whose first bits bits equal addr's.
type cidr struct {
	addr ipAddr
	bits int
}

func (c cidr) contains(a ipAddr) bool {
	return a.v4 == c.addr.v4 && a.masked(c.bits) == c.addr
}

// parseCIDR reads a cidr match pattern, refusing it with Event Ruler's
// reasons: "Malformed CIDR, one '/' required", "Malformed CIDR, mask bits
// must be an integer", "Nonstandard IP address: xx.11.xx" (all recorded)
// and, from its source, "Invalid IP address: ...", "Malformed CIDR, mask
// bits must not be negative", "IPv4 mask bits must be < 32", "IPv6 mask
// bits must be < 128". A mask of /32 (or /128) is refused, as Event Ruler
// refuses it; a list value matches one address.
func parseCIDR(s string) (cidr, string) {
	parts := strings.Split(s, "/")
	for len(parts) > 1 && parts[len(parts)-1] == "" { // Java's String.split drops trailing empty strings
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return cidr{}, "Malformed CIDR, one '/' required"
	}
	bits, err := javaParseInt(parts[1])
	if err != nil {
		return cidr{}, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return cidr{}, "Malformed CIDR, mask bits must not be negative"
	}
	addr, form, ok := parseIP(parts[0])
	switch {
	case form == ipNone:
		return cidr{}, "Nonstandard IP address: " + parts[0]
	case !ok:
		return cidr{}, "Invalid IP address: " + parts[0]
	case addr.v4 && bits > 31:
		return cidr{}, "IPv4 mask bits must be < 32"
	case !addr.v4 && bits > 127:
		return cidr{}, "IPv6 mask bits must be < 128"
	}
	return cidr{addr: addr.masked(bits), bits: bits}, ""
}

// javaParseInt parses a decimal int as Java's Integer.parseInt does: an
// optional sign and digits, within 32 bits.
func javaParseInt(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}
