package importers

import (
	"net/netip"
	"testing"

	"github.com/hopscope/hopscope/model"
)

func TestUplinksAndUnseenPeers(t *testing.T) {
	h := &model.Host{Name: "h"}
	top := &model.Topology{Hosts: []*model.Host{h}}
	h.Topo = top
	ns := &model.Namespace{Name: model.RootName, Kind: model.NSRoot, Host: h}
	h.Namespaces = []*model.Namespace{ns}
	eth0 := &model.Interface{Name: "eth0", Kind: model.IfPhysical, Addrs: []netip.Prefix{netip.MustParsePrefix("192.0.2.2/24")}}
	veth := &model.Interface{Name: "veth1", Kind: model.IfVeth, PeerRef: "h:container-ns:eth0"}
	ns.AddInterface(eth0)
	ns.AddInterface(veth)
	ns.Routes = []*model.Route{{Table: model.TableMain, Dst: netip.MustParsePrefix("0.0.0.0/0"),
		Nexthops: []model.Nexthop{{Gateway: netip.MustParseAddr("192.0.2.1"), Dev: "eth0"}}}}
	gwMAC, _ := model.ParseMAC("02:00:00:00:00:01")
	ns.Neighbors = []*model.Neighbor{{IP: netip.MustParseAddr("192.0.2.1"), Dev: "eth0", MAC: gwMAC}}

	notes := unseenPeers(top, ns)
	uplinks(top, ns)

	if len(notes) != 1 || veth.PeerRef != "" {
		t.Errorf("unseen peer: notes %q, PeerRef %q", notes, veth.PeerRef)
	}
	if len(top.Segments) != 1 {
		t.Fatalf("segments: %v", top.Segments)
	}
	s := top.Segments[0]
	if s.Name != "h-eth0" || eth0.SegmentName != "h-eth0" || s.Gateway.String() != "192.0.2.1" || s.GatewayMAC != gwMAC ||
		len(s.Prefixes) != 1 || s.Prefixes[0].String() != "192.0.2.0/24" || len(s.Upstream) != 1 {
		t.Errorf("uplink segment: %+v", s)
	}
	if err := top.Resolve(); err != nil {
		t.Errorf("the snapshot does not resolve: %v", err)
	}
}

func TestPlaceOVS(t *testing.T) {
	h := &model.Host{Name: "h"}
	root := &model.Namespace{Name: model.RootName, Kind: model.NSRoot, Host: h}
	sw := &model.Namespace{Name: "lab-h-ovs", Kind: model.NSNamed, Host: h}
	h.Namespaces = []*model.Namespace{root, sw}
	root.AddInterface(&model.Interface{Name: "eth0", Kind: model.IfPhysical})
	sw.AddInterface(&model.Interface{Name: "br-ex", Kind: model.IfTap})
	sw.AddInterface(&model.Interface{Name: "eth0", Kind: model.IfVeth})
	ovs := &model.OVS{Bridges: []*model.OVSBridge{{Name: "br-ex", Ports: []*model.OVSPort{
		{Name: "eth0", Type: model.OVSSystem},
		{Name: "gone", Type: model.OVSSystem},
		{Name: "br-ex", Type: model.OVSInternalPort},
	}}}}

	notes := placeOVS(h, ovs)

	if ovs.NetNS != "lab-h-ovs" {
		t.Errorf("NetNS = %q, want the namespace holding the bridge and its port", ovs.NetNS)
	}
	ports := ovs.Bridges[0].Ports
	if ports[0].Type != model.OVSSystem || ports[1].Type != model.OVSOther || ports[1].RawType == "" || ports[2].Type != model.OVSInternalPort {
		t.Errorf("port types after placing: %v %v %v", ports[0], ports[1], ports[2])
	}
	if len(notes) != 2 {
		t.Errorf("notes = %q, want one for the namespace and one for the missing netdev", notes)
	}

	// With the devices in the root namespace too, root wins the tie.
	root.AddInterface(&model.Interface{Name: "br-ex", Kind: model.IfOther})
	ovs.NetNS = ""
	ports[1].Type, ports[1].RawType = model.OVSSystem, ""
	placeOVS(h, ovs)
	if ovs.NetNS != "" {
		t.Errorf("NetNS = %q on a tie, want the root namespace", ovs.NetNS)
	}
}
