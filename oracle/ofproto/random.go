package ofproto

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// RandomCase is one randomised flow table and packet for differential
// testing: load Flows into Bridge (built from Ports) and trace Packet.
//
// Flows are written the way a controller writes them. OVS installs some
// actions in their OpenFlow 1.5 form: mod_vlan_vid on a flow whose match
// does not ensure a VLAN tag becomes push_vlan + set_field (so it pushes
// a second tag onto a tagged packet). Interpret Switch.DumpFlows, not
// Flows, when the two readings could differ.
type RandomCase struct {
	Bridge string
	Ports  []Port
	// Flows has one flow a line: "table=N, priority=P,MATCH actions=ACTS".
	Flows string
	// Packet is in ofproto/trace flow syntax.
	Packet string
	// Seed reproduces this case alone: RandomCases(Seed, 1)[0].
	Seed int64
}

func (c RandomCase) String() string { return fmt.Sprintf("seed %d: %s", c.Seed, c.Packet) }

// RandomCases makes n cases; case i is RandomCases(seed+i, 1)[0].
//
// Each has one bridge of 4-8 internal ports, 2-6 tables of 5-40 flows
// with distinct priorities (OVS picks arbitrarily between overlapping
// flows of one priority), resubmits and goto_table only to later tables
// (no loops), two-clause conjunctions, and a catch-all (drop or output)
// ending half the tables. Matches and actions carry their OpenFlow 1.5
// prerequisites (nw_src needs ip, mod_tp_dst needs tcp or udp, strip_vlan
// needs a VLAN match). Not used: NORMAL (MAC learning), ct_state,
// tunnels, controller. About 60% of packets are built to match a table-0
// flow; the rest are drawn from the same value pools.
func RandomCases(seed int64, n int) []RandomCase {
	cases := make([]RandomCase, n)
	for i := range cases {
		s := seed + int64(i)
		g := &gen{r: rand.New(rand.NewPCG(uint64(s), 0x6f6670726f746f))}
		cases[i] = g.makeCase()
		cases[i].Seed = s
	}
	return cases
}

// class is what a flow says about the packet's protocol; it decides which
// fields it may match and which actions it may use.
type class int

const (
	anyClass class = iota // no dl_type
	arpClass
	ipClass
	ipv6Class
	tcpClass
	udpClass
	icmpClass
)

var classWord = [...]string{"", "arp", "ip", "ipv6", "tcp", "udp", "icmp"}

func (c class) ip() bool { return c == ipClass || c == tcpClass || c == udpClass || c == icmpClass }
func (c class) l4() bool { return c == tcpClass || c == udpClass }

// field is one match field and packet values that satisfy it ("" removes
// the packet field).
type field struct {
	text string
	pkt  map[string]string
}

// flow is one generated flow.
type flow struct {
	table, priority int
	class           class
	fields          []field
	actions         string
	biasable        bool // a packet may be built to match it
}

func (f flow) String() string {
	m := make([]string, 0, len(f.fields)+1)
	if w := classWord[f.class]; w != "" {
		m = append(m, w)
	}
	for _, x := range f.fields {
		m = append(m, x.text)
	}
	if len(m) == 0 {
		return fmt.Sprintf("table=%d, priority=%d actions=%s", f.table, f.priority, f.actions)
	}
	return fmt.Sprintf("table=%d, priority=%d,%s actions=%s", f.table, f.priority, strings.Join(m, ","), f.actions)
}

// The value pools flows and packets draw from, small so they meet.
var (
	poolMACs  = []string{"00:00:00:00:aa:01", "00:00:00:00:aa:02", "00:00:00:00:aa:03", "00:00:00:00:bb:01", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff"}
	poolVLANs = []int{10, 20, 30}
	poolCIDRs = []string{"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.2.0.0/16", "192.168.1.0/24"}
	poolL4    = []int{22, 53, 80, 443, 8080}
	poolICMP  = []int{0, 3, 8}
	poolRegs  = []int{0x1, 0x5, 0xa, 0x100}
)

// l4Masks are masked port matches and a port inside each.
var l4Masks = []struct {
	text string
	in   int
}{{"0x0050/0xfff0", 80}, {"0x1f00/0xff00", 8080}, {"0/0xfc00", 443}}

type gen struct {
	r     *rand.Rand
	ports int
	prios []int
}

func (g *gen) pick(n int) int        { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func (g *gen) mac() string           { return poolMACs[g.pick(len(poolMACs))] }
func (g *gen) port() int             { return 1 + g.pick(g.ports) }

// ipIn is a random address inside cidr.
func (g *gen) ipIn(cidr string) string {
	p := netip.MustParsePrefix(cidr)
	a := p.Addr().As4()
	host := g.r.Uint32() & (1<<(32-p.Bits()) - 1)
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

func (g *gen) ip() string { return g.ipIn(poolCIDRs[g.pick(len(poolCIDRs))]) }

// priority is a fresh priority in 1..999, distinct within the table.
func (g *gen) priority() int {
	p := g.prios[0]
	g.prios = g.prios[1:]
	return p
}

func (g *gen) makeCase() RandomCase {
	g.ports = 4 + g.pick(5)
	c := RandomCase{Bridge: "br0"}
	for i := 1; i <= g.ports; i++ {
		c.Ports = append(c.Ports, Port{Name: fmt.Sprintf("p%d", i), OFPort: i})
	}
	tables := 2 + g.pick(5)
	var all []flow
	for t := 0; t < tables; t++ {
		all = append(all, g.table(t, tables)...)
	}
	lines := make([]string, len(all))
	for i, f := range all {
		lines[i] = f.String()
	}
	c.Flows = strings.Join(lines, "\n") + "\n"
	c.Packet = g.packet(all)
	return c
}

// table makes one table's flows.
func (g *gen) table(t, tables int) []flow {
	g.prios = g.r.Perm(999)
	for i := range g.prios {
		g.prios[i]++
	}
	n := 5 + g.pick(36)
	var fs []flow
	for len(fs) < n {
		if len(fs)+5 <= n && g.chance(0.08) {
			fs = append(fs, g.conjunction(t, tables, len(fs))...)
			continue
		}
		f := flow{table: t, priority: g.priority(), class: g.class(), biasable: true}
		vlan := g.match(&f)
		f.actions = g.actions(t, tables, f.class, vlan)
		fs = append(fs, f)
	}
	if g.chance(0.5) {
		act := "drop"
		if g.chance(0.5) {
			act = fmt.Sprintf("output:%d", g.port())
		}
		fs = append(fs, flow{table: t, priority: 0, actions: act})
	}
	return fs
}

func (g *gen) class() class {
	w := []class{anyClass, anyClass, anyClass, ipClass, ipClass, tcpClass, tcpClass, udpClass, icmpClass, arpClass, ipv6Class}
	return w[g.pick(len(w))]
}

// vlanMatch is what a flow's match says about the VLAN tag.
type vlanMatch int

const (
	vlanAny vlanMatch = iota
	vlanTagged
	vlanUntagged
)

// match adds 1-4 fields allowed for the flow's class and table.
func (g *gen) match(f *flow) vlanMatch {
	vlan := vlanAny
	used := map[string]bool{}
	for k := 1 + g.pick(4); k > 0; k-- {
		kinds := []string{"in_port", "in_port", "dl_src", "dl_dst", "vlan"}
		if f.class.ip() {
			kinds = append(kinds, "nw_src", "nw_dst", "nw_src", "nw_dst")
		}
		if f.class.l4() {
			kinds = append(kinds, "tp_src", "tp_dst", "tp_dst")
		}
		if f.class == icmpClass {
			kinds = append(kinds, "icmp_type")
		}
		if f.table > 0 {
			kinds = append(kinds, "reg", "reg", "metadata", "tun_id")
		}
		kind := kinds[g.pick(len(kinds))]
		if used[kind] {
			continue
		}
		if kind != "reg" {
			used[kind] = true
		}
		var x field
		switch kind {
		case "in_port":
			p := g.port()
			x = field{fmt.Sprintf("in_port=%d", p), map[string]string{"in_port": fmt.Sprint(p)}}
		case "dl_src", "dl_dst":
			x = g.macField(kind)
		case "vlan":
			x, vlan = g.vlanField()
		case "nw_src", "nw_dst":
			cidr := poolCIDRs[g.pick(len(poolCIDRs))]
			x = field{kind + "=" + cidr, map[string]string{kind: g.ipIn(cidr)}}
		case "tp_src", "tp_dst":
			x = g.l4Field(kind, f.class)
		case "icmp_type":
			v := poolICMP[g.pick(len(poolICMP))]
			x = field{fmt.Sprintf("icmp_type=%d", v), map[string]string{"icmp_type": fmt.Sprint(v)}}
		case "reg":
			r := g.pick(4)
			v := poolRegs[g.pick(len(poolRegs))]
			x = field{text: fmt.Sprintf("reg%d=%#x", r, v)}
			if g.chance(0.4) {
				x.text = fmt.Sprintf("reg%d=%#x/0xff", r, v&0xff)
			}
			if used[x.text[:4]] {
				continue
			}
			used[x.text[:4]] = true
		case "metadata":
			x = field{text: []string{"metadata=0x1", "metadata=0x2", "metadata=0x2/0xf"}[g.pick(3)]}
		case "tun_id":
			x = field{text: []string{"tun_id=0x64", "tun_id=0x65"}[g.pick(2)]}
		}
		f.fields = append(f.fields, x)
	}
	return vlan
}

func (g *gen) macField(kind string) field {
	switch g.pick(4) {
	case 0:
		return field{kind + "=00:00:00:00:aa:00/ff:ff:ff:ff:ff:00", map[string]string{kind: poolMACs[g.pick(3)]}}
	case 1:
		return field{kind + "=01:00:00:00:00:00/01:00:00:00:00:00", map[string]string{kind: poolMACs[4+g.pick(2)]}}
	default:
		m := g.mac()
		return field{kind + "=" + m, map[string]string{kind: m}}
	}
}

func (g *gen) vlanField() (field, vlanMatch) {
	switch g.pick(4) {
	case 0:
		return field{"vlan_tci=0x1000/0x1000", map[string]string{"dl_vlan": fmt.Sprint(poolVLANs[g.pick(3)])}}, vlanTagged
	case 1:
		return field{"vlan_tci=0x0000/0x1000", map[string]string{"dl_vlan": ""}}, vlanUntagged
	default:
		v := poolVLANs[g.pick(3)]
		return field{fmt.Sprintf("dl_vlan=%d", v), map[string]string{"dl_vlan": fmt.Sprint(v)}}, vlanTagged
	}
}

// l4Field matches tp_src/tp_dst; the packet spells it tcp_dst or udp_dst,
// as ofproto/trace wants.
func (g *gen) l4Field(kind string, c class) field {
	key := strings.Replace(kind, "tp", classWord[c], 1)
	if g.chance(0.3) {
		m := l4Masks[g.pick(len(l4Masks))]
		return field{kind + "=" + m.text, map[string]string{key: fmt.Sprint(m.in)}}
	}
	v := poolL4[g.pick(len(poolL4))]
	return field{fmt.Sprintf("%s=%d", kind, v), map[string]string{key: fmt.Sprint(v)}}
}

// actions: "drop", or 0-3 header changes then 1-2 outputs or resubmits,
// maybe ending with goto_table.
func (g *gen) actions(t, tables int, c class, vlan vlanMatch) string {
	if g.chance(0.1) {
		return "drop"
	}
	var acts []string
	vlanDone := false
	for k := g.pick(4); k > 0; k-- {
		a := g.change(c, vlan, &vlanDone)
		if a != "" {
			acts = append(acts, a)
		}
	}
	later := tables - 1 - t // tables after this one
	for k := 1 + g.pick(2); k > 0; k-- {
		if later > 0 && g.chance(0.4) {
			acts = append(acts, fmt.Sprintf("resubmit(,%d)", t+1+g.pick(later)))
		} else {
			acts = append(acts, fmt.Sprintf("output:%d", g.port()))
		}
	}
	if later > 0 && g.chance(0.25) {
		acts = append(acts, fmt.Sprintf("goto_table:%d", t+1+g.pick(later)))
	}
	return strings.Join(acts, ",")
}

// change is one header or register change the class allows.
func (g *gen) change(c class, vlan vlanMatch, vlanDone *bool) string {
	reg := func() int { return g.pick(4) }
	for {
		switch g.pick(15) {
		case 0:
			if *vlanDone {
				continue
			}
			*vlanDone = true
			return fmt.Sprintf("mod_vlan_vid:%d", poolVLANs[g.pick(3)])
		case 1:
			if *vlanDone || vlan != vlanTagged {
				continue
			}
			*vlanDone = true
			return "strip_vlan"
		case 2:
			if *vlanDone || vlan != vlanUntagged {
				continue
			}
			*vlanDone = true
			return fmt.Sprintf("push_vlan:0x8100,mod_vlan_vid:%d", poolVLANs[g.pick(3)])
		case 3:
			return "mod_dl_src:" + g.mac()
		case 4:
			return "mod_dl_dst:" + g.mac()
		case 5:
			if !c.ip() {
				continue
			}
			return []string{"mod_nw_src:", "mod_nw_dst:"}[g.pick(2)] + g.ip()
		case 6:
			if !c.l4() {
				continue
			}
			return fmt.Sprintf("%s:%d", []string{"mod_tp_src", "mod_tp_dst"}[g.pick(2)], poolL4[g.pick(len(poolL4))])
		case 7:
			if !c.ip() && c != ipv6Class {
				continue
			}
			return "dec_ttl"
		case 8:
			if !c.ip() {
				continue
			}
			return "set_field:" + g.ip() + "->ip_dst"
		case 9:
			v := poolRegs[g.pick(len(poolRegs))]
			if g.chance(0.5) {
				return fmt.Sprintf("set_field:%#x/0xff->reg%d", v&0xff, reg())
			}
			return fmt.Sprintf("set_field:%#x->reg%d", v, reg())
		case 10:
			return fmt.Sprintf("load:%#x->NXM_NX_REG%d[0..7]", poolRegs[g.pick(3)], reg())
		case 11:
			return fmt.Sprintf("set_field:%#x->metadata", 1+g.pick(2))
		case 12:
			return fmt.Sprintf("set_tunnel:%#x", 0x64+g.pick(2))
		case 13:
			return g.move(c)
		case 14:
			return fmt.Sprintf("move:NXM_NX_REG%d[]->NXM_NX_REG%d[]", reg(), reg())
		}
	}
}

// move copies between registers and headers the class has.
func (g *gen) move(c class) string {
	r := g.pick(4)
	opts := []string{
		fmt.Sprintf("move:NXM_OF_ETH_SRC[0..31]->NXM_NX_REG%d[]", r),
		fmt.Sprintf("move:NXM_NX_REG%d[0..15]->NXM_OF_ETH_DST[0..15]", r),
	}
	if c.ip() {
		opts = append(opts, fmt.Sprintf("move:NXM_OF_IP_SRC[]->NXM_NX_REG%d[]", r),
			fmt.Sprintf("move:NXM_NX_REG%d[0..7]->NXM_OF_IP_DST[0..7]", r))
	}
	switch c {
	case tcpClass:
		opts = append(opts, fmt.Sprintf("move:NXM_NX_REG%d[0..15]->NXM_OF_TCP_DST[]", r))
	case udpClass:
		opts = append(opts, fmt.Sprintf("move:NXM_NX_REG%d[0..15]->NXM_OF_UDP_SRC[]", r))
	}
	return opts[g.pick(len(opts))]
}

// conjunction is a two-clause conjunctive match: 1-2 flows per clause
// and the conj_id flow, all at one priority of their own.
func (g *gen) conjunction(t, tables, id int) []flow {
	p := g.priority()
	conj := 1000*t + id + 1
	var fs []flow
	clauses := [2][]func() (class, field){
		{
			func() (class, field) {
				q := g.port()
				return anyClass, field{fmt.Sprintf("in_port=%d", q), map[string]string{"in_port": fmt.Sprint(q)}}
			},
			func() (class, field) {
				cidr := poolCIDRs[g.pick(len(poolCIDRs))]
				return ipClass, field{"nw_src=" + cidr, map[string]string{"nw_src": g.ipIn(cidr)}}
			},
		},
		{
			func() (class, field) { return tcpClass, g.l4Field("tp_dst", tcpClass) },
			func() (class, field) { return anyClass, g.macField("dl_dst") },
			func() (class, field) {
				cidr := poolCIDRs[g.pick(len(poolCIDRs))]
				return ipClass, field{"nw_dst=" + cidr, map[string]string{"nw_dst": g.ipIn(cidr)}}
			},
		},
	}
	for k, choices := range clauses {
		for m := 1 + g.pick(2); m > 0; m-- {
			c, x := choices[g.pick(len(choices))]()
			fs = append(fs, flow{table: t, priority: p, class: c, fields: []field{x},
				actions: fmt.Sprintf("conjunction(%d,%d/2)", conj, k+1)})
		}
	}
	c := []class{anyClass, ipClass}[g.pick(2)]
	fs = append(fs, flow{table: t, priority: p, class: c, fields: []field{{text: fmt.Sprintf("conj_id=%d", conj)}},
		actions: g.actions(t, tables, c, vlanAny)})
	return fs
}

// packetKeys is the order a packet's fields are written in.
var packetKeys = []string{"in_port", "dl_src", "dl_dst", "dl_vlan", "dl_type",
	"nw_src", "nw_dst", "ipv6_src", "ipv6_dst", "arp_op", "arp_spa", "arp_tpa", "nw_proto", "nw_ttl",
	"tcp_src", "tcp_dst", "udp_src", "udp_dst", "icmp_type", "icmp_code"}

// packet builds the packet: 60% of the time to satisfy a random table-0
// flow, else from the pools alone.
func (g *gen) packet(all []flow) string {
	var target *flow
	if g.chance(0.6) {
		var cands []*flow
		for i := range all {
			if all[i].table == 0 && all[i].biasable {
				cands = append(cands, &all[i])
			}
		}
		if len(cands) > 0 {
			target = cands[g.pick(len(cands))]
		}
	}
	c := g.class()
	if target != nil && target.class != anyClass {
		c = target.class
	}
	p := g.base(c)
	if target != nil {
		for _, f := range target.fields {
			for k, v := range f.pkt {
				if v == "" {
					delete(p, k)
				} else {
					p[k] = v
				}
			}
		}
	}
	var parts []string
	for _, k := range packetKeys {
		if v, ok := p[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

// base is a random packet of class c. A plain IPv4 packet is GRE: the
// datapath rewrites no IPv4 header whose protocol is 0.
func (g *gen) base(c class) map[string]string {
	if c == anyClass {
		c = []class{ipClass, tcpClass, udpClass, icmpClass, arpClass, ipv6Class}[g.pick(6)]
	}
	p := map[string]string{"in_port": fmt.Sprint(g.port()), "dl_src": g.mac(), "dl_dst": g.mac()}
	if g.chance(0.3) {
		p["dl_vlan"] = fmt.Sprint(poolVLANs[g.pick(3)])
	}
	ttl := "64"
	if g.chance(0.1) {
		ttl = "1"
	}
	switch c {
	case arpClass:
		p["dl_type"], p["arp_op"], p["arp_spa"], p["arp_tpa"] = "0x0806", "1", g.ip(), g.ip()
	case ipv6Class:
		p["dl_type"], p["ipv6_src"], p["ipv6_dst"], p["nw_proto"], p["nw_ttl"] = "0x86dd", "2001:db8::1", "2001:db8::2", "59", ttl
	default:
		p["dl_type"], p["nw_src"], p["nw_dst"], p["nw_ttl"] = "0x0800", g.ip(), g.ip(), ttl
		switch c {
		case tcpClass:
			p["nw_proto"], p["tcp_src"], p["tcp_dst"] = "6", fmt.Sprint(poolL4[g.pick(5)]), fmt.Sprint(poolL4[g.pick(5)])
		case udpClass:
			p["nw_proto"], p["udp_src"], p["udp_dst"] = "17", fmt.Sprint(poolL4[g.pick(5)]), fmt.Sprint(poolL4[g.pick(5)])
		case icmpClass:
			p["nw_proto"], p["icmp_type"], p["icmp_code"] = "1", fmt.Sprint(poolICMP[g.pick(3)]), "0"
		default:
			p["nw_proto"] = "47"
		}
	}
	return p
}
