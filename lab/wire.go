package lab

import (
	"fmt"
	"strings"

	"github.com/hopscope/hopscope/model"
)

// maxIfName is IFNAMSIZ less its terminating NUL.
const maxIfName = 15

// home is where device i lives in the lab and what it is called there: an
// OVS system port's netdev moves into its host's OVS namespace, because a
// userspace vswitchd only reaches devices in its own namespace.
func (p *Plan) home(i *model.Interface) (*Space, string) {
	if o := i.OVSPort; o != nil && o.Type == model.OVSSystem && i.Kind != model.IfOVSInternal {
		if s := p.ovsOf[i.NS.Host]; s != nil {
			p.ovsDev[o] = i.Name
			return s, i.Name
		}
	}
	return p.byNS[i.NS], i.Name
}

// iface creates device i (and the other end of its wire) and configures it.
func (p *Plan) iface(i *model.Interface, wired map[*model.Interface]bool) {
	s, name := p.home(i)
	if len(name) > maxIfName {
		p.bad = append(p.bad, fmt.Errorf("%s: interface %s: the name %q is longer than the kernel's %d characters", i.Source, i.Ref(), name, maxIfName))
		return
	}
	switch i.Kind {
	case model.IfLoopback:
		s.Settings = append(s.Settings, "link set "+name+" up")
		for _, a := range i.Addrs {
			if a.String() != "127.0.0.1/8" && a.String() != "::1/128" {
				s.Settings = append(s.Settings, fmt.Sprintf("addr add %s dev %s", a, name))
			}
		}
		return
	case model.IfBridge:
		vf := ""
		if i.Bridge != nil && i.Bridge.VLANFiltering {
			vf = " vlan_filtering 1"
		}
		s.Links = append(s.Links, "link add "+name+" type bridge"+vf)
		p.bridge(s, i)
	case model.IfDummy:
		p.dummy(s, i, "a dummy")
	case model.IfOVSInternal:
		if !p.internal(s, i) {
			return
		}
	case model.IfOther:
		p.note("%s is a %s device: not realised", i.Ref(), i.LinkType)
		return
	default: // veth, tap, nic, physical
		if !p.wire(s, i, wired) {
			return
		}
	}
	p.settings(s, name, i)
}

// wire creates the veth that stands for i's link: to its peer, or into its
// segment's bridge. A tap becomes a veth (nothing here runs the guest).
func (p *Plan) wire(s *Space, i *model.Interface, wired map[*model.Interface]bool) bool {
	if wired[i] {
		return true // made with its peer; settings still apply
	}
	if i.Kind == model.IfTap {
		p.note("tap %s realised as a veth", i.Ref())
	}
	switch {
	case i.Peer != nil:
		ps, pname := p.home(i.Peer)
		if ps == nil {
			p.note("%s: peer %s is not realised", i.Ref(), i.Peer.Ref())
			return false
		}
		wired[i], wired[i.Peer] = true, true
		s.Links = append(s.Links, fmt.Sprintf("link add %s type veth peer name %s netns %s", i.Name, pname, ps.Name))
		s.Veths = append(s.Veths, i.Name)
		ps.Veths = append(ps.Veths, pname)
	case i.Segment != nil:
		seg := p.bySeg[i.Segment]
		port := p.segPort(seg)
		wired[i] = true
		s.Links = append(s.Links, fmt.Sprintf("link add %s type veth peer name %s netns %s", i.Name, port, seg.Name))
		s.Veths = append(s.Veths, i.Name)
		seg.Veths = append(seg.Veths, port)
		seg.Settings = append(seg.Settings, "link set "+port+" master "+segBridge, "link set "+port+" up")
	default:
		p.dummy(s, i, "wired to nothing")
	}
	return true
}

// dummy realises a device with addresses and no wire as a veth whose other
// end stays idle in the same namespace: not every kernel has the dummy driver.
func (p *Plan) dummy(s *Space, i *model.Interface, what string) {
	s.spares++
	spare := fmt.Sprintf("hsidle%d", s.spares)
	s.Links = append(s.Links, fmt.Sprintf("link add %s type veth peer name %s", i.Name, spare))
	s.Settings = append(s.Settings, "link set "+spare+" up")
	p.note("%s is %s: realised as a veth with an idle end %s", i.Ref(), what, spare)
}

// internal realises an OVS internal port that lives in a namespace as a
// veth pair: one end there, the other a system port of the bridge.
func (p *Plan) internal(s *Space, i *model.Interface) bool {
	o := i.OVSPort
	ovs := p.ovsOf[i.NS.Host]
	if o == nil || ovs == nil {
		p.dummy(s, i, "an internal port of no OVS bridge")
		return true
	}
	dev := o.Name
	if i.NS.Host.OVS.Bridge(o.Name) != nil {
		// The bridge's own local port already holds the name in the OVS namespace.
		dev = "l-" + o.Name[:min(len(o.Name), 13)]
	}
	p.ovsDev[o] = dev
	s.Links = append(s.Links, fmt.Sprintf("link add %s type veth peer name %s netns %s", i.Name, dev, ovs.Name))
	s.Veths = append(s.Veths, i.Name)
	ovs.Veths = append(ovs.Veths, dev)
	ovs.Settings = append(ovs.Settings, "link set "+dev+" up")
	p.note("OVS internal port %s realised as a veth pair %s <-> %s in the vswitchd namespace", i.Ref(), i.Name, dev)
	return true
}

// settings gives a created device its MAC, MTU, addresses, master, state
// and per-device sysctls.
func (p *Plan) settings(s *Space, name string, i *model.Interface) {
	if !i.MAC.IsZero() {
		s.Settings = append(s.Settings, "link set "+name+" address "+i.MAC.String())
	}
	if i.MTU > 0 {
		s.Settings = append(s.Settings, fmt.Sprintf("link set %s mtu %d", name, i.MTU))
	}
	for _, a := range i.Addrs {
		if !a.Addr().Is6() || !a.Addr().IsLinkLocalUnicast() {
			s.Settings = append(s.Settings, fmt.Sprintf("addr add %s dev %s", a, name))
		}
	}
	if i.Master != nil && i.Master.NS == i.NS {
		s.Settings = append(s.Settings, "link set "+name+" master "+i.Master.Name)
		if v := i.PortVLAN; v != nil && i.Master.Bridge != nil && i.Master.Bridge.VLANFiltering {
			p.portVLAN(s, name, v)
		}
	}
	if !i.Down {
		s.Settings = append(s.Settings, "link set "+name+" up")
	}
	key := "net/ipv4/conf/" + name + "/"
	s.Sysctls = append(s.Sysctls, key+"proxy_arp="+bit(i.ProxyARP), fmt.Sprintf("%srp_filter=%d", key, i.RPFilter))
}

// bridge adds a Linux bridge's static FDB rows.
func (p *Plan) bridge(s *Space, br *model.Interface) {
	if br.Bridge == nil {
		return
	}
	for _, f := range br.Bridge.FDB {
		line := fmt.Sprintf("fdb replace %s dev %s master static", f.MAC, f.Port)
		if f.VLAN != 0 {
			line += fmt.Sprintf(" vlan %d", f.VLAN)
		}
		s.Bridge = append(s.Bridge, line)
	}
}

// portVLAN replaces a bridge port's default PVID 1 with the model's VLANs.
func (p *Plan) portVLAN(s *Space, name string, v *model.PortVLAN) {
	s.Bridge = append(s.Bridge, "vlan del dev "+name+" vid 1")
	add := func(vid uint16, flags ...string) {
		s.Bridge = append(s.Bridge, strings.TrimSpace(fmt.Sprintf("vlan add dev %s vid %d %s", name, vid, strings.Join(flags, " "))))
	}
	for _, t := range v.Tagged {
		add(t)
	}
	for _, u := range v.Untagged {
		if u == v.PVID {
			add(u, "pvid", "untagged")
		} else {
			add(u, "untagged")
		}
	}
	if v.PVID != 0 && !v.Allows(v.PVID) {
		add(v.PVID, "pvid")
	}
}
