package netns

import (
	"bytes"
	"fmt"
	"net"
	"slices"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// ruleList dumps the IPv4 rules through socket s, like netlink's RuleList,
// but keeps each rule's action in Rule.Type: netlink v1.3.1 drops it, and
// without it a blackhole, unreachable, prohibit or nop rule reads as a
// lookup of table 0.
func ruleList(s *nl.NetlinkSocket) ([]netlink.Rule, error) {
	req := nl.NewNetlinkRequest(unix.RTM_GETRULE, unix.NLM_F_DUMP)
	req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: unix.AF_INET}})
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWRULE)
	if err != nil {
		return nil, err
	}
	var rules []netlink.Rule
	for _, m := range msgs {
		r, err := parseRule(m)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// parseRule reads one RTM_NEWRULE message: a fib_rule_hdr (laid out as an
// rtmsg, the action where rtmsg has its type) and FRA_* attributes.
func parseRule(m []byte) (netlink.Rule, error) {
	if len(m) < unix.SizeofRtMsg {
		return netlink.Rule{}, fmt.Errorf("rule message of %d bytes", len(m))
	}
	msg := nl.DeserializeRtMsg(m)
	attrs, err := routeAttrs(m[msg.Len():])
	if err != nil {
		return netlink.Rule{}, err
	}
	r := *netlink.NewRule()
	r.Priority = 0 // the kernel leaves FRA_PRIORITY out for 0
	r.Family, r.Tos, r.Table, r.Type = int(msg.Family), uint(msg.Tos), int(msg.Table), msg.Type
	r.Invert = msg.Flags&netlink.FibRuleInvert != 0
	u32 := func(b []byte) uint32 { return native.Uint32(b[:4]) }
	for _, a := range attrs {
		v := a.value
		if want := ruleAttrSize[a.typ]; len(v) < want {
			return netlink.Rule{}, fmt.Errorf("rule attribute %d has %d bytes, want %d", a.typ, len(v), want)
		}
		switch a.typ {
		case nl.FRA_TABLE:
			r.Table = int(u32(v))
		case nl.FRA_SRC, nl.FRA_DST:
			if len(v) != net.IPv4len && len(v) != net.IPv6len {
				return netlink.Rule{}, fmt.Errorf("rule address of %d bytes", len(v))
			}
			if a.typ == nl.FRA_DST {
				r.Dst = &net.IPNet{IP: slices.Clone(v), Mask: net.CIDRMask(int(msg.Dst_len), 8*len(v))}
				break
			}
			r.Src = &net.IPNet{IP: slices.Clone(v), Mask: net.CIDRMask(int(msg.Src_len), 8*len(v))}
		case nl.FRA_FWMARK:
			r.Mark = u32(v)
		case nl.FRA_FWMASK:
			mask := u32(v)
			r.Mask = &mask
		case nl.FRA_TUN_ID:
			r.TunID = uint(native.Uint64(v[:8]))
		case nl.FRA_IIFNAME:
			r.IifName = cString(v)
		case nl.FRA_OIFNAME:
			r.OifName = cString(v)
		case nl.FRA_SUPPRESS_PREFIXLEN:
			if x := u32(v); x != 0xffffffff {
				r.SuppressPrefixlen = int(x)
			}
		case nl.FRA_SUPPRESS_IFGROUP:
			if x := u32(v); x != 0xffffffff {
				r.SuppressIfgroup = int(x)
			}
		case nl.FRA_FLOW:
			r.Flow = int(u32(v))
		case nl.FRA_GOTO:
			r.Goto = int(u32(v))
		case nl.FRA_PRIORITY:
			r.Priority = int(u32(v))
		case nl.FRA_IP_PROTO:
			r.IPProto = int(v[0])
		case nl.FRA_DPORT_RANGE:
			r.Dport = netlink.NewRulePortRange(native.Uint16(v[0:2]), native.Uint16(v[2:4]))
		case nl.FRA_SPORT_RANGE:
			r.Sport = netlink.NewRulePortRange(native.Uint16(v[0:2]), native.Uint16(v[2:4]))
		case nl.FRA_UID_RANGE:
			r.UIDRange = netlink.NewRuleUIDRange(u32(v[0:4]), u32(v[4:8]))
		case nl.FRA_PROTOCOL:
			r.Protocol = v[0]
		}
	}
	return r, nil
}

var native = nl.NativeEndian()

const nlaNetByteorder = 0x4000 // NLA_F_NET_BYTEORDER, not in x/sys/unix

type rtAttr struct {
	typ   uint16
	value []byte
}

// routeAttrs splits netlink attributes. Unlike nl.ParseRouteAttr it
// returns an error for a truncated attribute instead of panicking.
func routeAttrs(b []byte) ([]rtAttr, error) {
	var out []rtAttr
	for len(b) >= unix.SizeofRtAttr {
		n, typ := int(native.Uint16(b[0:2])), native.Uint16(b[2:4])
		if n < unix.SizeofRtAttr || n > len(b) {
			return nil, fmt.Errorf("attribute %d: length %d, %d bytes left", typ, n, len(b))
		}
		out = append(out, rtAttr{typ: typ &^ (unix.NLA_F_NESTED | nlaNetByteorder), value: b[unix.SizeofRtAttr:n]})
		b = b[min((n+unix.RTA_ALIGNTO-1)&^(unix.RTA_ALIGNTO-1), len(b)):]
	}
	return out, nil
}

// ruleAttrSize is the least length of each fixed-size attribute parseRule reads.
var ruleAttrSize = map[uint16]int{
	nl.FRA_TABLE: 4, nl.FRA_FWMARK: 4, nl.FRA_FWMASK: 4, nl.FRA_TUN_ID: 8, nl.FRA_SUPPRESS_PREFIXLEN: 4,
	nl.FRA_SUPPRESS_IFGROUP: 4, nl.FRA_FLOW: 4, nl.FRA_GOTO: 4, nl.FRA_PRIORITY: 4, nl.FRA_IP_PROTO: 1,
	nl.FRA_DPORT_RANGE: 4, nl.FRA_SPORT_RANGE: 4, nl.FRA_UID_RANGE: 8, nl.FRA_PROTOCOL: 1,
}

// cString is a NUL-terminated attribute as a string.
func cString(b []byte) string {
	if n := bytes.IndexByte(b, 0); n >= 0 {
		b = b[:n]
	}
	return string(b)
}
