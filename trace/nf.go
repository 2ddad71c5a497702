package trace

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
)

// hook is a netfilter hook. The tables run at each hook in the kernel's
// priority order; nat runs only for the first packet of a connection:
//
//	PREROUTING   raw  mangle  nat        --> routing --> INPUT   mangle filter nat
//	                                                 `-> FORWARD mangle filter
//	OUTPUT       raw  mangle  nat filter --> POSTROUTING mangle nat
type hook int

const (
	hookPrerouting hook = iota
	hookInput
	hookForward
	hookOutput
	hookPostrouting
)

var hookNames = []string{"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}

func (h hook) String() string { return hookNames[h] }

var hookTables = [][]string{
	hookPrerouting:  {"raw", "mangle", "nat"},
	hookInput:       {"mangle", "filter", "nat"},
	hookForward:     {"mangle", "filter"},
	hookOutput:      {"raw", "mangle", "nat", "filter"},
	hookPostrouting: {"mangle", "nat"},
}

// hookIO is what the hook knows of devices: in/out interfaces, bridge
// ports for br_netfilter, and the next hop (MASQUERADE picks its address).
type hookIO struct {
	in, out         string
	physIn, physOut string
	bridged         bool
	gw              netip.Addr
}

// hook runs one netfilter hook in namespace ns. It returns the packet as
// the hook left it, and false when the path ended (denied or unsupported).
func (r *run) hook(c *cur, ns *model.Namespace, h hook, p Packet, io hookIO) (Packet, bool) {
	if h == hookPostrouting || h == hookInput {
		p = r.ctUnDNAT(c, p)
	}
	rs := ns.Netfilter
	if rs == nil {
		return p, true
	}
	for _, tname := range hookTables[h] {
		t := rs.Table(tname)
		if t == nil {
			continue
		}
		if tname == "nat" && p.CtState != "NEW" {
			continue
		}
		ch := t.Chain(h.String())
		if ch == nil || (len(ch.Rules) == 0 && ch.Policy == netfilter.VerdictAccept) {
			continue
		}
		var ok bool
		if p, ok = r.evalTable(c, ns, h, t, p, io); !ok {
			return p, false
		}
	}
	return p, true
}

func (r *run) evalTable(c *cur, ns *model.Namespace, h hook, t *netfilter.Table, p Packet, io hookIO) (Packet, bool) {
	np := r.nfPacket(c, ns, p, io)
	out := t.Evaluate(h.String(), np)
	q := p
	q.Mark, q.CtMark = np.Mark, np.CtMark
	if out.Zone != 0 {
		q.CtZone = out.Zone
	}
	d := &NetfilterDetail{Hook: h.String(), Table: t.Name, Chain: out.Chain, Verdict: out.Verdict.String(),
		Policy: out.Policy, Bridged: io.bridged}
	for _, hit := range out.Hits {
		d.Hits = append(d.Hits, RuleHit{Chain: hit.Rule.Chain, Num: hit.Rule.Num, Rule: hit.Rule.Text, Effect: hit.Effect, Object: hit.Rule})
	}
	where := fmt.Sprintf("%s %s", t.Name, h)
	if io.bridged {
		where += " (bridged, br_netfilter)"
	}
	decided := fmt.Sprintf("no rule decided, chain %s policy", out.Chain)
	var src *SourceRef
	if out.Rule != nil {
		decided = fmt.Sprintf("rule %d of %s", out.Rule.Num, out.Rule.Chain)
		src = &SourceRef{Text: out.Rule.Text, Location: ruleLocation(ns, t, out.Rule)}
	}
	obj := object(out.Rule)
	step := Step{Kind: Netfilter, Source: src, Detail: d, Object: obj}
	switch out.Verdict {
	case netfilter.VerdictAccept, netfilter.VerdictReturn:
		step.Action, step.Why = Permitted, fmt.Sprintf("%s: %s: ACCEPT", where, decided)
		if out.Rule == nil && !out.Policy {
			step.Why = fmt.Sprintf("%s: no rule decided: ACCEPT", where)
		}
	case netfilter.VerdictDrop, netfilter.VerdictReject:
		step.Action, step.Why = DeniedAction, fmt.Sprintf("%s: %s: %s", where, decided, out.Verdict)
		if out.Rule != nil {
			step.Why += fmt.Sprintf(" (%s)", out.Rule.Text)
		}
		c.tr.add(step)
		r.finish(c, Denied, Step{Kind: Deliver, Action: DeniedAction, Why: step.Why, Source: src, Object: obj}, q)
		return q, false
	case netfilter.VerdictNAT:
		nq, err := r.applyNAT(ns, out.NAT, q, io)
		if err != nil {
			step.Action, step.Why = UnsupportedAction, fmt.Sprintf("%s: %s: %v", where, decided, err)
			c.tr.add(step)
			r.finish(c, Unsupported, Step{Kind: Deliver, Action: UnsupportedAction, Why: step.Why, Source: src, Object: obj}, q)
			return q, false
		}
		step.Action, step.Why = Transformed, fmt.Sprintf("%s: %s: %s", where, decided, strings.TrimPrefix(natText(out.Rule), "-j "))
		step.Diff = diff(q, nq)
		q = nq
	default:
		step.Action, step.Why = UnsupportedAction, fmt.Sprintf("%s: the model cannot evaluate %q", where, out.Unsupported)
		c.tr.add(step)
		r.finish(c, Unsupported, Step{Kind: Deliver, Action: UnsupportedAction, Why: step.Why, Source: src, Object: obj}, q)
		return q, false
	}
	if step.Diff == nil {
		step.Diff = diff(p, q)
	}
	c.tr.add(step)
	return q, true
}

// ruleLocation points at the rule's line: the scenario file line of the
// iptables block plus the rule's line within it, when known.
func ruleLocation(ns *model.Namespace, t *netfilter.Table, rl *netfilter.Rule) string {
	loc := fmt.Sprintf("%s iptables -t %s, chain %s rule %d", ns.Ref(), t.Name, rl.Chain, rl.Num)
	if s := ns.NetfilterSource; s.File != "" && s.Line > 0 {
		loc = fmt.Sprintf("%s:%d (%s)", s.File, s.Line+rl.Line-1, loc)
	}
	return loc
}

func natText(rl *netfilter.Rule) string {
	if rl == nil {
		return ""
	}
	if i := strings.Index(rl.Text, " -j "); i >= 0 {
		return rl.Text[i+1:]
	}
	return rl.Text
}

// nfPacket is what iptables sees of p at this hook.
func (r *run) nfPacket(c *cur, ns *model.Namespace, p Packet, io hookIO) *netfilter.Packet {
	np := &netfilter.Packet{
		Src: p.Src, Dst: p.Dst, Proto: p.Proto, SrcPort: p.SrcPort, DstPort: p.DstPort,
		ICMPType: p.ICMPType, ICMPCode: p.ICMPCode, TCPFlags: p.TCPFlags,
		In: io.in, Out: io.out, PhysIn: io.physIn, PhysOut: io.physOut, Bridged: io.bridged,
		SrcMAC: p.SrcMAC, Mark: p.Mark, CtMark: p.CtMark,
		AddrType: func(a netip.Addr) netfilter.AddrType { return addrType(ns, a) },
		IPSet:    func(name string) *netfilter.IPSet { return ns.IPSets[name] },
	}
	switch p.CtState {
	case "ESTABLISHED":
		np.CtState = netfilter.CtEstablished
	default:
		np.CtState = netfilter.CtNew
	}
	if r.ctDNATed(c, p) {
		np.CtState |= netfilter.CtDNAT
	}
	if r.ctSNATed(c, p) {
		np.CtState |= netfilter.CtSNAT
	}
	return np
}

// addrType classifies an address as the kernel's routing does for -m addrtype.
func addrType(ns *model.Namespace, a netip.Addr) netfilter.AddrType {
	switch {
	case !a.IsValid() || a.IsUnspecified():
		return netfilter.AddrUnspec
	case a.IsMulticast():
		return netfilter.AddrMulticast
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netfilter.AddrBroadcast
	}
	if rt := longestMatch(ns, model.TableLocal, a); rt != nil && rt.Type == model.RouteLocal {
		return netfilter.AddrLocal
	}
	for _, i := range ns.Interfaces {
		for _, pf := range i.Addrs {
			if pf.Bits() < 31 && a == lastAddr(pf.Masked()) {
				return netfilter.AddrBroadcast
			}
		}
	}
	return netfilter.AddrUnicast
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
