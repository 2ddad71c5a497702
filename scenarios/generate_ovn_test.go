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
	"github.com/hopscope/hopscope/scenarios/check"
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
	checkCounts(t, db, switches, ports, acls, routers)

	topo := &model.Topology{Name: "generated", OVN: db}
	if err := topo.Resolve(); err != nil {
		t.Fatal(err)
	}
	e := trace.New(topo)
	checks := scenarios.OVNChecks(switches, ports, routers)
	if len(checks) != 5 {
		t.Errorf("OVNChecks gives %d checks for these sizes, want all 5", len(checks))
	}
	// A VM with a floating IP sends from it, not from its router's gateway IP.
	vm, _ := scenarios.OVNVM(0, 0)
	dst, _ := scenarios.OVNVM(1, 0)
	fip, _ := scenarios.OVNFloatingIP(1, 0)
	checks = append(checks, scenarios.Check{Name: "floating IP to floating IP", From: vm, To: fip.String(), Proto: "tcp", DPort: 22,
		Expect: scenarios.Expect{Disposition: "DELIVERED", Src: netip.MustParseAddr("3.3.16.0"), DecidedBy: dst}})
	for _, c := range checks {
		t.Run(c.Name, func(t *testing.T) {
			res := check.One(e, c)
			if res.Err != nil || !res.Pass {
				var b strings.Builder
				trace.WriteText(&b, res.Traces)
				t.Errorf("%v %v\n%s", res.Err, res.Failures, b.String())
			}
		})
	}
}

// TestGenerateOVNBig checks the benchmarks' network has the size the
// performance targets name: 25,000 VIFs and 10,000 ACLs.
func TestGenerateOVNBig(t *testing.T) {
	checkCounts(t, scenarios.GenerateOVN(250, 100, 10000, 100), 250, 100, 10000, 100)
}

// checkCounts checks the rows of a generated DB: ports by type, ACLs, NAT
// rows, datapaths.
func checkCounts(t *testing.T, db *ovn.DB, switches, ports, acls, routers int) {
	t.Helper()
	got := map[string]int{"switches": len(db.Switches), "routers": len(db.Routers)}
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			got["lsp type "+p.Type]++
		}
	}
	for _, pg := range db.PortGroups {
		got["acl"] += len(pg.ACLs)
	}
	for _, lr := range db.Routers {
		for _, n := range lr.NAT {
			got[n.Type]++
		}
	}
	want := map[string]int{"switches": switches + 1, "routers": routers,
		"lsp type ": switches * ports, "lsp type router": switches + routers, "lsp type localport": switches, "lsp type localnet": 1,
		"acl": acls, ovn.SNAT: switches, ovn.DNATAndSNAT: switches * min(ports, scenarios.OVNFloatingIPsPerNetwork)}
	if diff := cmp.Diff(want, got); diff != "" || !db.HasSB {
		t.Errorf("HasSB %v; counts (-want +got):\n%s", db.HasSB, diff)
	}
}
