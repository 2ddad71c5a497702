package trace

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// OVN's logical network is traced from the northbound tables, stage by
// stage as northd lays out its logical flows (ls_in_port_sec_l2,
// ls_in_acl, ..., lr_in_ip_routing, lr_out_snat); hops are one logical
// datapath on one chassis. Where the southbound says which chassis a port
// lives on, the trace moves between chassis over Geneve, and where a host
// model exists for a chassis, into and out of its br-int and namespaces.

// ovnView is p as OVN's matches see it, with the logical ports set.
func ovnView(p Packet, in, out string) ovn.Packet {
	v := ovn.Packet{InPort: in, OutPort: out, EthSrc: ovn.MAC(p.SrcMAC), EthDst: ovn.MAC(p.DstMAC),
		IPSrc: p.Src, IPDst: p.Dst, IPProto: p.Proto, IPTTL: p.TTL, CTMark: p.CtMark}
	switch {
	case p.arp:
		v.EthType, v.ARPOp, v.ARPSPA, v.ARPTPA, v.ARPSHA = ovn.EthARP, 1, p.Src, p.Dst, ovn.MAC(p.SrcMAC)
		v.IPSrc, v.IPDst = netip.Addr{}, netip.Addr{}
	case p.Src.Is6():
		v.EthType = ovn.EthIPv6
	default:
		v.EthType = ovn.EthIPv4
	}
	if p.VLAN != 0 {
		v.VLANPresent, v.VLANID = true, p.VLAN
	}
	switch p.Proto {
	case ProtoTCP, ProtoUDP:
		v.L4Src, v.L4Dst = p.SrcPort, p.DstPort
		v.TCPFlags = uint16(p.TCPFlags)
	case ProtoICMP, 58:
		v.ICMPType, v.ICMPCode = p.ICMPType, p.ICMPCode
	}
	return v
}

// named is a datapath or port name with its Neutron name when that says more.
func named(name string, r ovn.Row) string {
	if n := r.NeutronName(); n != "" && n != name {
		return fmt.Sprintf("%s (%s)", name, n)
	}
	return name
}

// rowRef names a NB row for a step's detail: "ACL 5e1c...".
func rowRef(table string, r ovn.Row) string {
	if r.UUID == "" {
		return table
	}
	return table + " " + r.UUID
}

func ovnSource(text string, r ovn.Row) *SourceRef {
	return &SourceRef{Text: text, Location: r.Source}
}

// lsNode and lrNode are the hops of a logical datapath on a chassis.
func lsNode(sw *ovn.Switch, ch string) NodeRef {
	return NodeRef{Kind: NodeOVNSwitch, Host: ch, Name: sw.Name, Role: roleWith("logical switch", sw.Row)}
}

func lrNode(lr *ovn.Router, ch string) NodeRef {
	return NodeRef{Kind: NodeOVNRouter, Host: ch, Name: lr.Name, Role: roleWith("logical router", lr.Row)}
}

func roleWith(kind string, r ovn.Row) string {
	if n := r.NeutronName(); n != "" {
		return kind + " " + n
	}
	return kind
}

// chassisHost is the host model of chassis ch, if the topology has one:
// the host named like the chassis or its hostname.
func (e *Engine) chassisHost(ch string) *model.Host {
	if ch == "" {
		return nil
	}
	if h := e.Topo.Host(ch); h != nil {
		return h
	}
	if c := e.Topo.OVN.ChassisNamed(ch); c != nil {
		return e.Topo.Host(c.Hostname)
	}
	return nil
}

// brIntPort finds the port of host h's integration bridge whose
// external_ids key k names logical port name.
func brIntPort(h *model.Host, k, name string) *model.OVSPort {
	if h == nil || h.OVS == nil {
		return nil
	}
	b := h.OVS.Bridge("br-int")
	if b == nil {
		return nil
	}
	for _, p := range b.Ports {
		if p.ExternalIDs[k] == name {
			return p
		}
	}
	return nil
}

// sgOf is the Neutron security group an ACL or port group belongs to.
func sgOf(rows ...ovn.Row) string {
	for _, r := range rows {
		if v := r.ExternalIDs["neutron:security_group_id"]; v != "" {
			return v
		}
	}
	return ""
}

func joinNames(ps []*ovn.SwitchPort) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
