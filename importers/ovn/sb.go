package ovn

import (
	"github.com/hopscope/hopscope/model/ovn"
)

// applySB adds what the southbound database (read from source) knows: the chassis and their
// encapsulations, each datapath's and port's tunnel key, and the chassis a
// switch port is bound to.
//
// Southbound rows with no northbound counterpart are left out: a
// chassisredirect port ("cr-lrp-..."), or a datapath northd has not yet
// removed. A northbound object northd has not yet reached keeps tunnel key
// 0.
func (b *builder) applySB(t sbTables, source string) error {
	b.db.HasSB, b.sbSource = true, source
	encaps := map[string]SBEncap{}
	for _, e := range t.Encaps {
		encaps[e.UUID] = e
	}
	chassisName := map[string]string{}
	for _, r := range t.Chassis {
		ref := row{tChassis, r.Name, r.UUID}
		ch := &ovn.Chassis{Row: base(b.sbSource, tChassis, r.UUID, r.ExternalIDs), Name: r.Name, Hostname: r.Hostname}
		es, err := lookup(ref, "encaps", r.Encaps, encaps)
		if err != nil {
			return err
		}
		for _, e := range es {
			ip, err := ovn.ParseIP(e.IP)
			if err != nil {
				return row{tEncap, "", e.UUID}.err("ip", err)
			}
			ch.Encaps = append(ch.Encaps, ovn.Encap{Type: e.Type, IP: ip})
		}
		chassisName[r.UUID] = r.Name
		b.db.Chassis = append(b.db.Chassis, ch)
	}
	for _, r := range t.Datapaths {
		if s, ok := b.switches[r.ExternalIDs["logical-switch"]]; ok {
			s.TunnelKey = r.TunnelKey
		}
		if rt, ok := b.routers[r.ExternalIDs["logical-router"]]; ok {
			rt.TunnelKey = r.TunnelKey
		}
	}
	for _, r := range t.Bindings {
		switch p := b.portsByName[r.LogicalPort].(type) {
		case *ovn.SwitchPort:
			p.TunnelKey = r.TunnelKey
			if r.Chassis != nil {
				name, ok := chassisName[*r.Chassis]
				if !ok {
					return row{tBinding, r.LogicalPort, r.UUID}.errf("chassis", "%s is not a row of %s", *r.Chassis, tChassis)
				}
				p.Chassis = name
			}
		case *ovn.RouterPort:
			p.TunnelKey = r.TunnelKey
		}
	}
	return nil
}
