package model

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
)

// TopologyView is a JSON-friendly copy of a Topology for `show -o json`.
// The model is full of back-pointers (Interface.NS, Peer, Master, ...), so
// the view holds no pointers into it: references are strings ("host:ns:iface",
// "host:bridge:port"), enums their names, addresses their text. It is plain
// data, so it also survives json.Unmarshal unchanged.
type TopologyView struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Segments    []SegmentView  `json:"segments,omitempty"`
	Hosts       []HostView     `json:"hosts,omitempty"`
	Endpoints   []EndpointView `json:"endpoints,omitempty"`
}

// SegmentView is a Segment.
type SegmentView struct {
	Name       string   `json:"name"`
	Prefixes   []string `json:"prefixes,omitempty"`
	Gateway    string   `json:"gateway,omitempty"`
	GatewayMAC string   `json:"gateway_mac,omitempty"`
	Upstream   []string `json:"upstream,omitempty"`
	Ifaces     []string `json:"ifaces,omitempty"` // "host:ns:iface" of the attached NICs
	Source     string   `json:"source,omitempty"`
}

// HostView is a Host.
type HostView struct {
	Name       string          `json:"name"`
	Namespaces []NamespaceView `json:"namespaces,omitempty"`
	OVSBridges []OVSBridgeView `json:"ovs_bridges,omitempty"`
	OVSNetNS   string          `json:"ovs_netns,omitempty"` // where OVS's system ports live, when not root
	Source     string          `json:"source,omitempty"`
}

// NamespaceView is a Namespace.
type NamespaceView struct {
	Name                 string          `json:"name"`
	Kind                 string          `json:"kind"`
	IPForward            bool            `json:"ip_forward"`
	BridgeNFCallIptables bool            `json:"bridge_nf_call_iptables"`
	Interfaces           []InterfaceView `json:"interfaces,omitempty"`
	Routes               []RouteView     `json:"routes,omitempty"`
	Rules                []RuleView      `json:"rules,omitempty"`
	Neighbors            []NeighborView  `json:"neighbors,omitempty"`
	Iptables             []IptablesTable `json:"iptables,omitempty"` // nil: no ruleset, every policy ACCEPT
	IPSets               []string        `json:"ipsets,omitempty"`   // names only
	Source               string          `json:"source,omitempty"`
}

// InterfaceView is an Interface.
type InterfaceView struct {
	Name          string        `json:"name"`
	Kind          string        `json:"kind"`
	MAC           string        `json:"mac,omitempty"`
	MTU           int           `json:"mtu,omitempty"`
	Addrs         []string      `json:"addrs,omitempty"`
	Down          bool          `json:"down,omitempty"`
	Peer          string        `json:"peer,omitempty"`     // "host:ns:iface"
	Master        string        `json:"master,omitempty"`   // bridge name, same namespace
	Segment       string        `json:"segment,omitempty"`  // segment name
	OVSPort       string        `json:"ovs_port,omitempty"` // "host:bridge:port"
	VLANFiltering bool          `json:"vlan_filtering,omitempty"`
	BridgePorts   []string      `json:"bridge_ports,omitempty"` // valid iff Kind is "bridge"
	FDB           []FDBView     `json:"fdb,omitempty"`
	PortVLAN      *PortVLANView `json:"port_vlan,omitempty"`
	ProxyARP      bool          `json:"proxy_arp,omitempty"`
	RPFilter      int           `json:"rp_filter,omitempty"`
	Source        string        `json:"source,omitempty"`
}

// FDBView is an FDBEntry.
type FDBView struct {
	MAC    string `json:"mac"`
	Port   string `json:"port"`
	VLAN   uint16 `json:"vlan,omitempty"`
	Static bool   `json:"static,omitempty"`
}

// PortVLANView is a PortVLAN.
type PortVLANView struct {
	PVID     uint16   `json:"pvid"`
	Untagged []uint16 `json:"untagged,omitempty"`
	Tagged   []uint16 `json:"tagged,omitempty"`
}

// RouteView is a Route: its `ip route` text plus the fields a program
// wants without parsing it. Gateway and Dev are the first next hop's.
type RouteView struct {
	Text     string        `json:"text"`
	Table    int           `json:"table"`
	Type     string        `json:"type"`
	Dst      string        `json:"dst"`
	Gateway  string        `json:"gateway,omitempty"`
	Dev      string        `json:"dev,omitempty"`
	Nexthops []NexthopView `json:"nexthops,omitempty"` // valid iff ECMP (more than one)
	Src      string        `json:"src,omitempty"`
	Metric   int           `json:"metric,omitempty"`
	Proto    string        `json:"proto,omitempty"`
	Scope    string        `json:"scope,omitempty"`
	Implied  bool          `json:"implied,omitempty"` // added by the kernel for an address
	Source   string        `json:"source,omitempty"`
}

// NexthopView is one Nexthop of an ECMP route.
type NexthopView struct {
	Gateway string `json:"gateway,omitempty"`
	Dev     string `json:"dev,omitempty"`
	Weight  int    `json:"weight,omitempty"`
}

// RuleView is a Rule: its `ip rule` text plus its fields.
type RuleView struct {
	Text     string `json:"text"`
	Priority uint32 `json:"priority"`
	Not      bool   `json:"not,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	IIF      string `json:"iif,omitempty"`
	OIF      string `json:"oif,omitempty"`
	FwMark   string `json:"fwmark,omitempty"` // "0x10/0xff"
	Action   string `json:"action"`
	Table    int    `json:"table,omitempty"` // valid iff Action is "lookup"
	Goto     uint32 `json:"goto,omitempty"`  // valid iff Action is "goto"
	Source   string `json:"source,omitempty"`
}

// NeighborView is a Neighbor.
type NeighborView struct {
	Text   string `json:"text"`
	IP     string `json:"ip"`
	Dev    string `json:"dev"`
	MAC    string `json:"mac,omitempty"`
	State  string `json:"state"`
	Source string `json:"source,omitempty"`
}

// IptablesTable is one iptables table with its chains in declared order.
type IptablesTable struct {
	Name   string          `json:"name"`
	Chains []IptablesChain `json:"chains,omitempty"`
}

// IptablesChain is one chain: its policy (builtin only) and rules as text.
type IptablesChain struct {
	Name    string   `json:"name"`
	Builtin bool     `json:"builtin,omitempty"`
	Policy  string   `json:"policy,omitempty"` // valid iff Builtin
	Rules   []string `json:"rules,omitempty"`
}

// OVSBridgeView is an OVSBridge.
type OVSBridgeView struct {
	Name         string        `json:"name"`
	FailMode     string        `json:"fail_mode,omitempty"`
	DatapathType string        `json:"datapath_type,omitempty"`
	Ports        []OVSPortView `json:"ports,omitempty"`
	Source       string        `json:"source,omitempty"`
}

// OVSPortView is an OVSPort.
type OVSPortView struct {
	Name        string            `json:"name"`
	OFPort      int               `json:"ofport"`
	Type        string            `json:"type"`
	Tag         uint16            `json:"tag,omitempty"`
	Trunks      []uint16          `json:"trunks,omitempty"`
	VLANMode    string            `json:"vlan_mode,omitempty"`
	Peer        string            `json:"peer,omitempty"`  // "host:bridge:port" of the patch peer
	Iface       string            `json:"iface,omitempty"` // "host:ns:iface" of the netdev
	Options     map[string]string `json:"options,omitempty"`
	ExternalIDs map[string]string `json:"external_ids,omitempty"`
	Source      string            `json:"source,omitempty"`
}

// EndpointView is an Endpoint.
type EndpointView struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description,omitempty"`
	NS          string `json:"ns,omitempty"`    // "host:ns"
	Iface       string `json:"iface,omitempty"` // "host:ns:iface"
	Addr        string `json:"addr,omitempty"`
	Segment     string `json:"segment,omitempty"` // valid iff Kind is "external"
	Source      string `json:"source,omitempty"`
}

// View copies the topology into its JSON-friendly form, in declared order.
func (t *Topology) View() TopologyView {
	v := TopologyView{Name: t.Name, Description: t.Description}
	for _, s := range t.Segments {
		sv := SegmentView{Name: s.Name, Prefixes: viewPrefixes(s.Prefixes), Gateway: viewAddr(s.Gateway),
			GatewayMAC: viewMAC(s.GatewayMAC), Upstream: viewPrefixes(s.Upstream), Source: s.Source.String()}
		for _, i := range s.Ifaces {
			sv.Ifaces = append(sv.Ifaces, i.Ref())
		}
		v.Segments = append(v.Segments, sv)
	}
	for _, h := range t.Hosts {
		hv := HostView{Name: h.Name, Source: h.Source.String()}
		for _, ns := range h.Namespaces {
			hv.Namespaces = append(hv.Namespaces, namespaceView(ns))
		}
		if h.OVS != nil {
			hv.OVSNetNS = h.OVS.NetNS
			for _, b := range h.OVS.Bridges {
				hv.OVSBridges = append(hv.OVSBridges, ovsBridgeView(b))
			}
		}
		v.Hosts = append(v.Hosts, hv)
	}
	for _, e := range t.Endpoints {
		ev := EndpointView{Name: e.Name, Kind: e.Kind.String(), Description: e.Description,
			Addr: viewAddr(e.Addr), Source: e.Source.String()}
		if e.NS != nil {
			ev.NS = e.NS.Ref()
		}
		if e.Iface != nil {
			ev.Iface = e.Iface.Ref()
		}
		if e.Segment != nil {
			ev.Segment = e.Segment.Name
		}
		v.Endpoints = append(v.Endpoints, ev)
	}
	return v
}

func namespaceView(ns *Namespace) NamespaceView {
	v := NamespaceView{Name: ns.Name, Kind: ns.Kind.String(), IPForward: ns.IPForward,
		BridgeNFCallIptables: ns.BridgeNFCallIptables, Source: ns.Source.String()}
	for _, i := range ns.Interfaces {
		v.Interfaces = append(v.Interfaces, interfaceView(i))
	}
	for _, r := range ns.Routes {
		v.Routes = append(v.Routes, routeView(r))
	}
	for _, r := range ns.Rules {
		v.Rules = append(v.Rules, ruleView(r))
	}
	for _, n := range ns.Neighbors {
		v.Neighbors = append(v.Neighbors, NeighborView{Text: n.String(), IP: viewAddr(n.IP), Dev: n.Dev,
			MAC: viewMAC(n.MAC), State: n.State.String(), Source: n.Source.String()})
	}
	if rs := ns.Netfilter; rs != nil {
		for _, name := range rs.TableOrder {
			tb := rs.Tables[name]
			if tb == nil {
				continue
			}
			tv := IptablesTable{Name: name}
			for _, cn := range tb.ChainOrder {
				c := tb.Chains[cn]
				if c == nil {
					continue
				}
				cv := IptablesChain{Name: c.Name, Builtin: c.Builtin}
				if c.Builtin {
					cv.Policy = c.Policy.String()
				}
				for _, r := range c.Rules {
					cv.Rules = append(cv.Rules, r.String())
				}
				tv.Chains = append(tv.Chains, cv)
			}
			v.Iptables = append(v.Iptables, tv)
		}
	}
	v.IPSets = slices.Sorted(maps.Keys(ns.IPSets))
	return v
}

func interfaceView(i *Interface) InterfaceView {
	v := InterfaceView{Name: i.Name, Kind: i.Kind.String(), MAC: viewMAC(i.MAC), MTU: i.MTU,
		Addrs: viewPrefixes(i.Addrs), Down: i.Down, ProxyARP: i.ProxyARP, RPFilter: i.RPFilter,
		Source: i.Source.String()}
	if i.Peer != nil {
		v.Peer = i.Peer.Ref()
	}
	if i.Master != nil {
		v.Master = i.Master.Name
	}
	if i.Segment != nil {
		v.Segment = i.Segment.Name
	}
	if i.OVSPort != nil && i.OVSPort.Bridge != nil && i.OVSPort.Bridge.Host != nil {
		v.OVSPort = i.OVSPort.Ref()
	}
	if b := i.Bridge; b != nil {
		v.VLANFiltering = b.VLANFiltering
		for _, p := range b.Ports {
			v.BridgePorts = append(v.BridgePorts, p.Name)
		}
		for _, f := range b.FDB {
			v.FDB = append(v.FDB, FDBView{MAC: f.MAC.String(), Port: f.Port, VLAN: f.VLAN, Static: f.Static})
		}
	}
	if p := i.PortVLAN; p != nil {
		v.PortVLAN = &PortVLANView{PVID: p.PVID, Untagged: viewU16s(p.Untagged), Tagged: viewU16s(p.Tagged)}
	}
	return v
}

func routeView(r *Route) RouteView {
	v := RouteView{Text: r.String(), Table: r.Table, Type: r.Type.String(), Dst: r.Dst.String(),
		Src: viewAddr(r.Src), Metric: r.Metric, Proto: r.Proto, Scope: r.Scope, Implied: r.Implied,
		Source: r.Source.String()}
	if len(r.Nexthops) > 0 {
		v.Gateway, v.Dev = viewAddr(r.Nexthops[0].Gateway), r.Nexthops[0].Dev
	}
	if len(r.Nexthops) > 1 {
		for _, nh := range r.Nexthops {
			v.Nexthops = append(v.Nexthops, NexthopView{Gateway: viewAddr(nh.Gateway), Dev: nh.Dev, Weight: nh.Weight})
		}
	}
	return v
}

func ruleView(r *Rule) RuleView {
	v := RuleView{Text: r.String(), Priority: r.Priority, Not: r.Not, From: viewPrefix(r.From),
		To: viewPrefix(r.To), IIF: r.IIF, OIF: r.OIF, Action: r.Action.String(), Source: r.Source.String()}
	if r.HasMark {
		v.FwMark = fmt.Sprintf("%#x/%#x", r.FwMark, r.FwMask)
	}
	switch r.Action {
	case RuleLookup:
		v.Table = r.Table
	case RuleGoto:
		v.Goto = r.Goto
	}
	return v
}

func ovsBridgeView(b *OVSBridge) OVSBridgeView {
	v := OVSBridgeView{Name: b.Name, FailMode: b.FailMode, DatapathType: b.DatapathType, Source: b.Source.String()}
	for _, p := range b.Ports {
		pv := OVSPortView{Name: p.Name, OFPort: p.OFPort, Type: p.Type.String(), Tag: p.Tag,
			Trunks: viewU16s(p.Trunks), VLANMode: p.VLANMode, Source: p.Source.String()}
		if p.Peer != nil && p.Peer.Bridge != nil && p.Peer.Bridge.Host != nil {
			pv.Peer = p.Peer.Ref()
		}
		if p.Iface != nil {
			pv.Iface = p.Iface.Ref()
		}
		// Empty maps stay nil so the view reads back from JSON unchanged.
		if len(p.Options) > 0 {
			pv.Options = maps.Clone(p.Options)
		}
		if len(p.ExternalIDs) > 0 {
			pv.ExternalIDs = maps.Clone(p.ExternalIDs)
		}
		v.Ports = append(v.Ports, pv)
	}
	return v
}

// The helpers below turn unset values into "" or nil, which omitempty drops.

func viewAddr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func viewPrefix(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

func viewPrefixes(ps []netip.Prefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func viewMAC(m MAC) string {
	if m.IsZero() {
		return ""
	}
	return m.String()
}

func viewU16s(s []uint16) []uint16 {
	if len(s) == 0 {
		return nil
	}
	return append([]uint16(nil), s...)
}
