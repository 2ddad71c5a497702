package model

import (
	"fmt"

	"github.com/hopscope/hopscope/model/openflow"
)

// OVS is one host's Open vSwitch instance.
type OVS struct {
	Bridges []*OVSBridge
	// NetNS is the namespace the system ports' netdevs live in: a
	// userspace vswitchd started inside a namespace reaches only its
	// devices there. "" is the root namespace.
	NetNS string
}

// Bridge finds a bridge by name.
func (o *OVS) Bridge(name string) *OVSBridge {
	for _, b := range o.Bridges {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// OVSBridge is one OVS bridge. With no flow table it is a NORMAL learning switch.
type OVSBridge struct {
	Name         string
	FailMode     string
	DatapathType string
	Ports        []*OVSPort
	FlowText     string          // `ovs-ofctl dump-flows` output; "" = a NORMAL learning switch
	FlowSource   Source          // where FlowText's first line is
	Flows        *openflow.Flows // FlowText parsed; nil = NORMAL
	FDB          []OVSFDBEntry   // what NORMAL learned (fdb/show), when known
	byOFPort     map[int]*OVSPort
	Host         *Host
	Source       Source
}

// Port finds a port by name.
func (b *OVSBridge) Port(name string) *OVSPort {
	for _, p := range b.Ports {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// PortByOF finds a port by its OpenFlow port number.
func (b *OVSBridge) PortByOF(n int) *OVSPort {
	if b.byOFPort != nil {
		return b.byOFPort[n]
	}
	for _, p := range b.Ports {
		if p.OFPort == n {
			return p
		}
	}
	return nil
}

// Ref is "host:bridge".
func (b *OVSBridge) Ref() string { return b.Host.Name + ":" + b.Name }

// OVSPortType is the type of a port's interface.
type OVSPortType int

const (
	// OVSSystem attaches an existing netdev (veth, tap, NIC).
	OVSSystem OVSPortType = iota
	// OVSInternalPort is a netdev OVS creates; it may be moved into a namespace.
	OVSInternalPort
	// OVSPatch joins two bridges; Peer is the other end.
	OVSPatch
	// OVSVXLAN is a VXLAN tunnel port (traced by the OVS issue's tunnel stage).
	OVSVXLAN
	// OVSGeneve is a Geneve tunnel port.
	OVSGeneve
	// OVSGRE is a GRE tunnel port.
	OVSGRE
	// OVSOther is an interface type the model does not simulate (dpdk,
	// stt, ...); RawType names it.
	OVSOther
)

var ovsPortTypeNames = []string{"system", "internal", "patch", "vxlan", "geneve", "gre", "other"}

func (t OVSPortType) String() string { return enumName(ovsPortTypeNames, int(t)) }

// MarshalText writes the type's name.
func (t OVSPortType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ParseOVSPortType reads a type as `ovs-vsctl show` prints it ("" is system).
func ParseOVSPortType(s string) (OVSPortType, error) {
	if s == "" {
		return OVSSystem, nil
	}
	i, err := parseEnum(ovsPortTypeNames, s, "OVS interface type")
	return OVSPortType(i), err
}

// OVSPort is one port of an OVS bridge, with its single interface.
type OVSPort struct {
	Name        string
	OFPort      int
	Type        OVSPortType
	Tag         uint16   // access VLAN; 0 = none (trunk)
	Trunks      []uint16 // allowed VLANs on a trunk; empty = all
	VLANMode    string   // access, trunk, native-tagged, native-untagged; "" = implied by Tag
	PeerName    string   // patch peer port name
	Peer        *OVSPort
	Iface       *Interface // the netdev (system, internal)
	RawType     string     // the OVSDB type, for OVSOther
	Options     map[string]string
	ExternalIDs map[string]string
	Down        bool // administratively down (a what-if): no frame enters or leaves by it
	Bridge      *OVSBridge
	Source      Source
}

// Ref is "host:bridge:port".
func (p *OVSPort) Ref() string { return p.Bridge.Ref() + ":" + p.Name }

func (p *OVSPort) String() string {
	s := fmt.Sprintf("%s (%s", p.Ref(), p.Type)
	if p.Tag != 0 {
		s += fmt.Sprintf(" tag %d", p.Tag)
	}
	return s + ")"
}

// IsAccess reports whether the port is an access port (one VLAN, untagged on the wire).
func (p *OVSPort) IsAccess() bool {
	return p.VLANMode == "access" || (p.VLANMode == "" && p.Tag != 0)
}

// CarriesVLAN reports whether VLAN v may cross this port.
func (p *OVSPort) CarriesVLAN(v uint16) bool {
	if p.IsAccess() {
		return v == p.Tag
	}
	if len(p.Trunks) == 0 {
		return true
	}
	return containsU16(p.Trunks, v) || (v == p.Tag && p.VLANMode == "native-untagged")
}
