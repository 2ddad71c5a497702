package oracle

import (
	"fmt"
	"net/netip"
)

// Verdict is what one oracle says happened to a case.
type Verdict struct {
	Delivered bool       // the request reached a socket (TCP: a completed connection)
	Replied   bool       // the answer came back to the sender
	NS        string     // lab namespace that received it
	Src, Dst  netip.Addr // as the receiver saw them
	DPort     uint16     // as the receiver saw it (tcp, udp)
	Note      string     // the simulator's disposition and why, or the probe's error
	Skip      string     // the simulator cannot say (UNSUPPORTED): not compared
}

func (v Verdict) String() string {
	if v.Skip != "" {
		return "unsupported: " + v.Skip
	}
	if !v.Delivered {
		return "not delivered (" + v.Note + ")"
	}
	s := fmt.Sprintf("delivered to %s as %s -> %s", v.NS, v.Src, v.Dst)
	if v.DPort != 0 {
		s += fmt.Sprintf(":%d", v.DPort)
	}
	if !v.Replied {
		s += ", no reply"
	}
	return s
}

// Agree compares a simulator verdict with the kernel's; the empty string
// means they agree, otherwise it names the first difference.
func Agree(sim, kern Verdict) string {
	switch {
	case sim.Delivered != kern.Delivered:
		return "delivered"
	case !sim.Delivered:
		return ""
	case sim.NS != kern.NS:
		return "receiver"
	case sim.Src != kern.Src:
		return "source seen"
	case sim.Dst != kern.Dst:
		return "destination seen"
	case sim.DPort != kern.DPort:
		return "port seen"
	case sim.Replied != kern.Replied:
		return "reply"
	}
	return ""
}
