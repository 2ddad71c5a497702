package probe

import (
	"fmt"
	"net"
	"net/netip"
)

// Proto is the protocol of a probe.
type Proto string

const (
	// ICMP is an echo request; the receiver's kernel sends the reply.
	ICMP Proto = "icmp"
	// TCP is a connection that carries the token and reads it back.
	TCP Proto = "tcp"
	// UDP is a datagram carrying the token; the server echoes it.
	UDP Proto = "udp"
)

func (p Proto) valid() bool { return p == ICMP || p == TCP || p == UDP }

// Arrival is one probe request that reached a listening socket.
type Arrival struct {
	NS    string         // netns name of the receiver
	Proto Proto          // protocol of the probe
	Src   netip.AddrPort // source as the receiver saw it; port 0 for ICMP
	Dst   netip.AddrPort // destination as the receiver saw it; port 0 for ICMP
	Token string         // the probe's token
}

// String is compact: "tcp 10.0.0.1:4000 > 10.0.0.2:80 at ns-b [c17]".
func (a Arrival) String() string {
	if a.Proto == ICMP {
		return fmt.Sprintf("icmp %s > %s at %s [%s]", a.Src.Addr(), a.Dst.Addr(), a.NS, a.Token)
	}
	return fmt.Sprintf("%s %s > %s at %s [%s]", a.Proto, a.Src, a.Dst, a.NS, a.Token)
}

// addrPortOf converts a socket address to a plain IPv4 AddrPort; the net
// package reports IPv4 as 16-byte mapped addresses.
func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return netip.AddrPortFrom(addrOf(a.IP), uint16(a.Port))
	case *net.UDPAddr:
		return netip.AddrPortFrom(addrOf(a.IP), uint16(a.Port))
	case *net.IPAddr:
		return netip.AddrPortFrom(addrOf(a.IP), 0)
	}
	return netip.AddrPort{}
}

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}
