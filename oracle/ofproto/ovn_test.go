package ofproto

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ovnDump is a real ovn-controller's br-int (see record-ovn.sh beside it).
const ovnDump = "../../model/openflow/testdata/ovn-br-int.txt"

// TestOVNDumpLoads loads the recorded OVN br-int into a bridge with the
// two VIFs at their OpenFlow ports and traces lp1 -> lp2 over ssh, which
// the ACLs allow: the fixture is a table OVS accepts, and the trace
// follows OVN's conntrack recirculation.
func TestOVNDumpLoads(t *testing.T) {
	requireSwitch(t)
	dump, err := os.ReadFile(ovnDump)
	if err != nil {
		t.Skip("no OVN fixture: " + err.Error())
	}
	s := startSwitch(t)
	if err := s.AddBridge("br-int", "secure", []Port{{Name: "lp1", OFPort: 1}, {Name: "lp2", OFPort: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFlows("br-int", string(dump)); err != nil {
		t.Fatal(err)
	}
	const flow = "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800," +
		"nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_proto=6,tcp_src=40000,nw_ttl=64,tcp_dst="
	tests := []struct {
		name, flow string
		outputs    []Output
	}{
		{"ssh is allowed", flow + "22", []Output{{Port: "lp2"}}},
		{"http is dropped", flow + "80", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Trace("br-int", tt.flow)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.outputs, r.Outputs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Outputs (-want +got):\n%s\n%s", diff, r.Raw)
			}
			// The ACLs send the packet through conntrack: ofproto/trace
			// follows the recirculation, and Other keeps the ct actions.
			if !strings.Contains(strings.Join(r.Other, " "), "ct(") || strings.Count(r.Datapath, "\n") == 0 {
				t.Errorf("no conntrack pass in %q", r.Datapath)
			}
		})
	}
}
