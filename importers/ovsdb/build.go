package ovsdb

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hopscope/hopscope/model"
)

// BondInterfacesOption is the Options key under which a bond port lists its
// interfaces, comma-separated and sorted ("eth1,eth2").
//
// The model gives each OVSPort a single interface. A Port row with several
// interfaces is a bond; rather than drop it or pick one member, it becomes
// one OVSPort of type OVSOther with RawType "bond", so a trace reaching it
// ends UNSUPPORTED and names what it is. Its member interfaces' own options
// and external_ids are not copied: only the port's external_ids are.
const BondInterfacesOption = "interfaces"

// sourceFile is the Source.File of everything read from OVSDB.
const sourceFile = "ovsdb"

// build translates one read of the tables into the model: the bridges the
// root row lists, sorted by name, each with its ports sorted by name. A
// reference to a row that is not there is an error: the read was not
// consistent or the input was edited by hand.
func build(t tables) (*model.OVS, error) {
	bridges := index(t.Bridges, func(b Bridge) string { return b.UUID })
	ports := index(t.Ports, func(p Port) string { return p.UUID })
	ifaces := index(t.Interfaces, func(i Interface) string { return i.UUID })

	ovs := &model.OVS{}
	seen := map[string]bool{}
	for _, root := range t.Root {
		for _, id := range root.Bridges {
			if seen[id] {
				continue
			}
			seen[id] = true
			br, ok := bridges[id]
			if !ok {
				return nil, fmt.Errorf("%s %s: bridge %s is not in the Bridge table", tableRoot, root.UUID, id)
			}
			b, err := buildBridge(br, ports, ifaces)
			if err != nil {
				return nil, err
			}
			ovs.Bridges = append(ovs.Bridges, b)
		}
	}
	slices.SortFunc(ovs.Bridges, func(a, b *model.OVSBridge) int { return strings.Compare(a.Name, b.Name) })
	return ovs, nil
}

func buildBridge(br Bridge, ports map[string]Port, ifaces map[string]Interface) (*model.OVSBridge, error) {
	b := &model.OVSBridge{
		Name:         br.Name,
		FailMode:     deref(br.FailMode),
		DatapathType: br.DatapathType,
		Source:       source(tableBridge, br.UUID),
	}
	for _, id := range br.Ports {
		pr, ok := ports[id]
		if !ok {
			return nil, fmt.Errorf("%s %s (%s): port %s is not in the Port table", tableBridge, br.UUID, br.Name, id)
		}
		p, err := buildPort(pr, ifaces)
		if err != nil {
			return nil, err
		}
		b.Ports = append(b.Ports, p)
	}
	slices.SortFunc(b.Ports, func(a, b *model.OVSPort) int { return strings.Compare(a.Name, b.Name) })
	return b, nil
}

func buildPort(pr Port, ifaces map[string]Interface) (*model.OVSPort, error) {
	where := fmt.Sprintf("%s %s (%s)", tablePort, pr.UUID, pr.Name)
	p := &model.OVSPort{
		Name:     pr.Name,
		VLANMode: deref(pr.VLANMode),
		Source:   source(tablePort, pr.UUID),
	}
	if pr.Tag != nil {
		tag, err := vlan(*pr.Tag)
		if err != nil {
			return nil, fmt.Errorf("%s: tag: %w", where, err)
		}
		p.Tag = tag
	}
	for _, v := range pr.Trunks {
		tag, err := vlan(v)
		if err != nil {
			return nil, fmt.Errorf("%s: trunks: %w", where, err)
		}
		p.Trunks = append(p.Trunks, tag)
	}
	slices.Sort(p.Trunks) // an OVSDB set has no order

	members := make([]Interface, 0, len(pr.Interfaces))
	for _, id := range pr.Interfaces {
		in, ok := ifaces[id]
		if !ok {
			return nil, fmt.Errorf("%s: interface %s is not in the Interface table", where, id)
		}
		members = append(members, in)
	}
	switch len(members) {
	case 0:
		return nil, fmt.Errorf("%s: no interfaces (the schema requires at least one)", where)
	case 1:
		in := members[0]
		p.Type, p.RawType = portType(in.Type)
		p.OFPort = ofport(in.OFPort)
		p.Options = nonEmpty(maps.Clone(in.Options))
		p.ExternalIDs = merge(pr.ExternalIDs, in.ExternalIDs)
		if p.Type == model.OVSPatch {
			p.PeerName = in.Options["peer"]
		}
	default:
		names := make([]string, len(members))
		for i, in := range members {
			names[i] = in.Name
		}
		slices.Sort(names)
		p.Type, p.RawType = model.OVSOther, "bond"
		p.Options = map[string]string{BondInterfacesOption: strings.Join(names, ",")}
		p.ExternalIDs = merge(pr.ExternalIDs, nil)
	}
	return p, nil
}

// portType maps an Interface type; one the model does not know is kept as
// OVSOther with its raw name, never dropped.
func portType(s string) (model.OVSPortType, string) {
	t, err := model.ParseOVSPortType(s)
	if err != nil || t == model.OVSOther {
		return model.OVSOther, s
	}
	return t, ""
}

// ofport is the OpenFlow port number; unset (no ovs-vswitchd yet) and -1
// (the interface failed to attach) are both 0, "none".
func ofport(n *int) int {
	if n == nil || *n < 0 {
		return 0
	}
	return *n
}

func vlan(v int) (uint16, error) {
	if v < 0 || v > 4095 {
		return 0, fmt.Errorf("VLAN %d out of range 0-4095", v)
	}
	return uint16(v), nil
}

// merge joins a port's and its interface's external_ids; the interface wins.
func merge(port, iface map[string]string) map[string]string {
	out := maps.Clone(port)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, iface)
	return nonEmpty(out)
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func source(table, uuid string) model.Source {
	return model.Source{File: sourceFile, What: table + " " + uuid}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func index[T any](rows []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(rows))
	for _, r := range rows {
		m[key(r)] = r
	}
	return m
}
