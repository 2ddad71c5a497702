package netfilter

import (
	"net/netip"
	"strconv"
	"strings"
)

// targetExtensions are kernel targets the model does not evaluate: "-j NAME"
// with one of these names is Unsupported rather than a jump to a missing chain.
var targetExtensions = map[string]bool{"AUDIT": true, "CLASSIFY": true, "CLUSTERIP": true,
	"CONNSECMARK": true, "DSCP": true, "ECN": true, "HL": true, "HMARK": true, "IDLETIMER": true,
	"LED": true, "NETMAP": true, "NFLOG": true, "NFQUEUE": true, "QUEUE": true, "RATEEST": true,
	"SECMARK": true, "SET": true, "SYNPROXY": true, "TEE": true, "TOS": true, "TPROXY": true,
	"TRACE": true, "TTL": true, "ULOG": true}

// parseTarget reads "-j NAME OPTIONS..." or "-g CHAIN" up to the end of the
// line; start is the index of the -j token.
func (rp *ruleParser) parseTarget(start int, isGoto bool) error {
	opt := rp.toks[start].s
	if rp.i >= len(rp.toks) || rp.toks[rp.i].bang() {
		return rp.errf("%s: missing value", opt)
	}
	name := rp.toks[rp.i].s
	args := targetArgs{rp: rp, toks: rp.toks[rp.i+1:]}
	raw := &Unsupported{Text: rp.text(start, len(rp.toks))}
	rp.i = len(rp.toks)

	if c := rp.table.Chains[name]; c != nil {
		switch {
		case c.Builtin:
			return rp.errf("%s %s: cannot jump to a builtin chain", opt, name)
		case len(args.toks) > 0:
			rp.rule.Target = raw
		default:
			rp.rule.Target = &Jump{Chain: name, Goto: isGoto}
		}
		return nil
	}
	if isGoto {
		return rp.errf("goto undefined chain %s", name)
	}
	t, err := args.target(name)
	switch {
	case err != nil:
		return err
	case t != nil:
		rp.rule.Target = t
	case targetExtensions[name] || args.unknown:
		rp.rule.Target = raw
	default:
		return rp.errf("jump to undefined chain %s", name)
	}
	return nil
}

// targetArgs walks a target's options. unknown is set when the target is
// known but one of its options is not; target then returns nil.
type targetArgs struct {
	rp      *ruleParser
	toks    []token
	i       int
	unknown bool
}

// next returns the next option name, or "" at the end or on anything that
// is not an option (which marks the target unknown).
func (a *targetArgs) next() string {
	if a.i >= len(a.toks) {
		return ""
	}
	t := a.toks[a.i]
	a.i++
	if !t.isOption() {
		a.unknown = true
		return ""
	}
	return t.s
}

func (a *targetArgs) value(opt string) (string, error) {
	if a.i >= len(a.toks) || a.toks[a.i].bang() {
		return "", a.rp.errf("%s: missing value", opt)
	}
	a.i++
	return a.toks[a.i-1].s, nil
}

// target builds a known target; nil, nil for an unknown name or option.
func (a *targetArgs) target(name string) (Target, error) {
	var t Target
	var err error
	switch name {
	case "ACCEPT", "DROP", "RETURN":
		t = &Terminal{Verdict: map[string]Verdict{"ACCEPT": VerdictAccept, "DROP": VerdictDrop, "RETURN": VerdictReturn}[name]}
		if a.next() != "" {
			a.unknown = true
		}
	case "REJECT":
		t, err = a.reject()
	case "SNAT", "DNAT", "MASQUERADE", "REDIRECT":
		t, err = a.nat(name)
	case "MARK", "CONNMARK":
		t, err = a.mark(name)
	case "LOG":
		t, err = a.log()
	case "CT":
		t, err = a.ct()
	case "NOTRACK":
		t = &Notrack{}
		if a.next() != "" {
			a.unknown = true
		}
	case "CHECKSUM":
		t = &Checksum{}
		if a.next() != "--checksum-fill" || a.next() != "" {
			a.unknown = true
		}
	case "TCPMSS":
		t, err = a.tcpmss()
	default:
		return nil, nil
	}
	if err != nil || a.unknown {
		return nil, err
	}
	return t, nil
}

func (a *targetArgs) reject() (Target, error) {
	t := &Reject{}
	for opt := a.next(); opt != ""; opt = a.next() {
		if opt != "--reject-with" || t.With != "" {
			a.unknown = true
			return nil, nil
		}
		v, err := a.value(opt)
		if err != nil {
			return nil, err
		}
		t.With = v
	}
	return t, nil
}

func (a *targetArgs) nat(name string) (Target, error) {
	t := &NAT{Kind: map[string]NATKind{"SNAT": SNAT, "DNAT": DNAT, "MASQUERADE": Masquerade, "REDIRECT": Redirect}[name]}
	toOpt := map[NATKind]string{SNAT: "--to-source", DNAT: "--to-destination", Masquerade: "--to-ports", Redirect: "--to-ports"}[t.Kind]
	seen := false
	for opt := a.next(); opt != ""; opt = a.next() {
		switch {
		case opt == toOpt && !seen:
			seen = true
			v, err := a.value(opt)
			if err != nil {
				return nil, err
			}
			if !t.parseRange(v, t.Kind == SNAT || t.Kind == DNAT) {
				if t.Kind == SNAT || t.Kind == DNAT {
					return nil, a.rp.errf("%s: bad range %q: expected ADDR[-ADDR][:PORT[-PORT]]", opt, v)
				}
				return nil, a.rp.errf("%s: bad range %q: expected PORT[-PORT]", opt, v)
			}
		case opt == "--random":
			t.Random = true
		case opt == "--random-fully":
			t.FullyRandom = true
		case opt == "--persistent" && (t.Kind == SNAT || t.Kind == DNAT):
			t.Persistent = true
		default:
			a.unknown = true
			return nil, nil
		}
	}
	if !seen && (t.Kind == SNAT || t.Kind == DNAT) {
		return nil, a.rp.errf("%s: missing %s", name, toOpt)
	}
	return t, nil
}

// parseRange reads "ADDR[-ADDR][:PORT[-PORT]]" (withAddr) or "PORT[-PORT]".
func (t *NAT) parseRange(v string, withAddr bool) bool {
	ports := v
	if withAddr {
		addrs, p, hasPorts := strings.Cut(v, ":")
		if addrs != "" {
			lo, hi, isRange := strings.Cut(addrs, "-")
			var err1, err2 error
			t.MinAddr, err1 = netip.ParseAddr(lo)
			t.MaxAddr = t.MinAddr
			if isRange {
				t.MaxAddr, err2 = netip.ParseAddr(hi)
			}
			if err1 != nil || err2 != nil || !t.MinAddr.Is4() || !t.MaxAddr.Is4() || t.MaxAddr.Less(t.MinAddr) {
				return false
			}
		}
		if !hasPorts {
			return addrs != ""
		}
		ports = p
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	var ok1, ok2 = true, true
	t.Ports.Min, ok1 = parsePort(lo)
	t.Ports.Max = t.Ports.Min
	if isRange {
		t.Ports.Max, ok2 = parsePort(hi)
	}
	t.HasPorts = true
	return ok1 && ok2 && t.Ports.Min <= t.Ports.Max
}

func (a *targetArgs) mark(name string) (Target, error) {
	t := &MarkTarget{Conn: name == "CONNMARK", NfMask: 0xffffffff, CtMask: 0xffffffff}
	ops, masks := 0, 0
	for opt := a.next(); opt != ""; opt = a.next() {
		op := -1
		for i, n := range markOpNames {
			if n == opt {
				op = i
			}
		}
		switch {
		case op == int(MarkSave) || op == int(MarkRestore):
			if !t.Conn {
				a.unknown = true
				return nil, nil
			}
			t.Op, ops = MarkOp(op), ops+1
		case op >= 0:
			v, err := a.value(opt)
			if err != nil {
				return nil, err
			}
			val, mask, err := a.rp.mark(opt, v)
			if err != nil {
				return nil, err
			}
			if mask != 0xffffffff && op >= int(MarkAnd) {
				return nil, a.rp.errf("%s: bad value %q: expected VALUE without a mask", opt, v)
			}
			if op >= int(MarkAnd) {
				mask = 0
			}
			t.Op, t.Value, t.Mask, ops = MarkOp(op), val, mask, ops+1
		case t.Conn && (opt == "--nfmask" || opt == "--ctmask" || opt == "--mask"):
			v, err := a.value(opt)
			if err != nil {
				return nil, err
			}
			m, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return nil, a.rp.errf("%s: bad mask %q: expected a number", opt, v)
			}
			if opt != "--ctmask" {
				t.NfMask = uint32(m)
			}
			if opt != "--nfmask" {
				t.CtMask = uint32(m)
			}
			masks++
		default:
			a.unknown = true
			return nil, nil
		}
	}
	if ops != 1 {
		n := int(MarkSave) // MARK has no save/restore
		if t.Conn {
			n = len(markOpNames)
		}
		return nil, a.rp.errf("%s: expected exactly one of %s", name, strings.Join(markOpNames[:n], ", "))
	}
	if masks > 0 && t.Op != MarkSave && t.Op != MarkRestore {
		a.unknown = true // masks with set operations: a revision the model does not know
		return nil, nil
	}
	if t.Op == MarkSave || t.Op == MarkRestore {
		t.Value, t.Mask = 0, 0
	} else {
		t.NfMask, t.CtMask = 0, 0
	}
	return t, nil
}

func (a *targetArgs) log() (Target, error) {
	t := &Log{}
	for opt := a.next(); opt != ""; opt = a.next() {
		switch opt {
		case "--log-prefix", "--log-level":
			v, err := a.value(opt)
			if err != nil {
				return nil, err
			}
			if opt == "--log-prefix" {
				t.Prefix = v
			} else {
				t.Level = v
			}
		case "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode":
			t.Flags = append(t.Flags, opt)
		default:
			a.unknown = true
			return nil, nil
		}
	}
	return t, nil
}

func (a *targetArgs) ct() (Target, error) {
	t := &CT{}
	for opt := a.next(); opt != ""; opt = a.next() {
		switch opt {
		case "--notrack":
			t.Notrack = true
		case "--zone":
			v, err := a.value(opt)
			if err != nil {
				return nil, err
			}
			z, err := strconv.ParseUint(v, 10, 16)
			if err != nil || z == 0 {
				a.unknown = true // zone 0 is the default; "mark" zones are not modelled
				return nil, nil
			}
			t.Zone = uint16(z)
		default:
			a.unknown = true
			return nil, nil
		}
	}
	return t, nil
}

func (a *targetArgs) tcpmss() (Target, error) {
	t := &TCPMSS{}
	switch opt := a.next(); opt {
	case "--clamp-mss-to-pmtu":
		t.ClampPMTU = true
	case "--set-mss":
		v, err := a.value(opt)
		if err != nil {
			return nil, err
		}
		n, ok := parsePort(v)
		if !ok {
			return nil, a.rp.errf("--set-mss: bad value %q: expected a number", v)
		}
		t.MSS = n
	default:
		a.unknown = true
		return nil, nil
	}
	if a.next() != "" {
		a.unknown = true
	}
	return t, nil
}
