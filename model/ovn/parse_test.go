package ovn

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// equateNetip compares netip values by value (they have unexported fields).
var equateNetip = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{})

func pfx(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// errorText is err's message, or "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseAddress(t *testing.T) {
	const forms = `want "MAC [IP...]", "MAC dynamic", "dynamic [IP...]", "router" or "unknown"`
	tests := []struct {
		name, in string
		security bool // ParsePortSecurity, not ParseAddress
		want     Address
		err      string
	}{
		{name: "neutron port, dual stack", in: "fa:16:3e:8c:5f:b1 10.0.0.5 fd5e:7a6b:ae8d:0:f816:3eff:fe8c:5fb1",
			want: Address{MAC: MustParseMAC("fa:16:3e:8c:5f:b1"), IPs: pfx("10.0.0.5/32", "fd5e:7a6b:ae8d:0:f816:3eff:fe8c:5fb1/128")}},
		{name: "MAC only", in: "0a:00:00:00:00:01", want: Address{MAC: MustParseMAC("0a:00:00:00:00:01")}},
		{name: "address with length keeps host bits", in: "0a:00:00:00:00:01 10.0.0.5/24",
			want: Address{MAC: MustParseMAC("0a:00:00:00:00:01"), IPs: pfx("10.0.0.5/24")}},
		{name: "upper-case MAC", in: "FA:16:3E:8C:5F:B1", want: Address{MAC: MustParseMAC("fa:16:3e:8c:5f:b1")}},
		{name: "extra spaces", in: "  0a:00:00:00:00:01   10.0.0.5 ", want: Address{MAC: MustParseMAC("0a:00:00:00:00:01"), IPs: pfx("10.0.0.5/32")}},
		{name: "unknown", in: "unknown", want: Address{Unknown: true}},
		{name: "router", in: "router", want: Address{Router: true}},
		{name: "dynamic", in: "dynamic", want: Address{Dynamic: true}},
		{name: "dynamic with fixed IPs", in: "dynamic 192.168.0.1 2001::1",
			want: Address{Dynamic: true, IPs: pfx("192.168.0.1/32", "2001::1/128")}},
		{name: "fixed MAC, dynamic IPs", in: "80:fa:5b:06:72:b7 dynamic", want: Address{MAC: MustParseMAC("80:fa:5b:06:72:b7"), Dynamic: true}},

		{name: "empty", in: " ", err: "empty entry: " + forms},
		{name: "IP without MAC", in: "10.0.0.5", err: `"10.0.0.5": "10.0.0.5" is not a MAC address; ` + forms},
		{name: "router with an IP", in: "router 10.0.0.1", err: `"router 10.0.0.1": router stands alone; ` + forms},
		{name: "bad IP", in: "fa:16:3e:8c:5f:b1 10.0.0.300",
			err: `"fa:16:3e:8c:5f:b1 10.0.0.300": bad address "10.0.0.300": want an IP address or a prefix like 10.0.3.0/24`},
		{name: "short MAC", in: "fa:16:3e:8c:5f 10.0.0.1", err: `"fa:16:3e:8c:5f 10.0.0.1": "fa:16:3e:8c:5f" is not a MAC address; ` + forms},
		{name: "dashed MAC", in: "fa-16-3e-8c-5f-b1", err: `"fa-16-3e-8c-5f-b1": "fa-16-3e-8c-5f-b1" is not a MAC address; ` + forms},
		{name: "fixed MAC, dynamic, IP", in: "80:fa:5b:06:72:b7 dynamic 10.0.0.1",
			err: `"80:fa:5b:06:72:b7 dynamic 10.0.0.1": a fixed MAC with dynamic addresses takes no IPs; want "MAC dynamic"`},
		{name: "zone", in: "0a:00:00:00:00:01 fe80::1%eth0",
			err: `"0a:00:00:00:00:01 fe80::1%eth0": bad address "fe80::1%eth0": want an IP address or a prefix like 10.0.3.0/24`},

		{name: "port security: address and subnet", in: "fa:16:3e:8c:5f:b1 10.0.0.5 fd00::/64", security: true,
			want: Address{MAC: MustParseMAC("fa:16:3e:8c:5f:b1"), IPs: pfx("10.0.0.5/32", "fd00::/64")}},
		{name: "port security: MAC only", in: "fa:16:3e:8c:5f:b1", security: true, want: Address{MAC: MustParseMAC("fa:16:3e:8c:5f:b1")}},
		{name: "port security: empty", in: "", security: true, err: `empty entry: want "MAC [IP[/PLEN]...]"`},
		{name: "port security: router", in: "router", security: true, err: `"router": "router" is not a MAC address; want "MAC [IP[/PLEN]...]"`},
		{name: "port security: dynamic", in: "fa:16:3e:8c:5f:b1 dynamic", security: true,
			err: `"fa:16:3e:8c:5f:b1 dynamic": bad address "dynamic": want an IP address or a prefix like 10.0.3.0/24`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := ParseAddress
			if tt.security {
				parse = ParsePortSecurity
			}
			got, err := parse(tt.in)
			if got := errorText(err); got != tt.err {
				t.Fatalf("parsing %q: error\n got %s\nwant %s", tt.in, got, tt.err)
			}
			if err != nil {
				return
			}
			tt.want.Text = tt.in
			if diff := gocmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("parsing %q (-want +got):\n%s", tt.in, diff)
			}
			checkAddressText(t, got, parse)
		})
	}
}

// checkAddressText checks that a, written without its Text, reads back
// through parse as the same address.
func checkAddressText(t *testing.T, a Address, parse func(string) (Address, error)) {
	t.Helper()
	a.Text = ""
	text := a.String()
	again, err := parse(text)
	if err != nil {
		t.Fatalf("%+v is written %q, which does not read back: %v", a, text, err)
	}
	again.Text = ""
	if diff := gocmp.Diff(a, again, equateNetip); diff != "" {
		t.Errorf("%q reads back differently (-first +again):\n%s", text, diff)
	}
}

func TestAddressString(t *testing.T) {
	m := MustParseMAC("0a:00:00:00:00:01")
	for _, tt := range []struct {
		a    Address
		want string
	}{
		{Address{Text: "as written", MAC: m}, "as written"},
		{Address{MAC: m, IPs: pfx("10.0.0.5/32", "10.0.1.5/24")}, "0a:00:00:00:00:01 10.0.0.5 10.0.1.5/24"},
		{Address{Dynamic: true}, "dynamic"},
		{Address{Dynamic: true, IPs: pfx("10.0.0.5/32")}, "dynamic 10.0.0.5"},
		{Address{Dynamic: true, MAC: m, IPs: pfx("10.0.0.5/32")}, "0a:00:00:00:00:01 dynamic"},
		{Address{Router: true}, "router"},
		{Address{Unknown: true}, "unknown"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestParseVIP(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		name, key, value string
		want             VIP
		err              string
	}{
		{name: "with ports", key: "10.0.0.100:80", value: "10.0.0.11:8080,10.0.0.12:8080",
			want: VIP{Addr: netip.MustParseAddr("10.0.0.100"), Port: 80, Backends: []netip.AddrPort{ap("10.0.0.11:8080"), ap("10.0.0.12:8080")}}},
		{name: "without ports", key: "10.0.0.101", value: "10.0.0.11,10.0.0.12",
			want: VIP{Addr: netip.MustParseAddr("10.0.0.101"), Backends: []netip.AddrPort{ap("10.0.0.11:0"), ap("10.0.0.12:0")}}},
		{name: "IPv6", key: "[fd00::100]:443", value: "[fd00::12]:8443",
			want: VIP{Addr: netip.MustParseAddr("fd00::100"), Port: 443, Backends: []netip.AddrPort{ap("[fd00::12]:8443")}}},
		{name: "IPv6 without ports", key: "fd00::101", value: "[fd00::11]",
			want: VIP{Addr: netip.MustParseAddr("fd00::101"), Backends: []netip.AddrPort{ap("[fd00::11]:0")}}},
		{name: "no backends", key: "172.30.0.10:53", value: "",
			want: VIP{Addr: netip.MustParseAddr("172.30.0.10"), Port: 53}},
		{name: "spaces and empty items", key: "10.0.0.100:80", value: "10.0.0.11:8080, ,10.0.0.12:8080,",
			want: VIP{Addr: netip.MustParseAddr("10.0.0.100"), Port: 80, Backends: []netip.AddrPort{ap("10.0.0.11:8080"), ap("10.0.0.12:8080")}}},

		{name: "backend lacks port", key: "10.0.0.100:80", value: "10.0.0.11",
			err: `VIP "10.0.0.100:80" backend "10.0.0.11": a VIP with a port needs backends with ports, and one without, backends without`},
		{name: "backend has port", key: "10.0.0.100", value: "10.0.0.11:80",
			err: `VIP "10.0.0.100" backend "10.0.0.11:80": a VIP with a port needs backends with ports, and one without, backends without`},
		{name: "versions differ", key: "10.0.0.100:80", value: "[fd00::1]:80",
			err: `VIP "10.0.0.100:80" backend "[fd00::1]:80": the backend and the VIP are of different IP versions`},
		{name: "port 0", key: "10.0.0.100:0", value: "",
			err: `VIP "10.0.0.100:0": bad address "10.0.0.100:0": want IP, IP:PORT or [IPv6]:PORT, with a port from 1 to 65535 and no zone`},
		{name: "name", key: "web", value: "", err: `VIP "web": bad address "web": want IP, IP:PORT or [IPv6]:PORT`},
		{name: "bad backend", key: "10.0.0.100:80", value: "10.0.0.11:http",
			err: `VIP "10.0.0.100:80" backend "10.0.0.11:http": bad address "10.0.0.11:http": want IP, IP:PORT or [IPv6]:PORT`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVIP(tt.key, tt.value)
			if got := errorText(err); got != tt.err {
				t.Fatalf("ParseVIP(%q, %q) error:\n got %s\nwant %s", tt.key, tt.value, got, tt.err)
			}
			if err != nil {
				return
			}
			if diff := gocmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("ParseVIP (-want +got):\n%s", diff)
			}
			again, err := ParseVIP(got.Key(), got.BackendsText())
			if err != nil {
				t.Fatalf("%s does not read back: %v", got, err)
			}
			if diff := gocmp.Diff(got, again, equateNetip); diff != "" {
				t.Errorf("%s reads back differently (-first +again):\n%s", got, diff)
			}
		})
	}
}

func TestVIPString(t *testing.T) {
	v, err := ParseVIP("[fd00::100]:443", "[fd00::12]:8443,[fd00::13]:8443")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "[fd00::100]:443=[fd00::12]:8443,[fd00::13]:8443"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseNexthop(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "" for discard
		discard bool
		err     string
	}{
		{in: "172.16.0.254", want: "172.16.0.254"},
		{in: "172.16.0.254/32", want: "172.16.0.254"},
		{in: "fd00::1", want: "fd00::1"},
		{in: "discard", discard: true},
		{in: "172.16.0.0/24", err: `bad nexthop "172.16.0.0/24": want an IP address or "discard"`},
		{in: "", err: `bad nexthop "": want an IP address or "discard"`},
		{in: "blackhole", err: `bad nexthop "blackhole": want an IP address or "discard"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, discard, err := ParseNexthop(tt.in)
			if got := errorText(err); got != tt.err {
				t.Fatalf("ParseNexthop(%q) error:\n got %s\nwant %s", tt.in, got, tt.err)
			}
			if err != nil {
				return
			}
			if discard != tt.discard || (!discard && a.String() != tt.want) || (discard && a.IsValid()) {
				t.Errorf("ParseNexthop(%q) = %v, %v; want %q, %v", tt.in, a, discard, tt.want, tt.discard)
			}
		})
	}
}

func TestParseIPOrPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.11": "10.0.0.11/32", "10.0.0.0/24": "10.0.0.0/24", "10.0.0.5/24": "10.0.0.5/24",
		"fd00::12": "fd00::12/128", "0.0.0.0/0": "0.0.0.0/0",
	} {
		got, err := ParseIPOrPrefix(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseIPOrPrefix(%q) = %v, %v; want %s", in, got, err, want)
		}
		if back, err := ParseIPOrPrefix(IPOrPrefixText(got)); err != nil || back != got {
			t.Errorf("IPOrPrefixText(%v) = %q, which reads back as %v, %v", got, IPOrPrefixText(got), back, err)
		}
	}
	for _, in := range []string{"", "10.0.0", "10.0.0.0/33", "fe80::1%eth0", "host"} {
		if got, err := ParseIPOrPrefix(in); err == nil {
			t.Errorf("ParseIPOrPrefix(%q) = %v, want an error", in, got)
		}
	}
	if got := IPOrPrefixText(netip.MustParsePrefix("10.0.0.5/32")); got != "10.0.0.5" {
		t.Errorf("IPOrPrefixText(10.0.0.5/32) = %q, want the bare address", got)
	}
}

func TestParseNetworkAndIP(t *testing.T) {
	if p, err := ParseNetwork("10.0.3.1/24"); err != nil || p != netip.MustParsePrefix("10.0.3.1/24") {
		t.Errorf("ParseNetwork(10.0.3.1/24) = %v, %v", p, err)
	}
	if _, err := ParseNetwork("10.0.3.1"); errorText(err) != `bad network "10.0.3.1": want IP/PLEN like 10.0.3.1/24` {
		t.Errorf("ParseNetwork(10.0.3.1): error %v", err)
	}
	if a, err := ParseIP("fd00::1"); err != nil || a != netip.MustParseAddr("fd00::1") {
		t.Errorf("ParseIP(fd00::1) = %v, %v", a, err)
	}
	for _, in := range []string{"gw", "fe80::1%eth0", "10.0.0.0/24"} {
		if _, err := ParseIP(in); errorText(err) != `bad address "`+in+`": want an IP address like 203.0.113.7` {
			t.Errorf("ParseIP(%q): error %v", in, err)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for _, ok := range []string{"0a:00:00:00:00:01", "FA:16:3E:8C:5F:B1"} {
		if _, err := ParseMAC(ok); err != nil {
			t.Errorf("ParseMAC(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "0a-00-00-00-00-01", "0a00.0000.0001", "0a:00:00:00:00", "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01"} {
		if _, err := ParseMAC(bad); errorText(err) != `bad MAC address "`+bad+`": want six hex bytes like fa:16:3e:ae:b3:e7` {
			t.Errorf("ParseMAC(%q): error %v", bad, err)
		}
	}
	if got := MustParseMAC("0A:00:00:00:FF:01").String(); got != "0a:00:00:00:ff:01" {
		t.Errorf("String() = %q", got)
	}
}

// FuzzParseAddress checks that an entry either parser accepts is written
// back by String, without its Text, as text that reads as the same
// address; and that port security accepts only what addresses does.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"fa:16:3e:8c:5f:b1 10.0.0.5 fd00::5", "fa:16:3e:aa:00:55 10.0.3.55/24 fd00::1", "router", "unknown",
		"dynamic", "dynamic 10.0.0.1", "80:fa:5b:06:72:b7 dynamic", "0a:00:00:00:00:01 10.0.0.0/24", "fa:16:3e:zz:00:55", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, security bool) {
		parse := ParseAddress
		if security {
			parse = ParsePortSecurity
		}
		a, err := parse(s)
		if err != nil {
			return
		}
		if a.Text != s {
			t.Fatalf("%q parsed with Text %q", s, a.Text)
		}
		if security {
			if b, err := ParseAddress(s); err != nil || b.Dynamic || b.Router || b.Unknown {
				t.Fatalf("port security takes %q, which addresses reads as %+v, %v", s, b, err)
			}
		}
		checkAddressText(t, a, parse)
	})
}

// FuzzParseMAC checks ParseMAC against net.ParseMAC's colon form, and
// that String writes back what it read.
func FuzzParseMAC(f *testing.F) {
	for _, s := range []string{"0a:00:00:00:00:01", "FA:16:3E:8C:5F:B1", "0a-00-00-00-00-01", "0a:00:00:00:00", "0a:00:00:00:00:0g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMAC(s)
		hw, nerr := net.ParseMAC(s)
		if want := nerr == nil && len(hw) == 6 && strings.Count(s, ":") == 5; (err == nil) != want {
			t.Fatalf("ParseMAC(%q): error %v; net.ParseMAC: %v, %v", s, err, hw, nerr)
		}
		if err != nil {
			return
		}
		if MAC(hw) != m || m.String() != strings.ToLower(s) {
			t.Fatalf("ParseMAC(%q) = %v, net.ParseMAC %v", s, m, hw)
		}
	})
}

// FuzzParseVIP checks that whatever parses is written back by Key and
// BackendsText as text that parses to the same VIP.
func FuzzParseVIP(f *testing.F) {
	f.Add("10.0.0.100:80", "10.0.0.11:8080,10.0.0.12:8080")
	f.Add("[fd00::100]:443", "[fd00::12]:8443")
	f.Add("10.0.0.101", "10.0.0.11")
	f.Add("10.0.0.1", "")
	f.Fuzz(func(t *testing.T, key, value string) {
		v, err := ParseVIP(key, value)
		if err != nil {
			return
		}
		k, val := v.Key(), v.BackendsText()
		w, err := ParseVIP(k, val)
		if err != nil {
			t.Fatalf("%q=%q parsed, but its text %q=%q does not: %v", key, value, k, val, err)
		}
		if diff := gocmp.Diff(v, w, equateNetip); diff != "" {
			t.Fatalf("%q=%q -> %q=%q reads back differently:\n%s", key, value, k, val, diff)
		}
	})
}
