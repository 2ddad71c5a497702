package netfilter

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Target is what a matching rule does: "-j ..." or "-g ...". The
// implementations are the types in this file plus Unsupported.
type Target interface {
	// String is the iptables-save text, e.g. "-j DNAT --to-destination 10.0.0.5".
	String() string
	isTarget()
}

var (
	_ Target = (*Terminal)(nil)
	_ Target = (*Reject)(nil)
	_ Target = (*Jump)(nil)
	_ Target = (*NAT)(nil)
	_ Target = (*MarkTarget)(nil)
	_ Target = (*Log)(nil)
	_ Target = (*CT)(nil)
	_ Target = (*Notrack)(nil)
	_ Target = (*Checksum)(nil)
	_ Target = (*TCPMSS)(nil)
	_ Target = (*Unsupported)(nil)
)

// Terminal is -j ACCEPT, -j DROP or -j RETURN.
type Terminal struct {
	Verdict Verdict // VerdictAccept, VerdictDrop or VerdictReturn
}

func (t *Terminal) String() string { return "-j " + t.Verdict.String() }
func (*Terminal) isTarget()        {}

// Reject is -j REJECT.
type Reject struct {
	With string // --reject-with; "" is the default icmp-port-unreachable
}

func (t *Reject) String() string {
	if t.With == "" {
		return "-j REJECT"
	}
	return "-j REJECT --reject-with " + quoteMin(t.With)
}
func (*Reject) isTarget() {}

// Jump is -j CHAIN (returns here on RETURN) or -g CHAIN (does not).
type Jump struct {
	Chain string
	Goto  bool
}

func (t *Jump) String() string {
	if t.Goto {
		return "-g " + quoteMin(t.Chain)
	}
	return "-j " + quoteMin(t.Chain)
}
func (*Jump) isTarget() {}

// NAT is -j SNAT, DNAT, MASQUERADE or REDIRECT.
type NAT struct {
	Kind             NATKind
	MinAddr, MaxAddr netip.Addr // valid iff Kind is SNAT or DNAT and an address was given
	Ports            PortRange  // valid iff HasPorts
	HasPorts         bool
	Random           bool // --random
	FullyRandom      bool // --random-fully
	Persistent       bool // --persistent
}

func (t *NAT) String() string {
	var b strings.Builder
	b.WriteString("-j ")
	b.WriteString(t.Kind.String())
	switch t.Kind {
	case SNAT, DNAT:
		b.WriteString([...]string{" --to-source ", " --to-destination "}[t.Kind])
		b.WriteString(t.rangeString())
	default:
		if t.HasPorts {
			b.WriteString(" --to-ports ")
			b.WriteString(natPorts(t.Ports))
		}
	}
	if t.Random {
		b.WriteString(" --random")
	}
	if t.FullyRandom {
		b.WriteString(" --random-fully")
	}
	if t.Persistent {
		b.WriteString(" --persistent")
	}
	return b.String()
}

// rangeString is "ADDR[-ADDR][:PORT[-PORT]]".
func (t *NAT) rangeString() string {
	s := ""
	if t.MinAddr.IsValid() {
		s = t.MinAddr.String()
		if t.MaxAddr != t.MinAddr {
			s += "-" + t.MaxAddr.String()
		}
	}
	if t.HasPorts {
		s += ":" + natPorts(t.Ports)
	}
	return s
}

func natPorts(r PortRange) string {
	if r.Min == r.Max {
		return strconv.Itoa(int(r.Min))
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

func (*NAT) isTarget() {}

// MarkTarget is -j MARK (Conn false) or -j CONNMARK (Conn true).
type MarkTarget struct {
	Conn           bool
	Op             MarkOp
	Value, Mask    uint32 // valid iff Op is a set, and, or, xor operation
	NfMask, CtMask uint32 // valid iff Op is MarkSave or MarkRestore
}

func (t *MarkTarget) String() string {
	s := "-j MARK "
	if t.Conn {
		s = "-j CONNMARK "
	}
	s += t.Op.String()
	switch t.Op {
	case MarkSetX, MarkSet:
		return s + fmt.Sprintf(" 0x%x/0x%x", t.Value, t.Mask)
	case MarkAnd, MarkOr, MarkXor:
		return s + fmt.Sprintf(" 0x%x", t.Value)
	}
	return s + fmt.Sprintf(" --nfmask 0x%x --ctmask 0x%x", t.NfMask, t.CtMask)
}

// xmark reduces the set/and/or/xor operations to the kernel's one form:
// new = (old &^ mask) ^ value.
func (t *MarkTarget) xmark() (value, mask uint32) {
	switch t.Op {
	case MarkSet:
		return t.Value, t.Mask | t.Value
	case MarkAnd:
		return 0, ^t.Value
	case MarkOr:
		return t.Value, t.Value
	case MarkXor:
		return t.Value, 0
	}
	return t.Value, t.Mask
}

func (*MarkTarget) isTarget() {}

// Log is -j LOG; the walk goes on.
type Log struct {
	Prefix string   // --log-prefix
	Level  string   // --log-level; "" is the default
	Flags  []string // --log-tcp-sequence, --log-uid, ... as given
}

func (t *Log) String() string {
	s := "-j LOG"
	if t.Prefix != "" {
		s += " --log-prefix " + quoteStrict(t.Prefix)
	}
	if t.Level != "" {
		s += " --log-level " + quoteMin(t.Level)
	}
	for _, f := range t.Flags {
		s += " " + f
	}
	return s
}
func (*Log) isTarget() {}

// CT is -j CT --zone N / --notrack (raw table); the walk goes on.
type CT struct {
	Zone    uint16 // 0: no --zone
	Notrack bool
}

func (t *CT) String() string {
	s := "-j CT"
	if t.Notrack {
		s += " --notrack"
	}
	if t.Zone != 0 {
		s += " --zone " + strconv.Itoa(int(t.Zone))
	}
	return s
}
func (*CT) isTarget() {}

// Notrack is the old -j NOTRACK; the walk goes on.
type Notrack struct{}

func (*Notrack) String() string { return "-j NOTRACK" }
func (*Notrack) isTarget()      {}

// Checksum is -j CHECKSUM --checksum-fill: it changes no routing decision.
type Checksum struct{}

func (*Checksum) String() string { return "-j CHECKSUM --checksum-fill" }
func (*Checksum) isTarget()      {}

// TCPMSS is -j TCPMSS: it changes no routing decision.
type TCPMSS struct {
	ClampPMTU bool   // --clamp-mss-to-pmtu
	MSS       uint16 // --set-mss; valid iff !ClampPMTU
}

func (t *TCPMSS) String() string {
	if t.ClampPMTU {
		return "-j TCPMSS --clamp-mss-to-pmtu"
	}
	return "-j TCPMSS --set-mss " + strconv.Itoa(int(t.MSS))
}
func (*TCPMSS) isTarget() {}
