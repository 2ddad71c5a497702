package ovn

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/hopscope/hopscope/model/ovn"
)

// The text forms of NB columns, read and written. Each parser accepts what
// ovn-northd accepts and says what it expected otherwise; each printer
// writes what its parser reads back.

// parseMAC reads "0a:58:0a:f4:00:01".
func parseMAC(s string) (ovn.MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 || strings.Count(s, ":") != 5 {
		return ovn.MAC{}, fmt.Errorf("%q is not an Ethernet address (want xx:xx:xx:xx:xx:xx)", s)
	}
	return ovn.MAC(hw), nil
}

func macString(m ovn.MAC) string { return net.HardwareAddr(m[:]).String() }

// parseAddress reads one entry of a port's addresses or port_security
// column: "MAC [IP[/PLEN]...]", "unknown", "router", "dynamic",
// "dynamic IP [IP]" or "MAC dynamic". A bare IP becomes a /32 or /128; an
// IP with a length keeps its host bits ("10.0.0.5/24").
func parseAddress(s string) (ovn.Address, error) {
	a := ovn.Address{Text: s}
	f := strings.Fields(s)
	if len(f) == 0 {
		return a, errors.New(`empty address (want "MAC [IP...]", "unknown", "router" or "dynamic")`)
	}
	switch f[0] {
	case "unknown", "router":
		if len(f) > 1 {
			return a, fmt.Errorf("%q: %q stands alone", s, f[0])
		}
		a.Unknown, a.Router = f[0] == "unknown", f[0] == "router"
		return a, nil
	}
	rest := f
	hasMAC := false
	if mac, err := parseMAC(f[0]); err == nil {
		a.MAC, rest, hasMAC = mac, f[1:], true
	}
	if len(rest) > 0 && rest[0] == "dynamic" {
		a.Dynamic, rest = true, rest[1:]
		if hasMAC && len(rest) > 0 {
			return a, fmt.Errorf("%q: a fixed MAC takes \"MAC dynamic\" with no IPs", s)
		}
	}
	if !hasMAC && !a.Dynamic {
		return a, fmt.Errorf("%q does not start with an Ethernet address, \"unknown\", \"router\" or \"dynamic\"", s)
	}
	for _, ip := range rest {
		p, err := parseIPOrPrefix(ip)
		if err != nil {
			return a, fmt.Errorf("%q: %w", s, err)
		}
		a.IPs = append(a.IPs, p)
	}
	return a, nil
}

// addressText is an Address as the addresses column writes it: its Text
// when it has one, otherwise composed from the fields.
func addressText(a ovn.Address) string {
	switch {
	case a.Text != "":
		return a.Text
	case a.Unknown:
		return "unknown"
	case a.Router:
		return "router"
	}
	var f []string
	if a.MAC != (ovn.MAC{}) || !a.Dynamic {
		f = append(f, macString(a.MAC))
	}
	if a.Dynamic {
		f = append(f, "dynamic")
	}
	for _, p := range a.IPs {
		f = append(f, ipOrPrefixText(p))
	}
	return strings.Join(f, " ")
}

// parseIPOrPrefix reads "10.0.0.5", "10.0.0.0/24" or "fd00::/64"; a bare
// address is a /32 or /128. Host bits are kept.
func parseIPOrPrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q: an address with a zone is not allowed", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or prefix", s)
	}
	return p, nil
}

// ipOrPrefixText writes a full-length prefix as a bare address.
func ipOrPrefixText(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// parseNetwork reads one entry of a router port's networks: "IP/PLEN".
func parseNetwork(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("%q is not IP/PLEN", s)
	}
	return p, nil
}

// parseNexthop reads a static route's nexthop: an address (a full-length
// prefix such as "10.0.0.1/32" is allowed, as northd allows it) or
// "discard".
func parseNexthop(s string) (addr netip.Addr, discard bool, err error) {
	if s == "discard" {
		return netip.Addr{}, true, nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a, false, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil && p.Bits() == p.Addr().BitLen() {
		return p.Addr(), false, nil
	}
	return netip.Addr{}, false, fmt.Errorf("%q is neither an IP address nor \"discard\"", s)
}

// parseAddr reads a single address (NAT external_ip, policy nexthops).
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	return a, nil
}

// parseVIP reads one vips entry: key "IP", "IP:PORT" or "[IPv6]:PORT";
// value a comma-separated list of backends in the same form ("" for a VIP
// with no backends). A VIP with a port needs ports on its backends, a VIP
// without one must not have them, and every backend is of the VIP's family.
func parseVIP(key, value string) (ovn.VIP, error) {
	addr, port, err := parseEndpointAddr(key)
	if err != nil {
		return ovn.VIP{}, fmt.Errorf("VIP %q: %w", key, err)
	}
	v := ovn.VIP{Addr: addr, Port: port}
	for _, b := range strings.Split(value, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		ba, bp, err := parseEndpointAddr(b)
		switch {
		case err != nil:
			return v, fmt.Errorf("VIP %q backend %q: %w", key, b, err)
		case (bp == 0) != (port == 0):
			return v, fmt.Errorf("VIP %q backend %q: a VIP with a port needs backends with ports, one without needs backends without", key, b)
		case ba.Is4() != addr.Is4():
			return v, fmt.Errorf("VIP %q backend %q: backend and VIP are of different address families", key, b)
		}
		v.Backends = append(v.Backends, netip.AddrPortFrom(ba, bp))
	}
	return v, nil
}

// parseEndpointAddr reads "IP", "[IPv6]", "IP:PORT" or "[IPv6]:PORT"; port
// 0 means none was given.
func parseEndpointAddr(s string) (netip.Addr, uint16, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 || ap.Addr().Zone() != "" {
			return netip.Addr{}, 0, fmt.Errorf("%q: want a port from 1 to 65535 and no zone", s)
		}
		return ap.Addr(), ap.Port(), nil
	}
	if a, err := parseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a, 0, nil
	}
	return netip.Addr{}, 0, fmt.Errorf("%q is not IP, IP:PORT or [IPv6]:PORT", s)
}

// vipText writes a VIP as a vips key and value.
func vipText(v ovn.VIP) (key, value string) {
	backends := make([]string, len(v.Backends))
	for i, b := range v.Backends {
		backends[i] = endpointText(b.Addr(), b.Port())
	}
	return endpointText(v.Addr, v.Port), strings.Join(backends, ",")
}

func endpointText(a netip.Addr, port uint16) string {
	if port == 0 {
		return a.String()
	}
	return netip.AddrPortFrom(a, port).String()
}
