package model

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Describe writes a readable overview of the topology, as `hopscope show`
// prints it: segments, then each host's namespaces (interfaces, routes by
// table, non-default rules, neighbours, iptables) and OVS bridges, then the
// endpoints. Everything appears in the order it was declared, indented as a
// tree, so two runs over the same topology print the same text.
func (t *Topology) Describe(w io.Writer) error {
	d := &describer{w: w}
	d.line(0, "topology %s", t.Name)
	if t.Description != "" {
		for _, l := range strings.Split(strings.TrimRight(t.Description, "\n"), "\n") {
			d.line(1, "%s", l)
		}
	}
	if len(t.Segments) > 0 {
		d.line(0, "segments")
		for _, s := range t.Segments {
			d.segment(s)
		}
	}
	for _, h := range t.Hosts {
		d.line(0, "host %s", h.Name)
		for _, ns := range h.Namespaces {
			d.namespace(ns)
		}
		if h.OVS != nil && len(h.OVS.Bridges) > 0 {
			d.line(1, "ovs")
			for _, b := range h.OVS.Bridges {
				d.ovsBridge(b)
			}
		}
	}
	if len(t.Endpoints) > 0 {
		d.line(0, "endpoints")
		for _, e := range t.Endpoints {
			d.endpoint(e)
		}
	}
	return d.err
}

// describer writes indented lines and keeps the first write error, so the
// walk above need not check after every line.
type describer struct {
	w   io.Writer
	err error
}

func (d *describer) line(depth int, format string, args ...any) {
	if d.err != nil {
		return
	}
	text := fmt.Sprintf(format, args...)
	if text == "" {
		depth = 0 // a blank line (in a description) gets no trailing spaces
	}
	_, d.err = fmt.Fprintf(d.w, "%s%s\n", strings.Repeat("  ", depth), text)
}

// fields joins the non-empty words of one line.
func descWords(words ...string) string {
	return strings.Join(slices.DeleteFunc(words, func(s string) bool { return s == "" }), " ")
}

// when returns s if cond holds, else "".
func descIf(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func (d *describer) segment(s *Segment) {
	var words []string
	for _, p := range s.Prefixes {
		words = append(words, p.String())
	}
	if s.Gateway.IsValid() {
		words = append(words, "gateway "+s.Gateway.String())
		if !s.GatewayMAC.IsZero() {
			words = append(words, "("+s.GatewayMAC.String()+")")
		}
		for _, p := range s.Upstream {
			words = append(words, "upstream "+p.String())
		}
	}
	d.line(1, "%s", descWords(append([]string{s.Name}, words...)...))
	for _, i := range s.Ifaces {
		d.line(2, "nic %s", i.Ref())
	}
}

func (d *describer) namespace(ns *Namespace) {
	head := "namespace " + ns.Name
	if ns.Kind != NSRoot {
		head += " (" + ns.Kind.String() + ")"
	}
	d.line(1, "%s ip_forward=%d bridge-nf-call-iptables=%d", head, descBool(ns.IPForward), descBool(ns.BridgeNFCallIptables))
	if len(ns.Interfaces) > 0 {
		d.line(2, "interfaces")
		for _, i := range ns.Interfaces {
			d.line(3, "%s", describeInterface(i))
		}
	}
	d.routes(ns)
	if !isDefaultRules(ns.Rules) {
		d.line(2, "rules")
		for _, r := range ns.Rules {
			d.line(3, "%s", strings.Replace(r.String(), ":\t", ": ", 1))
		}
	}
	if len(ns.Neighbors) > 0 {
		d.line(2, "neighbours")
		for _, n := range ns.Neighbors {
			d.line(3, "%s", n)
		}
	}
	if rs := ns.Netfilter; rs != nil {
		d.line(2, "iptables")
		for _, name := range rs.TableOrder {
			tb := rs.Tables[name]
			if tb == nil {
				continue
			}
			chains := make([]string, 0, len(tb.ChainOrder))
			for _, c := range tb.ChainOrder {
				if ch := tb.Chains[c]; ch != nil {
					chains = append(chains, ch.String())
				}
			}
			d.line(3, "%s: %s", name, strings.Join(chains, ", "))
		}
	}
	if len(ns.IPSets) > 0 {
		names := make([]string, 0, len(ns.IPSets))
		for n := range ns.IPSets {
			names = append(names, n)
		}
		slices.Sort(names)
		d.line(2, "ipsets %s", strings.Join(names, ", "))
	}
}

func describeInterface(i *Interface) string {
	words := []string{i.Name, i.Kind.String()}
	if !i.MAC.IsZero() {
		words = append(words, i.MAC.String())
	}
	for _, a := range i.Addrs {
		words = append(words, a.String())
	}
	if i.MTU != 0 {
		words = append(words, fmt.Sprintf("mtu %d", i.MTU))
	}
	if i.Peer != nil {
		words = append(words, "peer "+i.Peer.Ref())
	}
	if i.Master != nil {
		words = append(words, "master "+i.Master.Name)
	}
	if i.Segment != nil {
		words = append(words, "segment "+i.Segment.Name)
	}
	if p := i.OVSPort; p != nil && p.Bridge != nil {
		words = append(words, "ovs-port "+p.Bridge.Name+":"+p.Name)
	}
	if i.Bridge != nil && i.Bridge.VLANFiltering {
		words = append(words, "vlan_filtering")
	}
	if v := i.PortVLAN; v != nil {
		words = append(words, fmt.Sprintf("pvid %d", v.PVID))
	}
	words = append(words, descIf(i.ProxyARP, "proxy_arp"))
	if i.RPFilter != 0 {
		words = append(words, fmt.Sprintf("rp_filter=%d", i.RPFilter))
	}
	words = append(words, descIf(i.Down, "down"))
	return descWords(words...)
}

// routes prints each table's routes under the table's name: main first,
// numbered tables in order, then default and local, as one reads a
// namespace's routing. Within a table routes keep their declared order;
// those the kernel adds for an address are marked, since nobody wrote them.
func (d *describer) routes(ns *Namespace) {
	if len(ns.Routes) == 0 {
		return
	}
	var tables []int
	byTable := map[int][]*Route{}
	for _, r := range ns.Routes {
		if _, ok := byTable[r.Table]; !ok {
			tables = append(tables, r.Table)
		}
		byTable[r.Table] = append(byTable[r.Table], r)
	}
	group := func(id int) int {
		switch id {
		case TableMain:
			return 0
		case TableDefault, TableLocal:
			return 2
		}
		return 1
	}
	slices.SortFunc(tables, func(a, b int) int { return cmp.Or(cmp.Compare(group(a), group(b)), cmp.Compare(a, b)) })
	d.line(2, "routes")
	for _, id := range tables {
		d.line(3, "table %s", TableName(id))
		for _, r := range byTable[id] {
			// The heading names the table; print the route without it.
			rc := *r
			rc.Table = TableMain
			d.line(4, "%s", descWords(rc.String(), descIf(r.Implied, "(kernel)")))
		}
	}
}

// isDefaultRules reports whether rules are exactly the kernel's three, which
// are not worth printing.
func isDefaultRules(rules []*Rule) bool {
	def := DefaultRules()
	if len(rules) != len(def) {
		return false
	}
	for k, r := range rules {
		if r.String() != def[k].String() {
			return false
		}
	}
	return true
}

func (d *describer) ovsBridge(b *OVSBridge) {
	d.line(2, "%s", descWords("bridge "+b.Name,
		descIf(b.FailMode != "", "fail_mode "+b.FailMode),
		descIf(b.DatapathType != "", "datapath "+b.DatapathType)))
	for _, p := range b.Ports {
		d.line(3, "%s", describeOVSPort(p))
	}
}

func describeOVSPort(p *OVSPort) string {
	words := []string{p.Name}
	if p.OFPort != 0 { // 0 is no OpenFlow port: not known yet
		words = append(words, fmt.Sprintf("ofport %d", p.OFPort))
	}
	words = append(words, p.Type.String())
	if p.Tag != 0 {
		words = append(words, fmt.Sprintf("tag %d", p.Tag))
	}
	if len(p.Trunks) > 0 {
		words = append(words, "trunks "+descU16s(p.Trunks))
	}
	words = append(words, descIf(p.VLANMode != "", "vlan_mode "+p.VLANMode))
	if p.Peer != nil && p.Peer.Bridge != nil {
		words = append(words, "peer "+p.Peer.Bridge.Name+":"+p.Peer.Name)
	} else if p.Type == OVSPatch {
		words = append(words, "peer "+p.PeerName+" (unresolved)")
	}
	// An internal port moved into a namespace is easy to lose track of.
	if i := p.Iface; i != nil && i.NS != nil && i.NS.Kind != NSRoot {
		words = append(words, "in "+i.NS.Name)
	}
	keys := make([]string, 0, len(p.Options))
	for k := range p.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		words = append(words, k+"="+p.Options[k])
	}
	return descWords(words...)
}

func (d *describer) endpoint(e *Endpoint) {
	where := ""
	switch {
	case e.Iface != nil:
		where = "at " + e.Iface.Ref()
	case e.NS != nil:
		where = "in " + e.NS.Ref()
	case e.Segment != nil && e.Segment.OnSegment(e.Addr):
		where = "on segment " + e.Segment.Name
	case e.Segment != nil:
		where = "beyond segment " + e.Segment.Name
	}
	addr := ""
	if e.Addr.IsValid() {
		addr = e.Addr.String()
	}
	d.line(1, "%s", descWords(e.Name, e.Kind.String(), addr, where, descIf(e.Description != "", "- "+e.Description)))
}

func descU16s(vs []uint16) string {
	s := make([]string, len(vs))
	for k, v := range vs {
		s[k] = fmt.Sprint(v)
	}
	return strings.Join(s, ",")
}

func descBool(b bool) int {
	if b {
		return 1
	}
	return 0
}
