package importers

import (
	"fmt"

	"github.com/hopscope/hopscope/model"
)

// placeOVS says where ovs's system ports live on h and reports the ports
// whose netdev is nowhere. A userspace vswitchd started inside a namespace
// (as `lab up` starts one) opens its devices there, so the home is the
// namespace holding the most of the bridges' and system ports' names as
// devices; the root namespace wins a tie. A system port with no netdev in
// its home (deleted under OVS, or ofport -1) becomes type other, so a trace
// reaching it says UNSUPPORTED instead of the whole snapshot failing.
func placeOVS(h *model.Host, ovs *model.OVS) []string {
	var names []string
	for _, b := range ovs.Bridges {
		names = append(names, b.Name)
		for _, p := range b.Ports {
			if p.Type == model.OVSSystem {
				names = append(names, p.Name)
			}
		}
	}
	home, best := h.Root(), -1
	for _, ns := range h.Namespaces {
		n := 0
		for _, name := range names {
			if ns.Interface(name) != nil {
				n++
			}
		}
		if n > best || (n == best && ns.Kind == model.NSRoot) {
			home, best = ns, n
		}
	}
	var notes []string
	if home.Kind != model.NSRoot {
		ovs.NetNS = home.Name
		notes = append(notes, fmt.Sprintf("OVS's system ports are in namespace %s (a vswitchd started there)", home.Name))
	}
	for _, b := range ovs.Bridges {
		for _, p := range b.Ports {
			if p.Type == model.OVSSystem && home.Interface(p.Name) == nil {
				p.Type, p.RawType = model.OVSOther, "system (no netdev)"
				notes = append(notes, fmt.Sprintf("OVS port %s on %s: no device %s in %s: not simulated", p.Name, b.Name, p.Name, home.Ref()))
			}
		}
	}
	return notes
}
