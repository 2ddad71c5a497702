package oracle

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/trace"
)

// The third oracle is ovn-trace, run on a real southbound database that
// ovn-northd filled from the same northbound content hopscope reads. It is
// asked for two of its output forms at once and each answers one question:
//
//	ovn-trace --summary --minimal --no-friendly-names --ct=S1 --ct=S2 ... SWITCH MICROFLOW
//	  summary: the pipelines, so which logical port's conntrack zone each
//	           ct_next ran in and where ct_commit committed the connection
//	  minimal: the header changes, reduced to constants, and the
//	           output("port") of every packet that left the logical network
//
// ovn-trace keeps no conntrack table: every conntrack lookup sees the state
// --ct gives it (in order; the last one repeats), and ct_dnat/ct_snat
// without an argument assume no NAT entry.

// ovnTraceCT is how many conntrack lookups get a --ct state of their own.
const ovnTraceCT = 16

// Conntrack states for --ct: a packet that starts a connection, and one
// that answers a connection its zone committed.
const (
	ctNew   = "trk,new"
	ctReply = "trk,est,rpl"
)

// OVNHeaders are the header fields the OVN comparison judges.
type OVNHeaders struct {
	EthSrc, EthDst   model.MAC
	Src, Dst         netip.Addr
	TTL              uint8
	SrcPort, DstPort uint16 // valid iff the protocol is TCP or UDP
	ICMPType         uint8  // valid iff the protocol is ICMP
}

func (h OVNHeaders) String() string {
	s := fmt.Sprintf("%s>%s %s", h.EthSrc, h.EthDst, h.Src)
	if h.SrcPort != 0 {
		s += ":" + strconv.Itoa(int(h.SrcPort))
	}
	s += ">" + h.Dst.String()
	if h.DstPort != 0 {
		s += ":" + strconv.Itoa(int(h.DstPort))
	}
	return s + fmt.Sprintf(" ttl %d", h.TTL)
}

// OVNFlow is one packet entering a logical switch port, as an ovn-trace
// microflow states it.
type OVNFlow struct {
	InPort string
	OVNHeaders
	Proto    uint8 // trace.ProtoICMP, ProtoTCP or ProtoUDP
	TCPFlags uint8 // valid iff Proto is TCP
}

// Microflow is f in OVN's expression language.
func (f OVNFlow) Microflow() string {
	s := fmt.Sprintf("inport == %q && eth.src == %s && eth.dst == %s && ip4.src == %s && ip4.dst == %s && ip.ttl == %d",
		f.InPort, f.EthSrc, f.EthDst, f.Src, f.Dst, f.TTL)
	switch f.Proto {
	case trace.ProtoTCP:
		s += fmt.Sprintf(" && tcp && tcp.src == %d && tcp.dst == %d && tcp.flags == %#x", f.SrcPort, f.DstPort, f.TCPFlags)
	case trace.ProtoUDP:
		s += fmt.Sprintf(" && udp && udp.src == %d && udp.dst == %d", f.SrcPort, f.DstPort)
	case trace.ProtoICMP:
		s += fmt.Sprintf(" && icmp4 && icmp4.type == %d && icmp4.code == 0", f.ICMPType)
	}
	return s
}

// OVNOutput is one packet ovn-trace output to a logical port.
type OVNOutput struct {
	Port string
	OVNHeaders
	Kind    string     // Generated: what made it ("echo reply", "tcp_reset", "icmp4", ...)
	Target  netip.Addr // ARPs: the address asked for (arp.tpa)
	Commits []string   // the logical ports whose conntrack zones committed the connection on the way
}

func (o OVNOutput) String() string {
	switch {
	case o.Target.IsValid():
		return fmt.Sprintf("ARP request for %s out of %s", o.Target, o.Port)
	case o.Kind != "":
		return fmt.Sprintf("%s to %s (%s)", o.Kind, o.Port, o.OVNHeaders)
	}
	return fmt.Sprintf("%s [%s]", o.Port, o.OVNHeaders)
}

// OVNConntrack is one conntrack lookup (ct_next, or ct_lb on a switch
// with load balancers) and the state ovn-trace gave it.
type OVNConntrack struct {
	Zone  string // the logical port whose zone it ran in
	State string // as printed: "new|trk", "est|rpl|trk"
}

// PortSecCheck is one check_in_port_sec or check_out_port_sec that ran.
type PortSecCheck struct {
	Port   string
	Egress bool
}

// OVNTrace is what ovn-trace said about one flow.
type OVNTrace struct {
	Flow      OVNFlow
	Outputs   []OVNOutput    // the packet itself, at each logical port it was output to
	Generated []OVNOutput    // packets the pipeline sent instead: an echo reply, a TCP reset, an ICMP error
	ARPs      []OVNOutput    // ARP requests for a next hop with no MAC binding
	CT        []OVNConntrack // every conntrack lookup, in the order it ran
	Echo      bool           // a router turned the echo request into its reply (whether or not the reply got out)
	Rejects   []string       // the generators the packet itself ran into: "tcp_reset", "icmp4 type 3", ...
	ARPFor    []netip.Addr   // the addresses the packet itself made ARP requests for
	PortSec   []PortSecCheck // the port security checks that ran, in order
	NATZones  []string       // the router ports whose pipelines ran ct_dnat or ct_snat (their zone's state is a --ct state too)
	Selects   []string       // the ids a select action (ECMP) chose among: ovn-trace follows one, --select-id says which
	Errors    []string       // "***" lines: what ovn-trace could not follow
	Unjudged  []string       // changes to fields the comparison does not judge, on the packet's own path
	Command   string         // how to ask again
	Raw       string         // the minimal trace, for reports
}

// Dropped reports whether nothing at all left the logical network.
func (t *OVNTrace) Dropped() bool { return len(t.Outputs)+len(t.Generated)+len(t.ARPs) == 0 }

// generators are the transformations that send a new packet in place of
// the traced one.
var generators = map[string]bool{
	"icmp4": true, "icmp4_error": true, "icmp6": true, "icmp6_error": true, "tcp_reset": true,
	"reject": true, "sctp_abort": true, "nd_na": true, "nd_na_router": true, "nd_ns": true,
}

// TraceOVN asks ovn-trace, through run (a Cluster's Trace), what becomes
// of f in logical switch dp. ct gives the states of the first conntrack
// lookups; the rest see fill.
func TraceOVN(run func(args ...string) (string, error), dp string, f OVNFlow, ct []string, fill string, extra ...string) (*OVNTrace, error) {
	args := append([]string{"--summary", "--minimal", "--no-friendly-names"}, extra...)
	for i := range ovnTraceCT {
		s := fill
		if i < len(ct) {
			s = ct[i]
		}
		args = append(args, "--ct="+s)
	}
	args = append(args, dp, f.Microflow())
	out, err := run(args...)
	if err != nil {
		return nil, err
	}
	t, err := ParseOVNTrace(out, f)
	if err != nil {
		return nil, fmt.Errorf("ovn-trace %s %q: %w\n%s", dp, f.Microflow(), err, out)
	}
	if len(t.CT) > ovnTraceCT {
		return nil, fmt.Errorf("ovn-trace %s %q: %d conntrack lookups, more than the %d --ct states given", dp, f.Microflow(), len(t.CT), ovnTraceCT)
	}
	t.Command = "ovn-trace " + strings.Join(args[:len(args)-1], " ") + " '" + f.Microflow() + "'"
	return t, nil
}

// ParseOVNTrace reads ovn-trace's --summary --minimal output for flow f.
func ParseOVNTrace(out string, f OVNFlow) (*OVNTrace, error) {
	_, rest, ok := strings.Cut(out, "# Summary trace.\n")
	if !ok {
		return nil, errors.New(`no "# Summary trace." section: run ovn-trace with --summary --minimal`)
	}
	sum, min, ok := strings.Cut(rest, "# Minimal trace.\n")
	if !ok {
		return nil, errors.New(`no "# Minimal trace." section: run ovn-trace with --summary --minimal`)
	}
	sumTree, err := parseOTTree(sum)
	if err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	minTree, err := parseOTTree(min)
	if err != nil {
		return nil, fmt.Errorf("minimal: %w", err)
	}
	p := &otParser{t: &OVNTrace{Flow: f, Raw: strings.TrimSpace(min)}}
	p.summary(sumTree, "", nil)
	p.minimal(minTree, otState{h: f.OVNHeaders, rej: -1}, f)
	if len(p.commits) != len(p.all) {
		return nil, fmt.Errorf("the summary has %d outputs to logical ports, the minimal trace %d", len(p.commits), len(p.all))
	}
	for i, o := range p.all {
		o.Commits = p.commits[i]
		switch {
		case o.Target.IsValid():
			p.t.ARPs = append(p.t.ARPs, *o)
		case o.Kind != "":
			p.t.Generated = append(p.t.Generated, *o)
		default:
			p.t.Outputs = append(p.t.Outputs, *o)
		}
	}
	return p.t, nil
}

// otNode is one line of ovn-trace's summary or minimal output: an action,
// or a block (a pipeline, a transformation) with the lines inside it.
type otNode struct {
	text  string // without indentation, " {" or the final ";"
	block bool
	kids  []*otNode
}

// parseOTTree reads the indented, brace-nested form both outputs share.
// A block opens on a line ending in "{" and closes on a line "};"; an
// action may hold braces of its own ("ct_commit { ct_mark.blocked = 0; };").
func parseOTTree(text string) ([]*otNode, error) {
	root := &otNode{}
	stack := []*otNode{root}
	for i, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		top := stack[len(stack)-1]
		switch {
		case l == "" || strings.HasPrefix(l, "# "):
		case l == "};" || l == "}":
			if len(stack) == 1 {
				return nil, fmt.Errorf("line %d: %q closes no block", i+1, l)
			}
			stack = stack[:len(stack)-1]
		case strings.HasSuffix(l, "{"):
			n := &otNode{text: strings.TrimSpace(strings.TrimSuffix(l, "{")), block: true}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		default:
			top.kids = append(top.kids, &otNode{text: strings.TrimSuffix(l, ";")})
		}
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("%d blocks left open (%q)", len(stack)-1, stack[len(stack)-1].text)
	}
	return root.kids, nil
}

type otParser struct {
	t       *OVNTrace
	all     []*OVNOutput // every output("port") of the minimal trace, in order
	commits [][]string   // per final output of the summary: the zones committed on its way
}

// summary walks the summary tree: zone is the logical port whose
// conntrack zone the current pipeline uses (ingress: the inport, egress:
// the outport); commits are the zones that committed on the way here.
func (p *otParser) summary(nodes []*otNode, zone string, commits []string) {
	for i, n := range nodes {
		if n.block {
			z := zone
			switch {
			case strings.HasPrefix(n.text, "ingress("):
				z = otAttr(n.text, "inport")
			case strings.HasPrefix(n.text, "egress("):
				z = otAttr(n.text, "outport")
			case isCTLookup(n.text, true):
				p.t.CT = append(p.t.CT, OVNConntrack{Zone: zone, State: ctStateOf(n.text)})
			case strings.HasPrefix(n.text, "ct_dnat") || strings.HasPrefix(n.text, "ct_snat"):
				p.t.NATZones = append(p.t.NATZones, zone)
			}
			p.summary(n.kids, z, slices.Clone(commits))
			continue
		}
		switch {
		case (n.text == "ct_snat" || n.text == "ct_snat_in_czone") && !(i+1 < len(nodes) && nodes[i+1].block && strings.HasPrefix(nodes[i+1].text, "ct_snat")):
			// On a gateway router ovn-trace takes "ct_snat;" to have no
			// visible effect and does not go on to the next table
			// (utilities/ovn-trace.c, execute_ct_nat): OVN would.
			p.t.Errors = append(p.t.Errors, "stops at ct_snat; in "+zone+"'s pipeline (a gateway router: ovn-trace does not go on past it)")
		case isCTLookup(n.text, false):
			// ct_next(ct_state=...) with nothing after it: the next table dropped it.
			p.t.CT = append(p.t.CT, OVNConntrack{Zone: zone, State: ctStateOf(n.text)})
		case strings.HasPrefix(n.text, "ct_commit"):
			commits = append(commits, zone)
		case strings.Contains(n.text, "= select(") && p.t.Selects == nil:
			// "reg8[16..31] = select(1=100, 2=100)": ids, with weights.
			_, list, _ := strings.Cut(n.text, "= select(")
			for _, id := range strings.Split(strings.TrimSuffix(list, ")"), ",") {
				id, _, _ = strings.Cut(strings.TrimSpace(id), "=")
				p.t.Selects = append(p.t.Selects, id)
			}
		case strings.HasSuffix(n.text, "= check_in_port_sec()"):
			p.t.PortSec = append(p.t.PortSec, PortSecCheck{Port: zone})
		case strings.HasSuffix(n.text, "= check_out_port_sec()"):
			p.t.PortSec = append(p.t.PortSec, PortSecCheck{Port: zone, Egress: true})
		case strings.HasPrefix(n.text, "/* output to "):
			// A patch port's output goes on in its peer's ingress pipeline,
			// the next block; any other output leaves the logical network.
			if i+1 < len(nodes) && nodes[i+1].block && strings.HasPrefix(nodes[i+1].text, "ingress(") {
				continue
			}
			p.commits = append(p.commits, slices.Clone(commits))
		}
	}
}

// isCTLookup reports whether a summary line is a conntrack lookup's
// transformation: "ct_next(ct_state=...)" (block or not), or a "ct_lb"
// block (the action lines read "ct_next;" and "ct_lb_mark;").
func isCTLookup(text string, block bool) bool {
	if strings.HasPrefix(text, "ct_next(") {
		return true
	}
	name, _, _ := otTransform(text)
	return block && (name == "ct_lb" || name == "ct_lb_mark")
}

func ctStateOf(text string) string {
	_, after, ok := strings.Cut(text, "ct_state=")
	if !ok {
		return "(not shown)"
	}
	if i := strings.IndexAny(after, " )"); i >= 0 {
		after = after[:i]
	}
	return after
}

// otAttr reads attr="value" from a pipeline line.
func otAttr(text, attr string) string {
	_, after, ok := strings.Cut(text, attr+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, `"`)
	return v
}

// otState is the packet as the minimal trace has changed it so far.
type otState struct {
	h   OVNHeaders
	arp bool       // an arp { } block turned it into an ARP request
	tpa netip.Addr // arp.tpa
	gen string     // the transformation that generated it, if any
	rej int        // its index in Rejects, for the ICMP type it sets (-1: none)
}

// minimal walks the minimal tree. A block gets a copy of the packet: after
// a transformation ovn-trace goes on with the packet as it was before it.
func (p *otParser) minimal(nodes []*otNode, st otState, f OVNFlow) {
	for _, n := range nodes {
		if n.block {
			name, args, _ := otTransform(n.text)
			s := st
			switch {
			case name == "arp" && s.gen == "":
				s.arp, s.gen = true, "arp"
			case generators[name] && s.gen == "":
				s.gen, s.rej = name, len(p.t.Rejects)
				p.t.Rejects = append(p.t.Rejects, name)
			}
			for _, a := range args {
				// ct_dnat(ip4.dst=10.0.0.5) changes the packet;
				// ct_next(ct_state=new|trk) only says what conntrack reported.
				if k, v, ok := strings.Cut(a, "="); ok && strings.Contains(k, ".") {
					p.set(&s, strings.TrimSpace(k), strings.TrimSpace(v), n.text)
				}
			}
			p.minimal(n.kids, s, f)
			continue
		}
		t := n.text
		switch {
		case strings.HasPrefix(t, "output("):
			port, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(t, "output("), ")"))
			if err != nil {
				p.t.Errors = append(p.t.Errors, "unreadable output: "+t)
				continue
			}
			o := &OVNOutput{Port: port, OVNHeaders: st.h}
			switch {
			case st.arp:
				o.Kind, o.Target = "arp", st.tpa
				if !o.Target.IsValid() {
					o.Target = netip.IPv4Unspecified()
				}
			case st.gen != "":
				o.Kind = st.gen
			}
			p.all = append(p.all, o)
		case strings.HasPrefix(t, "***"):
			p.t.Errors = append(p.t.Errors, t)
		case generators[t] && st.gen == "":
			// A generator whose packet went nowhere.
			p.t.Rejects = append(p.t.Rejects, t)
		case strings.HasSuffix(t, "--"):
			if f := strings.TrimSuffix(t, "--"); f == "ip.ttl" {
				st.h.TTL--
			} else if st.gen == "" {
				p.t.Unjudged = append(p.t.Unjudged, t)
			}
		case strings.Contains(t, " = "):
			k, v, _ := strings.Cut(t, " = ")
			p.set(&st, k, v, t)
		}
	}
}

// set applies one change the minimal trace shows ("eth.dst = ...", or a
// transformation's "ip4.dst=...").
func (p *otParser) set(st *otState, field, value, text string) {
	var err error
	switch field {
	case "eth.src":
		st.h.EthSrc, err = model.ParseMAC(value)
	case "eth.dst":
		st.h.EthDst, err = model.ParseMAC(value)
	case "ip4.src":
		st.h.Src, err = otAddr(value)
	case "ip4.dst":
		st.h.Dst, err = otAddr(value)
	case "ip.ttl":
		var v uint64
		v, err = strconv.ParseUint(value, 0, 8)
		st.h.TTL = uint8(v)
	case "tcp.src", "udp.src", "tcp.dst", "udp.dst":
		var v uint64
		v, err = strconv.ParseUint(value, 0, 16)
		if strings.HasSuffix(field, ".src") {
			st.h.SrcPort = uint16(v)
		} else {
			st.h.DstPort = uint16(v)
		}
	case "icmp4.type":
		var v uint64
		v, err = strconv.ParseUint(value, 0, 8)
		st.h.ICMPType = uint8(v)
		if st.gen == "" && p.t.Flow.Proto == trace.ProtoICMP && p.t.Flow.ICMPType == 8 && v == 0 {
			// A router answers the echo: what follows is the answer's.
			p.t.Echo, st.gen = true, "echo reply"
		}
		if st.gen == "icmp4" && st.rej >= 0 && err == nil {
			p.t.Rejects[st.rej] = fmt.Sprintf("icmp4 type %d", v)
		}
	case "icmp4.code":
	case "arp.tpa":
		st.tpa, err = otAddr(value)
		if err == nil && st.gen == "arp" {
			p.t.ARPFor = append(p.t.ARPFor, st.tpa)
		}
	default:
		// Registers and metadata are the pipeline's own business.
		internal := false
		for _, pre := range []string{"reg", "xreg", "xxreg", "flags.", "ct_", "outport", "inport"} {
			internal = internal || strings.HasPrefix(field, pre)
		}
		if st.gen == "" && !internal {
			p.t.Unjudged = append(p.t.Unjudged, text)
		}
	}
	if err != nil {
		p.t.Errors = append(p.t.Errors, fmt.Sprintf("unreadable %s: %v", text, err))
	}
}

// otAddr reads an IPv4 address as ovn-trace prints it: dotted, or a
// register's value in hex (arp.spa = 0x303004d).
func otAddr(s string) (netip.Addr, error) {
	if strings.HasPrefix(s, "0x") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return netip.Addr{}, err
		}
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
	}
	return netip.ParseAddr(s)
}

// otTransform splits a transformation line: "ct_dnat(ip4.dst=10.0.0.5)"
// is ct_dnat with one argument; "ct_lb /* default ... */" has a comment.
func otTransform(text string) (name string, args []string, comment string) {
	if i := strings.Index(text, "/*"); i >= 0 {
		comment = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text[i+2:]), "*/"))
		text = strings.TrimSpace(text[:i])
	}
	name = text
	if i := strings.IndexAny(text, "( "); i >= 0 {
		name = text[:i]
		if text[i] == '(' {
			inner := strings.TrimSuffix(text[i+1:], ")")
			for _, a := range strings.Split(inner, ",") {
				if a = strings.TrimSpace(a); a != "" {
					args = append(args, a)
				}
			}
		}
	}
	return name, args, comment
}
