package scenarios

// The raw structs mirror the YAML one to one (see decode.go for the tag
// options). They hold text as written; build.go turns them into the model
// and reports values it cannot read at the field's position.

type rawScenario struct {
	Loc         loc            `yaml:",loc"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Segments    []*rawSegment  `yaml:"segments,named"`
	Hosts       []*rawHost     `yaml:"hosts,named"`
	Endpoints   []*rawEndpoint `yaml:"endpoints,named"`
	OVN         *rawOVN        `yaml:"ovn"`
	Checks      []*rawCheck    `yaml:"checks"`
	Explain     []*rawExplain  `yaml:"explain"`
}

type rawSegment struct {
	Loc        loc      `yaml:",loc"`
	Name       string   `yaml:",name"`
	Prefixes   []string `yaml:"prefixes"`
	Gateway    string   `yaml:"gateway"`
	GatewayMAC string   `yaml:"gateway-mac"`
	Upstream   []string `yaml:"upstream"`
}

type rawHost struct {
	Loc        loc             `yaml:",loc"`
	Name       string          `yaml:",name"`
	Namespaces []*rawNamespace `yaml:"namespaces,named"`
	OVS        *rawOVS         `yaml:"ovs"`
}

// rawNamespace is one network namespace of a host.
type rawNamespace struct {
	Loc        loc             `yaml:",loc"`
	Name       string          `yaml:",name"`
	Sysctls    []*rawSysctl    `yaml:"sysctls,named"`
	Interfaces []*rawInterface `yaml:"interfaces"`
	Routes     text            `yaml:"routes"`
	Rules      text            `yaml:"rules"`
	Neighbors  text            `yaml:"neighbors"`
	Iptables   text            `yaml:"iptables"`
	IPSets     text            `yaml:"ipsets"`
}

type rawSysctl struct {
	Loc   loc    `yaml:",loc"`
	Name  string `yaml:",name"`
	Value string `yaml:",value"`
}

type rawInterface struct {
	Loc           loc       `yaml:",loc"`
	Name          string    `yaml:"name,required"`
	Kind          string    `yaml:"kind,required"`
	LinkType      string    `yaml:"link-type"`
	MAC           string    `yaml:"mac"`
	MTU           int       `yaml:"mtu"`
	Addresses     []string  `yaml:"addresses"`
	Down          bool      `yaml:"down"`
	Segment       string    `yaml:"segment"`
	Peer          string    `yaml:"peer"`
	Master        string    `yaml:"master"`
	ProxyARP      bool      `yaml:"proxy-arp"`
	RPFilter      int       `yaml:"rp-filter"`
	VLANFiltering bool      `yaml:"vlan-filtering"`
	FDB           []*rawFDB `yaml:"fdb"`
	VLAN          *rawVLAN  `yaml:"vlan"`
}

type rawFDB struct {
	Loc     loc    `yaml:",loc"`
	MAC     string `yaml:"mac,required"`
	Port    string `yaml:"port,required"`
	VLAN    int    `yaml:"vlan"`
	Learned bool   `yaml:"learned"` // a dynamic row a live import saw, not a static one
}

type rawVLAN struct {
	Loc      loc   `yaml:",loc"`
	PVID     int   `yaml:"pvid"`
	Untagged []int `yaml:"untagged"`
	Tagged   []int `yaml:"tagged"`
}

type rawOVS struct {
	Loc     loc             `yaml:",loc"`
	Bridges []*rawOVSBridge `yaml:"bridges,named"`
	NetNS   string          `yaml:"netns"`
}

type rawOVSBridge struct {
	Loc          loc           `yaml:",loc"`
	Name         string        `yaml:",name"`
	FailMode     string        `yaml:"fail-mode"`
	DatapathType string        `yaml:"datapath-type"`
	Ports        []*rawOVSPort `yaml:"ports"`
	Flows        text          `yaml:"flows"`
	FDB          text          `yaml:"fdb"`
}

type rawOVSPort struct {
	Loc         loc               `yaml:",loc"`
	Name        string            `yaml:"name,required"`
	OFPort      int               `yaml:"ofport"`
	Tag         int               `yaml:"tag"`
	Trunks      []int             `yaml:"trunks"`
	VLANMode    string            `yaml:"vlan-mode"`
	Type        string            `yaml:"type"`
	RawType     string            `yaml:"raw-type"`
	Peer        string            `yaml:"peer"`
	Options     map[string]string `yaml:"options"`
	ExternalIDs map[string]string `yaml:"external-ids"`
}

type rawEndpoint struct {
	Loc         loc          `yaml:",loc"`
	Name        string       `yaml:",name"`
	Kind        string       `yaml:"kind,required"`
	Description string       `yaml:"description"`
	Host        string       `yaml:"host"`
	Interface   *rawNIC      `yaml:"interface"`
	Routes      text         `yaml:"routes"`
	Rules       text         `yaml:"rules"`
	Neighbors   text         `yaml:"neighbors"`
	Iptables    text         `yaml:"iptables"`
	IPSets      text         `yaml:"ipsets"`
	Sysctls     []*rawSysctl `yaml:"sysctls,named"`
	Namespace   string       `yaml:"namespace"`
	NIC         string       `yaml:"nic"`
	Address     string       `yaml:"address"`
	Segment     string       `yaml:"segment"`
}

type rawNIC struct {
	Loc       loc      `yaml:",loc"`
	Name      string   `yaml:"name,required"`
	MAC       string   `yaml:"mac"`
	Addresses []string `yaml:"addresses"`
	Link      string   `yaml:"link"`
	MTU       int      `yaml:"mtu"`
}

type rawCheck struct {
	Loc     loc           `yaml:",loc"`
	Name    string        `yaml:"name,required"`
	From    string        `yaml:"from,required"`
	To      string        `yaml:"to,required"`
	Proto   string        `yaml:"proto"`
	SPort   int           `yaml:"sport"`
	DPort   int           `yaml:"dport"`
	SrcIP   string        `yaml:"src-ip"`
	Reply   bool          `yaml:"reply"`
	Disable []*rawRuleRef `yaml:"disable"`
	Expect  *rawExpect    `yaml:"expect,required"`
}

type rawRuleRef struct {
	Loc   loc    `yaml:",loc"`
	NS    string `yaml:"ns,required"`
	Table string `yaml:"table,required"`
	Rule  string `yaml:"rule,required"`
}

type rawExpect struct {
	Loc         loc      `yaml:",loc"`
	Disposition string   `yaml:"disposition,required"`
	Via         []string `yaml:"via"`
	Src         string   `yaml:"src"`
	Dst         string   `yaml:"dst"`
	DecidedBy   string   `yaml:"decided-by"`
}

type rawExplain struct {
	Loc  loc    `yaml:",loc"`
	Node string `yaml:"node"`
	Step string `yaml:"step"`
	Text string `yaml:"text,required"`
}
