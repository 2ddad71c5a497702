package probe

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
)

// maxDatagram is the receive buffer for UDP and ICMP; longer datagrams are
// truncated and then fail payload parsing.
const maxDatagram = 2048

// serveUDP records each datagram carrying a token and echoes it from the
// address it was sent to, so a reply through NAT matches conntrack.
func (s *Server) serveUDP(pc *ipv4.PacketConn, port uint16) {
	defer s.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, cm, src, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
			continue
		}
		tok, ok := parsePayload(buf[:n])
		if !ok || cm == nil {
			continue
		}
		dst := addrOf(cm.Dst)
		s.rec.add(Arrival{
			NS:    s.ns,
			Proto: UDP,
			Src:   addrPortOf(src),
			Dst:   netip.AddrPortFrom(dst, port),
			Token: tok,
		})
		// Answer from the address the probe was sent to. The kernel
		// refuses that for a broadcast destination; then let routing
		// choose.
		if _, err := pc.WriteTo(buf[:n], &ipv4.ControlMessage{Src: cm.Dst}, src); err != nil {
			pc.WriteTo(buf[:n], nil, src)
		}
	}
}

// sendUDP sends the payload from a connected socket and waits for the echo.
// Connected, the socket also reports ICMP errors (port unreachable as
// ECONNREFUSED).
func sendUDP(p Probe, payload []byte, deadline time.Time) Result {
	var d net.Dialer
	if p.Src.IsValid() || p.SPort != 0 {
		d.LocalAddr = &net.UDPAddr{IP: p.Src.AsSlice(), Port: int(p.SPort)}
	}
	var c net.Conn
	err := inNetns(p.NS, func() (err error) {
		c, err = d.Dial("udp4", p.dst().String())
		return err
	})
	if err != nil {
		return p.fail("open udp socket", err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	if _, err := c.Write(payload); err != nil {
		return p.fail("write", err)
	}
	buf := make([]byte, maxDatagram)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return p.fail("read echo", err)
		}
		if bytes.Equal(buf[:n], payload) {
			return Result{Replied: true}
		}
	}
}
