// Package netfilter models iptables rulesets: the iptables-save parser and
// printer, ipset contents, and the walk of one packet through one chain.
package netfilter

import (
	"fmt"
	"strings"
)

// Ruleset is one network namespace's IPv4 iptables state, as iptables-save
// prints it.
//
// Tables sit at the netfilter hooks in this order (kernel priority order
// within a hook):
//
//	--> PREROUTING --> routing --> FORWARD --> POSTROUTING -->
//	    raw,mangle,nat     |       mangle,filter,  mangle,nat
//	                       |       security            ^
//	                       v                           |
//	                     INPUT                       OUTPUT
//	                 mangle,filter,            raw,mangle,nat,
//	                 security,nat              filter,security
//	                       |                           ^
//	                       +----> local process -------+
type Ruleset struct {
	Tables     map[string]*Table
	TableOrder []string // as the tables appear in the text
}

// Table is one of raw, mangle, nat, filter, security.
type Table struct {
	Name       string
	Chains     map[string]*Chain
	ChainOrder []string // as declared
	// Owner names where the table lives ("host:ns"), for messages; set
	// by whoever places the ruleset (SetOwner), "" when unknown.
	Owner string
}

// Chain is a builtin or user-defined chain.
type Chain struct {
	Name    string
	Builtin bool
	Policy  Verdict // VerdictAccept or VerdictDrop; valid iff Builtin
	Rules   []*Rule

	// index narrows the rules a packet can match; built once by Parse, nil
	// for short chains (and for chains built by hand: Evaluate then scans).
	index *chainIndex
}

// Rule is one "-A" line.
type Rule struct {
	Chain    string
	Num      int    // 1-based position in the chain, as iptables -L --line-numbers
	Line     int    // 1-based line in the parsed text
	Text     string // the original "-A ..." line without a counter prefix
	Matches  []Match
	Target   Target // nil: the rule only counts, the walk goes on
	Disabled bool   // a what-if: Evaluate skips the rule

	table *Table // set by Parse, so that a rule alone can be named in full
}

// Table is the table the rule belongs to; nil for a rule not made by Parse.
func (r *Rule) Table() *Table { return r.table }

// SetOwner names where every table of rs lives ("host:ns"), for messages.
func (rs *Ruleset) SetOwner(name string) {
	if rs == nil {
		return
	}
	for _, t := range rs.Tables {
		t.Owner = name
	}
}

// Table returns the named table, or nil.
func (rs *Ruleset) Table(name string) *Table {
	if rs == nil {
		return nil
	}
	return rs.Tables[name]
}

// Chain returns the named chain, or nil.
func (t *Table) Chain(name string) *Chain {
	if t == nil {
		return nil
	}
	return t.Chains[name]
}

// FindRule returns the rule of table whose "-A" line equals text, comparing
// with runs of whitespace collapsed; it also accepts the printed form.
func (rs *Ruleset) FindRule(table, text string) *Rule {
	t := rs.Table(table)
	if t == nil {
		return nil
	}
	want := normalizeSpace(text)
	for _, name := range t.ChainOrder {
		for _, r := range t.Chains[name].Rules {
			if normalizeSpace(r.Text) == want || r.canonical() == want {
				return r
			}
		}
	}
	return nil
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// String is the rule's original text.
func (r *Rule) String() string {
	if r.Text != "" {
		return r.Text
	}
	return r.canonical()
}

// String is a compact summary, e.g. "FORWARD (policy DROP, 6 rules)".
func (c *Chain) String() string {
	if c.Builtin {
		return fmt.Sprintf("%s (policy %s, %d rules)", c.Name, c.Policy, len(c.Rules))
	}
	return fmt.Sprintf("%s (%d rules)", c.Name, len(c.Rules))
}

// String is the table's name and chain count.
func (t *Table) String() string { return fmt.Sprintf("*%s (%d chains)", t.Name, len(t.Chains)) }

// Verdict is how a walk through a chain ended.
type Verdict int

const (
	// VerdictAccept: ACCEPT, by a rule or a policy.
	VerdictAccept Verdict = iota
	// VerdictDrop: DROP, by a rule or a policy.
	VerdictDrop
	// VerdictReject: REJECT; the packet is dropped and an error is sent back.
	VerdictReject
	// VerdictNAT: SNAT, DNAT, MASQUERADE or REDIRECT decided; see Outcome.NAT.
	VerdictNAT
	// VerdictReturn: the walk left the user chain it started in.
	VerdictReturn
	// VerdictUnsupported: the model met a construct it cannot evaluate.
	VerdictUnsupported
)

var verdictNames = []string{"ACCEPT", "DROP", "REJECT", "NAT", "RETURN", "UNSUPPORTED"}

func (v Verdict) String() string { return enumName(verdictNames, int(v), "Verdict") }

// MarshalText writes the name, so JSON says "DROP".
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// CtState is a bitmask of conntrack states and NAT status bits, in the order
// iptables prints them.
type CtState uint8

const (
	// CtInvalid: conntrack could not classify the packet.
	CtInvalid CtState = 1 << iota
	// CtNew: the packet starts a connection.
	CtNew
	// CtRelated: the packet starts a connection related to a known one.
	CtRelated
	// CtEstablished: the packet belongs to a connection seen both ways.
	CtEstablished
	// CtUntracked: the packet skipped conntrack (NOTRACK, CT --notrack).
	CtUntracked
	// CtSNAT: status bit, the connection is source-NATed.
	CtSNAT
	// CtDNAT: status bit, the connection is destination-NATed.
	CtDNAT
)

var ctStateNames = []string{"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"}

func (s CtState) String() string { return bitNames(ctStateNames, uint32(s), "NONE") }

// MarshalText writes the names, e.g. "RELATED,ESTABLISHED".
func (s CtState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AddrType is a bitmask of routing address types, as -m addrtype names them.
type AddrType uint16

const (
	// AddrUnspec: an unspecified address.
	AddrUnspec AddrType = 1 << iota
	// AddrUnicast: an ordinary unicast address.
	AddrUnicast
	// AddrLocal: an address of this host.
	AddrLocal
	// AddrBroadcast: a broadcast address.
	AddrBroadcast
	// AddrAnycast: an anycast address.
	AddrAnycast
	// AddrMulticast: a multicast address.
	AddrMulticast
	// AddrBlackhole: routed to a blackhole.
	AddrBlackhole
	// AddrUnreachable: routed as unreachable.
	AddrUnreachable
	// AddrProhibit: routed as prohibited.
	AddrProhibit
	// AddrThrow: routed with a throw route.
	AddrThrow
	// AddrNAT: a NAT route.
	AddrNAT
	// AddrXResolve: needs external resolution.
	AddrXResolve
)

var addrTypeNames = []string{"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"}

func (a AddrType) String() string { return bitNames(addrTypeNames, uint32(a), "NONE") }

// MarshalText writes the names, e.g. "LOCAL,BROADCAST".
func (a AddrType) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Dir says which address or port of the packet a match looks at.
type Dir int

const (
	// DirSrc: the source.
	DirSrc Dir = iota
	// DirDst: the destination.
	DirDst
	// DirAny: either (multiport --ports).
	DirAny
)

var dirNames = []string{"src", "dst", "any"}

func (d Dir) String() string { return enumName(dirNames, int(d), "Dir") }

// MarshalText writes the name.
func (d Dir) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// PhysdevOpt is which -m physdev option a Physdev match is.
type PhysdevOpt int

const (
	// PhysdevIn: --physdev-in NAME, the bridge port the frame came in on.
	PhysdevIn PhysdevOpt = iota
	// PhysdevOut: --physdev-out NAME, the bridge port it leaves by.
	PhysdevOut
	// PhysdevIsIn: --physdev-is-in, it came in on a bridge port.
	PhysdevIsIn
	// PhysdevIsOut: --physdev-is-out, it leaves by a bridge port.
	PhysdevIsOut
	// PhysdevIsBridged: --physdev-is-bridged, it is being bridged.
	PhysdevIsBridged
)

var physdevNames = []string{"--physdev-in", "--physdev-out", "--physdev-is-in", "--physdev-is-out", "--physdev-is-bridged"}

func (o PhysdevOpt) String() string { return enumName(physdevNames, int(o), "PhysdevOpt") }

// MarshalText writes the option name.
func (o PhysdevOpt) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// NATKind is which NAT target decided.
type NATKind int

const (
	// SNAT rewrites the source to the given range.
	SNAT NATKind = iota
	// DNAT rewrites the destination to the given range.
	DNAT
	// Masquerade rewrites the source to the out interface's address.
	Masquerade
	// Redirect rewrites the destination to this host, on the given ports.
	Redirect
)

var natKindNames = []string{"SNAT", "DNAT", "MASQUERADE", "REDIRECT"}

func (k NATKind) String() string { return enumName(natKindNames, int(k), "NATKind") }

// MarshalText writes the name.
func (k NATKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// MarkOp is which MARK or CONNMARK operation a MarkTarget does.
type MarkOp int

const (
	// MarkSetX: --set-xmark V/M, mark = (mark &^ M) ^ V.
	MarkSetX MarkOp = iota
	// MarkSet: --set-mark V/M, mark = (mark &^ M) | V.
	MarkSet
	// MarkAnd: --and-mark V.
	MarkAnd
	// MarkOr: --or-mark V.
	MarkOr
	// MarkXor: --xor-mark V.
	MarkXor
	// MarkSave: CONNMARK --save-mark, ctmark from mark.
	MarkSave
	// MarkRestore: CONNMARK --restore-mark, mark from ctmark.
	MarkRestore
)

var markOpNames = []string{"--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark", "--save-mark", "--restore-mark"}

func (o MarkOp) String() string { return enumName(markOpNames, int(o), "MarkOp") }

// MarshalText writes the option name.
func (o MarkOp) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func enumName(names []string, i int, typ string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}

// bitNames joins the names of the set bits with ",", iptables style.
func bitNames(names []string, bits uint32, none string) string {
	if bits == 0 {
		return none
	}
	var b strings.Builder
	for i, n := range names {
		if bits&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// parseBitNames is the inverse of bitNames, case-insensitive.
func parseBitNames(names []string, list string) (uint32, string, bool) {
	var bits uint32
	for _, f := range strings.Split(list, ",") {
		found := false
		for i, n := range names {
			if strings.EqualFold(f, n) {
				bits |= 1 << i
				found = true
				break
			}
		}
		if !found {
			return 0, f, false
		}
	}
	return bits, "", true
}
