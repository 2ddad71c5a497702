package netfilter

import (
	"net/netip"
	"strconv"
	"strings"
)

// ruleParser reads the options of one "-A CHAIN ..." line.
type ruleParser struct {
	*parser
	toks []token
	i    int
	rule *Rule

	loaded []string // -m modules so far, for options that come later
	proto  uint8    // the last -p, whose module (tcp, udp, ...) is loaded implicitly
}

// builtinOptions end the options of an unknown module.
var builtinOptions = map[string]bool{"-s": true, "--source": true, "-d": true, "--destination": true,
	"-i": true, "--in-interface": true, "-o": true, "--out-interface": true, "-p": true, "--protocol": true,
	"-m": true, "--match": true, "-j": true, "--jump": true, "-g": true, "--goto": true}

var knownModules = map[string]bool{"tcp": true, "udp": true, "sctp": true, "multiport": true, "state": true,
	"conntrack": true, "physdev": true, "mac": true, "mark": true, "connmark": true, "comment": true,
	"icmp": true, "addrtype": true, "set": true, "iprange": true}

func (rp *ruleParser) parse() error {
	for rp.i < len(rp.toks) {
		start := rp.i
		invert := false
		if rp.toks[rp.i].bang() {
			invert = true
			rp.i++
			if rp.i >= len(rp.toks) || !rp.toks[rp.i].isOption() {
				return rp.errf(`"!" must be followed by an option`)
			}
		}
		t := rp.toks[rp.i]
		if !t.isOption() {
			return rp.errf("unexpected argument %q: expected an option", t.s)
		}
		rp.i++
		switch opt := t.s; opt {
		case "-j", "--jump", "-g", "--goto":
			if invert {
				return rp.errf("%s cannot be negated", opt)
			}
			return rp.parseTarget(start, opt == "-g" || opt == "--goto")
		case "-m", "--match":
			name, err := rp.plainValue(opt, invert)
			if err != nil {
				return err
			}
			if !knownModules[name] {
				for rp.i < len(rp.toks) && !rp.atBuiltinOption() {
					rp.i++
				}
				rp.add(&Unsupported{Text: rp.text(start, rp.i)})
				continue
			}
			rp.loaded = append(rp.loaded, name)
			rp.add(&Module{Name: name})
		default:
			m, err := rp.option(opt, invert)
			if err != nil {
				return err
			}
			if m == nil { // an option the model does not know: keep it with its values
				for rp.i < len(rp.toks) && !rp.atOption() {
					rp.i++
				}
				m = &Unsupported{Text: rp.text(start, rp.i)}
			}
			rp.add(m)
		}
	}
	return nil
}

func (rp *ruleParser) add(m Match) { rp.rule.Matches = append(rp.rule.Matches, m) }

// atBuiltinOption reports whether the next token starts a builtin option,
// possibly negated.
func (rp *ruleParser) atBuiltinOption() bool {
	t := rp.toks[rp.i]
	if t.bang() && rp.i+1 < len(rp.toks) {
		t = rp.toks[rp.i+1]
	}
	return !t.quoted && builtinOptions[t.s]
}

// atOption reports whether the next token starts an option, possibly negated.
func (rp *ruleParser) atOption() bool {
	t := rp.toks[rp.i]
	if t.bang() && rp.i+1 < len(rp.toks) {
		t = rp.toks[rp.i+1]
	}
	return t.isOption()
}

// text re-joins toks[from:to], quoting what was quoted, so it parses back alike.
func (rp *ruleParser) text(from, to int) string {
	parts := make([]string, 0, to-from)
	for _, t := range rp.toks[from:to] {
		if t.quoted {
			parts = append(parts, quoteForce(t.s))
		} else {
			parts = append(parts, t.s)
		}
	}
	return strings.Join(parts, " ")
}

// value takes the argument of opt; "opt ! value", the old negation form,
// sets *invert.
func (rp *ruleParser) value(opt string, invert *bool) (string, error) {
	if rp.i < len(rp.toks) && rp.toks[rp.i].bang() {
		*invert = true
		rp.i++
	}
	if rp.i >= len(rp.toks) {
		return "", rp.errf("%s: missing value", opt)
	}
	rp.i++
	return rp.toks[rp.i-1].s, nil
}

// plainValue is value for an option that cannot be negated.
func (rp *ruleParser) plainValue(opt string, invert bool) (string, error) {
	v, err := rp.value(opt, &invert)
	if err == nil && invert {
		return "", rp.errf("%s cannot be negated", opt)
	}
	return v, err
}

// option parses a builtin option or an option of a loaded module; nil, nil
// means nobody knows it.
func (rp *ruleParser) option(opt string, invert bool) (Match, error) {
	switch opt {
	case "-s", "--source", "-d", "--destination":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		dir := DirSrc
		if opt == "-d" || opt == "--destination" {
			dir = DirDst
		}
		pfx, ok, err := rp.prefix(opt, v)
		if err != nil || !ok {
			return nil, err
		}
		return &Addr{Dir: dir, Prefix: pfx, Invert: invert}, nil
	case "-i", "--in-interface", "-o", "--out-interface":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		return &Iface{Out: opt == "-o" || opt == "--out-interface", Name: v, Invert: invert}, nil
	case "-p", "--protocol":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		num, ok := protoNames[strings.ToLower(v)]
		if !ok {
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return nil, nil // a name from /etc/protocols the model does not know
			}
			num = uint8(n)
		}
		rp.proto = num
		return &Proto{Num: num, Invert: invert}, nil
	}
	for i := len(rp.loaded) - 1; i >= 0; i-- {
		if m, err := rp.moduleOption(rp.loaded[i], opt, invert); m != nil || err != nil {
			return m, err
		}
	}
	if implicit := implicitModules[rp.proto]; implicit != "" {
		return rp.moduleOption(implicit, opt, invert)
	}
	return nil, nil
}

// implicitModules are loaded by -p alone ("-p tcp --dport 22").
var implicitModules = map[uint8]string{ProtoTCP: "tcp", ProtoUDP: "udp", ProtoSCTP: "sctp", ProtoICMP: "icmp"}

// moduleOption parses opt as an option of module; nil, nil if it is not one.
func (rp *ruleParser) moduleOption(module, opt string, invert bool) (Match, error) {
	switch module + " " + opt {
	case "tcp --sport", "tcp --source-port", "udp --sport", "udp --source-port", "sctp --sport", "sctp --source-port",
		"tcp --dport", "tcp --destination-port", "udp --dport", "udp --destination-port", "sctp --dport", "sctp --destination-port":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		r, err := rp.portRange(v)
		if err != nil {
			return nil, err
		}
		dir := DirDst
		if opt == "--sport" || opt == "--source-port" {
			dir = DirSrc
		}
		return &Ports{Dir: dir, Ranges: []PortRange{r}, Invert: invert}, nil
	case "multiport --sports", "multiport --source-ports", "multiport --dports", "multiport --destination-ports", "multiport --ports":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		m := &Ports{Dir: DirAny, Multi: true, Invert: invert}
		if opt == "--sports" || opt == "--source-ports" {
			m.Dir = DirSrc
		} else if opt != "--ports" {
			m.Dir = DirDst
		}
		for _, f := range strings.Split(v, ",") {
			r, err := rp.portRange(f)
			if err != nil {
				return nil, err
			}
			m.Ranges = append(m.Ranges, r)
		}
		return m, nil
	case "tcp --tcp-flags":
		mask, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		if rp.i >= len(rp.toks) {
			return nil, rp.errf("%s: missing value", opt)
		}
		comp := rp.toks[rp.i].s
		rp.i++
		m, ok := parseTCPFlags(mask)
		c, ok2 := parseTCPFlags(comp)
		if !ok || !ok2 {
			return nil, rp.errf("--tcp-flags: bad flags %q %q: expected lists of FIN,SYN,RST,PSH,ACK,URG or ALL, NONE", mask, comp)
		}
		return &TCPFlags{Mask: uint8(m), Comp: uint8(c), Invert: invert}, nil
	case "tcp --syn":
		return &TCPFlags{Mask: 0x17, Comp: 0x02, Invert: invert}, nil // FIN,SYN,RST,ACK SYN
	case "state --state", "conntrack --ctstate":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		bits, bad, ok := parseBitNames(ctStateNames, v)
		if !ok {
			return nil, rp.errf("%s: unknown state %q", opt, bad)
		}
		return &State{States: CtState(bits), Conntrack: module == "conntrack", Invert: invert}, nil
	case "physdev --physdev-in", "physdev --physdev-out":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		o := PhysdevIn
		if opt == "--physdev-out" {
			o = PhysdevOut
		}
		return &Physdev{Opt: o, Name: v, Invert: invert}, nil
	case "physdev --physdev-is-in":
		return &Physdev{Opt: PhysdevIsIn, Invert: invert}, nil
	case "physdev --physdev-is-out":
		return &Physdev{Opt: PhysdevIsOut, Invert: invert}, nil
	case "physdev --physdev-is-bridged":
		return &Physdev{Opt: PhysdevIsBridged, Invert: invert}, nil
	case "mac --mac-source":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		mac, ok := parseMAC(v)
		if !ok {
			return nil, rp.errf("--mac-source: bad MAC %q: expected XX:XX:XX:XX:XX:XX", v)
		}
		return &MACSource{MAC: mac, Invert: invert}, nil
	case "mark --mark", "connmark --mark":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		val, mask, err := rp.mark(opt, v)
		if err != nil {
			return nil, err
		}
		return &MarkMatch{Value: val, Mask: mask, Conn: module == "connmark", Invert: invert}, nil
	case "comment --comment":
		v, err := rp.plainValue(opt, invert)
		if err != nil {
			return nil, err
		}
		return &Comment{Text: v}, nil
	case "icmp --icmp-type":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		m, ok := parseICMPType(v)
		if !ok {
			return nil, rp.errf("--icmp-type: unknown ICMP type %q", v)
		}
		m.Invert = invert
		return m, nil
	case "addrtype --src-type", "addrtype --dst-type":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		bits, bad, ok := parseBitNames(addrTypeNames, v)
		if !ok {
			return nil, rp.errf("%s: unknown address type %q", opt, bad)
		}
		dir := DirSrc
		if opt == "--dst-type" {
			dir = DirDst
		}
		return &AddrTypeMatch{Dir: dir, Types: AddrType(bits), Invert: invert}, nil
	case "addrtype --limit-iface-in", "addrtype --limit-iface-out":
		if invert {
			return nil, rp.errf("%s cannot be negated", opt)
		}
		return &AddrTypeLimit{Out: opt == "--limit-iface-out"}, nil
	case "set --match-set", "set --set":
		name, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		if rp.i >= len(rp.toks) {
			return nil, rp.errf("%s: missing value", opt)
		}
		flags := rp.toks[rp.i].s
		rp.i++
		m := &SetMatch{Name: name, Invert: invert}
		for _, f := range strings.Split(flags, ",") {
			switch f {
			case "src":
				m.Dirs = append(m.Dirs, DirSrc)
			case "dst":
				m.Dirs = append(m.Dirs, DirDst)
			default:
				return nil, rp.errf("%s: bad flags %q: expected src, dst or a list of them", opt, flags)
			}
		}
		return m, nil
	case "iprange --src-range", "iprange --dst-range":
		v, err := rp.value(opt, &invert)
		if err != nil {
			return nil, err
		}
		from, to, ok := parseAddrRange(v)
		if !ok {
			return nil, rp.errf("%s: bad range %q: expected ADDR[-ADDR]", opt, v)
		}
		dir := DirSrc
		if opt == "--dst-range" {
			dir = DirDst
		}
		return &IPRange{Dir: dir, From: from, To: to, Invert: invert}, nil
	}
	return nil, nil
}

// prefix reads ADDR, ADDR/LEN or ADDR/DOTTED-MASK. ok is false for a valid
// non-contiguous mask, which the model keeps as Unsupported.
func (rp *ruleParser) prefix(opt, v string) (netip.Prefix, bool, error) {
	bad := rp.errf("%s: bad address %q: expected an IPv4 address or CIDR", opt, v)
	addr, mask, hasMask := strings.Cut(v, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() {
		return netip.Prefix{}, false, bad
	}
	bits := 32
	if hasMask {
		if strings.Contains(mask, ".") {
			m, err := netip.ParseAddr(mask)
			if err != nil || !m.Is4() {
				return netip.Prefix{}, false, bad
			}
			b := m.As4()
			u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			bits = 0
			for u&(1<<31) != 0 {
				bits++
				u <<= 1
			}
			if u != 0 {
				return netip.Prefix{}, false, nil
			}
		} else {
			n, err := strconv.Atoi(mask)
			if err != nil || n < 0 || n > 32 || (len(mask) > 1 && mask[0] == '0') {
				return netip.Prefix{}, false, bad
			}
			bits = n
		}
	}
	return netip.PrefixFrom(a, bits).Masked(), true, nil
}

// portRange reads "P", "A:B", ":B" or "A:".
func (rp *ruleParser) portRange(v string) (PortRange, error) {
	lo, hi, isRange := strings.Cut(v, ":")
	r, ok := PortRange{0, 65535}, true
	if lo != "" || !isRange {
		r.Min, ok = parsePort(lo)
	}
	if !isRange {
		r.Max = r.Min
	} else if hi != "" && ok {
		r.Max, ok = parsePort(hi)
	}
	if !ok || r.Min > r.Max {
		return r, rp.errf("bad port %q: expected a port 0-65535 or a range A:B", v)
	}
	return r, nil
}

func parsePort(s string) (uint16, bool) {
	n, err := strconv.ParseUint(s, 10, 16)
	return uint16(n), err == nil
}

// mark reads "V" or "V/M"; M defaults to all ones.
func (rp *ruleParser) mark(opt, v string) (value, mask uint32, err error) {
	vs, ms, hasMask := strings.Cut(v, "/")
	val, err1 := strconv.ParseUint(vs, 0, 32)
	m, err2 := uint64(0xffffffff), error(nil)
	if hasMask {
		m, err2 = strconv.ParseUint(ms, 0, 32)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, rp.errf("%s: bad mark %q: expected VALUE or VALUE/MASK", opt, v)
	}
	return uint32(val), uint32(m), nil
}

func parseMAC(s string) ([6]byte, bool) {
	var mac [6]byte
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return mac, false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) > 2 {
			return mac, false
		}
		mac[i] = byte(n)
	}
	return mac, true
}

// icmpNames are iptables' ICMP type names; code -1 is every code.
var icmpNames = map[string][2]int{
	"echo-reply": {0, -1}, "pong": {0, -1}, "destination-unreachable": {3, -1},
	"network-unreachable": {3, 0}, "host-unreachable": {3, 1}, "protocol-unreachable": {3, 2},
	"port-unreachable": {3, 3}, "fragmentation-needed": {3, 4}, "source-route-failed": {3, 5},
	"network-unknown": {3, 6}, "host-unknown": {3, 7}, "network-prohibited": {3, 9},
	"host-prohibited": {3, 10}, "TOS-network-unreachable": {3, 11}, "TOS-host-unreachable": {3, 12},
	"communication-prohibited": {3, 13}, "host-precedence-violation": {3, 14},
	"precedence-cutoff": {3, 15}, "source-quench": {4, -1}, "redirect": {5, -1},
	"network-redirect": {5, 0}, "host-redirect": {5, 1}, "TOS-network-redirect": {5, 2},
	"TOS-host-redirect": {5, 3}, "echo-request": {8, -1}, "ping": {8, -1},
	"router-advertisement": {9, -1}, "router-solicitation": {10, -1}, "time-exceeded": {11, -1},
	"ttl-exceeded": {11, -1}, "ttl-zero-during-transit": {11, 0}, "ttl-zero-during-reassembly": {11, 1},
	"parameter-problem": {12, -1}, "ip-header-bad": {12, 0}, "required-option-missing": {12, 1},
	"timestamp-request": {13, -1}, "timestamp-reply": {14, -1}, "address-mask-request": {17, -1},
	"address-mask-reply": {18, -1},
}

func parseICMPType(v string) (*ICMPType, bool) {
	if v == "any" {
		return &ICMPType{AnyType: true}, true
	}
	if tc, ok := icmpNames[v]; ok {
		return &ICMPType{Type: uint8(tc[0]), Code: uint8(max(tc[1], 0)), AnyCode: tc[1] < 0}, true
	}
	ts, cs, hasCode := strings.Cut(v, "/")
	t, err := strconv.ParseUint(ts, 10, 8)
	if err != nil {
		return nil, false
	}
	if !hasCode {
		return &ICMPType{Type: uint8(t), AnyCode: true}, true
	}
	c, err := strconv.ParseUint(cs, 10, 8)
	if err != nil {
		return nil, false
	}
	return &ICMPType{Type: uint8(t), Code: uint8(c)}, true
}

// parseAddrRange reads "A-B" or "A" (IPv4).
func parseAddrRange(v string) (from, to netip.Addr, ok bool) {
	lo, hi, isRange := strings.Cut(v, "-")
	from, err := netip.ParseAddr(lo)
	if err != nil || !from.Is4() {
		return from, to, false
	}
	to = from
	if isRange {
		if to, err = netip.ParseAddr(hi); err != nil || !to.Is4() || to.Less(from) {
			return from, to, false
		}
	}
	return from, to, true
}

func parseTCPFlags(s string) (uint8, bool) {
	switch strings.ToUpper(s) {
	case "ALL":
		return 0x3f, true
	case "NONE":
		return 0, true
	}
	bits, _, ok := parseBitNames(tcpFlagNames, s)
	return uint8(bits), ok
}
