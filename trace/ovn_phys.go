package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// GeneveOVN is the option OVN puts in its Geneve header between chassis
// (class 0x102, type 0x80): the tunnel keys of the logical ingress and
// egress ports; the VNI is the logical datapath's tunnel key.
type GeneveOVN struct {
	InPort  int    `json:"in_port"`
	OutPort int    `json:"out_port"`
	InName  string `json:"in_name,omitempty"`
	OutName string `json:"out_name,omitempty"`
}

func (g *GeneveOVN) String() string {
	return fmt.Sprintf("class 0x102 type 0x80: logical inport %d (%s) -> outport %d (%s)", g.InPort, g.InName, g.OutPort, g.OutName)
}

// geneveOf is the option for a move from in to out in datapath dp.
func (e *Engine) geneveOf(dp, in, out int) *GeneveOVN {
	g := &GeneveOVN{InPort: in, OutPort: out}
	g.InName, g.OutName = portKeyName(e.Topo.OVN.PortByKey(dp, in)), portKeyName(e.Topo.OVN.PortByKey(dp, out))
	return g
}

func portKeyName(x any) string {
	switch p := x.(type) {
	case *ovn.SwitchPort:
		return p.Name
	case *ovn.RouterPort:
		return p.Name
	}
	return "?"
}

// toChassis carries p from chassis from to chassis to, where the pipeline
// goes on in datapath dp towards port out: through the hosts' br-int and
// underlay when the model has the sending host and its Geneve port to the
// receiver, else as one tunnel hop between the chassis' encap addresses.
func (r *run) toChassis(c *cur, from, to string, dp, in, out int, p Packet) {
	db := r.e.Topo.OVN
	p.lct, p.lctLost = 0, p.lct != 0
	g := r.e.geneveOf(dp, in, out)
	src, dst := encapIP(db.ChassisNamed(from)), encapIP(db.ChassisNamed(to))
	if t := geneveTo(r.e.chassisHost(from), dst); t != nil {
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: &PortDetail{Port: t.Name, Peer: "chassis " + to}, Object: t,
			Why: fmt.Sprintf("to chassis %s, where port %s lives: out of br-int's Geneve port %s", to, g.OutName, t.Name)})
		r.encap(c, t, p, tunMeta{id: uint64(dp), ovn: g})
		return
	}
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: &PortDetail{Port: "geneve", Peer: "chassis " + to},
		Why: fmt.Sprintf("to chassis %s, where port %s lives, over Geneve", to, g.OutName)})
	if !r.enter(c, NodeRef{Kind: NodeTunnel, Host: from, Name: "geneve to " + to, Role: "geneve"}, p) {
		return
	}
	c.tr.add(Step{Kind: EnterPort, Action: Received, Why: "from chassis " + from + "'s logical pipeline", Detail: &PortDetail{Port: "geneve"}})
	d := &EncapDetail{Type: "geneve", Key: uint64(dp), OuterDst: addrText(dst), DstPort: 6081, Option: g.String(), Inner: innerText(p)}
	if src.IsValid() {
		d.OuterSrc = src.String()
	}
	c.tr.add(Step{Kind: Encap, Action: Encapsulated, Detail: d,
		Why: fmt.Sprintf("geneve encapsulation, VNI %d (the datapath's tunnel key): outer %s > %s, option %s", dp, addrText(src), addrText(dst), g)})
	c.tr.add(Step{Kind: Decap, Action: Decapsulated, Detail: d,
		Why: fmt.Sprintf("chassis %s unwraps it (the model has no underlay between the chassis, so the outer packet's path is not traced)", to)})
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: &PortDetail{Port: "geneve"}, Why: "into chassis " + to + "'s logical pipeline"})
	r.ovnArrive(c, to, dp, in, out, p)
}

func encapIP(c *ovn.Chassis) netip.Addr {
	if c == nil {
		return netip.Addr{}
	}
	for _, e := range c.Encaps {
		if e.Type == "geneve" {
			return e.IP
		}
	}
	return netip.Addr{}
}

func addrText(a netip.Addr) string {
	if a.IsValid() {
		return a.String()
	}
	return "(unknown: no Encap row)"
}

// geneveTo is h's br-int Geneve port to remote, as ovn-controller creates one per chassis.
func geneveTo(h *model.Host, remote netip.Addr) *model.OVSPort {
	if h == nil || h.OVS == nil || !remote.IsValid() {
		return nil
	}
	b := h.OVS.Bridge("br-int")
	if b == nil {
		return nil
	}
	for _, p := range b.Ports {
		if p.Type == model.OVSGeneve && optAddr(p, "remote_ip") == remote {
			return p
		}
	}
	return nil
}

// ovnArrive goes on with the pipeline on chassis ch after a Geneve move:
// a switch's egress pipeline for the output port, or a router's egress
// for its gateway port.
func (r *run) ovnArrive(c *cur, ch string, dp, in, out int, p Packet) {
	db := r.e.Topo.OVN
	switch x := db.Datapath(dp).(type) {
	case *ovn.Switch:
		op, _ := db.PortByKey(dp, out).(*ovn.SwitchPort)
		ip, _ := db.PortByKey(dp, in).(*ovn.SwitchPort)
		if op == nil {
			break
		}
		if !r.enter(c, lsNode(x, ch), p) {
			return
		}
		c.tr.add(Step{Kind: EnterPort, Action: Received, Detail: r.lsDetail(x, "egress", "ls_out_pre_acl", op.Name, ch),
			Why: fmt.Sprintf("logical switch %s's egress pipeline for port %s, on chassis %s", named(x.Name, x.Row), op.Name, ch)})
		if ip == nil {
			ip = op
		}
		r.lsOut(c, ip, op, p, ch)
		return
	case *ovn.Router:
		op, _ := db.PortByKey(dp, out).(*ovn.RouterPort)
		if op == nil {
			break
		}
		if !r.enter(c, lrNode(x, ch), p) {
			return
		}
		c.tr.add(Step{Kind: EnterPort, Action: Received, Detail: r.lrDetail(x, "egress", "lr_out_undnat", "cr-"+op.Name, ch),
			Why: fmt.Sprintf("logical router %s's egress for gateway port %s (chassisredirect cr-%s), on gateway chassis %s", named(x.Name, x.Row), op.Name, op.Name, ch)})
		r.lrOut(c, x, op, p, ch)
		return
	}
	r.finish(c, Dropped, Step{Kind: Decap, Action: DroppedAction,
		Why: fmt.Sprintf("no logical datapath has tunnel key %d with port key %d: the receiving chassis drops it", dp, out)}, p)
}

// vifOut hands the packet to the VM or container behind logical port out:
// through its br-int port on the chassis's host model, else it ends there.
func (r *run) vifOut(c *cur, out *ovn.SwitchPort, p Packet, ch string) {
	if port := brIntPort(r.e.chassisHost(ch), "iface-id", out.Name); port != nil {
		r.portOut(c, port, p, p, tunMeta{})
		return
	}
	c.tr.endLSP = out
	r.finish(c, Delivered, Step{Kind: Deliver, Action: DeliveredAction, Detail: r.lsDetail(out.Switch, "egress", "output", out.Name, ch),
		Why: fmt.Sprintf("output to logical port %s%s", named(out.Name, out.Row), onChassis(ch))}, p)
}

// localnetOut puts the packet on the physical network behind a localnet
// port: through the chassis's br-int patch port to the provider bridge,
// else it leaves the model there.
func (r *run) localnetOut(c *cur, out *ovn.SwitchPort, p Packet, ch string) {
	if port := brIntPort(r.e.chassisHost(ch), "ovn-localnet-port", out.Name); port != nil {
		r.portOut(c, port, p, p, tunMeta{})
		return
	}
	net := out.Options["network_name"]
	if h := r.e.macHome(out.Switch, p.DstMAC); ch != "" && h.port != nil && !h.everywhere && h.chassis != "" && h.chassis != ch {
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: r.lsDetail(out.Switch, "egress", "output", out.Name, ch),
			Why: fmt.Sprintf("out of localnet port %s onto physical network %q on chassis %s; with no host model for it, the model takes %q to be one L2 network joining the chassis: the frame for %s reaches chassis %s, where port %s takes it",
				out.Name, net, ch, net, p.DstMAC, h.chassis, h.port.Name)})
		p.lct = 0
		r.lsIn(c, out, p, h.chassis)
		return
	}
	c.tr.endLSP = out
	r.finish(c, Exited, Step{Kind: Deliver, Action: ExitedAction, Detail: r.lsDetail(out.Switch, "egress", "output", out.Name, ch),
		Why: fmt.Sprintf("out of localnet port %s onto physical network %q%s", out.Name, net, onChassis(ch))}, p)
}

// ovnFromBrInt hands a frame that entered br-int to OVN: a VIF's or a
// localnet patch port's frame enters its logical switch; a Geneve frame
// goes on where the sending chassis left off.
func (r *run) ovnFromBrInt(c *cur, in *model.OVSPort, p Packet, tun tunMeta) bool {
	db := r.e.Topo.OVN
	ch := hostChassis(in.Bridge.Host)
	if db == nil || ch == "" || in.Bridge.Name != "br-int" {
		return false
	}
	if tun.ovn != nil {
		c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: &PortDetail{Port: in.Name},
			Why: fmt.Sprintf("ovn-controller's flows read the VNI (datapath %d) and the Geneve option (%s)", tun.id, tun.ovn)})
		r.ovnArrive(c, ch, int(tun.id), tun.ovn.InPort, tun.ovn.OutPort, p)
		return true
	}
	lsp := ovnPortOf(in)
	if lsp == nil {
		id := in.ExternalIDs["iface-id"]
		if id == "" {
			return false
		}
		r.finish(c, Dropped, Step{Kind: OVSFlow, Action: DroppedAction, Object: in,
			Why: fmt.Sprintf("iface-id %q names no logical switch port: ovn-controller installs no flows for port %s", id, in.Name)}, p)
		return true
	}
	c.tr.add(Step{Kind: ExitPort, Action: Forwarded, Detail: &PortDetail{Port: in.Name, Peer: "logical port " + lsp.Name},
		Why: fmt.Sprintf("ovn-controller's flows hand the frame to logical port %s (chassis %s runs the logical pipeline)", named(lsp.Name, lsp.Row), ch)})
	r.lsIn(c, lsp, p, ch)
	return true
}

// hostChassis is the chassis host h runs, if any: the Chassis whose name
// or hostname is the host's name.
func hostChassis(h *model.Host) string {
	db := h.Topo.OVN
	if db == nil {
		return ""
	}
	if c := db.ChassisNamed(h.Name); c != nil {
		return c.Name
	}
	return ""
}

// ovnPortOf is the logical port an integration bridge port stands for: a
// VIF's iface-id, or the localnet port ovn-controller patched in.
func ovnPortOf(p *model.OVSPort) *ovn.SwitchPort {
	db := p.Bridge.Host.Topo.OVN
	if db == nil || p.Bridge.Name != "br-int" {
		return nil
	}
	for _, k := range []string{"iface-id", "ovn-localnet-port"} {
		if n := p.ExternalIDs[k]; n != "" {
			return db.Port(n)
		}
	}
	return nil
}

// ovnOwner is who in logical switch sw answers ARP for ip: a VIF with the
// address, a router port, or a router's NAT address. physical says the
// request came from the physical network through a localnet port on
// chassis ch, where only what is resident on ch answers.
func (e *Engine) ovnOwner(sw *ovn.Switch, ip netip.Addr, ch string, physical bool) (model.MAC, string, bool) {
	db := e.Topo.OVN
	for _, p := range db.PortsWithIP(ip) {
		if p.Switch != sw || (physical && p.Chassis != ch) {
			continue
		}
		for _, a := range p.Addresses {
			if prefixesHave(a.IPs, ip) {
				return model.MAC(a.MAC), "logical port " + p.Name, true
			}
		}
	}
	for _, sp := range sw.Ports {
		rp := sp.RouterPort
		if rp == nil {
			continue
		}
		resident := !physical || !rp.IsGateway() || rp.ActiveChassis() == ch
		for _, n := range rp.Networks {
			if n.Addr() == ip && resident {
				return model.MAC(rp.MAC), "router port " + rp.Name, true
			}
		}
		for _, n := range rp.Router.NAT {
			if n.Disabled || n.ExternalIP != ip || !natApplies(rp.Router, rp) {
				continue
			}
			if n.HasExternalMAC && n.LogicalPort != "" {
				if lp := db.Port(n.LogicalPort); !physical || lp != nil && lp.Chassis == ch {
					return model.MAC(n.ExternalMAC), fmt.Sprintf("router %s for floating IP %s (port %s)", rp.Router.Name, ip, n.LogicalPort), true
				}
				continue
			}
			if resident {
				return model.MAC(rp.MAC), fmt.Sprintf("router port %s for NAT address %s", rp.Name, ip), true
			}
		}
	}
	return model.MAC{}, "", false
}

// ovnHasMAC reports whether a frame for m entering sw (on chassis ch, from
// the physical network when physical) is taken by a logical port there.
func (e *Engine) ovnHasMAC(sw *ovn.Switch, m model.MAC, ch string, physical bool) bool {
	h := e.macHome(sw, m)
	return h.port != nil && (!physical || h.everywhere || h.chassis == ch)
}

// macHome is where frames for a MAC go in a logical switch: the port that
// takes them and the chassis where it does (is_chassis_resident): a VIF's
// chassis, a distributed gateway port's gateway chassis, a distributed
// floating IP's VM's chassis (fip is then set); everywhere for a router
// port every chassis has.
type macHome struct {
	port       *ovn.SwitchPort
	chassis    string
	everywhere bool
	fip        *ovn.NAT
}

func (e *Engine) macHome(sw *ovn.Switch, m model.MAC) macHome {
	db := e.Topo.OVN
	if p := db.PortWithMAC(sw, ovn.MAC(m)); p != nil {
		switch rp := p.RouterPort; {
		case rp == nil:
			return macHome{port: p, chassis: p.Chassis}
		case rp.IsGateway():
			return macHome{port: p, chassis: rp.ActiveChassis()}
		default:
			return macHome{port: p, everywhere: true}
		}
	}
	for _, sp := range sw.Ports {
		if rp := sp.RouterPort; rp != nil && rp.IsGateway() {
			if n := fipByMAC(rp.Router, m); n != nil {
				h := macHome{port: sp, fip: n}
				if lp := db.Port(n.LogicalPort); lp != nil {
					h.chassis = lp.Chassis
				}
				return h
			}
		}
	}
	return macHome{}
}

// physicalARP resolves ip on the physical network behind sw's localnet
// port, from the host model of chassis ch (or any chassis with one).
func (r *run) physicalARP(sw *ovn.Switch, ip netip.Addr, ch string) (model.MAC, string, bool) {
	for _, lp := range sw.Ports {
		if lp.Type != ovn.PortLocalnet {
			continue
		}
		hosts := []*model.Host{r.e.chassisHost(ch)}
		if ch == "" {
			hosts = r.e.Topo.Hosts
		}
		for _, h := range hosts {
			if port := brIntPort(h, "ovn-localnet-port", lp.Name); port != nil {
				if mac, _, who, ok := r.e.arpFrom([]l2Key{{op: opOVSOut, port: port}}, nil, ip); ok {
					return mac, who, true
				}
			}
		}
	}
	return model.MAC{}, "", false
}
