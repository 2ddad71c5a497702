package ovn

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"testing"
	"time"

	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
)

func TestScratchBig(t *testing.T) {
	c := ovnrun.Start(t)
	db := &ovn.DB{}
	pg := &ovn.PortGroup{Name: "pg_all"}
	for s := 0; s < 100; s++ {
		sw := &ovn.Switch{Name: fmt.Sprintf("sw%d", s)}
		for p := 0; p < 256; p++ {
			m := ovn.MAC{0x0a, 0, 0, byte(s), byte(p), 1}
			a := ovn.Address{MAC: m, IPs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(s), byte(p), 1}), 32)}}
			a.Text = addressText(a)
			name := fmt.Sprintf("p%d-%d", s, p)
			sw.Ports = append(sw.Ports, &ovn.SwitchPort{Name: name, Enabled: true, Addresses: []ovn.Address{a}, PortSecurity: []ovn.Address{a}})
			sw.Ports[len(sw.Ports)-1].ExternalIDs = map[string]string{"neutron:device_id": name}
			pg.PortNames = append(pg.PortNames, name)
		}
		for i := 0; i < 4; i++ {
			pg.ACLs = append(pg.ACLs, &ovn.ACL{Direction: "to-lport", Priority: 1000 + i, Match: fmt.Sprintf("outport == @pg_all && ip4.src == 10.%d.%d.0/24", s, i), Action: "allow-related"})
		}
		db.Switches = append(db.Switches, sw)
	}
	db.PortGroups = []*ovn.PortGroup{pg}
	begin := time.Now()
	if err := Write(context.Background(), c.NB, db); err != nil {
		t.Fatal(err)
	}
	t.Logf("Write: %v", time.Since(begin))
	begin = time.Now()
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Sync: %v", time.Since(begin))
	begin = time.Now()
	cmd := exec.Command("ovsdb-client", "transact", c.NB, `["OVN_Northbound",{"op":"select","table":"Logical_Switch_Port","where":[]},{"op":"select","table":"Logical_Switch","where":[]},{"op":"select","table":"Port_Group","where":[]},{"op":"select","table":"ACL","where":[]}]`)
	raw, err := cmd.Output()
	t.Logf("ovsdb-client select: %v, %d bytes, %v", time.Since(begin), len(raw), err)
	for i := 0; i < 3; i++ {
		begin = time.Now()
		got, err := Import(context.Background(), c.NB, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Import: %v (%d switches)", time.Since(begin), len(got.Switches))
	}
	out, _ := c.NBCtl("--version")
	_ = out
}
