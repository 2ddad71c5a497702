package ovn

import "net/netip"

// MAC is an Ethernet address (the model package's MAC converts to it freely).
type MAC [6]byte

// Row is what every NB/SB object shares: its UUID, its external_ids (where
// Neutron writes neutron:security_group_id, neutron:network_name, ...) and
// where it came from ("vpc.yaml:42" or "OVN_Northbound ACL <uuid>").
type Row struct {
	UUID        string
	ExternalIDs map[string]string
	Source      string
}

// DB is one OVN deployment: the northbound content plus, when known, the
// southbound facts that place it on chassis.
type DB struct {
	Switches      []*Switch
	Routers       []*Router
	PortGroups    []*PortGroup
	AddressSets   []*AddressSet
	LoadBalancers []*LoadBalancer
	Chassis       []*Chassis
	// HasSB reports whether tunnel keys and bindings came from a southbound
	// database (or were written in a scenario), rather than numbered by Index.
	HasSB bool

	idx *index
}

// Switch is a Logical_Switch.
type Switch struct {
	Row
	Name          string
	Ports         []*SwitchPort
	ACLs          []*ACL
	LoadBalancers []*LoadBalancer
	OtherConfig   map[string]string
	TunnelKey     int // Datapath_Binding.tunnel_key: the Geneve VNI
}

// Port types a logical switch port can have.
const (
	PortVIF       = ""
	PortRouter    = "router"
	PortLocalnet  = "localnet"
	PortLocalport = "localport"
	PortVirtual   = "virtual"
)

// PortTypes are the types OVN's Logical_Switch_Port takes. The trace runs
// the first five; the others (external ports of SR-IOV and baremetal, VTEP
// and L2 gateways, remote ports of interconnection) end it UNSUPPORTED.
var PortTypes = []string{PortVIF, PortRouter, PortLocalnet, PortLocalport, PortVirtual, "external", "vtep", "l2gateway", "remote"}

// SwitchPort is a Logical_Switch_Port.
type SwitchPort struct {
	Row
	Name         string
	Type         string    // PortVIF, PortRouter, PortLocalnet, ...
	Addresses    []Address // the addresses column, parsed
	PortSecurity []Address // the port_security column, parsed; empty: no port security
	Options      map[string]string
	Enabled      bool // the enabled column (true when unset)
	TunnelKey    int  // Port_Binding.tunnel_key
	Chassis      string
	Switch       *Switch     // set by Index
	RouterPort   *RouterPort // for type router: options:router-port, set by Index
	Disabled     bool        // a what-if: the port is administratively down
}

// Address is one entry of a port's addresses or port_security column:
// "MAC [IP...]", "router", "unknown" or "dynamic".
type Address struct {
	MAC     MAC
	IPs     []netip.Prefix // a bare address is a /32 or /128
	Unknown bool           // "unknown": the port takes frames for any MAC
	Router  bool           // "router": the peer router port's MAC and networks
	Dynamic bool           // "dynamic": addresses northd allocates
	Text    string         // as written
}

// ACL is one row of the ACL table, attached to a switch or a port group.
type ACL struct {
	Row
	Name      string
	Direction string // "from-lport" or "to-lport"
	Priority  int
	Match     string
	Action    string // allow, allow-related, allow-stateless, drop, reject, pass
	Tier      int
	Label     int
	Log       bool
	Options   map[string]string
	Owner     string     // "switch NAME" or "port group NAME", set by Index
	PortGroup *PortGroup // nil when attached to a switch; set by Index
	Disabled  bool       // a what-if: the ACL is switched off

	expr *Expr // the parsed match, set by Index
	err  error // why expr is nil
}

// PortGroup is a Port_Group: ports and the ACLs applied to them.
type PortGroup struct {
	Row
	Name      string
	PortNames []string      // as written; Index resolves them into Ports
	Ports     []*SwitchPort // set by Index
	ACLs      []*ACL
}

// AddressSet is an Address_Set.
type AddressSet struct {
	Row
	Name      string
	Addresses []string
}

// Router is a Logical_Router.
type Router struct {
	Row
	Name          string
	Ports         []*RouterPort
	Routes        []*Route
	Policies      []*Policy
	NAT           []*NAT
	LoadBalancers []*LoadBalancer
	Options       map[string]string // options:chassis makes a gateway router
	TunnelKey     int
}

// RouterPort is a Logical_Router_Port.
type RouterPort struct {
	Row
	Name           string
	MAC            MAC
	Networks       []netip.Prefix
	Peer           string           // a directly peered router port
	GatewayChassis []GatewayChassis // by priority, highest first
	HAChassisGroup *HAChassisGroup  // an alternative to GatewayChassis
	Options        map[string]string
	TunnelKey      int
	Router         *Router     // set by Index
	SwitchPort     *SwitchPort // the switch's type=router port that points here, set by Index
	PeerPort       *RouterPort // Peer, set by Index
}

// GatewayChassis is one Gateway_Chassis row of a distributed gateway port.
type GatewayChassis struct {
	Name     string
	Chassis  string
	Priority int
}

// HAChassisGroup is an HA_Chassis_Group.
type HAChassisGroup struct {
	Row
	Name    string
	Members []GatewayChassis
}

// Route is a Logical_Router_Static_Route.
type Route struct {
	Row
	Prefix     netip.Prefix
	Nexthop    netip.Addr // invalid for a discard route
	Discard    bool       // nexthop "discard"
	OutputPort string
	Policy     string // "dst-ip" (default) or "src-ip"
	RouteTable string
	Options    map[string]string
	Disabled   bool // a what-if
}

// Policy is a Logical_Router_Policy.
type Policy struct {
	Row
	Priority int
	Match    string
	Action   string // allow, drop, reroute
	Nexthops []netip.Addr
	Options  map[string]string
	Disabled bool

	expr *Expr
	err  error
}

// NAT types.
const (
	SNAT        = "snat"
	DNAT        = "dnat"
	DNATAndSNAT = "dnat_and_snat"
)

// NAT is one NAT row of a router.
type NAT struct {
	Row
	Type              string
	ExternalIP        netip.Addr
	LogicalIP         netip.Prefix // a /32 for dnat; any prefix for snat
	LogicalPort       string       // with ExternalMAC: a distributed floating IP
	ExternalMAC       MAC
	HasExternalMAC    bool
	ExternalPortRange string
	Options           map[string]string
	Disabled          bool
}

// LoadBalancer is a Load_Balancer: VIPs and their backends.
type LoadBalancer struct {
	Row
	Name     string
	Protocol string // tcp (default), udp, sctp
	VIPs     []VIP
	Options  map[string]string
}

// VIP is one vips entry: "IP[:PORT]" -> "IP[:PORT],...".
type VIP struct {
	Addr     netip.Addr
	Port     uint16 // 0: any port
	Backends []netip.AddrPort
}

// Chassis is a southbound Chassis with its encapsulations.
type Chassis struct {
	Row
	Name     string
	Hostname string
	Encaps   []Encap
}

// Encap is one Encap row: how to reach a chassis.
type Encap struct {
	Type string // geneve, vxlan, stt
	IP   netip.Addr
}
