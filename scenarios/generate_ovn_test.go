package scenarios_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// TestGenerateOVN generates a small network, checks its counts and that it
// Indexes, and traces across it: the benchmarks' traces end as GenerateOVN
// says they do.
func TestGenerateOVN(t *testing.T) {
	const switches, ports, acls, routers = 6, 5, 60, 3
	db := scenarios.GenerateOVN(switches, ports, acls, routers)
	opts := cmp.Options{cmpopts.IgnoreUnexported(ovn.DB{}, ovn.ACL{}, ovn.Policy{}), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})}
	if diff := cmp.Diff(db, scenarios.GenerateOVN(switches, ports, acls, routers), opts); diff != "" {
		t.Errorf("two calls generate different networks (-first +second):\n%s", diff)
	}
	if err := db.Index(); err != nil {
		t.Fatalf("Index: %v", err)
	}
	count := map[string]int{}
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			count["lsp "+p.Type]++
		}
	}
	for _, pg := range db.PortGroups {
		count["acl"] += len(pg.ACLs)
	}
	for _, lr := range db.Routers {
		for _, n := range lr.NAT {
			count[n.Type]++
		}
	}
	want := map[string]int{"lsp ": switches * ports, "lsp router": switches + routers, "lsp localport": switches, "lsp localnet": 1,
		"acl": acls, ovn.SNAT: switches, ovn.DNATAndSNAT: switches * min(ports, scenarios.OVNFloatingIPsPerNetwork)}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d, want %d", k, count[k], n)
		}
	}
	if len(db.Routers) != routers || len(db.Switches) != switches+1 || !db.HasSB {
		t.Errorf("%d routers, %d switches, HasSB %v; want %d, %d, true", len(db.Routers), len(db.Switches), db.HasSB, routers, switches+1)
	}

	topo := &model.Topology{Name: "generated", OVN: db}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	e := trace.New(topo)
	vm := func(i, j int) string { name, _ := scenarios.OVNVM(i, j); return name }
	vmIP := func(i, j int) string { _, a := scenarios.OVNVM(i, j); return a.String() }
	fip := func(i, j int) string { a, _ := scenarios.OVNFloatingIP(i, j); return a.String() }
	noFIP := scenarios.OVNFloatingIPsPerNetwork
	for _, tc := range []struct {
		name     string
		from, to string
		dport    uint16
		want     trace.Disposition
		port     string // the logical port it ends at
	}{
		{"same network", vm(0, 0), vmIP(0, 1), 22, trace.Delivered, vm(0, 1)},
		{"east-west through a router", vm(0, 0), vmIP(routers, 1), 22, trace.Delivered, vm(routers, 1)},
		{"east-west, any port within a project", vm(0, 0), vmIP(routers, 1), 3306, trace.Delivered, vm(routers, 1)},
		{"across projects through NAT", vm(0, noFIP), fip(1, 0), 22, trace.Delivered, vm(1, 0)},
		{"from a floating IP to a floating IP", vm(0, 0), fip(1, 0), 22, trace.Delivered, vm(1, 0)},
		{"across projects, a port no group opens", vm(0, noFIP), fip(1, 0), 3306, trace.Denied, ""},
		{"across projects without a floating IP", vm(0, 0), vmIP(1, 0), 22, trace.NeighborUnreachable, ""},
		{"to the internet", vm(0, noFIP), "8.8.8.8", 443, trace.NeighborUnreachable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Trace(trace.Request{From: tc.from, To: tc.to, Proto: trace.ProtoTCP, DstPort: tc.dport})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Disposition != tc.want || got[0].LogicalPort() != tc.port {
				var b strings.Builder
				trace.WriteText(&b, got)
				t.Errorf("%d paths, the first %s at %q; want one, %s at %q\n%s", len(got), got[0].Disposition, got[0].LogicalPort(), tc.want, tc.port, b.String())
			}
		})
	}
}
