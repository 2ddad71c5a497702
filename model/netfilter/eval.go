package netfilter

import (
	"fmt"
	"net/netip"
	"strings"
)

// MaxJumpDepth bounds nested jumps and gotos in one walk. The kernel refuses
// loops at load time; a model built from text must stop on its own.
const MaxJumpDepth = 64

// Packet is what a rule can see of one packet at one hook.
type Packet struct {
	Src, Dst           netip.Addr
	Proto              uint8  // 6 tcp, 17 udp, 1 icmp, 132 sctp
	SrcPort, DstPort   uint16 // valid iff Proto is TCP, UDP or SCTP
	ICMPType, ICMPCode uint8  // valid iff Proto is ICMP
	TCPFlags           uint8  // FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32; valid iff Proto is TCP
	In, Out            string // -i / -o interface names; "" when the hook has none
	PhysIn, PhysOut    string // bridge ports, for physdev (br_netfilter)
	Bridged            bool   // the frame is being bridged (physdev-is-bridged)
	SrcMAC             [6]byte
	Mark, CtMark       uint32
	CtState            CtState                   // conntrack state and SNAT/DNAT status bits
	AddrType           func(netip.Addr) AddrType // nil: every address is UNICAST
	IPSet              func(name string) *IPSet  // nil or nil result: the set is unknown -> Unsupported
}

func (p *Packet) hasPorts() bool {
	return p.Proto == ProtoTCP || p.Proto == ProtoUDP || p.Proto == ProtoSCTP
}

// Outcome is how a walk through a chain ended.
type Outcome struct {
	Verdict     Verdict
	Rule        *Rule  // the rule whose target decided; nil when a policy decided
	Policy      bool   // the builtin chain's policy decided
	Chain       string // chain whose rule or policy decided
	Hits        []Hit  // every rule that matched, in order, the deciding one last
	NAT         *NAT   // valid iff Verdict == VerdictNAT
	Zone        uint16 // CT --zone set along the way; 0 = none
	Notrack     bool   // CT --notrack or NOTRACK along the way
	Unsupported string // valid iff Verdict == VerdictUnsupported: the construct's text
}

// Hit is one rule that matched and what it did.
type Hit struct {
	Rule   *Rule
	Effect string // "jump CHAIN", "return", "mark 0x0 -> 0x1", "accept", ...
}

func (h Hit) String() string { return fmt.Sprintf("%s #%d: %s", h.Rule.Chain, h.Rule.Num, h.Effect) }

// String is e.g. "DROP by neutron-openvswi-sg-fallback #1" or "ACCEPT by policy of FORWARD".
func (o Outcome) String() string {
	s := o.Verdict.String()
	switch {
	case o.Policy:
		s += " by policy of " + o.Chain
	case o.Rule != nil:
		s += fmt.Sprintf(" by %s #%d", o.Rule.Chain, o.Rule.Num)
	default:
		s += " at end of " + o.Chain
	}
	if o.Verdict == VerdictNAT {
		s += ": " + strings.TrimPrefix(o.NAT.String(), "-j ")
	}
	if o.Verdict == VerdictUnsupported {
		s += ": " + o.Unsupported
	}
	return s
}

// Evaluate walks chain `chain` of table t for packet p, as the kernel does:
// rules in order, jumps/gotos into user chains with RETURN, the builtin
// chain's policy when it falls off the end, jump depth bounded by
// MaxJumpDepth (reaching it is Unsupported, never a loop). Non-terminating
// targets (MARK, CONNMARK, LOG, CT, NOTRACK, CHECKSUM, TCPMSS) are applied
// to p and the walk goes on. Disabled rules are skipped.
func (t *Table) Evaluate(chain string, p *Packet) Outcome {
	return t.evaluate(chain, p, true)
}

// frame is one chain on the walk's stack.
type frame struct {
	chain *Chain
	depth int
	cur   cursor
}

// evaluate is Evaluate; useIndex false scans every rule, for the tests that
// hold the index to the linear result.
func (t *Table) evaluate(chain string, p *Packet, useIndex bool) Outcome {
	start := t.Chains[chain]
	if start == nil {
		return Outcome{Verdict: VerdictUnsupported, Chain: chain,
			Unsupported: fmt.Sprintf("no chain %s in table %s", chain, t.Name)}
	}
	var out Outcome
	stack := make([]frame, 1, 8)
	stack[0] = frame{chain: start}
	stack[0].cur.reset(start, p, useIndex)
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		i := f.cur.next()
		if i < 0 { // fell off the end of a user chain: back to the caller
			stack = stack[:len(stack)-1]
			continue
		}
		r := f.chain.Rules[i]
		if r.Disabled {
			continue
		}
		ok, why := r.matches(p)
		if why != "" {
			return out.unsupported(r, why)
		}
		if !ok {
			continue
		}
		switch tg := r.Target.(type) {
		case nil:
			out.hit(r, "count")
		case *Terminal:
			if tg.Verdict != VerdictReturn {
				return out.decide(r, tg.Verdict, strings.ToLower(tg.Verdict.String()))
			}
			out.hit(r, "return")
			if len(stack) == 1 && !start.Builtin {
				out.Verdict, out.Rule, out.Chain = VerdictReturn, r, r.Chain
				return out
			}
			stack = stack[:len(stack)-1]
		case *Reject:
			return out.decide(r, VerdictReject, strings.TrimSpace("reject "+tg.With))
		case *NAT:
			out.NAT = tg
			return out.decide(r, VerdictNAT, strings.ToLower(strings.TrimPrefix(tg.String(), "-j ")))
		case *Jump:
			next := t.Chains[tg.Chain]
			if next == nil {
				return out.unsupported(r, "jump to undefined chain "+tg.Chain)
			}
			if f.depth+1 > MaxJumpDepth {
				return out.unsupported(r, fmt.Sprintf("jump depth %d exceeded", MaxJumpDepth))
			}
			nf := frame{chain: next, depth: f.depth + 1}
			nf.cur.reset(next, p, useIndex)
			if tg.Goto {
				out.hit(r, "goto "+tg.Chain)
				*f = nf // a goto replaces the frame: RETURN goes to our caller
			} else {
				out.hit(r, "jump "+tg.Chain)
				stack = append(stack, nf)
			}
		case *Unsupported:
			return out.unsupported(r, tg.Text)
		default:
			out.hit(r, applyEffect(tg, p, &out))
		}
	}
	if !start.Builtin {
		out.Verdict, out.Chain = VerdictReturn, start.Name
		return out
	}
	out.Verdict, out.Policy, out.Chain = start.Policy, true, start.Name
	return out
}

// applyEffect applies a target that lets the walk go on and describes it.
func applyEffect(t Target, p *Packet, out *Outcome) string {
	switch t := t.(type) {
	case *MarkTarget:
		switch {
		case !t.Conn:
			v, m := t.xmark()
			old := p.Mark
			p.Mark = p.Mark&^m ^ v
			return fmt.Sprintf("mark 0x%x -> 0x%x", old, p.Mark)
		case t.Op == MarkSave:
			old := p.CtMark
			p.CtMark = p.CtMark&^t.CtMask ^ p.Mark&t.NfMask
			return fmt.Sprintf("ctmark 0x%x -> 0x%x (saved from mark)", old, p.CtMark)
		case t.Op == MarkRestore:
			old := p.Mark
			p.Mark = p.Mark&^t.NfMask ^ p.CtMark&t.CtMask
			return fmt.Sprintf("mark 0x%x -> 0x%x (restored from ctmark)", old, p.Mark)
		default:
			v, m := t.xmark()
			old := p.CtMark
			p.CtMark = p.CtMark&^m ^ v
			return fmt.Sprintf("ctmark 0x%x -> 0x%x", old, p.CtMark)
		}
	case *Log:
		return fmt.Sprintf("log prefix %q", t.Prefix)
	case *CT:
		if t.Zone != 0 {
			out.Zone = t.Zone
		}
		if t.Notrack {
			out.Notrack = true
			return "notrack"
		}
		return fmt.Sprintf("ct zone %d", t.Zone)
	case *Notrack:
		out.Notrack = true
		return "notrack"
	case *Checksum:
		return "checksum-fill"
	case *TCPMSS:
		return "tcpmss"
	}
	return "continue"
}

func (o *Outcome) hit(r *Rule, effect string) { o.Hits = append(o.Hits, Hit{Rule: r, Effect: effect}) }

func (o *Outcome) decide(r *Rule, v Verdict, effect string) Outcome {
	o.hit(r, effect)
	o.Verdict, o.Rule, o.Chain = v, r, r.Chain
	return *o
}

func (o *Outcome) unsupported(r *Rule, text string) Outcome {
	o.Unsupported = text
	return o.decide(r, VerdictUnsupported, "unsupported: "+text)
}

// matches evaluates the rule's matches in order, as the kernel does: the
// first one that fails ends the rule before any later one is consulted.
func (r *Rule) matches(p *Packet) (bool, string) {
	for _, m := range r.Matches {
		ok, why := m.match(p)
		if why != "" {
			return false, why
		}
		if !ok {
			return false, ""
		}
	}
	return true, ""
}
