package ovn

import (
	"net/netip"
	"testing"

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

func TestEndpoints(t *testing.T) {
	t.Setenv("OVN_NB_DB", "tcp:192.0.2.1:6641")
	t.Setenv("OVN_SB_DB", "tcp:192.0.2.1:6642")
	tests := []struct {
		name           string
		nbFlag, sbFlag string
		wantNB, wantSB string
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
