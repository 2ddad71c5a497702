package trace

import (
	"fmt"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// logicalPort finds an OVN logical switch port by name or UUID.
func (e *Engine) logicalPort(s string) *ovn.SwitchPort {
	if e.Topo.OVN == nil {
		return nil
	}
	return e.Topo.OVN.Port(s)
}

// logicalPortAt is the one VIF whose addresses hold a, when no host
// model's interface does.
func (e *Engine) logicalPortAt(a netip.Addr) *ovn.SwitchPort {
	if e.Topo.OVN == nil {
		return nil
	}
	for _, p := range e.Topo.OVN.PortsWithIP(a) {
		if p.Type == ovn.PortVIF {
			return p
		}
	}
	return nil
}

// lspAddr is a logical port's first IP address.
func lspAddr(p *ovn.SwitchPort) (netip.Addr, bool) {
	for _, a := range p.Addresses {
		if len(a.IPs) > 0 {
			return a.IPs[0].Addr(), true
		}
	}
	return netip.Addr{}, false
}

// logicalMACs fills in the first frame's MACs for a packet a logical
// port's VM sends: its own MAC, and the MAC of whoever answers its ARP:
// the destination itself on the same subnet, else its gateway, the router
// port whose network holds the source.
func (e *Engine) logicalMACs(lsp *ovn.SwitchPort, p *Packet) error {
	if p.SrcMAC.IsZero() {
		for _, a := range lsp.Addresses {
			if prefixesHave(a.IPs, p.Src) || len(a.IPs) == 0 && a.MAC != (ovn.MAC{}) {
				p.SrcMAC = model.MAC(a.MAC)
				break
			}
		}
		if p.SrcMAC.IsZero() && len(lsp.Addresses) > 0 {
			p.SrcMAC = model.MAC(lsp.Addresses[0].MAC) // the VM's NIC, whatever source it claims
		}
		if p.SrcMAC.IsZero() {
			return fmt.Errorf("logical port %s has no MAC: give --src-mac", lsp.Name)
		}
	}
	if !p.DstMAC.IsZero() {
		return nil
	}
	ask := p.Dst
	var gw *ovn.RouterPort
	for _, sp := range lsp.Switch.Ports {
		if rp := sp.RouterPort; rp != nil {
			if n, ok := rp.Network(p.Src); ok {
				if n.Contains(p.Dst) {
					gw = nil
					break
				}
				gw = rp
			}
		}
	}
	if gw != nil {
		n, _ := gw.Network(p.Src)
		ask = n.Addr()
	}
	mac, _, ok := e.ovnOwner(lsp.Switch, ask, "", false)
	if !ok {
		return fmt.Errorf("no port of logical switch %s answers ARP for %s: give --dst-mac", lsp.Switch.Name, ask)
	}
	p.DstMAC = mac
	return nil
}
