package lab

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"

	"github.com/hopscope/hopscope/model"
)

// ovs plans host h's bridges for a private ovs-vswitchd with the userspace
// datapath: bridges, system ports (the devices home() moved into the OVS
// namespace), internal ports as veths, patch pairs, tags and trunks.
func (p *Plan) ovs(h *model.Host) {
	s := p.ovsOf[h]
	if s == nil {
		return
	}
	o := &OVSPlan{Host: h.Name, Netns: s.Name, Dir: filepath.Join(p.dir(), h.Name+"-ovs")}
	p.OVSDirs = append(p.OVSDirs, o.Dir)
	for _, b := range h.OVS.Bridges {
		o.Bridge = append(o.Bridge, b.Name)
		br := []string{"add-br", b.Name, "--", "set", "bridge", b.Name, "datapath_type=netdev"}
		if local := b.Port(b.Name); local != nil && local.Iface != nil {
			// A veth stands in for the local port and carries its MAC;
			// the vswitchd's own tap must not claim that MAC too.
			br = append(br, "other-config:hwaddr="+labMAC(p.Prefix, h.Name, b.Name))
		}
		o.Vsctl = append(o.Vsctl, br)
		switch {
		case b.Flows != nil:
			var text strings.Builder
			for _, f := range b.Flows.All() {
				text.WriteString(f.String() + "\n")
			}
			o.Flows = append(o.Flows, BridgeFlows{Bridge: b.Name, Text: text.String()})
		case b.FailMode == "secure":
			p.note("OVS bridge %s:%s: fail-mode secure with no flows is realised as NORMAL, as the model traces it", h.Name, b.Name)
		}
		for _, port := range b.Ports {
			if args := p.ovsPort(b, port); args != nil {
				o.Vsctl = append(o.Vsctl, args)
			}
		}
	}
	p.OVS = append(p.OVS, o)
}

func (p *Plan) ovsPort(b *model.OVSBridge, o *model.OVSPort) []string {
	var name string
	var ifaceSet []string
	switch o.Type {
	case model.OVSPatch:
		name = o.Name
		ifaceSet = []string{"type=patch", "options:peer=" + o.PeerName}
	case model.OVSSystem, model.OVSInternalPort:
		if o.Name == b.Name && o.Iface == nil {
			return nil // the bridge's own local port, with nothing configured on it
		}
		name = p.ovsDev[o]
		if name == "" {
			p.note("OVS port %s: its netdev is not realised", o.Ref())
			return nil
		}
	case model.OVSVXLAN, model.OVSGeneve, model.OVSGRE:
		// A userspace datapath sends tunnel packets only through addresses
		// on its own bridges (ovs/route), not through the lab's underlay
		// veths and namespaces: an overlay between lab hosts is not carried.
		p.note("OVS %s port %s is not realised: the userspace datapath cannot carry a tunnel over the lab's underlay, so traffic between lab hosts through it is not probed", o.Type, o.Ref())
		return nil
	default:
		p.note("OVS %s port %s is not realised", cmp.Or(o.RawType, o.Type.String()), o.Ref())
		return nil
	}
	args := []string{"add-port", b.Name, name}
	var portSet []string
	if o.Tag != 0 {
		portSet = append(portSet, fmt.Sprintf("tag=%d", o.Tag))
	}
	if len(o.Trunks) > 0 {
		t := make([]string, len(o.Trunks))
		for k, v := range o.Trunks {
			t[k] = fmt.Sprint(v)
		}
		portSet = append(portSet, "trunks="+strings.Join(t, ","))
	}
	if o.VLANMode != "" {
		portSet = append(portSet, "vlan_mode="+o.VLANMode)
	}
	if o.OFPort > 0 {
		ifaceSet = append(ifaceSet, fmt.Sprintf("ofport_request=%d", o.OFPort))
	}
	if len(portSet) > 0 {
		args = append(append(args, "--", "set", "port", name), portSet...)
	}
	if len(ifaceSet) > 0 {
		args = append(append(args, "--", "set", "interface", name), ifaceSet...)
	}
	return args
}

// labMAC is a stable locally administered MAC for a device the lab adds.
func labMAC(parts ...string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(parts, "/")))
	v := h.Sum32()
	return fmt.Sprintf("02:68:73:%02x:%02x:%02x", byte(v>>16), byte(v>>8), byte(v))
}
