package netfilter

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIPSetsFixture(t *testing.T) {
	sets, err := ParseIPSets(readFixture(t, "neutron_ipset.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*IPSet{"NIPv415ca6cb4-09b4-418e-aee4-": {
		Name: "NIPv415ca6cb4-09b4-418e-aee4-", Type: "hash:net", Family: "inet",
		Members: []netip.Prefix{netip.MustParsePrefix("172.12.10.4/32")},
	}}
	if diff := cmp.Diff(want, sets, netipOpts); diff != "" {
		t.Errorf("sets (-want +got):\n%s", diff)
	}
}

func TestIPSetContains(t *testing.T) {
	sets, err := ParseIPSets(`create nets hash:net family inet hashsize 1024 maxelem 65536
add nets 10.0.0.0/24
add nets 192.168.1.7
create ips hash:ip family inet
add ips 10.9.9.9 timeout 0
create six hash:net family inet6
add six fd00::/64
create pairs hash:ip,port family inet
add pairs 10.0.0.1,tcp:80
create except hash:net family inet
add except 10.0.0.0/8
add except 10.1.0.0/16 nomatch
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, set, addr string
		supported, want bool
	}{
		{"in prefix", "nets", "10.0.0.200", true, true},
		{"outside prefix", "nets", "10.0.1.1", true, false},
		{"single address", "nets", "192.168.1.7", true, true},
		{"hash:ip with options", "ips", "10.9.9.9", true, true},
		{"inet6 set", "six", "10.0.0.1", false, false},
		{"two-dimensional set", "pairs", "10.0.0.1", false, false},
		{"nomatch entries", "except", "10.1.0.1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sets[tt.set]
			if s.Supported() != tt.supported {
				t.Errorf("Supported() = %v, want %v", s.Supported(), tt.supported)
			}
			if got := s.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestParseIPSetsErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"add before create", "add s 1.2.3.4\n", "line 1: add to undeclared set s: expected its create line first"},
		{"bad member", "create s hash:net family inet\nadd s 1.2.3\n", `line 2: set s: bad entry "1.2.3": expected an IPv4 address or CIDR`},
		{"short create", "create s\n", "line 1: create: expected create NAME TYPE [family inet|inet6] ..."},
		{"created twice", "create s hash:ip\ncreate s hash:ip\n", "line 2: set s created twice"},
		{"unknown command", "flush s\n", `line 1: unexpected "flush": expected create or add`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIPSets(tt.text)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSaveIPSetsRoundTrip(t *testing.T) {
	text := "create b hash:ip family inet\nadd b 10.0.0.1\ncreate a hash:net family inet\nadd a 10.1.0.0/16\nadd a 10.2.0.3\n"
	sets, err := ParseIPSets(text)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseIPSets(SaveIPSets(sets))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sets, again, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("round trip (-first +second):\n%s", diff)
	}
}
