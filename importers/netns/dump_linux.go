package netns

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// nsDump is one namespace as the kernel reported it: what netlink returned,
// the sysctls read under /proc/sys, and the iptables and ipset text. It is
// the input of translate and what testdata fixtures record, so it keeps
// netlink's own types except for Link, an interface, which becomes link.
type nsDump struct {
	Name     string // the `ip netns` name; "" for the root namespace
	Links    []link
	Addrs    []netlink.Addr                 // all families; translate keeps IPv4 and global IPv6
	Routes   []netlink.Route                // IPv4, every table
	Rules    []netlink.Rule                 // IPv4, with the action in Type (see ruleList)
	Neighs   []netlink.Neigh                // IPv4 (ARP)
	FDB      []netlink.Neigh                // AF_BRIDGE: bridge forwarding databases and ports' own address lists
	VLANs    map[int32][]*nl.BridgeVlanInfo // ifindex -> VLANs, as `bridge vlan show`
	Sysctls  map[string]string              // path under /proc/sys -> value; absent when the file is
	NetNsIDs map[int]string                 // netnsid, as this namespace numbers the others -> their `ip netns` name

	Iptables         string // iptables-save text, "" for none
	IptablesWarnings []string
	IPSets           string // ipset save text, "" for none
}

// link is the part of a netlink.Link that translate reads.
type link struct {
	Index       int
	Name        string
	Type        string // netlink's Link.Type(): "veth", "bridge", "device", "tuntap", "openvswitch", "vxlan", ...
	EncapType   string // "ether", "loopback", ... (for Type "device")
	MAC         string
	MTU         int
	Up          bool // IFF_UP: administratively up
	MasterIndex int
	ParentIndex int  // IFLA_LINK; for a veth its peer's ifindex, in the namespace NetNsID names
	NetNsID     int  // IFLA_LINK_NETNSID; -1 when the link's other end lives in this namespace
	Tap         bool // a tuntap in tap mode
	VLANFilter  bool // a bridge with vlan_filtering on
}

func linkOf(l netlink.Link) link {
	a := l.Attrs()
	out := link{
		Index: a.Index, Name: a.Name, Type: l.Type(), EncapType: a.EncapType, MTU: a.MTU,
		Up: a.Flags&unix.IFF_UP != 0, MasterIndex: a.MasterIndex, ParentIndex: a.ParentIndex, NetNsID: a.NetNsID,
	}
	if len(a.HardwareAddr) > 0 {
		out.MAC = a.HardwareAddr.String()
	}
	switch l := l.(type) {
	case *netlink.Tuntap:
		out.Tap = l.Mode == netlink.TUNTAP_MODE_TAP
	case *netlink.Bridge:
		out.VLANFilter = l.VlanFiltering != nil && *l.VlanFiltering
	}
	return out
}

// dumpNetlink is the netlink half of an nsDump (no sysctls, nsids,
// iptables); rules come through rs, a socket in the same namespace.
func dumpNetlink(h *netlink.Handle, rs *nl.NetlinkSocket, name string) (*nsDump, error) {
	d := &nsDump{Name: name}
	links, err := retry(h.LinkList)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	for _, l := range links {
		d.Links = append(d.Links, linkOf(l))
	}
	if d.Addrs, err = retry(func() ([]netlink.Addr, error) { return h.AddrList(nil, netlink.FAMILY_ALL) }); err != nil {
		return nil, fmt.Errorf("addresses: %w", err)
	}
	if d.Routes, err = retry(func() ([]netlink.Route, error) {
		return h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	}); err != nil {
		return nil, fmt.Errorf("routes: %w", err)
	}
	if d.Rules, err = retry(func() ([]netlink.Rule, error) { return ruleList(rs) }); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if d.Neighs, err = retry(func() ([]netlink.Neigh, error) { return h.NeighList(0, netlink.FAMILY_V4) }); err != nil {
		return nil, fmt.Errorf("neighbours: %w", err)
	}
	if d.FDB, err = retry(func() ([]netlink.Neigh, error) { return h.NeighList(0, unix.AF_BRIDGE) }); err != nil {
		return nil, fmt.Errorf("bridge fdb: %w", err)
	}
	if d.VLANs, err = retry(h.BridgeVlanList); err != nil {
		return nil, fmt.Errorf("bridge vlans: %w", err)
	}
	return d, nil
}

// dumpTries bounds the retries of a dump the kernel interrupted because the
// table changed while it was read.
const dumpTries = 5

func retry[T any](dump func() (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for range dumpTries {
		if v, err = dump(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			return v, err
		}
	}
	return v, fmt.Errorf("%w, %d times in a row", err, dumpTries)
}
