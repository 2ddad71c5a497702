package model

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file reads what iproute2 and net-tools print (`ip route`, `route -n`,
// `ip rule`, `ip neigh`, `arp -n`, `arp -a`), so users can paste the output
// of their own hosts. Words that do not change forwarding are skipped; words
// that might change it and that the model cannot represent are errors, never
// silently dropped.

// TextError is a parse error in pasted command output. Line is 1-based
// within the text handed to the parser.
type TextError struct {
	Line int
	Msg  string
}

func (e *TextError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func textErr(line int, format string, args ...any) *TextError {
	return &TextError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// token is one word and the line it came from (a route's `nexthop`
// continuation lines make one route span several lines).
type token struct {
	s    string
	line int
}

// textLines yields the non-blank, non-comment lines with their 1-based numbers.
func textLines(text string, fn func(n int, line string) error) error {
	for i, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if err := fn(i+1, strings.TrimRight(l, " \t\r")); err != nil {
			return err
		}
	}
	return nil
}

// tokenReader walks a line's words.
type tokenReader struct {
	toks []token
	i    int
	last int // line of the last word, for "missing value" errors
}

func (r *tokenReader) more() bool { return r.i < len(r.toks) }

func (r *tokenReader) next() token {
	t := r.toks[r.i]
	r.i++
	r.last = t.line
	return t
}

func (r *tokenReader) peek() string {
	if r.i < len(r.toks) {
		return r.toks[r.i].s
	}
	return ""
}

// value reads the argument of keyword key.
func (r *tokenReader) value(key token) (token, error) {
	if !r.more() {
		return token{}, textErr(key.line, "%q needs a value", key.s)
	}
	return r.next(), nil
}

// ---- ip route / route -n ----

// ParseRoutes reads `ip route show table all` (or `ip route`, `ip route ls
// table N`) output, one route per line with ECMP `nexthop` lines either
// inline or indented below their route, or a `route -n` table (recognised
// by its "Kernel IP routing table" header). A bare address is a host route.
// Routes with no `table` go to main (local and broadcast routes to local).
func ParseRoutes(text string) ([]*Route, error) {
	var (
		routes  []*Route
		pending []token // the current `ip route` line plus its continuation lines
		netTool bool    // inside a `route -n` table
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		r, err := parseIPRoute(pending)
		pending = nil
		if err != nil {
			return err
		}
		routes = append(routes, r)
		return nil
	}
	err := textLines(text, func(n int, line string) error {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "Kernel IP routing table"):
			netTool = true
			return flush()
		case netTool && fields[0] == "Destination":
			return nil
		case netTool:
			r, err := parseNetToolsRoute(n, fields)
			if err != nil {
				return err
			}
			routes = append(routes, r)
			return nil
		case fields[0] == "nexthop" && len(pending) > 0:
			for _, f := range fields {
				pending = append(pending, token{f, n})
			}
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		for _, f := range fields {
			pending = append(pending, token{f, n})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return routes, nil
}

var routeTypeByWord = map[string]RouteType{
	"unicast": RouteUnicast, "local": RouteLocal, "broadcast": RouteBroadcast,
	"blackhole": RouteBlackhole, "unreachable": RouteUnreachable,
	"prohibit": RouteProhibit, "throw": RouteThrow,
}

// Route attributes that do not change where a packet goes: flags, and
// words followed by one value (`lock` may come before the value).
var (
	routeFlagWords = map[string]bool{
		"onlink": true, "linkdown": true, "dead": true, "pervasive": true, "offload": true,
		"trap": true, "rt_offload": true, "rt_trap": true, "rt_offload_failed": true,
		"notify": true, "unresolved": true, "cache": true,
	}
	routeValueWords = map[string]bool{
		"pref": true, "expires": true, "mtu": true, "advmss": true, "initcwnd": true,
		"initrwnd": true, "rtt": true, "rttvar": true, "rto_min": true, "ssthresh": true,
		"cwnd": true, "window": true, "quickack": true, "congctl": true, "hoplimit": true,
		"reordering": true, "features": true, "error": true, "realm": true, "realms": true,
		"age": true, "used": true, "users": true, "ipid": true, "ttl-propagate": true,
		"fastopen_no_cookie": true,
	}
	// Words that select or steer packets in ways the model cannot express yet.
	routeUnsupportedWords = map[string]bool{
		"tos": true, "dsfield": true, "from": true, "encap": true, "nhid": true,
		"as": true, "multicast": true, "anycast": true, "nat": true, "via6": true,
	}
)

func parseIPRoute(toks []token) (*Route, error) {
	r := &Route{Table: -1, Source: Source{Line: toks[0].line}}
	rd := &tokenReader{toks: toks}
	first := rd.next()
	if t, ok := routeTypeByWord[first.s]; ok {
		r.Type = t
		if !rd.more() {
			return nil, textErr(first.line, "route type %q needs a destination", first.s)
		}
		first = rd.next()
	} else if routeUnsupportedWords[first.s] {
		return nil, textErr(first.line, "route type %q is not supported by the model yet", first.s)
	}
	dst, err := parseDst(first.s)
	if err != nil {
		return nil, textErr(first.line, "%v", err)
	}
	r.Dst = dst
	var nh *Nexthop // the nexthop `via`/`dev` currently fill
	ecmp := false
	for rd.more() {
		k := rd.next()
		switch k.s {
		case "nexthop":
			ecmp = true
			r.Nexthops = append(r.Nexthops, Nexthop{Weight: 1})
			nh = &r.Nexthops[len(r.Nexthops)-1]
			continue
		case "via", "dev", "weight":
			if nh == nil {
				if ecmp {
					return nil, textErr(k.line, "%q after the nexthops: want it inside a nexthop", k.s)
				}
				r.Nexthops = append(r.Nexthops, Nexthop{})
				nh = &r.Nexthops[0]
			}
			if err := parseNexthopWord(rd, k, nh); err != nil {
				return nil, err
			}
			continue
		}
		if err := parseRouteAttr(rd, k, r); err != nil {
			return nil, err
		}
	}
	if r.Table < 0 {
		r.Table = TableMain
		if r.Type == RouteLocal || r.Type == RouteBroadcast {
			r.Table = TableLocal
		}
	}
	if r.Type == RouteUnicast && len(r.Nexthops) == 0 {
		return nil, textErr(toks[0].line, "route %s: want a \"via\" gateway, a \"dev\" or nexthops", first.s)
	}
	if r.Dst.Bits() == 0 && r.Dst.Addr().Is4() && firstGatewayIs6(r) {
		r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0) // `default` in `ip -6 route`
	}
	return r, nil
}

func firstGatewayIs6(r *Route) bool {
	return len(r.Nexthops) > 0 && r.Nexthops[0].Gateway.Is6() || r.Src.Is6()
}

func parseNexthopWord(rd *tokenReader, k token, nh *Nexthop) error {
	v, err := rd.value(k)
	if err != nil {
		return err
	}
	switch k.s {
	case "via":
		if v.s == "inet" || v.s == "inet6" {
			if v, err = rd.value(v); err != nil {
				return err
			}
		}
		a, err := netip.ParseAddr(v.s)
		if err != nil {
			return textErr(v.line, "via: bad gateway address %q: want an IP address", v.s)
		}
		nh.Gateway = a
	case "dev":
		nh.Dev = v.s
	case "weight":
		w, err := strconv.Atoi(v.s)
		if err != nil || w < 1 || w > 256 {
			return textErr(v.line, "weight: bad value %q: want a number from 1 to 256", v.s)
		}
		nh.Weight = w
	}
	return nil
}

func parseRouteAttr(rd *tokenReader, k token, r *Route) error {
	switch {
	case routeFlagWords[k.s]:
		return nil
	case routeValueWords[k.s]:
		v, err := rd.value(k)
		if err == nil && v.s == "lock" {
			_, err = rd.value(v)
		}
		return err
	case routeUnsupportedWords[k.s]:
		return textErr(k.line, "route attribute %q is not supported by the model yet", k.s)
	}
	switch k.s {
	case "table", "proto", "protocol", "scope", "src", "metric", "preference", "priority":
	default:
		return textErr(k.line, "unknown route word %q: want via, dev, table, proto, scope, src, metric, nexthop or a route attribute", k.s)
	}
	v, err := rd.value(k)
	if err != nil {
		return err
	}
	switch k.s {
	case "table":
		id, err := ParseTableID(v.s)
		if err != nil {
			return textErr(v.line, "table: %v", err)
		}
		r.Table = id
	case "proto", "protocol":
		r.Proto = v.s
	case "scope":
		r.Scope = v.s
	case "src":
		a, err := netip.ParseAddr(v.s)
		if err != nil {
			return textErr(v.line, "src: bad address %q: want an IP address", v.s)
		}
		r.Src = a
	default: // metric and its synonyms
		m, err := strconv.ParseUint(v.s, 10, 32)
		if err != nil {
			return textErr(v.line, "%s: bad value %q: want a number", k.s, v.s)
		}
		r.Metric = int(m)
	}
	return nil
}

// ParseTableID reads a routing table as iproute2 names it: main, local,
// default, or a number from 1 to 4294967295.
func ParseTableID(s string) (int, error) {
	switch s {
	case "main":
		return TableMain, nil
	case "local":
		return TableLocal, nil
	case "default":
		return TableDefault, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("unknown table %q: want main, local, default or a number from 1 to 4294967295", s)
	}
	return int(n), nil
}

// parseDst reads a route destination: `default`, a prefix, or a bare
// address (a host route).
func parseDst(s string) (netip.Prefix, error) {
	if s == "default" {
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad prefix %q: want ADDRESS/LENGTH like 10.0.0.0/24", s)
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad destination %q: want default, a prefix or an address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseNetToolsRoute reads one row of `route -n`:
// Destination Gateway Genmask Flags Metric Ref Use Iface.
func parseNetToolsRoute(n int, f []string) (*Route, error) {
	if len(f) != 8 {
		return nil, textErr(n, "route -n row has %d columns: want 8 (Destination Gateway Genmask Flags Metric Ref Use Iface)", len(f))
	}
	dst, err := netip.ParseAddr(f[0])
	if err != nil || !dst.Is4() {
		return nil, textErr(n, "bad destination %q: want an IPv4 address", f[0])
	}
	mask, err := netip.ParseAddr(f[2])
	bits := maskBits(mask)
	if err != nil || bits < 0 {
		return nil, textErr(n, "bad genmask %q: want a contiguous netmask like 255.255.255.0", f[2])
	}
	metric, err := strconv.ParseUint(f[4], 10, 32)
	if err != nil {
		return nil, textErr(n, "bad metric %q: want a number", f[4])
	}
	r := &Route{Table: TableMain, Dst: netip.PrefixFrom(dst, bits), Metric: int(metric), Source: Source{Line: n}}
	nh := Nexthop{Dev: f[7]}
	for _, c := range f[3] {
		switch c {
		case 'G':
			gw, err := netip.ParseAddr(f[1])
			if err != nil || !gw.Is4() {
				return nil, textErr(n, "bad gateway %q: want an IPv4 address", f[1])
			}
			nh.Gateway = gw
		case '!':
			r.Type = RouteUnreachable
		case 'U', 'H', 'D', 'M', 'A', 'C', 'R':
			// up, host, dynamic, modified, addrconf, cache, reinstate: no effect on forwarding here
		default:
			return nil, textErr(n, "unknown route flag %q in %q: want U, G, H, D, M, A, C, R or !", string(c), f[3])
		}
	}
	if r.Type == RouteUnicast {
		r.Nexthops = []Nexthop{nh}
	}
	return r, nil
}

// maskBits is the prefix length of a contiguous IPv4 netmask, or -1.
func maskBits(m netip.Addr) int {
	if !m.Is4() {
		return -1
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&0x80000000 != 0 {
		ones++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return ones
}

// ---- ip rule ----

// ParseRules reads `ip rule` output (`0:	from all lookup local`). The
// priority comes from the "N:" prefix or a `priority`/`pref` word.
// Selectors the model cannot match on are errors, never ignored.
func ParseRules(text string) ([]*Rule, error) {
	var rules []*Rule
	err := textLines(text, func(n int, line string) error {
		r, err := parseRule(n, strings.Fields(line))
		if err != nil {
			return err
		}
		rules = append(rules, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rules, nil
}

// Rule selectors the model does not evaluate yet.
var ruleUnsupportedWords = map[string]bool{
	"tos": true, "dsfield": true, "uidrange": true, "ipproto": true, "sport": true,
	"dport": true, "l3mdev": true, "suppress_prefixlength": true, "suppress_ifgroup": true,
	"tun_id": true, "nat": true, "map-to": true, "flowlabel": true, "dscp": true,
}

func parseRule(n int, f []string) (*Rule, error) {
	toks := make([]token, len(f))
	for i, s := range f {
		toks[i] = token{s, n}
	}
	rd := &tokenReader{toks: toks}
	r := &Rule{Source: Source{Line: n}}
	havePrio, haveAction := false, false
	if p, ok := strings.CutSuffix(f[0], ":"); ok {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, textErr(n, "bad priority %q: want a number from 0 to 4294967295", p)
		}
		r.Priority, havePrio = uint32(v), true
		rd.next()
	}
	setAction := func(a RuleAction) error {
		if haveAction {
			return textErr(n, "rule has two actions: want one of lookup, goto, nop, blackhole, unreachable, prohibit")
		}
		r.Action, haveAction = a, true
		return nil
	}
	for rd.more() {
		k := rd.next()
		switch k.s {
		case "not":
			r.Not = true
			continue
		case "[detached]", "detached", "[oif", "down]", "unresolved":
			continue
		case "blackhole":
			if err := setAction(RuleBlackhole); err != nil {
				return nil, err
			}
			continue
		case "unreachable":
			if err := setAction(RuleUnreachable); err != nil {
				return nil, err
			}
			continue
		case "prohibit":
			if err := setAction(RuleProhibit); err != nil {
				return nil, err
			}
			continue
		case "nop":
			if err := setAction(RuleNop); err != nil {
				return nil, err
			}
			continue
		}
		if ruleUnsupportedWords[k.s] {
			return nil, textErr(n, "rule selector %q is not supported by the model yet", k.s)
		}
		v, err := rd.value(k)
		if err != nil {
			return nil, err
		}
		switch k.s {
		case "from", "to":
			p := netip.Prefix{}
			if v.s != "all" {
				if p, err = parseDst(v.s); err != nil {
					return nil, textErr(n, "%s: %v", k.s, err)
				}
			}
			if k.s == "from" {
				r.From = p
			} else {
				r.To = p
			}
		case "iif":
			r.IIF = v.s
		case "oif":
			r.OIF = v.s
		case "fwmark":
			mark, mask, err := parseMark(v.s)
			if err != nil {
				return nil, textErr(n, "fwmark: %v", err)
			}
			r.FwMark, r.FwMask, r.HasMark = mark, mask, true
		case "lookup", "table":
			id, err := ParseTableID(v.s)
			if err != nil {
				return nil, textErr(n, "%s: %v", k.s, err)
			}
			if err := setAction(RuleLookup); err != nil {
				return nil, err
			}
			r.Table = id
		case "goto":
			g, err := strconv.ParseUint(v.s, 10, 32)
			if err != nil {
				return nil, textErr(n, "goto: bad priority %q: want a number", v.s)
			}
			if err := setAction(RuleGoto); err != nil {
				return nil, err
			}
			r.Goto = uint32(g)
		case "priority", "pref", "preference", "order":
			p, err := strconv.ParseUint(v.s, 10, 32)
			if err != nil {
				return nil, textErr(n, "%s: bad value %q: want a number from 0 to 4294967295", k.s, v.s)
			}
			r.Priority, havePrio = uint32(p), true
		case "proto", "protocol", "realms", "realm":
			// who installed the rule, and route realms: no effect on matching
		default:
			return nil, textErr(n, "unknown rule word %q: want from, to, iif, oif, fwmark, not, lookup, goto or an action", k.s)
		}
	}
	if !havePrio {
		return nil, textErr(n, "rule has no priority: want it to start with \"PRIORITY:\" as `ip rule` prints it")
	}
	if !haveAction {
		return nil, textErr(n, "rule has no action: want lookup TABLE, goto N, nop, blackhole, unreachable or prohibit")
	}
	return r, nil
}

// parseMark reads "0x1" or "0x1/0xffff" (any base strconv knows).
func parseMark(s string) (mark, mask uint32, err error) {
	ms, mk, hasMask := strings.Cut(s, "/")
	m, err := strconv.ParseUint(ms, 0, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("bad mark %q: want a number like 0x1 or 0x1/0xffff", s)
	}
	mask = 0xffffffff
	if hasMask {
		k, err := strconv.ParseUint(mk, 0, 32)
		if err != nil {
			return 0, 0, fmt.Errorf("bad mask in %q: want a number like 0x1/0xffff", s)
		}
		mask = uint32(k)
	}
	return uint32(m), mask, nil
}

// ---- ip neigh / arp ----

// ParseNeighbors reads `ip neigh` output, `arp -n` tables (with or without
// their header) and `arp -a` lines. An `ip neigh` line with a lladdr and no
// state is PERMANENT, as `ip neigh add` would make it. Proxy entries are
// errors: the model has no proxy neighbour table yet (use proxy-arp).
func ParseNeighbors(text string) ([]*Neighbor, error) {
	var out []*Neighbor
	err := textLines(text, func(n int, line string) error {
		f := strings.Fields(line)
		if f[0] == "Address" && len(f) > 1 && f[1] == "HWtype" {
			return nil // arp -n header
		}
		var (
			nb  *Neighbor
			err error
		)
		switch {
		case len(f) > 1 && (f[1] == "ether" || f[1] == "(incomplete)"):
			nb, err = parseArpN(n, f)
		case len(f) > 2 && strings.HasPrefix(f[1], "(") && f[2] == "at":
			nb, err = parseArpA(n, f)
		default:
			nb, err = parseIPNeigh(n, f)
		}
		if err != nil {
			return err
		}
		out = append(out, nb)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func parseNeighAddr(n int, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, textErr(n, "bad neighbour address %q: want an IP address", s)
	}
	return a, nil
}

func parseIPNeigh(n int, f []string) (*Neighbor, error) {
	a, err := parseNeighAddr(n, f[0])
	if err != nil {
		return nil, err
	}
	nb := &Neighbor{IP: a, Source: Source{Line: n}}
	haveState := false
	for i := 1; i < len(f); i++ {
		w := f[i]
		val := func() (string, error) {
			if i+1 >= len(f) {
				return "", textErr(n, "%q needs a value", w)
			}
			i++
			return f[i], nil
		}
		switch w {
		case "dev", "lladdr", "nud":
			v, err := val()
			if err != nil {
				return nil, err
			}
			switch w {
			case "dev":
				nb.Dev = v
			case "lladdr":
				if nb.MAC, err = ParseMAC(v); err != nil {
					return nil, textErr(n, "lladdr: %v", err)
				}
			case "nud":
				if nb.State, err = ParseNeighState(v); err != nil {
					return nil, textErr(n, "nud: %v", err)
				}
				haveState = true
			}
		case "router", "extern_learn", "offload", "managed", "extern_valid":
			// flags that do not change how the entry resolves
		case "used", "probes", "ref", "protocol", "proto", "vrf":
			if _, err := val(); err != nil {
				return nil, err
			}
		case "proxy":
			return nil, textErr(n, "proxy neighbour entries are not supported by the model yet: use proxy-arp on the interface")
		default:
			st, err := ParseNeighState(w)
			if err != nil {
				return nil, textErr(n, "unknown neighbour word %q: want dev, lladdr, router or a state (PERMANENT, NOARP, REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED)", w)
			}
			nb.State, haveState = st, true
		}
	}
	if nb.Dev == "" {
		return nil, textErr(n, "neighbour %s has no dev: want \"dev IFACE\"", a)
	}
	if !haveState {
		if nb.MAC.IsZero() {
			return nil, textErr(n, "neighbour %s has neither lladdr nor state", a)
		}
		nb.State = NeighPermanent
	}
	return nb, nil
}

// parseArpN reads an `arp -n` row: Address HWtype HWaddress Flags [Mask] Iface,
// or Address (incomplete) Iface.
func parseArpN(n int, f []string) (*Neighbor, error) {
	a, err := parseNeighAddr(n, f[0])
	if err != nil {
		return nil, err
	}
	nb := &Neighbor{IP: a, Dev: f[len(f)-1], Source: Source{Line: n}}
	if f[1] == "(incomplete)" {
		if len(f) != 3 {
			return nil, textErr(n, "arp -n incomplete row has %d columns: want Address (incomplete) Iface", len(f))
		}
		nb.State = NeighIncomplete
		return nb, nil
	}
	if len(f) != 5 && len(f) != 6 {
		return nil, textErr(n, "arp -n row has %d columns: want Address HWtype HWaddress Flags [Mask] Iface", len(f))
	}
	if nb.MAC, err = ParseMAC(f[2]); err != nil {
		return nil, textErr(n, "%v", err)
	}
	if nb.State, err = arpFlagsState(n, f[3]); err != nil {
		return nil, err
	}
	return nb, nil
}

// arpFlagsState maps net-tools flags: C complete, M permanent, P published.
func arpFlagsState(n int, flags string) (NeighState, error) {
	st := NeighReachable
	for _, c := range flags {
		switch c {
		case 'C':
		case 'M':
			st = NeighPermanent
		case 'P':
			return 0, textErr(n, "published (proxy) ARP entries are not supported by the model yet: use proxy-arp on the interface")
		default:
			return 0, textErr(n, "unknown ARP flag %q in %q: want C, M or P", string(c), flags)
		}
	}
	return st, nil
}

// parseArpA reads an `arp -a` line:
// NAME (ADDR) at MAC [ether] [PERM] on IFACE, or NAME (ADDR) at <incomplete> on IFACE.
func parseArpA(n int, f []string) (*Neighbor, error) {
	a, err := parseNeighAddr(n, strings.Trim(f[1], "()"))
	if err != nil {
		return nil, err
	}
	if len(f) < 6 || f[len(f)-2] != "on" {
		return nil, textErr(n, "arp -a line: want NAME (ADDRESS) at MAC [ether] on IFACE")
	}
	nb := &Neighbor{IP: a, Dev: f[len(f)-1], State: NeighReachable, Source: Source{Line: n}}
	if f[3] == "<incomplete>" {
		nb.State = NeighIncomplete
	} else if nb.MAC, err = ParseMAC(f[3]); err != nil {
		return nil, textErr(n, "%v", err)
	}
	for _, w := range f[4 : len(f)-2] {
		switch w {
		case "[ether]":
		case "PERM":
			nb.State = NeighPermanent
		case "PUB":
			return nil, textErr(n, "published (proxy) ARP entries are not supported by the model yet: use proxy-arp on the interface")
		default:
			return nil, textErr(n, "unknown arp -a word %q: want [ether], PERM or PUB", w)
		}
	}
	return nb, nil
}
