package trace

// StepDetail is the stage-specific part of a step: one struct per kind.
type StepDetail interface{ stepDetail() }

var (
	_ StepDetail = (*PortDetail)(nil)
	_ StepDetail = (*NetfilterDetail)(nil)
	_ StepDetail = (*ConntrackDetail)(nil)
	_ StepDetail = (*RouteDetail)(nil)
	_ StepDetail = (*NeighborDetail)(nil)
	_ StepDetail = (*FDBDetail)(nil)
	_ StepDetail = (*FlowDetail)(nil)
	_ StepDetail = (*EncapDetail)(nil)
	_ StepDetail = (*OVNDetail)(nil)
)

// PortDetail: which port a packet came in or went out of, and what is on its other side.
type PortDetail struct {
	Port string `json:"port"`
	Peer string `json:"peer,omitempty"`
	VLAN uint16 `json:"vlan,omitempty"`
	// OpenFlow is the packet as an OpenFlow pipeline starts on it, in
	// ofproto/trace's flow syntax, so the same question can be put to a
	// live switch: ovs-appctl ofproto/trace BRIDGE 'OPENFLOW'.
	OpenFlow string `json:"openflow,omitempty"`
}

// NetfilterDetail: one table's walk at one hook.
type NetfilterDetail struct {
	Hook    string    `json:"hook"`
	Table   string    `json:"table"`
	Chain   string    `json:"chain"` // the chain whose rule or policy decided
	Verdict string    `json:"verdict"`
	Policy  bool      `json:"policy,omitempty"`
	Hits    []RuleHit `json:"hits,omitempty"`
	Bridged bool      `json:"bridged,omitempty"` // br_netfilter: a bridged frame
}

// RuleHit is one rule that matched along the walk.
type RuleHit struct {
	Chain  string `json:"chain"`
	Num    int    `json:"num"`
	Rule   string `json:"rule"`
	Effect string `json:"effect"`
	Object any    `json:"-"` // the *netfilter.Rule, for a what-if (see Toggle)
}

// ConntrackDetail: the connection-tracking state of the packet in one namespace.
type ConntrackDetail struct {
	State string `json:"state"`
	Zone  uint16 `json:"zone,omitempty"`
	Entry string `json:"entry,omitempty"`
}

// RouteDetail: the ip rules consulted and the route chosen.
type RouteDetail struct {
	Rules   []string `json:"rules,omitempty"` // the rules that matched, in order
	Table   string   `json:"table,omitempty"`
	Route   string   `json:"route,omitempty"`
	Gateway string   `json:"gateway,omitempty"`
	Dev     string   `json:"dev,omitempty"`
	Local   bool     `json:"local,omitempty"`
}

// NeighborDetail: how the next hop's MAC was found, or why not.
type NeighborDetail struct {
	IP       string `json:"ip"`
	Dev      string `json:"dev"`
	MAC      string `json:"mac,omitempty"`
	How      string `json:"how"` // static, arp, proxy-arp, gateway, unreachable
	Answerer string `json:"answerer,omitempty"`
	Evidence string `json:"evidence,omitempty"` // an imported cache entry shown, not trusted
}

// FDBDetail: a bridge's forwarding decision.
type FDBDetail struct {
	Bridge string   `json:"bridge"`
	MAC    string   `json:"mac"`
	VLAN   uint16   `json:"vlan,omitempty"`
	Ports  []string `json:"ports"`
	How    string   `json:"how"` // static, learned, flood, local
}

// FlowDetail: the OpenFlow flow that decided a step.
type FlowDetail struct {
	Bridge   string `json:"bridge"`
	Table    int    `json:"table"`
	Priority int    `json:"priority"` // -1: no flow matched
	Cookie   string `json:"cookie,omitempty"`
	Match    string `json:"match,omitempty"`
	Actions  string `json:"actions,omitempty"`
}

// EncapDetail: the headers a tunnel port added or removed.
type EncapDetail struct {
	Type     string `json:"type"`
	Key      uint64 `json:"key"`
	OuterSrc string `json:"outer_src,omitempty"`
	OuterDst string `json:"outer_dst"`
	DstPort  uint16 `json:"dst_port,omitempty"` // UDP port; 0 for GRE
	Option   string `json:"option,omitempty"`   // Geneve option carried (OVN: class 0x102)
	Inner    string `json:"inner"`
}

// OVNDetail: one stage of an OVN logical pipeline and the northbound row
// that decided it.
type OVNDetail struct {
	Datapath      string `json:"datapath"`          // the logical switch or router
	Pipeline      string `json:"pipeline"`          // ingress or egress
	Stage         string `json:"stage"`             // as northd names its tables: ls_in_acl, lr_in_ip_routing, ...
	Port          string `json:"port,omitempty"`    // the logical port in or out
	Chassis       string `json:"chassis,omitempty"` // where this part of the pipeline runs
	Row           string `json:"row,omitempty"`     // the NB row: "ACL <uuid>", "NAT <uuid>", ...
	Name          string `json:"name,omitempty"`    // the row's name (ACL name, Neutron name)
	PortGroup     string `json:"port_group,omitempty"`
	SecurityGroup string `json:"security_group,omitempty"` // external_ids neutron:security_group_id
	// ChassisBound says why this decision depends on the chassis the
	// pipeline runs on, where one logical pipeline for all chassis (as
	// ovn-trace sees it) would decide otherwise: a NAT done on another
	// chassis, a ct_state lost over Geneve.
	ChassisBound string `json:"chassis_bound,omitempty"`
}

func (*OVNDetail) stepDetail()       {}
func (*PortDetail) stepDetail()      {}
func (*FlowDetail) stepDetail()      {}
func (*EncapDetail) stepDetail()     {}
func (*NetfilterDetail) stepDetail() {}
func (*ConntrackDetail) stepDetail() {}
func (*RouteDetail) stepDetail()     {}
func (*NeighborDetail) stepDetail()  {}
func (*FDBDetail) stepDetail()       {}
