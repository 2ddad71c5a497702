package netfilter

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Match is one condition of a rule, in the order iptables-save prints it.
// A "-m MODULE" that loads a match module is a Match too (Module), so a
// rule's matches print back to its text. The implementations are the types
// in this file; the set is closed.
type Match interface {
	// String is the iptables-save text, e.g. "! -s 10.0.0.0/8".
	String() string
	// match reports whether p satisfies the condition; a non-empty
	// unsupported says the model cannot decide, and why.
	match(p *Packet) (ok bool, unsupported string)
}

var (
	_ Match = (*Addr)(nil)
	_ Match = (*Iface)(nil)
	_ Match = (*Proto)(nil)
	_ Match = (*Module)(nil)
	_ Match = (*Ports)(nil)
	_ Match = (*TCPFlags)(nil)
	_ Match = (*State)(nil)
	_ Match = (*Physdev)(nil)
	_ Match = (*MACSource)(nil)
	_ Match = (*MarkMatch)(nil)
	_ Match = (*Comment)(nil)
	_ Match = (*ICMPType)(nil)
	_ Match = (*AddrTypeMatch)(nil)
	_ Match = (*AddrTypeLimit)(nil)
	_ Match = (*SetMatch)(nil)
	_ Match = (*IPRange)(nil)
	_ Match = (*Unsupported)(nil)
)

// Unsupported is a match or target the model does not understand: an
// unknown module, an unknown option of a known module, an unknown target.
// Evaluating a rule that reaches it ends the walk with VerdictUnsupported.
type Unsupported struct {
	Text string // the raw text, re-quoted so it parses back the same
}

func (u *Unsupported) String() string               { return u.Text }
func (u *Unsupported) match(*Packet) (bool, string) { return false, u.Text }
func (u *Unsupported) isTarget()                    {}

// Addr is -s / -d: the packet's address lies in Prefix.
type Addr struct {
	Dir    Dir // DirSrc or DirDst
	Prefix netip.Prefix
	Invert bool
}

func (m *Addr) String() string {
	opt := "-s"
	if m.Dir == DirDst {
		opt = "-d"
	}
	return neg(m.Invert) + opt + " " + m.Prefix.String()
}

func (m *Addr) match(p *Packet) (bool, string) {
	a := p.Src
	if m.Dir == DirDst {
		a = p.Dst
	}
	return m.Prefix.Contains(a) != m.Invert, ""
}

// Iface is -i / -o. A trailing "+" in Name matches any name with that prefix.
type Iface struct {
	Out    bool // -o; false is -i
	Name   string
	Invert bool
}

func (m *Iface) String() string {
	opt := "-i "
	if m.Out {
		opt = "-o "
	}
	return neg(m.Invert) + opt + quoteMin(m.Name)
}

func (m *Iface) match(p *Packet) (bool, string) {
	name := p.In
	if m.Out {
		name = p.Out
	}
	return ifaceMatch(m.Name, name) != m.Invert, ""
}

// ifaceMatch is the kernel's interface comparison: "+" at the end is a
// prefix wildcard; a hook without that device sees the name "".
func ifaceMatch(pattern, name string) bool {
	if n := len(pattern); n > 0 && pattern[n-1] == '+' {
		return strings.HasPrefix(name, pattern[:n-1])
	}
	return pattern == name
}

// Proto is -p. Num 0 is "all".
type Proto struct {
	Num    uint8
	Invert bool
}

// Protocol numbers Packet.Proto uses.
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
	ProtoSCTP uint8 = 132
)

var protoNames = map[string]uint8{"all": 0, "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47,
	"esp": 50, "ah": 51, "sctp": 132, "udplite": 136}

func (m *Proto) String() string {
	name := strconv.Itoa(int(m.Num))
	for n, v := range protoNames {
		if v == m.Num {
			name = n
			break
		}
	}
	return neg(m.Invert) + "-p " + name
}

func (m *Proto) match(p *Packet) (bool, string) {
	if m.Num == 0 {
		return !m.Invert, ""
	}
	return (p.Proto == m.Num) != m.Invert, ""
}

// Module is "-m NAME", loading a match module whose options follow. It
// matches every packet by itself.
type Module struct{ Name string }

func (m *Module) String() string               { return "-m " + m.Name }
func (m *Module) match(*Packet) (bool, string) { return true, "" }

// PortRange is an inclusive range of ports; Min == Max is one port.
type PortRange struct{ Min, Max uint16 }

func (r PortRange) String() string {
	if r.Min == r.Max {
		return strconv.Itoa(int(r.Min))
	}
	return fmt.Sprintf("%d:%d", r.Min, r.Max)
}

func (r PortRange) contains(port uint16) bool { return r.Min <= port && port <= r.Max }

// Ports is --sport/--dport (tcp, udp, sctp; one range) or multiport
// --sports/--dports/--ports (a list).
type Ports struct {
	Dir    Dir  // DirAny only with Multi (--ports)
	Multi  bool // multiport syntax
	Ranges []PortRange
	Invert bool
}

func (m *Ports) String() string {
	opt := [...]string{"--sport", "--dport", "--port"}[m.Dir]
	if m.Multi {
		opt += "s"
	}
	parts := make([]string, len(m.Ranges))
	for i, r := range m.Ranges {
		parts[i] = r.String()
	}
	return neg(m.Invert) + opt + " " + strings.Join(parts, ",")
}

func (m *Ports) match(p *Packet) (bool, string) {
	if !p.hasPorts() {
		return false, ""
	}
	hit := false
	for _, r := range m.Ranges {
		if (m.Dir != DirDst && r.contains(p.SrcPort)) || (m.Dir != DirSrc && r.contains(p.DstPort)) {
			hit = true
			break
		}
	}
	return hit != m.Invert, ""
}

// TCPFlags is --tcp-flags MASK COMP (--syn is FIN,SYN,RST,ACK SYN): the
// flags in Mask must be exactly those in Comp.
type TCPFlags struct {
	Mask, Comp uint8
	Invert     bool
}

var tcpFlagNames = []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG"}

func (m *TCPFlags) String() string {
	return neg(m.Invert) + "--tcp-flags " + bitNames(tcpFlagNames, uint32(m.Mask), "NONE") + " " +
		bitNames(tcpFlagNames, uint32(m.Comp), "NONE")
}

func (m *TCPFlags) match(p *Packet) (bool, string) {
	if p.Proto != ProtoTCP {
		return false, ""
	}
	return (p.TCPFlags&m.Mask == m.Comp) != m.Invert, ""
}

// State is -m state --state or -m conntrack --ctstate: any listed bit set in
// the packet's CtState.
type State struct {
	States    CtState
	Conntrack bool // --ctstate; false is --state
	Invert    bool
}

func (m *State) String() string {
	opt := "--state "
	if m.Conntrack {
		opt = "--ctstate "
	}
	return neg(m.Invert) + opt + m.States.String()
}

func (m *State) match(p *Packet) (bool, string) {
	return (p.CtState&m.States != 0) != m.Invert, ""
}

// Physdev is one -m physdev option; it needs br_netfilter (bridged frames).
type Physdev struct {
	Opt    PhysdevOpt
	Name   string // valid iff Opt is PhysdevIn or PhysdevOut; "+" wildcard
	Invert bool
}

func (m *Physdev) String() string {
	s := neg(m.Invert) + m.Opt.String()
	if m.Opt == PhysdevIn || m.Opt == PhysdevOut {
		s += " " + quoteMin(m.Name)
	}
	return s
}

func (m *Physdev) match(p *Packet) (bool, string) {
	var ok bool
	switch m.Opt {
	case PhysdevIn:
		ok = p.PhysIn != "" && ifaceMatch(m.Name, p.PhysIn)
	case PhysdevOut:
		ok = p.PhysOut != "" && ifaceMatch(m.Name, p.PhysOut)
	case PhysdevIsIn:
		ok = p.PhysIn != ""
	case PhysdevIsOut:
		ok = p.PhysOut != ""
	case PhysdevIsBridged:
		ok = p.Bridged
	}
	return ok != m.Invert, ""
}

// MACSource is -m mac --mac-source.
type MACSource struct {
	MAC    [6]byte
	Invert bool
}

func (m *MACSource) String() string { return neg(m.Invert) + "--mac-source " + macString(m.MAC) }

func (m *MACSource) match(p *Packet) (bool, string) { return (p.SrcMAC == m.MAC) != m.Invert, "" }

func macString(a [6]byte) string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", a[0], a[1], a[2], a[3], a[4], a[5])
}

// MarkMatch is -m mark --mark (packet mark) or -m connmark --mark
// (connection mark): mark & Mask == Value.
type MarkMatch struct {
	Value, Mask uint32
	Conn        bool // connmark
	Invert      bool
}

func (m *MarkMatch) String() string { return neg(m.Invert) + "--mark " + markString(m.Value, m.Mask) }

func (m *MarkMatch) match(p *Packet) (bool, string) {
	mark := p.Mark
	if m.Conn {
		mark = p.CtMark
	}
	return (mark&m.Mask == m.Value) != m.Invert, ""
}

func markString(v, mask uint32) string {
	if mask == 0xffffffff {
		return fmt.Sprintf("0x%x", v)
	}
	return fmt.Sprintf("0x%x/0x%x", v, mask)
}

// Comment is -m comment --comment; it matches everything.
type Comment struct{ Text string }

func (m *Comment) String() string               { return "--comment " + quoteStrict(m.Text) }
func (m *Comment) match(*Packet) (bool, string) { return true, "" }

// ICMPType is -m icmp --icmp-type.
type ICMPType struct {
	Type, Code uint8
	AnyType    bool // "any"
	AnyCode    bool // no code given: every code of Type
	Invert     bool
}

func (m *ICMPType) String() string {
	s := neg(m.Invert) + "--icmp-type "
	switch {
	case m.AnyType:
		return s + "any"
	case m.AnyCode:
		return s + strconv.Itoa(int(m.Type))
	}
	return fmt.Sprintf("%s%d/%d", s, m.Type, m.Code)
}

func (m *ICMPType) match(p *Packet) (bool, string) {
	if p.Proto != ProtoICMP {
		return false, ""
	}
	ok := m.AnyType || (p.ICMPType == m.Type && (m.AnyCode || p.ICMPCode == m.Code))
	return ok != m.Invert, ""
}

// AddrTypeMatch is -m addrtype --src-type / --dst-type: the address's type
// has one of the listed bits.
type AddrTypeMatch struct {
	Dir    Dir // DirSrc or DirDst
	Types  AddrType
	Invert bool
}

func (m *AddrTypeMatch) String() string {
	opt := "--src-type "
	if m.Dir == DirDst {
		opt = "--dst-type "
	}
	return neg(m.Invert) + opt + m.Types.String()
}

func (m *AddrTypeMatch) match(p *Packet) (bool, string) {
	a := p.Src
	if m.Dir == DirDst {
		a = p.Dst
	}
	t := AddrUnicast
	if p.AddrType != nil {
		t = p.AddrType(a)
	}
	return (t&m.Types != 0) != m.Invert, ""
}

// AddrTypeLimit is --limit-iface-in / --limit-iface-out. Packet.AddrType
// answers for the whole host, so the limit matches everything here.
type AddrTypeLimit struct{ Out bool }

func (m *AddrTypeLimit) String() string {
	if m.Out {
		return "--limit-iface-out"
	}
	return "--limit-iface-in"
}

func (m *AddrTypeLimit) match(*Packet) (bool, string) { return true, "" }

// SetMatch is -m set --match-set NAME DIRS. Only the first direction is
// used: the supported set types have one dimension.
type SetMatch struct {
	Name   string
	Dirs   []Dir // DirSrc or DirDst each
	Invert bool
}

func (m *SetMatch) String() string {
	dirs := make([]string, len(m.Dirs))
	for i, d := range m.Dirs {
		dirs[i] = d.String()
	}
	return neg(m.Invert) + "--match-set " + quoteMin(m.Name) + " " + strings.Join(dirs, ",")
}

func (m *SetMatch) match(p *Packet) (bool, string) {
	var set *IPSet
	if p.IPSet != nil {
		set = p.IPSet(m.Name)
	}
	if set == nil {
		return false, "-m set " + m.String() + " (ipset " + m.Name + " not loaded)"
	}
	if !set.Supported() {
		return false, "-m set " + m.String() + " (ipset type " + set.Type + " not modelled)"
	}
	a := p.Src
	if m.Dirs[0] == DirDst {
		a = p.Dst
	}
	return set.Contains(a) != m.Invert, ""
}

// IPRange is -m iprange --src-range / --dst-range, inclusive.
type IPRange struct {
	Dir      Dir // DirSrc or DirDst
	From, To netip.Addr
	Invert   bool
}

func (m *IPRange) String() string {
	opt := "--src-range "
	if m.Dir == DirDst {
		opt = "--dst-range "
	}
	return neg(m.Invert) + opt + m.From.String() + "-" + m.To.String()
}

func (m *IPRange) match(p *Packet) (bool, string) {
	a := p.Src
	if m.Dir == DirDst {
		a = p.Dst
	}
	ok := a.IsValid() && m.From.Compare(a) <= 0 && a.Compare(m.To) <= 0
	return ok != m.Invert, ""
}

func neg(invert bool) string {
	if invert {
		return "! "
	}
	return ""
}
