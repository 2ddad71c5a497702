package ovn

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"unicode"
)

// The text forms of OVN's address columns, read and written. The importer
// reads them from a database and the scenario loader from YAML; both call
// these, and add where the text was (table, row and column, or
// file:line:field). Each parser accepts what ovn-northd accepts and says
// what it expected otherwise; each printer writes what its parser reads
// back.

// ParseMAC reads an Ethernet address as OVN writes one: six colon-separated
// pairs of hex digits, in either case ("0a:58:0a:f4:00:01").
func ParseMAC(s string) (MAC, error) {
	var m MAC
	ok := len(s) == 17
	for i := 0; ok && i < 6; i++ {
		hi, ok1 := fromHex(s[3*i])
		lo, ok2 := fromHex(s[3*i+1])
		ok = ok1 && ok2 && (i == 5 || s[3*i+2] == ':')
		m[i] = hi<<4 | lo
	}
	if !ok {
		return MAC{}, fmt.Errorf("bad MAC address %q: want six hex bytes like fa:16:3e:ae:b3:e7", s)
	}
	return m, nil
}

// MustParseMAC is ParseMAC for addresses known to be good (tests, tables
// of constants); it panics on a bad one.
func MustParseMAC(s string) MAC {
	m, err := ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String is the address in OVN's form, lower case: "0a:58:0a:f4:00:01".
func (m MAC) String() string { return net.HardwareAddr(m[:]).String() }

// addressForms are the entries ParseAddress reads, for its errors.
const addressForms = `"MAC [IP...]", "MAC dynamic", "dynamic [IP...]", "router" or "unknown"`

// securityForm is the entry ParsePortSecurity reads, for its errors.
const securityForm = `"MAC [IP[/PLEN]...]"`

// ParseAddress reads one entry of a switch port's addresses column:
//
//	MAC [IP[/PLEN]...]  a fixed MAC and its addresses
//	MAC dynamic         a fixed MAC; northd allocates the addresses
//	dynamic [IP...]     northd allocates the MAC (and addresses, unless given)
//	router              the peer router port's MAC and networks
//	unknown             the port takes frames for any MAC
//
// A bare IP becomes a /32 or /128; an IP with a length keeps its host bits
// ("10.0.0.5/24"). Text holds s as written.
func ParseAddress(s string) (Address, error) {
	first, rest := cutField(s)
	if first == "" {
		return Address{}, fmt.Errorf("empty entry: want %s", addressForms)
	}
	a := Address{Text: s}
	switch first {
	case "router", "unknown":
		if next, _ := cutField(rest); next != "" {
			return Address{}, fmt.Errorf("%q: %s stands alone; want %s", s, first, addressForms)
		}
		a.Router, a.Unknown = first == "router", first == "unknown"
		return a, nil
	case "dynamic":
		a.Dynamic = true
		return a.withIPs(s, rest)
	}
	mac, err := ParseMAC(first)
	if err != nil {
		return Address{}, fmt.Errorf("%q: %q is not a MAC address; want %s", s, first, addressForms)
	}
	a.MAC = mac
	if next, after := cutField(rest); next == "dynamic" {
		if more, _ := cutField(after); more != "" {
			return Address{}, fmt.Errorf(`%q: a fixed MAC with dynamic addresses takes no IPs; want "MAC dynamic"`, s)
		}
		a.Dynamic = true
		return a, nil
	}
	return a.withIPs(s, rest)
}

// ParsePortSecurity reads one entry of a switch port's port_security
// column, "MAC [IP[/PLEN]...]": the source MAC the port may send from and
// the addresses or networks it may use. northd's dynamic_addresses column
// has the same form.
func ParsePortSecurity(s string) (Address, error) {
	first, rest := cutField(s)
	if first == "" {
		return Address{}, fmt.Errorf("empty entry: want %s", securityForm)
	}
	mac, err := ParseMAC(first)
	if err != nil {
		return Address{}, fmt.Errorf("%q: %q is not a MAC address; want %s", s, first, securityForm)
	}
	a := Address{MAC: mac, Text: s}
	return a.withIPs(s, rest)
}

// cutField is s's first field, as strings.Fields splits, and what follows.
func cutField(s string) (field, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// withIPs is a with the addresses that follow its entry's MAC or
// "dynamic" in list.
func (a Address) withIPs(entry, list string) (Address, error) {
	for f, rest := cutField(list); f != ""; f, rest = cutField(rest) {
		p, err := ParseIPOrPrefix(f)
		if err != nil {
			return Address{}, fmt.Errorf("%q: %w", entry, err)
		}
		a.IPs = append(a.IPs, p)
	}
	return a, nil
}

// String is the entry as the column holds it: Text when it is set,
// otherwise composed from the fields. A dynamic entry with a MAC composes
// as "MAC dynamic" whatever IPs it holds: those are what northd allocated.
func (a Address) String() string {
	switch {
	case a.Text != "":
		return a.Text
	case a.Router:
		return "router"
	case a.Unknown:
		return "unknown"
	case a.Dynamic && a.MAC != (MAC{}):
		return a.MAC.String() + " dynamic"
	}
	f := make([]string, 0, 1+len(a.IPs))
	if a.Dynamic {
		f = append(f, "dynamic")
	} else {
		f = append(f, a.MAC.String())
	}
	for _, p := range a.IPs {
		f = append(f, IPOrPrefixText(p))
	}
	return strings.Join(f, " ")
}

// ParseIPOrPrefix reads "10.0.0.5", "10.0.0.0/24" or "fd00::5/64": a bare
// address is a /32 or /128, and host bits are kept.
func ParseIPOrPrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address %q: want an IP address or a prefix like 10.0.3.0/24", s)
	}
	return p, nil
}

// IPOrPrefixText writes a prefix as ParseIPOrPrefix reads it: a full-length
// one as a bare address.
func IPOrPrefixText(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// ParseNetwork reads one entry of a router port's networks: "IP/PLEN",
// the port's address and the length of its subnet.
func ParseNetwork(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("bad network %q: want IP/PLEN like 10.0.3.1/24", s)
	}
	return p, nil
}

// ParseNexthop reads a static route's nexthop: an IP address or
// "discard". A full-length prefix ("10.0.0.1/32") is an address, as
// northd reads it.
func ParseNexthop(s string) (addr netip.Addr, discard bool, err error) {
	if s == "discard" {
		return netip.Addr{}, true, nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a, false, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil && p.Bits() == p.Addr().BitLen() {
		return p.Addr(), false, nil
	}
	return netip.Addr{}, false, fmt.Errorf(`bad nexthop %q: want an IP address or "discard"`, s)
}

// ParseIP reads one IP address, without a zone (a NAT's external_ip, a
// policy's nexthops, an encap's ip).
func ParseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("bad address %q: want an IP address like 203.0.113.7", s)
	}
	return a, nil
}

// vipForms is what ParseVIP reads, for its errors.
const vipForms = "IP, IP:PORT or [IPv6]:PORT"

// ParseVIP reads one entry of a load balancer's vips column: key "IP",
// "IP:PORT" or "[IPv6]:PORT"; value the comma-separated backends in the
// same form ("" for a VIP with no backends). A VIP with a port needs
// backends with ports and one without needs backends without, and every
// backend is of the VIP's IP version.
func ParseVIP(key, value string) (VIP, error) {
	addr, port, err := parseHostPort(key)
	if err != nil {
		return VIP{}, fmt.Errorf("VIP %q: %w", key, err)
	}
	v := VIP{Addr: addr, Port: port}
	for _, b := range strings.Split(value, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue // northd skips empty items too
		}
		ba, bp, err := parseHostPort(b)
		switch {
		case err != nil:
			return VIP{}, fmt.Errorf("VIP %q backend %q: %w", key, b, err)
		case (bp == 0) != (port == 0):
			return VIP{}, fmt.Errorf("VIP %q backend %q: a VIP with a port needs backends with ports, and one without, backends without", key, b)
		case ba.Is4() != addr.Is4():
			return VIP{}, fmt.Errorf("VIP %q backend %q: the backend and the VIP are of different IP versions", key, b)
		}
		v.Backends = append(v.Backends, netip.AddrPortFrom(ba, bp))
	}
	return v, nil
}

// parseHostPort reads "IP", "[IPv6]", "IP:PORT" or "[IPv6]:PORT"; port 0
// means none was given.
func parseHostPort(s string) (netip.Addr, uint16, error) {
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a.Zone() == "" {
		return a, 0, nil
	}
	ap, err := netip.ParseAddrPort(s)
	switch {
	case err != nil:
		return netip.Addr{}, 0, fmt.Errorf("bad address %q: want %s", s, vipForms)
	case ap.Port() == 0 || ap.Addr().Zone() != "":
		return netip.Addr{}, 0, fmt.Errorf("bad address %q: want %s, with a port from 1 to 65535 and no zone", s, vipForms)
	}
	return ap.Addr(), ap.Port(), nil
}

// Key is the VIP as a vips key: "10.0.0.100:80", "[fd00::100]:443" or,
// without a port, the bare address.
func (v VIP) Key() string { return hostPortText(v.Addr, v.Port) }

// BackendsText is the VIP's backends as the vips value: comma-separated,
// in Key's form.
func (v VIP) BackendsText() string {
	bs := make([]string, len(v.Backends))
	for i, b := range v.Backends {
		bs[i] = hostPortText(b.Addr(), b.Port())
	}
	return strings.Join(bs, ",")
}

// String is the vips entry, key=value: "10.0.0.100:80=10.0.0.11:8080".
func (v VIP) String() string { return v.Key() + "=" + v.BackendsText() }

func hostPortText(a netip.Addr, port uint16) string {
	if port == 0 {
		return a.String()
	}
	return netip.AddrPortFrom(a, port).String()
}
