package ui

import (
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/model/ovn"
)

// addOVN lists OVN's logical switches with their ports (a VIF is a From;
// its address a To) and its routers with their ports, routes and NAT.
func addOVN(root *tview.TreeNode, db *ovn.DB, add func(*tview.TreeNode, string, any) *tview.TreeNode) {
	on := add(root, "ovn", nil)
	for _, sw := range db.Switches {
		sn := add(on, "logical switch "+withNeutron(sw.Name, sw.Row), nil)
		for _, p := range sw.Ports {
			var ips []string
			for _, a := range p.Addresses {
				ips = append(ips, a.Text)
			}
			text := fmt.Sprintf("%s (%s", withNeutron(p.Name, p.Row), portType(p))
			if p.Chassis != "" {
				text += " on " + p.Chassis
			}
			text += ") " + strings.Join(ips, ", ")
			pk := pick{from: p.Name}
			for _, a := range p.Addresses {
				if len(a.IPs) > 0 {
					pk.to = a.IPs[0].Addr().String()
					break
				}
			}
			if p.Type != ovn.PortVIF {
				pk = pick{to: pk.to}
			}
			add(sn, text, pk)
		}
	}
	for _, lr := range db.Routers {
		rn := add(on, "logical router "+withNeutron(lr.Name, lr.Row), nil)
		for _, p := range lr.Ports {
			text := fmt.Sprintf("%s %v", p.Name, p.Networks)
			if p.IsGateway() {
				text += " gateway on " + p.ActiveChassis()
			}
			var to string
			if len(p.Networks) > 0 {
				to = p.Networks[0].Addr().String()
			}
			add(rn, text, pick{to: to})
		}
		for _, rt := range lr.Routes {
			s := rt.Prefix.String() + " via " + rt.Nexthop.String()
			if rt.Policy == "src-ip" {
				s = "src-ip " + s
			}
			add(rn, "route "+s, nil)
		}
		for _, n := range lr.NAT {
			add(rn, fmt.Sprintf("%s %s <-> %s", n.Type, n.ExternalIP, n.LogicalIP), pick{to: n.ExternalIP.String()})
		}
	}
}

func withNeutron(name string, r ovn.Row) string {
	if v := r.NeutronName(); v != "" && v != name {
		return v + " " + name
	}
	return name
}

func portType(p *ovn.SwitchPort) string {
	if p.Type == ovn.PortVIF {
		return "vif"
	}
	return p.Type
}
