package ovn

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model/ovn"
)

// equateNetip compares netip values by value (they have unexported fields).
var equateNetip = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{})

func mac(s string) ovn.MAC {
	m, err := parseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func pfx(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		name, in string
		want     ovn.Address
		err      string
	}{
		{name: "neutron port, dual stack", in: "fa:16:3e:8c:5f:b1 10.0.0.5 fd5e:7a6b:ae8d:0:f816:3eff:fe8c:5fb1",
			want: ovn.Address{MAC: mac("fa:16:3e:8c:5f:b1"), IPs: pfx("10.0.0.5/32", "fd5e:7a6b:ae8d:0:f816:3eff:fe8c:5fb1/128")}},
		{name: "MAC only", in: "0a:00:00:00:00:01", want: ovn.Address{MAC: mac("0a:00:00:00:00:01")}},
		{name: "address with length keeps host bits", in: "0a:00:00:00:00:01 10.0.0.5/24",
			want: ovn.Address{MAC: mac("0a:00:00:00:00:01"), IPs: pfx("10.0.0.5/24")}},
		{name: "port security subnet", in: "fa:16:3e:8c:5f:b1 10.0.0.0/24 fd00::/64",
			want: ovn.Address{MAC: mac("fa:16:3e:8c:5f:b1"), IPs: pfx("10.0.0.0/24", "fd00::/64")}},
		{name: "upper-case MAC", in: "FA:16:3E:8C:5F:B1", want: ovn.Address{MAC: mac("fa:16:3e:8c:5f:b1")}},
		{name: "extra spaces", in: "  0a:00:00:00:00:01   10.0.0.5 ", want: ovn.Address{MAC: mac("0a:00:00:00:00:01"), IPs: pfx("10.0.0.5/32")}},
		{name: "unknown", in: "unknown", want: ovn.Address{Unknown: true}},
		{name: "router", in: "router", want: ovn.Address{Router: true}},
		{name: "dynamic", in: "dynamic", want: ovn.Address{Dynamic: true}},
		{name: "dynamic with fixed IPs", in: "dynamic 192.168.0.1 2001::1",
			want: ovn.Address{Dynamic: true, IPs: pfx("192.168.0.1/32", "2001::1/128")}},
		{name: "fixed MAC, dynamic IPs", in: "80:fa:5b:06:72:b7 dynamic", want: ovn.Address{MAC: mac("80:fa:5b:06:72:b7"), Dynamic: true}},

		{name: "empty", in: "", err: "empty address"},
		{name: "IP without MAC", in: "10.0.0.5", err: `"10.0.0.5" does not start with an Ethernet address`},
		{name: "router with an IP", in: "router 10.0.0.1", err: `"router" stands alone`},
		{name: "bad IP", in: "fa:16:3e:8c:5f:b1 10.0.0.300", err: `"10.0.0.300" is not an IP address or prefix`},
		{name: "short MAC", in: "fa:16:3e:8c:5f 10.0.0.1", err: "does not start with an Ethernet address"},
		{name: "fixed MAC, dynamic, IP", in: "80:fa:5b:06:72:b7 dynamic 10.0.0.1", err: `"MAC dynamic" with no IPs`},
		{name: "zone", in: "0a:00:00:00:00:01 fe80::1%eth0", err: "zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAddress(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseAddress(%q) error %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Text = tt.in
			if diff := cmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("parseAddress(%q) (-want +got):\n%s", tt.in, diff)
			}
			// Written back without its Text, it reads as the same address.
			got.Text = ""
			again, err := parseAddress(addressText(got))
			if err != nil {
				t.Fatalf("addressText %q does not parse: %v", addressText(got), err)
			}
			again.Text = ""
			if diff := cmp.Diff(got, again, equateNetip); diff != "" {
				t.Errorf("addressText %q reads back differently (-first +again):\n%s", addressText(got), diff)
			}
		})
	}
}

func TestParseVIP(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		name, key, value string
		want             ovn.VIP
		err              string
	}{
		{name: "with ports", key: "10.0.0.100:80", value: "10.0.0.11:8080,10.0.0.12:8080",
			want: ovn.VIP{Addr: netip.MustParseAddr("10.0.0.100"), Port: 80, Backends: []netip.AddrPort{ap("10.0.0.11:8080"), ap("10.0.0.12:8080")}}},
		{name: "without ports", key: "10.0.0.101", value: "10.0.0.11,10.0.0.12",
			want: ovn.VIP{Addr: netip.MustParseAddr("10.0.0.101"), Backends: []netip.AddrPort{ap("10.0.0.11:0"), ap("10.0.0.12:0")}}},
		{name: "IPv6", key: "[fd00::100]:443", value: "[fd00::12]:8443",
			want: ovn.VIP{Addr: netip.MustParseAddr("fd00::100"), Port: 443, Backends: []netip.AddrPort{ap("[fd00::12]:8443")}}},
		{name: "IPv6 without ports", key: "fd00::101", value: "fd00::11",
			want: ovn.VIP{Addr: netip.MustParseAddr("fd00::101"), Backends: []netip.AddrPort{ap("[fd00::11]:0")}}},
		{name: "no backends", key: "172.30.0.10:53", value: "",
			want: ovn.VIP{Addr: netip.MustParseAddr("172.30.0.10"), Port: 53}},
		{name: "spaces after commas", key: "10.0.0.100:80", value: "10.0.0.11:8080, 10.0.0.12:8080",
			want: ovn.VIP{Addr: netip.MustParseAddr("10.0.0.100"), Port: 80, Backends: []netip.AddrPort{ap("10.0.0.11:8080"), ap("10.0.0.12:8080")}}},

		{name: "backend lacks port", key: "10.0.0.100:80", value: "10.0.0.11", err: "needs backends with ports"},
		{name: "backend has port", key: "10.0.0.100", value: "10.0.0.11:80", err: "needs backends with ports"},
		{name: "families differ", key: "10.0.0.100:80", value: "[fd00::1]:80", err: "different address families"},
		{name: "port 0", key: "10.0.0.100:0", value: "", err: "want a port from 1 to 65535"},
		{name: "name", key: "web", value: "", err: `"web" is not IP, IP:PORT or [IPv6]:PORT`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVIP(tt.key, tt.value)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseVIP(%q, %q) error %v, want one containing %q", tt.key, tt.value, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("parseVIP (-want +got):\n%s", diff)
			}
			key, value := vipText(got)
			again, err := parseVIP(key, value)
			if err != nil {
				t.Fatalf("vipText %q=%q does not parse: %v", key, value, err)
			}
			if diff := cmp.Diff(got, again, equateNetip); diff != "" {
				t.Errorf("vipText %q=%q reads back differently (-first +again):\n%s", key, value, diff)
			}
		})
	}
}

func TestParseNexthop(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "" for discard
		discard bool
		err     bool
	}{
		{in: "172.16.0.254", want: "172.16.0.254"},
		{in: "172.16.0.254/32", want: "172.16.0.254"},
		{in: "fd00::1", want: "fd00::1"},
		{in: "discard", discard: true},
		{in: "172.16.0.0/24", err: true},
		{in: "", err: true},
		{in: "blackhole", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, discard, err := parseNexthop(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("parseNexthop(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if tt.err {
				return
			}
			if discard != tt.discard || (!discard && a.String() != tt.want) || (discard && a.IsValid()) {
				t.Errorf("parseNexthop(%q) = %v, %v; want %q, %v", tt.in, a, discard, tt.want, tt.discard)
			}
		})
	}
}

func TestParseIPOrPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.11": "10.0.0.11/32", "10.0.0.0/24": "10.0.0.0/24", "10.0.0.5/24": "10.0.0.5/24",
		"fd00::12": "fd00::12/128", "0.0.0.0/0": "0.0.0.0/0",
	} {
		got, err := parseIPOrPrefix(in)
		if err != nil || got.String() != want {
			t.Errorf("parseIPOrPrefix(%q) = %v, %v; want %s", in, got, err, want)
		}
		if back := ipOrPrefixText(got); back != strings.TrimSuffix(strings.TrimSuffix(in, "/32"), "/128") {
			t.Errorf("ipOrPrefixText(%v) = %q, want %q", got, back, in)
		}
	}
	for _, in := range []string{"", "10.0.0", "10.0.0.0/33", "fe80::1%eth0", "host"} {
		if got, err := parseIPOrPrefix(in); err == nil {
			t.Errorf("parseIPOrPrefix(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for _, ok := range []string{"0a:00:00:00:00:01", "FA:16:3E:8C:5F:B1"} {
		if _, err := parseMAC(ok); err != nil {
			t.Errorf("parseMAC(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "0a-00-00-00-00-01", "0a00.0000.0001", "0a:00:00:00:00", "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01"} {
		if _, err := parseMAC(bad); err == nil {
			t.Errorf("parseMAC(%q) succeeded, want an error", bad)
		}
	}
	if got := macString(mac("0A:00:00:00:FF:01")); got != "0a:00:00:00:ff:01" {
		t.Errorf("macString = %q", got)
	}
}

func TestParseEndpoints(t *testing.T) {
	abs, err := filepath.Abs("nb.sock")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "unix:/run/ovn/ovnnb_db.sock", want: []string{"unix:/run/ovn/ovnnb_db.sock"}},
		{in: "unix:nb.sock", want: []string{"unix:" + abs}},
		{in: "tcp:192.0.2.1:6641,tcp:192.0.2.2:6641", want: []string{"tcp:192.0.2.1:6641", "tcp:192.0.2.2:6641"}},
		{in: "tcp:[2001:db8::1]:6641", want: []string{"tcp:[2001:db8::1]:6641"}},
		{in: "", err: "no endpoint"},
		{in: "unix:", err: "no socket path"},
		{in: "tcp:192.0.2.1", err: "missing port"},
		{in: "ssl:192.0.2.1:6641", err: `endpoint "ssl:192.0.2.1:6641": unsupported scheme`},
		{in: "tcp:192.0.2.1:6641,", err: `endpoint "": unsupported scheme`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseEndpoints(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseEndpoints(%q) error %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseEndpoints(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	t.Setenv("OVN_NB_DB", "tcp:192.0.2.1:6641")
	t.Setenv("OVN_SB_DB", "tcp:192.0.2.1:6642")
	tests := []struct {
		name                 string
		nbFlag, sbFlag       string
		wantNB, wantSB       string
		unsetNB, unsetSBEnvs bool
	}{
		{name: "flags win", nbFlag: "unix:/a/nb.sock", sbFlag: "unix:/a/sb.sock", wantNB: "unix:/a/nb.sock", wantSB: "unix:/a/sb.sock"},
		{name: "environment", wantNB: "tcp:192.0.2.1:6641", wantSB: "tcp:192.0.2.1:6642"},
		{name: "one flag", nbFlag: "unix:/a/nb.sock", wantNB: "unix:/a/nb.sock", wantSB: "tcp:192.0.2.1:6642"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb, sb := Endpoints(tt.nbFlag, tt.sbFlag)
			if nb != tt.wantNB || sb != tt.wantSB {
				t.Errorf("Endpoints(%q, %q) = %q, %q; want %q, %q", tt.nbFlag, tt.sbFlag, nb, sb, tt.wantNB, tt.wantSB)
			}
		})
	}
	t.Run("nothing", func(t *testing.T) {
		t.Setenv("OVN_NB_DB", "")
		t.Setenv("OVN_SB_DB", "")
		if nb, sb := Endpoints("", ""); nb != "" || sb != "" {
			t.Errorf("Endpoints with no flags or environment = %q, %q; want none", nb, sb)
		}
	})
}

// FuzzParseAddress checks that whatever parses is written back by
// addressText as text that parses to the same address.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"fa:16:3e:8c:5f:b1 10.0.0.5 fd00::5", "router", "unknown", "dynamic 10.0.0.1",
		"80:fa:5b:06:72:b7 dynamic", "0a:00:00:00:00:01 10.0.0.0/24", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAddress(s)
		if err != nil {
			return
		}
		a.Text = ""
		text := addressText(a)
		b, err := parseAddress(text)
		if err != nil {
			t.Fatalf("%q parsed, but its text %q does not: %v", s, text, err)
		}
		b.Text = ""
		if diff := cmp.Diff(a, b, equateNetip); diff != "" {
			t.Fatalf("%q -> %q reads back differently:\n%s", s, text, diff)
		}
	})
}

// FuzzParseVIP checks that whatever parses is written back by vipText as
// text that parses to the same VIP.
func FuzzParseVIP(f *testing.F) {
	f.Add("10.0.0.100:80", "10.0.0.11:8080,10.0.0.12:8080")
	f.Add("[fd00::100]:443", "[fd00::12]:8443")
	f.Add("10.0.0.101", "10.0.0.11")
	f.Fuzz(func(t *testing.T, key, value string) {
		v, err := parseVIP(key, value)
		if err != nil {
			return
		}
		k, val := vipText(v)
		w, err := parseVIP(k, val)
		if err != nil {
			t.Fatalf("%q=%q parsed, but its text %q=%q does not: %v", key, value, k, val, err)
		}
		if diff := cmp.Diff(v, w, equateNetip); diff != "" {
			t.Fatalf("%q=%q -> %q=%q reads back differently:\n%s", key, value, k, val, diff)
		}
	})
}
