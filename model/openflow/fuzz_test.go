package openflow

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseFlow: ParseFlow never panics and fails only with a *ParseError;
// whatever it accepts prints back to text that parses to an equal flow; and
// looking the flow up or applying its learn actions never panics.
func FuzzParseFlow(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.txt")
	for _, path := range paths {
		for _, line := range strings.Split(readFixture(f, filepath.Base(path)), "\n") {
			f.Add(line)
		}
	}
	for _, s := range []string{
		`in_port="a \"b\" c",dl_vlan=0xffff,vlan_tci=0x1000/0x1000 actions=output:"x y"`,
		"tcp,dl_type=0x0806,nw_src=10.0.0.1 actions=move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]",
		"ct_state=new|trk,tcp,tcp_flags=syn|ack actions=ct(commit,nat(dst=[fd00::1]-[fd00::2]:80-90,hash))",
		"packet_type=(0,0x800),icmp,tp_dst=3 actions=learn(table=1,eth_dst=eth_src,OXM_OF_PKT_REG1[0..70]=0x7)",
		"table=1,priority=5,cookie=0x1 actions=conjunction(1,1/2),conjunction(2,2/2)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fl, err := ParseFlow(line)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T, want *ParseError", err)
			}
			return
		}
		printed := fl.String()
		again, err := ParseFlow(printed)
		if err != nil {
			t.Fatalf("printed %q does not parse: %v", printed, err)
		}
		if diff := cmp.Diff(fl, again, sameFlow); diff != "" {
			t.Fatalf("round trip of %q through %q (-parsed +reparsed):\n%s", line, printed, diff)
		}
		flows := NewFlows([]*Flow{fl})
		s := pkt()
		flows.Lookup(fl.Table, s)
		for _, a := range fl.Actions {
			if a.Learn != nil {
				flows.Add(a.Learn.Apply(s))
			}
		}
	})
}
