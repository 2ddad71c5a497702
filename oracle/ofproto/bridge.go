package ofproto

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Port is one port AddBridge creates.
type Port struct {
	Name   string
	OFPort int // ofport_request; 0 = let OVS choose
	// Type is "internal", "patch", "vxlan", "geneve", "gre", or "system"
	// (a veth the harness creates, its other end left idle in the
	// namespace); "" means internal.
	Type    string
	Options map[string]string // e.g. peer for patch; remote_ip, local_ip, key for tunnels
	Tag     int
}

func (p Port) tunnel() bool { return p.Type == "vxlan" || p.Type == "geneve" || p.Type == "gre" }

// Underlay names the bridge, port and address through which tunnel ports
// with a literal remote_ip reach their remotes. The userspace datapath
// encapsulates in the vswitchd itself (tnl_push) and needs a route and a
// neighbour entry for the remote; without them a tunnel output vanishes
// from the datapath actions ("native tunnel routing failed"). AddBridge
// makes this bridge the first time a tunnel port needs it: every remote
// gets a /32 route through it via UnderlayGateway, which has a fixed
// neighbour MAC, and its one flow sends the encapsulated packet out of
// UnderlayWire; the outer source address is UnderlayIP. Its steps show in a
// trace's Tables under bridge "hs-underlay".
const (
	UnderlayBridge  = "hs-underlay"
	UnderlayWire    = "hs-ul-wire"
	UnderlayIP      = "192.0.2.254"
	UnderlayGateway = "192.0.2.1"
	underlayMAC     = "02:68:73:00:00:fe"
	gatewayMAC      = "02:68:73:00:00:01"
)

// AddBridge adds a bridge with datapath_type=netdev and its ports in one
// ovs-vsctl transaction, then checks that every port exists and got the
// OpenFlow port number it asked for. failMode is "", "secure" or
// "standalone".
func (s *Switch) AddBridge(name, failMode string, ports []Port) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"--", "add-br", name, "--", "set", "bridge", name, "datapath_type=netdev"}
	if failMode != "" {
		args = append(args, "fail_mode="+failMode)
	}
	var remotes []tunnelEnds
	for _, p := range ports {
		if p.Name == "" {
			return fmt.Errorf("bridge %s: a port has no name", name)
		}
		if _, dup := s.ports[p.Name]; dup {
			return fmt.Errorf("bridge %s: port %s already exists on this switch", name, p.Name)
		}
		iface, err := s.ifaceSettings(ctx, p)
		if err != nil {
			return fmt.Errorf("bridge %s: %w", name, err)
		}
		args = append(args, "--", "add-port", name, p.Name)
		if p.Tag != 0 {
			args = append(args, "--", "set", "port", p.Name, fmt.Sprintf("tag=%d", p.Tag))
		}
		if len(iface) > 0 {
			args = append(append(args, "--", "set", "interface", p.Name), iface...)
		}
		if r, ok := p.Options["remote_ip"]; ok && p.tunnel() {
			if ra, err := netip.ParseAddr(r); err == nil {
				la, _ := netip.ParseAddr(p.Options["local_ip"])
				remotes = append(remotes, tunnelEnds{remote: ra, local: la})
			}
		}
	}
	if err := s.vsctl(ctx, args...); err != nil {
		return err
	}
	for _, p := range ports {
		s.ports[p.Name] = p
	}
	s.dp = nil
	if err := s.checkPorts(ctx, name, ports); err != nil {
		return err
	}
	if len(remotes) > 0 {
		return s.routeTunnels(ctx, remotes)
	}
	return nil
}

// ifaceSettings are the interface columns for p; a system port's veth is
// made here.
func (s *Switch) ifaceSettings(ctx context.Context, p Port) ([]string, error) {
	var set []string
	switch p.Type {
	case "", "internal":
		set = append(set, "type=internal")
	case "system":
		s.veths++
		peer := fmt.Sprintf("hsv%d", s.veths)
		if err := s.run(ctx, "", "ip", "-n", s.Netns, "link", "add", p.Name, "type", "veth", "peer", "name", peer); err != nil {
			return nil, fmt.Errorf("system port %s: %w", p.Name, err)
		}
		for _, dev := range []string{p.Name, peer} {
			if err := s.run(ctx, "", "ip", "-n", s.Netns, "link", "set", dev, "up"); err != nil {
				return nil, err
			}
		}
	case "patch", "vxlan", "geneve", "gre":
		set = append(set, "type="+p.Type)
	default:
		return nil, fmt.Errorf("port %s: type %q is not one of internal, patch, vxlan, geneve, gre, system", p.Name, p.Type)
	}
	keys := make([]string, 0, len(p.Options))
	for k := range p.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		set = append(set, fmt.Sprintf("options:%s=%q", k, p.Options[k]))
	}
	if p.OFPort > 0 {
		set = append(set, fmt.Sprintf("ofport_request=%d", p.OFPort))
	}
	return set, nil
}

// checkPorts reads back the interfaces: each must have an OpenFlow port,
// the one it requested, and no error.
func (s *Switch) checkPorts(ctx context.Context, bridge string, ports []Port) error {
	out, err := s.vsctlOutput(ctx, "--format=json", "--columns=name,ofport,error", "list", "interface")
	if err != nil {
		return err
	}
	var table struct{ Data [][]json.RawMessage }
	if err := json.Unmarshal([]byte(out), &table); err != nil {
		return fmt.Errorf("ovs-vsctl list interface: %w", err)
	}
	type got struct {
		ofport int
		err    string
	}
	byName := map[string]got{}
	for _, row := range table.Data {
		if len(row) != 3 {
			continue
		}
		var name string
		var g got
		json.Unmarshal(row[0], &name)
		if json.Unmarshal(row[1], &g.ofport) != nil {
			g.ofport = -1 // ["set",[]]: not assigned yet
		}
		json.Unmarshal(row[2], &g.err) // a string, or ["set",[]] when empty
		byName[name] = g
	}
	for _, p := range ports {
		g, ok := byName[p.Name]
		switch {
		case !ok:
			return fmt.Errorf("bridge %s: port %s has no interface", bridge, p.Name)
		case g.err != "" && !(p.Type == "patch" && s.ports[p.Options["peer"]].Name == ""):
			// A patch port's peer may come with a later bridge.
			return fmt.Errorf("bridge %s: port %s: %s", bridge, p.Name, g.err)
		case g.ofport <= 0:
			return fmt.Errorf("bridge %s: port %s got no OpenFlow port (ofport %d)", bridge, p.Name, g.ofport)
		case p.OFPort > 0 && g.ofport != p.OFPort:
			return fmt.Errorf("bridge %s: port %s asked for OpenFlow port %d, got %d", bridge, p.Name, p.OFPort, g.ofport)
		}
	}
	return nil
}

// tunnelEnds are a tunnel port's remote_ip and, when it sets one, local_ip.
type tunnelEnds struct{ remote, local netip.Addr }

// routeTunnels makes the underlay (once) and a route plus a neighbour
// entry for each remote.
func (s *Switch) routeTunnels(ctx context.Context, remotes []tunnelEnds) error {
	if !s.underlay {
		if err := s.vsctl(ctx, "--", "add-br", UnderlayBridge, "--", "set", "bridge", UnderlayBridge,
			"datapath_type=netdev", "fail_mode=secure", "other-config:hwaddr="+underlayMAC,
			"--", "add-port", UnderlayBridge, UnderlayWire, "--", "set", "interface", UnderlayWire,
			"type=internal", "ofport_request=1"); err != nil {
			return fmt.Errorf("tunnel underlay: %w", err)
		}
		s.dp = nil
		for _, args := range [][]string{
			{"ip", "-n", s.Netns, "addr", "add", UnderlayIP + "/24", "dev", UnderlayBridge},
			{"ip", "-n", s.Netns, "link", "set", UnderlayBridge, "up"},
			{"ovs-ofctl", "add-flow", UnderlayBridge, "in_port=LOCAL,actions=output:1"},
		} {
			if err := s.run(ctx, "", args[0], args[1:]...); err != nil {
				return fmt.Errorf("tunnel underlay: %w", err)
			}
		}
		if _, err := s.appctl("tnl/neigh/set", UnderlayBridge, UnderlayGateway, gatewayMAC); err != nil {
			return fmt.Errorf("tunnel underlay: %w", err)
		}
		s.underlay = true
	}
	for _, t := range remotes {
		route := []string{t.remote.String() + "/32", UnderlayBridge, UnderlayGateway}
		if t.local.IsValid() {
			// OVS looks the route up with local_ip as its source, and a
			// route's source is the bridge address on the gateway's
			// subnet: so the underlay owns local_ip on a prefix that holds
			// the remote, and reaches the remote directly.
			if err := s.ownLocal(ctx, t); err != nil {
				return err
			}
			route = route[:2]
		}
		// The vswitchd learns the bridge's new address from netlink a
		// moment later: until then it finds no source address.
		var err error
		for try := 0; try < 50; try++ {
			if _, err = s.appctl("ovs/route/add", route...); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("route to tunnel remote %s: %w", t.remote, err)
		}
	}
	return nil
}

// ownLocal gives the underlay bridge t's local address, on the longest
// prefix that also holds the remote, and a neighbour entry for the remote.
func (s *Switch) ownLocal(ctx context.Context, t tunnelEnds) error {
	bits := 0
	for bits < 31 {
		p, _ := t.local.Prefix(bits + 1)
		if !p.Contains(t.remote) {
			break
		}
		bits++
	}
	if !s.locals[t.local] {
		prefix := netip.PrefixFrom(t.local, bits)
		if err := s.run(ctx, "", "ip", "-n", s.Netns, "addr", "add", prefix.String(), "dev", UnderlayBridge); err != nil {
			return fmt.Errorf("tunnel local_ip %s: %w", t.local, err)
		}
		s.locals[t.local] = true
	}
	if _, err := s.appctl("tnl/neigh/set", UnderlayBridge, t.remote.String(), gatewayMAC); err != nil {
		return fmt.Errorf("tunnel remote %s: %w", t.remote, err)
	}
	return nil
}

// statField matches what dump-flows prints and add-flows refuses.
var statField = regexp.MustCompile(`^(duration|n_packets|n_bytes|idle_age|hard_age)=`)

// FlowsForAdd turns `ovs-ofctl dump-flows` output into add-flows input: it
// drops header lines (OFPST_FLOW reply, NXST_FLOW reply), blank lines and
// the statistics add-flows does not accept (duration, n_packets, n_bytes,
// idle_age, hard_age), and keeps everything else as written.
func FlowsForAdd(dump string) string {
	var b strings.Builder
	for _, line := range strings.Split(dump, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.Contains(line, "_FLOW reply") ||
			strings.HasPrefix(line, "OFPST_") || strings.HasPrefix(line, "NXST_") {
			continue
		}
		match, actions := line, ""
		if i := actionsAt(line); i >= 0 {
			match, actions = line[:i], line[i:]
		}
		var keep []string
		for _, f := range strings.Split(match, ",") {
			f = strings.TrimSpace(f)
			if f != "" && !statField.MatchString(f) {
				keep = append(keep, f)
			}
		}
		b.WriteString(strings.Join(keep, ","))
		if actions != "" {
			if len(keep) > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(actions)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// actionsAt is where "actions=" starts as a field of its own.
func actionsAt(line string) int {
	for i := 0; ; {
		j := strings.Index(line[i:], "actions=")
		if j < 0 {
			return -1
		}
		j += i
		if j == 0 || line[j-1] == ' ' || line[j-1] == ',' {
			return j
		}
		i = j + 1
	}
}

// ReplaceFlows makes dump the bridge's whole flow table: dump is
// `ovs-ofctl dump-flows` output (statistics, header lines and --names port
// names allowed). It loads with OpenFlow 1.5 in one bundle, so a table that
// fails leaves the old flows; flows OpenFlow 1.5 finds inconsistent
// (strip_vlan without a VLAN match, mod_tp_dst without tcp or udp) are an
// error, as they are for OVN. Errors carry ovs-ofctl's stderr.
func (s *Switch) ReplaceFlows(bridge, dump string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	flows := FlowsForAdd(dump)
	if strings.TrimSpace(flows) == "" {
		return s.run(ctx, "", "ovs-ofctl", "-O", "OpenFlow15", "del-flows", bridge)
	}
	return s.run(ctx, flows, "ovs-ofctl", "-O", "OpenFlow15", "--bundle", "replace-flows", bridge, "-")
}

// AddFlowsFile adds the flows in a file (add-flows syntax) to a bridge,
// for tables too large to pass around as a string.
func (s *Switch) AddFlowsFile(bridge, file string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return s.run(ctx, "", "ovs-ofctl", "-O", "OpenFlow15", "add-flows", bridge, file)
}

// DumpFlows is the bridge's flow table as OVS installed it
// (`ovs-ofctl -O OpenFlow15 dump-flows --no-stats`): the form to interpret
// when a flow's written and installed meanings could differ.
func (s *Switch) DumpFlows(bridge string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return s.output(ctx, "", "ovs-ofctl", "-O", "OpenFlow15", "--no-stats", "dump-flows", bridge)
}

// AddFDB puts a static entry in bridge's MAC table (ovs-appctl fdb/add):
// NORMAL then sends mac in vlan to port instead of flooding. FlushFDB
// empties the table again.
func (s *Switch) AddFDB(bridge, port string, vlan int, mac string) error {
	_, err := s.appctl("fdb/add", bridge, port, strconv.Itoa(vlan), mac)
	return err
}

// FlushFDB empties bridge's MAC table (ovs-appctl fdb/flush).
func (s *Switch) FlushFDB(bridge string) error {
	_, err := s.appctl("fdb/flush", bridge)
	return err
}
