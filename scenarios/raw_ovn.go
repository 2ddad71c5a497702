package scenarios

// The ovn: section, as written: OVN's northbound tables (and the southbound
// facts a scenario may pin: chassis, tunnel keys, port bindings) with their
// column names in kebab case. build_ovn.go turns it into an *ovn.DB.

type rawOVN struct {
	Loc           loc                `yaml:",loc"`
	Chassis       []*rawChassis      `yaml:"chassis,named"`
	AddressSets   []*rawAddressSet   `yaml:"address-sets,named"`
	LoadBalancers []*rawLoadBalancer `yaml:"load-balancers,named"`
	PortGroups    []*rawPortGroup    `yaml:"port-groups,named"`
	Switches      []*rawSwitch       `yaml:"switches,named"`
	Routers       []*rawRouter       `yaml:"routers,named"`
}

type rawChassis struct {
	Loc         loc               `yaml:",loc"`
	Name        string            `yaml:",name"`
	Hostname    string            `yaml:"hostname"`
	Encaps      []string          `yaml:"encaps"` // "TYPE IP"
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawAddressSet struct {
	Loc       loc      `yaml:",loc"`
	Name      string   `yaml:",name"`
	Addresses []string `yaml:",value"`
}

type rawLoadBalancer struct {
	Loc         loc               `yaml:",loc"`
	Name        string            `yaml:",name"`
	Protocol    string            `yaml:"protocol"`
	VIPs        []*rawVIP         `yaml:"vips,named"` // named, not a map, to keep the file's order and each line
	Options     map[string]string `yaml:"options"`
	ExternalIDs map[string]string `yaml:"external-ids"`
}

// rawVIP is one vips entry: "IP[:PORT]": "IP[:PORT],...".
type rawVIP struct {
	Loc      loc    `yaml:",loc"`
	VIP      string `yaml:",name"`
	Backends string `yaml:",value"`
}

type rawPortGroup struct {
	Loc         loc               `yaml:",loc"`
	Name        string            `yaml:",name"`
	ExternalIDs map[string]string `yaml:"external-ids"`
	Ports       []string          `yaml:"ports"`
	ACLs        []*rawACL         `yaml:"acls"`
}

type rawACL struct {
	Loc         loc               `yaml:",loc"`
	Direction   string            `yaml:"direction,required"`
	Priority    int               `yaml:"priority,required"`
	Match       string            `yaml:"match,required"`
	Action      string            `yaml:"action,required"`
	Name        string            `yaml:"name"`
	Tier        int               `yaml:"tier"`
	Label       int               `yaml:"label"`
	Log         bool              `yaml:"log"`
	Options     map[string]string `yaml:"options"`
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawSwitch struct {
	Loc           loc               `yaml:",loc"`
	Name          string            `yaml:",name"`
	ExternalIDs   map[string]string `yaml:"external-ids"`
	TunnelKey     int               `yaml:"tunnel-key"`
	OtherConfig   map[string]string `yaml:"other-config"`
	LoadBalancers []string          `yaml:"load-balancers"`
	ACLs          []*rawACL         `yaml:"acls"`
	Ports         []*rawSwitchPort  `yaml:"ports,named"`
}

type rawSwitchPort struct {
	Loc          loc               `yaml:",loc"`
	Name         string            `yaml:",name"`
	Type         string            `yaml:"type"`
	Addresses    []string          `yaml:"addresses"`
	DynamicAddrs string            `yaml:"dynamic-addresses"` // "MAC [IP...]" northd allocated for the dynamic entry
	PortSecurity []string          `yaml:"port-security"`
	Options      map[string]string `yaml:"options"`
	Enabled      *bool             `yaml:"enabled"` // nil: true, as OVN reads an empty column
	Chassis      string            `yaml:"chassis"`
	TunnelKey    int               `yaml:"tunnel-key"`
	ExternalIDs  map[string]string `yaml:"external-ids"`
}

type rawRouter struct {
	Loc           loc               `yaml:",loc"`
	Name          string            `yaml:",name"`
	ExternalIDs   map[string]string `yaml:"external-ids"`
	TunnelKey     int               `yaml:"tunnel-key"`
	Options       map[string]string `yaml:"options"`
	LoadBalancers []string          `yaml:"load-balancers"`
	Ports         []*rawRouterPort  `yaml:"ports,named"`
	Routes        []*rawRoute       `yaml:"routes"`
	Policies      []*rawPolicy      `yaml:"policies"`
	NAT           []*rawNAT         `yaml:"nat"`
}

type rawRouterPort struct {
	Loc            loc               `yaml:",loc"`
	Name           string            `yaml:",name"`
	MAC            string            `yaml:"mac,required"`
	Networks       []string          `yaml:"networks,required"`
	Peer           string            `yaml:"peer"`
	GatewayChassis []string          `yaml:"gateway-chassis"` // "CHASSIS[:PRIORITY]", highest first
	HAChassisGroup *rawHAGroup       `yaml:"ha-chassis-group"`
	Options        map[string]string `yaml:"options"`
	TunnelKey      int               `yaml:"tunnel-key"`
	ExternalIDs    map[string]string `yaml:"external-ids"`
}

type rawHAGroup struct {
	Loc         loc               `yaml:",loc"`
	Name        string            `yaml:"name,required"`
	Members     []string          `yaml:"members,required"` // as gateway-chassis
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawRoute struct {
	Loc         loc               `yaml:",loc"`
	Prefix      string            `yaml:"prefix,required"`
	Nexthop     string            `yaml:"nexthop,required"`
	OutputPort  string            `yaml:"output-port"`
	Policy      string            `yaml:"policy"`
	RouteTable  string            `yaml:"route-table"`
	Options     map[string]string `yaml:"options"`
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawPolicy struct {
	Loc         loc               `yaml:",loc"`
	Priority    int               `yaml:"priority,required"`
	Match       string            `yaml:"match,required"`
	Action      string            `yaml:"action,required"`
	Nexthops    []string          `yaml:"nexthops"`
	Options     map[string]string `yaml:"options"`
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawNAT struct {
	Loc               loc               `yaml:",loc"`
	Type              string            `yaml:"type,required"`
	ExternalIP        string            `yaml:"external-ip,required"`
	LogicalIP         string            `yaml:"logical-ip,required"`
	LogicalPort       string            `yaml:"logical-port"`
	ExternalMAC       string            `yaml:"external-mac"`
	ExternalPortRange string            `yaml:"external-port-range"`
	Options           map[string]string `yaml:"options"`
	ExternalIDs       map[string]string `yaml:"external-ids"`
}
