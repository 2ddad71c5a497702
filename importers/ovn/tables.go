package ovn

import (
	"fmt"

	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// The libovsdb models below are hand-written and minimal: each names only
// the columns the importer reads or writes (a subset of OVN 23.03's
// schemas, which libovsdb checks on connect). Column types follow
// libovsdb's mapping: an optional column (min 0, max 1) is a pointer, a set
// a slice, a map a map, a uuid reference a string.
//
// Some columns are read only to refuse what the model cannot hold, so an
// import never drops forwarding behaviour silently: load_balancer_group,
// forwarding_groups, enabled on routers and router ports, parent_name and
// tag_request, allowed_ext_ips and exempted_ext_ips.
//
// ACL.tier is not here: it exists only in schemas newer than 23.03, so it
// is read from and written into the raw rows when the server has it.

// LogicalSwitch is a row of Logical_Switch.
type LogicalSwitch struct {
	UUID              string            `ovsdb:"_uuid"`
	Name              string            `ovsdb:"name"`
	Ports             []string          `ovsdb:"ports"`
	ACLs              []string          `ovsdb:"acls"`
	LoadBalancer      []string          `ovsdb:"load_balancer"`
	LoadBalancerGroup []string          `ovsdb:"load_balancer_group"`
	ForwardingGroups  []string          `ovsdb:"forwarding_groups"`
	OtherConfig       map[string]string `ovsdb:"other_config"`
	ExternalIDs       map[string]string `ovsdb:"external_ids"`
}

// LogicalSwitchPort is a row of Logical_Switch_Port.
type LogicalSwitchPort struct {
	UUID             string            `ovsdb:"_uuid"`
	Name             string            `ovsdb:"name"`
	Type             string            `ovsdb:"type"`
	Addresses        []string          `ovsdb:"addresses"`
	DynamicAddresses *string           `ovsdb:"dynamic_addresses"`
	PortSecurity     []string          `ovsdb:"port_security"`
	Options          map[string]string `ovsdb:"options"`
	Enabled          *bool             `ovsdb:"enabled"`
	ParentName       *string           `ovsdb:"parent_name"`
	TagRequest       *int              `ovsdb:"tag_request"`
	ExternalIDs      map[string]string `ovsdb:"external_ids"`
}

// ACL is a row of ACL.
type ACL struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        *string           `ovsdb:"name"`
	Direction   string            `ovsdb:"direction"`
	Priority    int               `ovsdb:"priority"`
	Match       string            `ovsdb:"match"`
	Action      string            `ovsdb:"action"`
	Label       int               `ovsdb:"label"`
	Log         bool              `ovsdb:"log"`
	Options     map[string]string `ovsdb:"options"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// PortGroup is a row of Port_Group.
type PortGroup struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Ports       []string          `ovsdb:"ports"`
	ACLs        []string          `ovsdb:"acls"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// AddressSet is a row of Address_Set.
type AddressSet struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Addresses   []string          `ovsdb:"addresses"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// LogicalRouter is a row of Logical_Router.
type LogicalRouter struct {
	UUID              string            `ovsdb:"_uuid"`
	Name              string            `ovsdb:"name"`
	Ports             []string          `ovsdb:"ports"`
	StaticRoutes      []string          `ovsdb:"static_routes"`
	Policies          []string          `ovsdb:"policies"`
	NAT               []string          `ovsdb:"nat"`
	LoadBalancer      []string          `ovsdb:"load_balancer"`
	LoadBalancerGroup []string          `ovsdb:"load_balancer_group"`
	Enabled           *bool             `ovsdb:"enabled"`
	Options           map[string]string `ovsdb:"options"`
	ExternalIDs       map[string]string `ovsdb:"external_ids"`
}

// LogicalRouterPort is a row of Logical_Router_Port.
type LogicalRouterPort struct {
	UUID           string            `ovsdb:"_uuid"`
	Name           string            `ovsdb:"name"`
	MAC            string            `ovsdb:"mac"`
	Networks       []string          `ovsdb:"networks"`
	Peer           *string           `ovsdb:"peer"`
	GatewayChassis []string          `ovsdb:"gateway_chassis"`
	HAChassisGroup *string           `ovsdb:"ha_chassis_group"`
	Enabled        *bool             `ovsdb:"enabled"`
	Options        map[string]string `ovsdb:"options"`
	ExternalIDs    map[string]string `ovsdb:"external_ids"`
}

// LogicalRouterStaticRoute is a row of Logical_Router_Static_Route.
type LogicalRouterStaticRoute struct {
	UUID        string            `ovsdb:"_uuid"`
	IPPrefix    string            `ovsdb:"ip_prefix"`
	Nexthop     string            `ovsdb:"nexthop"`
	OutputPort  *string           `ovsdb:"output_port"`
	Policy      *string           `ovsdb:"policy"`
	RouteTable  string            `ovsdb:"route_table"`
	Options     map[string]string `ovsdb:"options"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// LogicalRouterPolicy is a row of Logical_Router_Policy.
type LogicalRouterPolicy struct {
	UUID        string            `ovsdb:"_uuid"`
	Priority    int               `ovsdb:"priority"`
	Match       string            `ovsdb:"match"`
	Action      string            `ovsdb:"action"`
	Nexthop     *string           `ovsdb:"nexthop"`
	Nexthops    []string          `ovsdb:"nexthops"`
	Options     map[string]string `ovsdb:"options"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// NAT is a row of NAT.
type NAT struct {
	UUID              string            `ovsdb:"_uuid"`
	Type              string            `ovsdb:"type"`
	ExternalIP        string            `ovsdb:"external_ip"`
	LogicalIP         string            `ovsdb:"logical_ip"`
	LogicalPort       *string           `ovsdb:"logical_port"`
	ExternalMAC       *string           `ovsdb:"external_mac"`
	ExternalPortRange string            `ovsdb:"external_port_range"`
	AllowedExtIPs     *string           `ovsdb:"allowed_ext_ips"`
	ExemptedExtIPs    *string           `ovsdb:"exempted_ext_ips"`
	Options           map[string]string `ovsdb:"options"`
	ExternalIDs       map[string]string `ovsdb:"external_ids"`
}

// LoadBalancer is a row of Load_Balancer.
type LoadBalancer struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	VIPs        map[string]string `ovsdb:"vips"`
	Protocol    *string           `ovsdb:"protocol"`
	Options     map[string]string `ovsdb:"options"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// GatewayChassis is a row of Gateway_Chassis.
type GatewayChassis struct {
	UUID        string `ovsdb:"_uuid"`
	Name        string `ovsdb:"name"`
	ChassisName string `ovsdb:"chassis_name"`
	Priority    int    `ovsdb:"priority"`
}

// HAChassisGroup is a row of HA_Chassis_Group.
type HAChassisGroup struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	HAChassis   []string          `ovsdb:"ha_chassis"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// HAChassis is a row of HA_Chassis.
type HAChassis struct {
	UUID        string `ovsdb:"_uuid"`
	ChassisName string `ovsdb:"chassis_name"`
	Priority    int    `ovsdb:"priority"`
}

// SBChassis is a row of the southbound Chassis table.
type SBChassis struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Hostname    string            `ovsdb:"hostname"`
	Encaps      []string          `ovsdb:"encaps"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// SBEncap is a row of the southbound Encap table.
type SBEncap struct {
	UUID string `ovsdb:"_uuid"`
	Type string `ovsdb:"type"`
	IP   string `ovsdb:"ip"`
}

// SBPortBinding is a row of the southbound Port_Binding table.
type SBPortBinding struct {
	UUID        string  `ovsdb:"_uuid"`
	LogicalPort string  `ovsdb:"logical_port"`
	TunnelKey   int     `ovsdb:"tunnel_key"`
	Chassis     *string `ovsdb:"chassis"`
}

// SBDatapathBinding is a row of the southbound Datapath_Binding table.
type SBDatapathBinding struct {
	UUID        string            `ovsdb:"_uuid"`
	TunnelKey   int               `ovsdb:"tunnel_key"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// Database and table names.
const (
	nbDatabase = "OVN_Northbound"
	sbDatabase = "OVN_Southbound"

	tSwitch         = "Logical_Switch"
	tSwitchPort     = "Logical_Switch_Port"
	tACL            = "ACL"
	tPortGroup      = "Port_Group"
	tAddressSet     = "Address_Set"
	tRouter         = "Logical_Router"
	tRouterPort     = "Logical_Router_Port"
	tRoute          = "Logical_Router_Static_Route"
	tPolicy         = "Logical_Router_Policy"
	tNAT            = "NAT"
	tLoadBalancer   = "Load_Balancer"
	tGatewayChassis = "Gateway_Chassis"
	tHAGroup        = "HA_Chassis_Group"
	tHAChassis      = "HA_Chassis"

	tChassis  = "Chassis"
	tEncap    = "Encap"
	tBinding  = "Port_Binding"
	tDatapath = "Datapath_Binding"
)

// nbTableOrder is the order the northbound tables are read in.
var nbTableOrder = []string{tSwitch, tSwitchPort, tACL, tPortGroup, tAddressSet, tRouter, tRouterPort,
	tRoute, tPolicy, tNAT, tLoadBalancer, tGatewayChassis, tHAGroup, tHAChassis}

var sbTableOrder = []string{tChassis, tEncap, tBinding, tDatapath}

func nbModel() (libmodel.ClientDBModel, error) {
	return libmodel.NewClientDBModel(nbDatabase, map[string]libmodel.Model{
		tSwitch: &LogicalSwitch{}, tSwitchPort: &LogicalSwitchPort{}, tACL: &ACL{},
		tPortGroup: &PortGroup{}, tAddressSet: &AddressSet{}, tRouter: &LogicalRouter{},
		tRouterPort: &LogicalRouterPort{}, tRoute: &LogicalRouterStaticRoute{},
		tPolicy: &LogicalRouterPolicy{}, tNAT: &NAT{}, tLoadBalancer: &LoadBalancer{},
		tGatewayChassis: &GatewayChassis{}, tHAGroup: &HAChassisGroup{}, tHAChassis: &HAChassis{},
	})
}

func sbModel() (libmodel.ClientDBModel, error) {
	return libmodel.NewClientDBModel(sbDatabase, map[string]libmodel.Model{
		tChassis: &SBChassis{}, tEncap: &SBEncap{}, tBinding: &SBPortBinding{}, tDatapath: &SBDatapathBinding{},
	})
}

// nbTables is one consistent read of the northbound tables. ACLTier holds
// ACL.tier by ACL uuid when the server's schema has that column.
type nbTables struct {
	Switches       []LogicalSwitch
	SwitchPorts    []LogicalSwitchPort
	ACLs           []ACL
	ACLTier        map[string]int
	PortGroups     []PortGroup
	AddressSets    []AddressSet
	Routers        []LogicalRouter
	RouterPorts    []LogicalRouterPort
	Routes         []LogicalRouterStaticRoute
	Policies       []LogicalRouterPolicy
	NATs           []NAT
	LoadBalancers  []LoadBalancer
	GatewayChassis []GatewayChassis
	HAGroups       []HAChassisGroup
	HAChassis      []HAChassis
}

// sbTables is one consistent read of the southbound tables.
type sbTables struct {
	Chassis   []SBChassis
	Encaps    []SBEncap
	Bindings  []SBPortBinding
	Datapaths []SBDatapathBinding
}

// decodeNB turns the rows d holds into the models above.
func decodeNB(d *decoder) (nbTables, error) {
	t := nbTables{
		Switches:       decodeTable[LogicalSwitch](d, tSwitch),
		SwitchPorts:    decodeTable[LogicalSwitchPort](d, tSwitchPort),
		ACLs:           decodeTable[ACL](d, tACL),
		PortGroups:     decodeTable[PortGroup](d, tPortGroup),
		AddressSets:    decodeTable[AddressSet](d, tAddressSet),
		Routers:        decodeTable[LogicalRouter](d, tRouter),
		RouterPorts:    decodeTable[LogicalRouterPort](d, tRouterPort),
		Routes:         decodeTable[LogicalRouterStaticRoute](d, tRoute),
		Policies:       decodeTable[LogicalRouterPolicy](d, tPolicy),
		NATs:           decodeTable[NAT](d, tNAT),
		LoadBalancers:  decodeTable[LoadBalancer](d, tLoadBalancer),
		GatewayChassis: decodeTable[GatewayChassis](d, tGatewayChassis),
		HAGroups:       decodeTable[HAChassisGroup](d, tHAGroup),
		HAChassis:      decodeTable[HAChassis](d, tHAChassis),
	}
	if d.err != nil {
		return t, d.err
	}
	if d.file != nil {
		t.ACLTier = d.file.aclTiers()
		return t, nil
	}
	var err error
	t.ACLTier, err = decodeTier(d.dbm.Schema, d.rows[tACL])
	return t, err
}

// decodeTier reads ACL.tier from the raw rows, when the schema has it.
func decodeTier(schema ovsdb.DatabaseSchema, rows []ovsdb.Row) (map[string]int, error) {
	col := schema.Table(tACL).Column("tier")
	if col == nil {
		return nil, nil
	}
	tiers := map[string]int{}
	for _, row := range rows {
		uuid, _ := row["_uuid"].(ovsdb.UUID)
		v, ok := row["tier"]
		if !ok {
			continue
		}
		native, err := ovsdb.OvsToNative(col, v)
		if err != nil {
			return nil, fmt.Errorf("%s %s column tier: %w", tACL, uuid.GoUUID, err)
		}
		tier, ok := native.(int)
		if !ok {
			return nil, fmt.Errorf("%s %s column tier: got %T, want an integer", tACL, uuid.GoUUID, native)
		}
		tiers[uuid.GoUUID] = tier
	}
	return tiers, nil
}

// decodeSB turns the southbound rows d holds into the models above.
func decodeSB(d *decoder) (sbTables, error) {
	t := sbTables{
		Chassis:   decodeTable[SBChassis](d, tChassis),
		Encaps:    decodeTable[SBEncap](d, tEncap),
		Bindings:  decodeTable[SBPortBinding](d, tBinding),
		Datapaths: decodeTable[SBDatapathBinding](d, tDatapath),
	}
	return t, d.err
}

// decoder holds one read of a database, from a server (raw rows, which
// libovsdb maps into models) or from a file (models already), and decodes
// tables one after another, keeping the first error; after one, it decodes
// nothing more.
type decoder struct {
	dbm  libmodel.DatabaseModel
	rows map[string][]ovsdb.Row
	file *replayer
	err  error
}

func decodeTable[T any](d *decoder, table string) []T {
	if d.err != nil {
		return nil
	}
	if d.file != nil {
		return rowsOf[T](d.file.tables[table])
	}
	rows := d.rows[table]
	out := make([]T, 0, len(rows))
	for i := range rows {
		uuid, ok := rows[i]["_uuid"].(ovsdb.UUID)
		if !ok {
			d.err = fmt.Errorf("%s row %d: no _uuid column (got %v)", table, i, rows[i]["_uuid"])
			return nil
		}
		m, err := libmodel.CreateModel(d.dbm, table, &rows[i], uuid.GoUUID)
		if err != nil {
			d.err = fmt.Errorf("%s %s: %w", table, uuid.GoUUID, err)
			return nil
		}
		row, ok := m.(*T)
		if !ok {
			d.err = fmt.Errorf("%s %s: decoded as %T, want %T", table, uuid.GoUUID, m, row)
			return nil
		}
		out = append(out, *row)
	}
	return out
}
