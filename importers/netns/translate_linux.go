package netns

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// translate turns namespace dumps into hosts; it is Import without the
// kernel, so fixtures can test it. place says where each dump goes (see
// Options.Place); veth peers are named across dumps through each dump's
// NetNsIDs.
func translate(dumps []*nsDump, place func(string) (host, ns string, ok bool)) ([]*model.Host, []Problem) {
	type spot struct{ host, ns string }
	var (
		problems []Problem
		kept     []*nsDump
		where    = map[string]spot{}    // netns name -> model host and namespace
		byName   = map[string]*nsDump{} // netns name -> dump
		taken    = map[string]string{}  // "host:ns" -> netns name
	)
	for _, d := range dumps {
		h, n, ok := place(d.Name)
		if !ok {
			continue
		}
		if prev, dup := taken[h+":"+n]; dup {
			problems = append(problems, problemf(d.Name, "placed as %s:%s, like %s before it; left out", h, n, nsLabel(prev)))
			continue
		}
		taken[h+":"+n] = d.Name
		where[d.Name] = spot{h, n}
		byName[d.Name] = d
		kept = append(kept, d)
	}
	// peerRef names the other end of veth l of dump d, or "" when that end
	// lives in a namespace that was not read.
	peerRef := func(d *nsDump, l link) string {
		pd := d
		if l.NetNsID >= 0 {
			name, ok := d.NetNsIDs[l.NetNsID]
			if pd = byName[name]; !ok || pd == nil {
				return ""
			}
		}
		for _, pl := range pd.Links {
			if pl.Index == l.ParentIndex {
				s := where[pd.Name]
				return s.host + ":" + s.ns + ":" + pl.Name
			}
		}
		return ""
	}
	var (
		hosts  []*model.Host
		byHost = map[string]*model.Host{}
	)
	for _, d := range kept {
		s := where[d.Name]
		t := newTranslator(d, func(l link) string { return peerRef(d, l) })
		ns := t.namespace(s.ns)
		problems = append(problems, t.problems...)
		h := byHost[s.host]
		if h == nil {
			h = &model.Host{Name: s.host, Source: model.Source{File: "netlink"}}
			byHost[s.host] = h
			hosts = append(hosts, h)
		}
		ns.Host = h
		if ns.Kind == model.NSRoot {
			h.Namespaces = append([]*model.Namespace{ns}, h.Namespaces...)
		} else {
			h.Namespaces = append(h.Namespaces, ns)
		}
	}
	return hosts, problems
}

// translator builds one model namespace from one dump.
type translator struct {
	d        *nsDump
	byIndex  map[int]*link
	ifaces   map[int]*model.Interface
	peerRef  func(link) string
	problems []Problem
}

func newTranslator(d *nsDump, peerRef func(link) string) *translator {
	t := &translator{d: d, byIndex: map[int]*link{}, ifaces: map[int]*model.Interface{}, peerRef: peerRef}
	for i := range d.Links {
		t.byIndex[d.Links[i].Index] = &d.Links[i]
	}
	return t
}

func (t *translator) problem(format string, args ...any) {
	t.problems = append(t.problems, problemf(t.d.Name, format, args...))
}

// src is where an object came from: "netlink (netns qrouter-x link 7)".
func (t *translator) src(what string) model.Source {
	return model.Source{File: "netlink", What: nsLabel(t.d.Name) + " " + what}
}

// devName names ifindex idx in this namespace.
func (t *translator) devName(idx int) string {
	if l := t.byIndex[idx]; l != nil {
		return l.Name
	}
	return "if" + strconv.Itoa(idx)
}

func (t *translator) namespace(name string) *model.Namespace {
	ns := &model.Namespace{Name: name, Kind: model.NSNamed, Source: model.Source{File: "netlink", What: nsLabel(t.d.Name)}}
	if name == model.RootName {
		ns.Kind = model.NSRoot
	}
	for _, l := range t.d.Links {
		i := t.iface(l)
		t.ifaces[l.Index] = i
		ns.AddInterface(i)
	}
	for _, a := range t.d.Addrs {
		if p, ok := addrPrefix(a); ok && t.ifaces[a.LinkIndex] != nil {
			i := t.ifaces[a.LinkIndex]
			i.Addrs = append(i.Addrs, p)
		}
	}
	for _, l := range t.d.Links {
		if l.Type == "bridge" {
			t.ifaces[l.Index].Bridge.FDB = t.fdb(l)
		}
	}
	ns.IPForward = t.sysInt(sysIPForward) != 0
	ns.BridgeNFCallIptables = t.sysInt(sysBridgeNF) != 0
	t.routes(ns)
	t.rules(ns)
	t.neighbors(ns)
	t.netfilter(ns)
	return ns
}

// iface converts one link; addresses and FDB come later.
func (t *translator) iface(l link) *model.Interface {
	i := &model.Interface{Name: l.Name, MTU: l.MTU, Down: !l.Up, Source: t.src("link " + strconv.Itoa(l.Index))}
	i.Kind, i.LinkType = t.kind(l)
	if hw, err := net.ParseMAC(l.MAC); err == nil && len(hw) == 6 {
		copy(i.MAC[:], hw)
	}
	master := t.byIndex[l.MasterIndex]
	if master != nil && master.Type == "bridge" {
		// Only a Linux bridge is a master in the model; a bond's or a vrf's
		// slave, or an OVS port (master ovs-system), has none.
		i.MasterName = master.Name
	}
	switch i.Kind {
	case model.IfVeth:
		i.PeerRef = t.peerRef(l)
	case model.IfBridge:
		i.Bridge = &model.LinuxBridge{VLANFiltering: l.VLANFilter}
	}
	if l.Type == "bridge" && l.VLANFilter || master != nil && master.Type == "bridge" && master.VLANFilter {
		i.PortVLAN = portVLAN(t.d.VLANs[int32(l.Index)])
	}
	i.ProxyARP = t.sysInt(confPath("all", "proxy_arp")) != 0 || t.sysInt(confPath(l.Name, "proxy_arp")) != 0
	i.RPFilter = max(t.sysInt(confPath("all", "rp_filter")), t.sysInt(confPath(l.Name, "rp_filter")))
	return i
}

// kind maps a kernel link kind to the model's; LinkType names the ones the
// model does not simulate.
func (t *translator) kind(l link) (model.IfKind, string) {
	switch {
	case l.EncapType == "loopback":
		return model.IfLoopback, ""
	case l.Type == "veth":
		return model.IfVeth, ""
	case l.Type == "tuntap" && l.Tap:
		return model.IfTap, ""
	case l.Type == "tuntap":
		return model.IfOther, "tun"
	case l.Type == "bridge":
		return model.IfBridge, ""
	case l.Type == "openvswitch" && !t.isOVSDatapath(l):
		return model.IfOVSInternal, ""
	case l.Type == "dummy":
		return model.IfDummy, ""
	case l.Type == "device" && l.EncapType == "ether":
		return model.IfPhysical, ""
	case l.Type == "device" && l.EncapType != "":
		return model.IfOther, l.EncapType
	}
	return model.IfOther, l.Type
}

// isOVSDatapath tells the kernel datapath device (ovs-system, the master of
// the bridges' system ports) from the internal ports that share its kind.
func (t *translator) isOVSDatapath(l link) bool {
	if l.Name == "ovs-system" {
		return true
	}
	for _, o := range t.d.Links {
		if o.MasterIndex == l.Index {
			return true
		}
	}
	return false
}

// portVLAN is a bridge port's (or the bridge's own) VLAN membership. A port
// of a vlan-filtering bridge that the kernel lists with no VLANs gets an
// empty PortVLAN, which drops everything, as the kernel does.
func portVLAN(infos []*nl.BridgeVlanInfo) *model.PortVLAN {
	pv := &model.PortVLAN{}
	var from uint16
	for _, v := range infos {
		lo, hi := v.Vid, v.Vid
		switch {
		case v.Flags&nl.BRIDGE_VLAN_INFO_RANGE_BEGIN != 0:
			from = v.Vid
			continue
		case v.Flags&nl.BRIDGE_VLAN_INFO_RANGE_END != 0:
			lo = from
		}
		for vid := lo; vid <= hi && vid != 0; vid++ {
			if v.Flags&nl.BRIDGE_VLAN_INFO_PVID != 0 {
				pv.PVID = vid
			}
			if v.Flags&nl.BRIDGE_VLAN_INFO_UNTAGGED != 0 {
				pv.Untagged = append(pv.Untagged, vid)
			} else {
				pv.Tagged = append(pv.Tagged, vid)
			}
		}
	}
	return pv
}

// fdb is bridge br's forwarding database, by this rule:
//
//   - only rows of br's own table (NDA_MASTER is br, not NTF_SELF: those are
//     a port device's own address lists), and not on br itself;
//   - static rows (NUD_NOARP: `bridge fdb add ... master static`, what the
//     lab writes) are kept with Static set;
//   - learned rows (reachable, stale, ...) are kept with Static unset: they
//     are where the kernel has seen each MAC;
//   - permanent rows (NUD_PERMANENT, "local") for the bridge's or a port's
//     own MAC are the kernel's bookkeeping and left out; any other permanent
//     row (`bridge fdb add` without `static` makes one) sends frames up to
//     the bridge's own stack, not out of the port, which the model cannot
//     express: it is a Problem and left out.
func (t *translator) fdb(br link) []*model.FDBEntry {
	own := map[string]bool{br.MAC: true}
	for _, l := range t.d.Links {
		if l.MasterIndex == br.Index {
			own[l.MAC] = true
		}
	}
	var out []*model.FDBEntry
	for k, n := range t.d.FDB {
		port := t.byIndex[n.LinkIndex]
		if n.MasterIndex != br.Index || n.Flags&netlink.NTF_SELF != 0 || n.LinkIndex == br.Index || port == nil || len(n.HardwareAddr) != 6 {
			continue
		}
		e := &model.FDBEntry{Port: port.Name, VLAN: uint16(n.Vlan), Source: t.src(fmt.Sprintf("fdb %d", k))}
		copy(e.MAC[:], n.HardwareAddr)
		switch {
		case n.State&netlink.NUD_PERMANENT != 0:
			if !own[n.HardwareAddr.String()] {
				t.problem("bridge %s: permanent (local) FDB entry %s on %s delivers frames to the bridge itself; the model cannot express that, left out (use `static` for a forwarding entry)",
					br.Name, e.MAC, port.Name)
			}
			continue
		case n.State&netlink.NUD_NOARP != 0:
			e.Static = true
		}
		out = append(out, e)
	}
	return out
}

// addrPrefix converts an address: IPv4, and IPv6 of global scope (link-local
// and host-scope ones tell the model nothing).
func addrPrefix(a netlink.Addr) (netip.Prefix, bool) {
	if a.IPNet == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ip = ip.Unmap()
	if ip.Is6() && (a.Scope != unix.RT_SCOPE_UNIVERSE || ip.IsLinkLocalUnicast()) {
		return netip.Prefix{}, false
	}
	ones, _ := a.Mask.Size()
	return netip.PrefixFrom(ip, ones), true
}

// sysInt reads an integer sysctl from the dump; 0 when absent.
func (t *translator) sysInt(path string) int {
	n, _ := strconv.Atoi(t.d.Sysctls[path])
	return n
}

// netfilter parses the iptables and ipset text. A ruleset that does not
// parse leaves the namespace without a firewall in the model, which the
// Problem says.
func (t *translator) netfilter(ns *model.Namespace) {
	for _, w := range t.d.IptablesWarnings {
		t.problem("iptables: %s", w)
	}
	if t.d.Iptables != "" {
		rs, err := netfilter.Parse(t.d.Iptables)
		if err != nil {
			t.problem("iptables-save: %v; no iptables rules imported, the model sees no firewall here", err)
		} else {
			ns.Netfilter = rs
			ns.NetfilterSource = model.Source{File: "iptables-save (" + nsLabel(t.d.Name) + ")"}
		}
	}
	if t.d.IPSets != "" {
		sets, err := netfilter.ParseIPSets(t.d.IPSets)
		if err != nil {
			t.problem("ipset save: %v; no sets imported", err)
		} else {
			ns.IPSets = sets
		}
	}
}
