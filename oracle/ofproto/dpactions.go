package ofproto

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
)

// datapathState walks "Datapath actions:" in order, keeping the header
// fields the actions have changed so far; each output takes a copy.
//
//	set(eth(src=..)),push_vlan(vid=5,pcp=0),3,clone(tnl_push(...),7),userspace(..controller(..))
//	└── changes ──────────────────────────┘ └out┘ └ tunnel output ─┘ └ CONTROLLER ────────────┘
//
// A clone works on a copy and leaves the state as it was. After a
// tnl_push the packet is the tunnel's outer packet: outputs that follow
// it in the same list are the underlay carrying it, not outputs of their
// own.
type datapathState struct {
	input   map[string]string
	ports   PortNamer
	set     map[string]string // field -> value as the actions left it
	vlans   []string          // VLAN IDs, outermost first
	vlanPCP string
	vlanSet bool // a VLAN action ran: report "vlan"
	encap   bool // after tnl_push: outputs are the underlay's

	outputs []Output
	other   []string
}

func newDatapathState(input map[string]string, ports PortNamer) *datapathState {
	d := &datapathState{input: input, ports: ports, set: map[string]string{}}
	for _, k := range []string{"dl_vlan", "dl_vlan1"} {
		if v, ok := input[k]; ok {
			d.vlans = append(d.vlans, v)
		}
	}
	return d
}

func (d *datapathState) run(actions string) error {
	actions = strings.TrimSpace(actions)
	if actions == "" || actions == "drop" {
		return nil
	}
	for _, a := range splitTop(actions) {
		if err := d.action(strings.TrimSpace(a)); err != nil {
			return err
		}
	}
	return nil
}

func (d *datapathState) action(a string) error {
	name, args := a, ""
	if i := strings.IndexByte(a, '('); i >= 0 && strings.HasSuffix(a, ")") {
		name, args = a[:i], a[i+1:len(a)-1]
	}
	switch {
	case a == "drop":
	case isDigits(a):
		if d.encap {
			return nil
		}
		dp, _ := strconv.Atoi(a)
		d.output(d.ports.PortName(dp, d.set["tun_dst"]), "")
	case name == "set" || name == "masked_set":
		return d.setField(args)
	case name == "push_vlan":
		kv := keyValues(args)
		vid := kv["vid"]
		if vid == "" {
			return fmt.Errorf("%s: no vid", a)
		}
		d.vlans = append([]string{vid}, d.vlans...)
		d.vlanPCP = kv["pcp"]
		d.vlanSet = true
	case a == "pop_vlan":
		if len(d.vlans) > 0 {
			d.vlans = d.vlans[1:]
		}
		d.vlanPCP = ""
		d.vlanSet = true
	case name == "clone":
		c := d.fork()
		if err := c.run(args); err != nil {
			return err
		}
		d.outputs, d.other = c.outputs, c.other
	case name == "tnl_push":
		return d.tunnelPush(a, args)
	case name == "userspace" && strings.Contains(args, "controller("):
		d.output("CONTROLLER", controllerReason(args))
	default:
		d.other = append(d.other, a)
	}
	return nil
}

// fork is a copy for a clone: same outputs so far, own header state.
func (d *datapathState) fork() *datapathState {
	c := *d
	c.set = maps.Clone(d.set)
	c.vlans = append([]string(nil), d.vlans...)
	return &c
}

// output records one output with the fields that differ from the input.
func (d *datapathState) output(port, reason string) {
	o := Output{Port: port, Reason: reason}
	add := func(k, v string) {
		if d.input[k] != v {
			if o.Set == nil {
				o.Set = map[string]string{}
			}
			o.Set[k] = v
		}
	}
	for k, v := range d.set {
		add(k, v)
	}
	if d.vlanSet {
		for i, k := range []string{"vlan", "vlan1"} {
			now, was := "none", "none"
			if i < len(d.vlans) {
				now = d.vlans[i]
			}
			if v, ok := d.input["dl_"+k]; ok {
				was = v
			}
			if now != was {
				if o.Set == nil {
					o.Set = map[string]string{}
				}
				o.Set[k] = now
			}
		}
		if len(d.vlans) > 0 && d.vlanPCP != "" && d.vlanPCP != "0" {
			add("vlan_pcp", d.vlanPCP)
		}
	}
	d.outputs = append(d.outputs, o)
}

// setFieldNames maps the datapath's header(key=...) to flow field names.
var setFieldNames = map[string]map[string]string{
	"eth":    {"src": "dl_src", "dst": "dl_dst"},
	"ipv4":   {"src": "nw_src", "dst": "nw_dst", "proto": "nw_proto", "tos": "nw_tos", "ttl": "nw_ttl", "frag": "nw_frag"},
	"ipv6":   {"src": "ipv6_src", "dst": "ipv6_dst", "label": "ipv6_label", "proto": "nw_proto", "tclass": "nw_tos", "hlimit": "nw_ttl", "frag": "nw_frag"},
	"tcp":    {"src": "tp_src", "dst": "tp_dst"},
	"udp":    {"src": "tp_src", "dst": "tp_dst"},
	"sctp":   {"src": "tp_src", "dst": "tp_dst"},
	"icmp":   {"type": "icmp_type", "code": "icmp_code"},
	"icmpv6": {"type": "icmp_type", "code": "icmp_code"},
	"arp":    {"sip": "arp_spa", "tip": "arp_tpa", "op": "arp_op", "sha": "arp_sha", "tha": "arp_tha"},
	"tunnel": {"tun_id": "tun_id", "src": "tun_src", "dst": "tun_dst", "ipv6_src": "tun_ipv6_src",
		"ipv6_dst": "tun_ipv6_dst", "tos": "tun_tos", "ttl": "tun_ttl", "tp_src": "tun_tp_src", "tp_dst": "tun_tp_dst"},
}

// setField applies set(HEADER(k=v,...)) or set(NAME(VALUE)).
func (d *datapathState) setField(arg string) error {
	i := strings.IndexByte(arg, '(')
	if i < 0 || !strings.HasSuffix(arg, ")") {
		return fmt.Errorf("set(%s): want set(HEADER(...))", arg)
	}
	header, body := arg[:i], arg[i+1:len(arg)-1]
	names := setFieldNames[header]
	if !strings.Contains(body, "=") {
		// set(skb_mark(0x1)), set(skb_priority(0x2)) and the like.
		if header == "skb_mark" {
			header = "pkt_mark"
		}
		d.set[header] = body
		return nil
	}
	for _, f := range splitTop(body) {
		f = strings.TrimSpace(f)
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			if header == "tunnel" && strings.HasPrefix(f, "flags(") {
				d.set["tun_flags"] = strings.TrimSuffix(strings.TrimPrefix(f, "flags("), ")")
			} else {
				d.set[header+"_"+f] = ""
			}
			continue
		}
		name, known := names[k]
		if !known {
			name = header + "_" + k
		}
		d.set[name] = v
	}
	return nil
}

// tnlHeader picks the outer addresses and the tunnel key out of a
// tnl_push header: ipv4(src=..,dst=..), vxlan(..,vni=0x64),
// geneve(..vni=0x64..), gre((flags=..,proto=..),key=0x64).
var (
	tnlPort = regexp.MustCompile(`tnl_port\((\d+)\)`)
	tnlIPv4 = regexp.MustCompile(`ipv4\(src=([^,)]+),dst=([^,)]+)`)
	tnlIPv6 = regexp.MustCompile(`ipv6\(src=([^,)]+),dst=([^,)]+)`)
	tnlKey  = regexp.MustCompile(`(?:vni|key)=(0x[0-9a-f]+|\d+)`)
)

// tunnelPush is an output to a tunnel port encapsulated by the userspace
// datapath itself.
func (d *datapathState) tunnelPush(a, args string) error {
	p := tnlPort.FindStringSubmatch(args)
	if p == nil {
		return fmt.Errorf("%s: no tnl_port", a)
	}
	dp, _ := strconv.Atoi(p[1])
	src, dst := "", ""
	if g := tnlIPv4.FindStringSubmatch(args); g != nil {
		src, dst = g[1], g[2]
	} else if g := tnlIPv6.FindStringSubmatch(args); g != nil {
		src, dst = g[1], g[2]
	}
	saved := maps.Clone(d.set)
	if dst != "" {
		d.set["tun_src"], d.set["tun_dst"] = src, dst
	}
	if g := tnlKey.FindStringSubmatch(args); g != nil {
		// The VNI is 24 bits; OVS prints tun_id in hex.
		if v, err := strconv.ParseUint(g[1], 0, 64); err == nil {
			d.set["tun_id"] = fmt.Sprintf("%#x", v)
		}
	}
	d.output(d.ports.PortName(dp, dst), "")
	d.set = saved
	d.encap = true
	return nil
}

// controllerReasons are ofp_packet_in_reason's names, as OVS numbers them.
var controllerReasons = []string{"no_match", "action", "invalid_ttl", "action_set", "group", "packet_out"}

var reasonArg = regexp.MustCompile(`reason=(\d+)`)

func controllerReason(args string) string {
	g := reasonArg.FindStringSubmatch(args)
	if g == nil {
		return "action"
	}
	n, _ := strconv.Atoi(g[1])
	if n < len(controllerReasons) {
		return controllerReasons[n]
	}
	return g[1]
}

// keyValues reads "vid=5,pcp=0".
func keyValues(s string) map[string]string {
	m := map[string]string{}
	for _, f := range splitTop(s) {
		if k, v, ok := strings.Cut(strings.TrimSpace(f), "="); ok {
			m[k] = v
		}
	}
	return m
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
