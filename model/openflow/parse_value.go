package openflow

import (
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// parseDec reads a small non-negative decimal number (digits only).
func parseDec(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseUint reads a decimal or 0x-prefixed hexadecimal number of up to 64 bits.
func parseUint(s string) (uint64, bool) {
	hi, lo, ok := parseUint128(s)
	return lo, ok && hi == 0
}

// parseUint128 reads a decimal or 0x-prefixed hexadecimal number of up to
// 128 bits (xxreg values).
func parseUint128(s string) (hi, lo uint64, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			d, ok := hexDigit(s[i])
			if !ok || hi>>60 != 0 {
				return 0, 0, false
			}
			hi, lo = hi<<4|lo>>60, lo<<4|uint64(d)
		}
		return hi, lo, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		// (hi,lo) = (hi,lo)*10 + d
		h1, l1 := bits.Mul64(lo, 10)
		h2, h2lo := bits.Mul64(hi, 10)
		if h2 != 0 {
			return 0, 0, false
		}
		var carry uint64
		lo, carry = bits.Add64(l1, uint64(c-'0'), 0)
		var c2 uint64
		hi, c2 = bits.Add64(h1, h2lo, carry)
		if c2 != 0 {
			return 0, 0, false
		}
	}
	return hi, lo, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseMAC reads xx:xx:xx:xx:xx:xx into the low 48 bits.
func parseMAC(s string) (uint64, bool) {
	if len(s) != 17 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 17; i += 3 {
		a, ok1 := hexDigit(s[i])
		b, ok2 := hexDigit(s[i+1])
		if !ok1 || !ok2 || (i < 15 && s[i+2] != ':') {
			return 0, false
		}
		v = v<<8 | uint64(a<<4|b)
	}
	return v, true
}

// parseIPv4 reads a dotted quad.
func parseIPv4(s string) (uint32, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, false
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), true
}

// parsePort reads a port: a number, a reserved name (LOCAL, IN_PORT, ...), a
// quoted name or a bare name. A name comes back in name with port 0.
func parsePort(s string) (port uint32, name string, ok bool) {
	if s == "" {
		return 0, "", false
	}
	if s[0] == '"' {
		n, ok := unquote(s)
		return 0, n, ok && n != ""
	}
	if v, ok := parseUint(s); ok {
		return uint32(v), "", v <= 0xffffffff
	}
	if p, ok := reservedPorts[strings.ToUpper(s)]; ok {
		return p, "", true
	}
	// A bare name cannot look like a number or hold what separates terms.
	if s[0] >= '0' && s[0] <= '9' || strings.ContainsAny(s, "\"\\/=()[],: \t") {
		return 0, "", false
	}
	return 0, s, true
}

// unquote reads a double-quoted port name with backslash escapes.
func unquote(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		switch c {
		case '"':
			return "", false
		case '\\':
			i++
			if i >= len(s)-1 {
				return "", false
			}
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// quotePort writes a port name so that parsePort reads it back as a name.
func quotePort(name string) string {
	plain := name != ""
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if _, reserved := reservedPorts[strings.ToUpper(name)]; plain && !reserved {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' || name[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	b.WriteByte('"')
	return b.String()
}

// ctFlags and tcpFlags name the flag bits, lowest first, as OVS prints them.
var (
	ctFlags  = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}
	tcpFlags = []string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"}
)

// parseFlags reads +a-b+c into a value and mask over the named bits.
func parseFlags(s string, names []string) (v, m uint64, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	for s != "" {
		set := s[0] == '+'
		if !set && s[0] != '-' {
			return 0, 0, false
		}
		s = s[1:]
		end := strings.IndexAny(s, "+-")
		if end < 0 {
			end = len(s)
		}
		name := s[:end]
		s = s[end:]
		bit := -1
		for i, n := range names {
			if n == name {
				bit = i
			}
		}
		if bit < 0 || m&(1<<uint(bit)) != 0 {
			return 0, 0, false
		}
		m |= 1 << uint(bit)
		if set {
			v |= 1 << uint(bit)
		}
	}
	return v, m, true
}

// formatFlags writes value/mask as +a-b when every masked bit has a name.
func formatFlags(v, m uint64, names []string) (string, bool) {
	if m == 0 || m>>uint(len(names)) != 0 {
		return "", false
	}
	var b strings.Builder
	for i, n := range names {
		if m&(1<<uint(i)) == 0 {
			continue
		}
		if v&(1<<uint(i)) != 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		b.WriteString(n)
	}
	return b.String(), true
}

// wantValue says what a value of format fm looks like, for error messages.
func wantValue(f Field) string {
	fi := &fieldInfos[f]
	switch fi.format {
	case fmtPort:
		return "want a port number or name, like 5, LOCAL or \"tap1\""
	case fmtMAC:
		if fi.maskable {
			return "want a MAC like fa:16:3e:00:00:01 or 01:00:00:00:00:00/01:00:00:00:00:00"
		}
		return "want a MAC like fa:16:3e:00:00:01"
	case fmtIPv4:
		return "want an IPv4 address like 10.0.0.1, 10.0.0.0/8 or 10.0.0.0/255.0.0.0"
	case fmtCtState:
		return "want ct_state flags like +trk+est-new, or 0x22/0x22"
	case fmtTCPFlags:
		return "want tcp_flags like +syn-ack, or 0x2/0x12"
	}
	if fi.maskable {
		return "want a number like 0x1 or 0x1/0xff"
	}
	return "want a number like 5 or 0x5"
}

// parseValue reads a value of field f, with a /mask when masked is true and
// the text has one. It returns the value masked, the mask (all ones in
// f.Bits() without one), a port name for fmtPort, and "" or what was wanted.
func parseValue(f Field, s string, masked bool) (v, m uint64, name, want string) {
	fi := &fieldInfos[f]
	full := f.fullMask()
	vs, ms, hasMask := s, "", false
	if masked && fi.format != fmtCtState && fi.format != fmtTCPFlags {
		vs, ms, hasMask = strings.Cut(s, "/")
	}
	ok := true
	switch fi.format {
	case fmtPort:
		var p uint32
		p, name, ok = parsePort(s)
		v, m = uint64(p), full
		hasMask = false
	case fmtMAC:
		v, ok = parseMAC(vs)
		m = full
		if ok && hasMask {
			m, ok = parseMAC(ms)
		}
	case fmtIPv4:
		var a uint32
		a, ok = parseIPv4(vs)
		v, m = uint64(a), full
		if ok && hasMask {
			if n, isLen := parseDec(ms); isLen {
				ok = n <= 32
				m = full &^ widthMask(32-n)
			} else {
				a, ok = parseIPv4(ms)
				m = uint64(a)
			}
		}
	case fmtCtState, fmtTCPFlags:
		names := ctFlags
		if fi.format == fmtTCPFlags {
			names = tcpFlags
		}
		if s != "" && (s[0] == '+' || s[0] == '-') {
			v, m, ok = parseFlags(s, names)
			break
		}
		if s != "" && (s[0] >= 'a' && s[0] <= 'z') {
			// new|trk: exactly these flags, as dump-flows prints an exact match
			v, _, ok = parseFlags("+"+strings.ReplaceAll(s, "|", "+"), names)
			ok = ok && !strings.ContainsAny(s, "+-")
			m, hasMask = full, false
			break
		}
		vs, ms, hasMask = strings.Cut(s, "/")
		fallthrough
	default:
		v, ok = parseUint(vs)
		m = full
		if ok && hasMask {
			m, ok = parseUint(ms)
		}
	}
	if !ok || (hasMask && !fi.maskable) {
		return 0, 0, "", wantValue(f)
	}
	if v&^full != 0 || m&^full != 0 {
		return 0, 0, "", "want a value that fits in " + strconv.Itoa(fi.bits) + " bits"
	}
	return v & m, m, name, ""
}
