package ovn

import (
	"context"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
)

// roundTripExtra adds to liveNB what ovn-nbctl's plain commands did not
// make there: dynamic addresses, a disabled port, a switch ACL, peered
// routers, an HA chassis group, a discard route in a route table, IPv6 and
// shared load balancers, policy options, a port range, and options and
// external_ids on many tables.
var roundTripExtra = [][]string{
	{"set", "Logical_Switch", "sw1", "other_config:subnet=10.0.1.0/24", "other_config:exclude_ips=10.0.1.1..10.0.1.20"},
	{"lsp-add", "sw1", "vm4"},
	{"lsp-set-addresses", "vm4", "dynamic"},
	{"lsp-add", "sw1", "vm5"},
	{"lsp-set-addresses", "vm5", "0a:00:00:00:01:05 10.0.1.15"},
	{"lsp-set-enabled", "vm5", "disabled"},
	{"set", "Logical_Switch_Port", "vm5", `external_ids:"neutron:device_owner"="compute:nova"`},
	{"--apply-after-lb", "acl-add", "sw1", "from-lport", "1000", `inport == "vm3" && ip4.dst == $as_web`, "allow-stateless"},
	{"lr-add", "lr1"},
	{"set", "Logical_Router", "lr1", "options:always_learn_from_arp_request=false", "external_ids:owner=test"},
	{"lrp-add", "lr0", "lr0-lr1", "02:00:00:00:00:04", "169.254.0.1/30", "peer=lr1-lr0"},
	{"lrp-add", "lr1", "lr1-lr0", "02:00:00:00:01:01", "169.254.0.2/30", "peer=lr0-lr1"},
	{"lrp-add", "lr1", "lr1-ext", "02:00:00:00:01:02", "198.51.100.1/24", "2001:db8::1/64"},
	{"ha-chassis-group-add", "hagrp"},
	{"ha-chassis-group-add-chassis", "hagrp", "hv1", "30"},
	{"ha-chassis-group-add-chassis", "hagrp", "hv2", "20"},
	{"--id=@r", "create", "Logical_Router_Static_Route", "ip_prefix=192.168.0.0/16", "nexthop=discard", "route_table=rtb1",
		"--", "add", "Logical_Router", "lr0", "static_routes", "@r"},
	{"lr-route-add", "lr1", "::/0", "2001:db8::fe", "lr1-ext"},
	{"lr-policy-add", "lr0", "90", "ip4.dst == 198.51.100.0/24", "allow", "pkt_mark=5"},
	{"lr-policy-add", "lr0", "80", "ip4.dst == 203.0.113.0/24", "drop"},
	{"lr-policy-add", "lr0", "70", "ip4.src == 10.0.0.0/24", "reroute", "169.254.0.2,169.254.0.3"},
	{"--id=@n", "create", "NAT", "type=snat", "external_ip=198.51.100.11", "logical_ip=169.254.0.0/30",
		"external_port_range=1024-2047", "--", "add", "Logical_Router", "lr1", "nat", "@n"},
	{"lr-nat-add", "lr1", "dnat", "198.51.100.12", "10.0.1.13"},
	{"lb-add", "lb6", "[fd00::100]:443", "[fd00::12]:8443", "udp"},
	{"set", "Load_Balancer", "lb6", "options:reject=true"},
	{"lr-lb-add", "lr0", "lb6"},
	{"ls-lb-add", "sw1", "lb0"},
}

// roundTripCluster is liveCluster plus roundTripExtra.
func roundTripCluster(t *testing.T) *ovnrun.Cluster {
	t.Helper()
	c := liveCluster(t)
	for _, args := range roundTripExtra {
		if _, err := c.NBCtl(args...); err != nil {
			t.Fatal(err)
		}
	}
	g, err := c.NBCtl("--bare", "--columns=_uuid", "find", "HA_Chassis_Group", "name=hagrp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NBCtl("set", "Logical_Router_Port", "lr1-ext", "ha_chassis_group="+strings.TrimSpace(g)); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRoundTrip imports a real NB, writes it into a second, empty one,
// and imports that: the two models must be equal but for UUIDs and
// Sources. ovn-nbctl's listings of both, and the logical flows northd
// made from each, must agree as well, so a column that neither Import
// nor Write handles cannot hide.
func TestRoundTrip(t *testing.T) {
	a := roundTripCluster(t)
	b := ovnrun.Start(t)
	// northd allocates a dynamic MAC from the NB's mac_prefix, random per database.
	prefix, err := a.NBCtl("get", "NB_Global", ".", "options:mac_prefix")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.NBCtl("set", "NB_Global", ".", "options:mac_prefix="+strings.TrimSpace(prefix)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := Import(ctx, a.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := Write(ctx, b.NB, first); err != nil {
		t.Fatal(err)
	}
	t.Logf("Write took %v", time.Since(begin))
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	second, err := Import(ctx, b.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second, equateModel...); diff != "" {
		t.Errorf("Import -> Write -> Import changed the model (-first +second):\n%s", diff)
	}
	// vm4 asked for "dynamic": the model holds what northd allocated, the
	// first address of sw1's subnet after exclude_ips.
	if vm4 := port(first, "sw1", "vm4"); vm4 == nil || len(vm4.Addresses) != 1 {
		t.Errorf("vm4: %+v, want one address", vm4)
	} else if a := vm4.Addresses[0]; !a.Dynamic || a.Text != "dynamic" || a.MAC == (ovn.MAC{}) ||
		len(a.IPs) != 1 || a.IPs[0] != netip.MustParsePrefix("10.0.1.21/32") {
		t.Errorf("vm4's address is %+v, want dynamic, with a MAC and 10.0.1.21", a)
	}

	for _, args := range [][]string{
		{"show"}, {"acl-list", "pg_web"}, {"acl-list", "sw1"}, {"lr-route-list", "lr0"}, {"lr-route-list", "lr1"},
		{"lr-policy-list", "lr0"}, {"lr-nat-list", "lr0"}, {"lr-nat-list", "lr1"}, {"lb-list"},
		{"ls-lb-list", "sw0"}, {"ls-lb-list", "sw1"}, {"lr-lb-list", "lr0"}, {"lrp-get-gateway-chassis", "lr0-public"},
		{"ha-chassis-group-list"}, {"list", "Address_Set"}, {"list", "Logical_Switch_Port", "vm5"},
	} {
		want, got := ctl(t, a.NBCtl, args...), ctl(t, b.NBCtl, args...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ovn-nbctl %s differs (-original +written):\n%s", strings.Join(args, " "), diff)
		}
	}
	// northd's flows depend on the chassis' features, and in a few places
	// on the order it met rows in (tunnel keys in address set names, ECMP
	// member numbers): give b the same chassis, and mask those numbers.
	if _, err := b.SBCtl("chassis-add", "hv1", "geneve", "192.168.100.11"); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	flows := func(c *ovnrun.Cluster) []string {
		lines := ctl(t, c.SBCtl, "lflow-list")
		for i, l := range lines {
			l = datapathKeyRE.ReplaceAllString(l, "${1}<key>")
			lines[i] = ecmpMemberRE.ReplaceAllString(l, "${1}<member>")
		}
		slices.Sort(lines)
		return lines
	}
	if diff := cmp.Diff(flows(a), flows(b)); diff != "" {
		t.Errorf("northd made different logical flows (-original +written):\n%s", diff)
	}
}

// TestWriteWhatIfs writes a model with what-ifs set: the disabled port is
// written disabled, the disabled ACL, route, policy and NAT not at all.
func TestWriteWhatIfs(t *testing.T) {
	a := liveCluster(t)
	b := ovnrun.Start(t)
	ctx := context.Background()
	db, err := Import(ctx, a.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	port(db, "sw0", "vm2").Disabled = true
	db.PortGroups[0].ACLs[0].Disabled = true
	lr0 := db.Routers[0]
	lr0.Routes[0].Disabled = true
	lr0.Policies[0].Disabled = true
	lr0.NAT[0].Disabled = true
	if err := Write(ctx, b.NB, db); err != nil {
		t.Fatal(err)
	}
	got, err := Import(ctx, b.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Import(ctx, a.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	port(want, "sw0", "vm2").Enabled = false
	want.PortGroups[0].ACLs = want.PortGroups[0].ACLs[1:]
	want.Routers[0].Routes = want.Routers[0].Routes[1:]
	want.Routers[0].Policies = nil
	want.Routers[0].NAT = want.Routers[0].NAT[1:]
	if diff := cmp.Diff(want, got, equateModel...); diff != "" {
		t.Errorf("what-ifs written (-want +got):\n%s", diff)
	}
}

// TestWriteRefuses: a database that is not empty, and an ACL tier the
// server's schema cannot hold (23.03 has no ACL.tier).
func TestWriteRefuses(t *testing.T) {
	a := liveCluster(t)
	ctx := context.Background()
	db, err := Import(ctx, a.NB, "")
	if err != nil {
		t.Fatal(err)
	}
	err = Write(ctx, a.NB, db)
	if err == nil || !strings.Contains(err.Error(), "the database is not empty (Logical_Switch has 3 rows") ||
		!strings.Contains(err.Error(), a.NB) {
		t.Errorf("Write into a full database: error %v, want one naming %s and saying it is not empty", err, a.NB)
	}
	b := ovnrun.Start(t)
	db.PortGroups[0].ACLs[0].Tier = 2
	err = Write(ctx, b.NB, db)
	if hasTier(t, b) {
		if err != nil {
			t.Errorf("Write with a tier to a schema that has tier: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "has tier 2, but this server's ACL table has no tier column") {
		t.Errorf("Write with a tier to a 23.03 schema: error %v, want one saying the schema has no tier", err)
	}
	if out := strings.Join(ctl(t, b.NBCtl, "ls-list"), ""); out != "" {
		t.Errorf("a refused Write left rows behind: ls-list = %q", out)
	}
}

// hasTier says whether the cluster's NB schema has ACL.tier.
func hasTier(t *testing.T, c *ovnrun.Cluster) bool {
	t.Helper()
	_, err := c.NBCtl("--columns=tier", "list", "ACL")
	return err == nil
}

func port(db *ovn.DB, sw, name string) *ovn.SwitchPort {
	for _, s := range db.Switches {
		for _, p := range s.Ports {
			if s.Name == sw && p.Name == name {
				return p
			}
		}
	}
	return nil
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// datapathKeyRE finds the address sets northd names by a datapath's tunnel key.
	datapathKeyRE = regexp.MustCompile(`(\$_rtr_lb_)[0-9]+`)
	// ecmpMemberRE finds an ECMP route's member number.
	ecmpMemberRE = regexp.MustCompile(`(reg8\[16\.\.31\] == )[0-9]+`)
)

// ctl runs one ovn-nbctl or ovn-sbctl command and returns its output's
// lines with UUIDs masked, sorted: the tools print rows in hash order.
func ctl(t *testing.T, run func(...string) (string, error), args ...string) []string {
	t.Helper()
	out, err := run(args...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(uuidRE.ReplaceAllString(out, "<uuid>"), "\n")
	slices.Sort(lines)
	return lines
}
