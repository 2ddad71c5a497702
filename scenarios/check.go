package scenarios

import (
	"net/netip"

	"github.com/hopscope/hopscope/model"
)

// Check is one what-if assertion: trace a packet From -> To and compare the
// outcome with Expect. From and To stay text (an endpoint name,
// host:ns:iface or an IP address); the trace package resolves them.
type Check struct {
	Name         string
	From, To     string
	Proto        string     // "icmp", "tcp" or "udp"
	SPort, DPort int        // valid iff Proto is tcp or udp; 0 = let the tracer choose
	SrcIP        netip.Addr // overrides the source address From implies (spoofing what-ifs); invalid = From's
	Reply        bool       // trace the answer back through the forward connection
	Disable      []RuleRef
	Expect       Expect
	Source       model.Source
}

// Expect is what a check asserts about the trace. Zero fields are not checked.
type Expect struct {
	Disposition string     // one of Dispositions
	Via         []string   // names that must appear, in this order, among the hops/steps
	Src, Dst    netip.Addr // final addresses after NAT; invalid = not checked
	DecidedBy   string     // text that must appear in the deciding step's rule
}

// RuleRef names one iptables rule to switch off for a check: the namespace
// ("host:ns"), the table and the rule's exact `-A` line as iptables-save prints it.
type RuleRef struct {
	NS     string
	Table  string
	Rule   string
	Source model.Source
}

// Dispositions are the outcomes a check may expect (the trace package's
// Disposition names).
var Dispositions = []string{
	"DELIVERED", "EXITED", "DENIED", "DROPPED", "NO_ROUTE", "NULL_ROUTED",
	"NEIGHBOR_UNREACHABLE", "LOOP", "TTL_EXCEEDED", "UNSUPPORTED",
}

// Protocols are the values a check's proto may take.
var Protocols = []string{"icmp", "tcp", "udp"}
