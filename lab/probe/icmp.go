package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// protocolICMP is the IP protocol number of ICMPv4, for icmp.ParseMessage.
const protocolICMP = 1

// serveICMP records echo requests carrying a token. The raw socket gets a
// copy of every ICMP packet delivered to the namespace, before the kernel
// validates it; the kernel, not this loop, sends the echo reply.
func (s *Server) serveICMP(rc *ipv4.RawConn) {
	defer s.wg.Done()
	seen := map[string]bool{} // tokens recorded by this server
	buf := make([]byte, maxDatagram)
	for {
		h, body, _, err := rc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
			continue
		}
		tok, ok := parseEchoRequest(body)
		if !ok || seen[tok] {
			continue
		}
		seen[tok] = true
		s.rec.add(Arrival{
			NS:    s.ns,
			Proto: ICMP,
			Src:   netip.AddrPortFrom(addrOf(h.Src), 0),
			Dst:   netip.AddrPortFrom(addrOf(h.Dst), 0),
			Token: tok,
		})
	}
}

// parseEchoRequest returns the token of an ICMP echo request. Replies,
// errors and messages with a bad checksum (raw sockets see them before
// the kernel drops them) are not requests.
func parseEchoRequest(b []byte) (string, bool) {
	if checksum(b) != 0 {
		return "", false
	}
	m, err := icmp.ParseMessage(protocolICMP, b)
	if err != nil || m.Type != ipv4.ICMPTypeEcho || m.Code != 0 {
		return "", false
	}
	echo, ok := m.Body.(*icmp.Echo)
	if !ok {
		return "", false
	}
	return parsePayload(echo.Data)
}

// checksum is the Internet checksum (RFC 1071); 0 over a message that
// includes its checksum field means the message is intact.
func checksum(b []byte) uint16 {
	var sum uint32
	for ; len(b) >= 2; b = b[2:] {
		sum += uint32(binary.BigEndian.Uint16(b))
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// sendICMP sends one echo request from a raw socket and waits for the
// matching reply: same id, sequence and payload. A raw socket receives all
// ICMP in the namespace, so everything else is skipped, except an ICMP
// error quoting this request, which ends the wait.
func sendICMP(p Probe, payload []byte, deadline time.Time) Result {
	laddr := "0.0.0.0"
	if p.Src.IsValid() {
		laddr = p.Src.String()
	}
	var c *icmp.PacketConn
	err := inNetns(p.NS, func() (err error) {
		c, err = icmp.ListenPacket("ip4:icmp", laddr)
		return err
	})
	if err != nil {
		return p.fail("open raw icmp socket", err)
	}
	defer c.Close()
	id, seq := int(rand.N[uint16](0xffff)), int(rand.N[uint16](0xffff))
	req, err := (&icmp.Message{
		Type: ipv4.ICMPTypeEcho,
		Body: &icmp.Echo{ID: id, Seq: seq, Data: payload},
	}).Marshal(nil)
	if err != nil {
		return p.fail("build echo request", err)
	}
	c.SetDeadline(deadline)
	if _, err := c.WriteTo(req, &net.IPAddr{IP: p.Dst.AsSlice()}); err != nil {
		return p.fail("send echo request", err)
	}
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return p.fail("read echo reply", err)
		}
		m, err := icmp.ParseMessage(protocolICMP, buf[:n])
		if err != nil {
			continue
		}
		switch body := m.Body.(type) {
		case *icmp.Echo:
			if m.Type == ipv4.ICMPTypeEchoReply && body.ID == id && body.Seq == seq && bytes.Equal(body.Data, payload) {
				return Result{Replied: true}
			}
		case *icmp.DstUnreach:
			if quotesEcho(body.Data, id, seq) {
				return p.fail("echo", fmt.Errorf("destination unreachable (code %d) from %s", m.Code, from))
			}
		case *icmp.TimeExceeded:
			if quotesEcho(body.Data, id, seq) {
				return p.fail("echo", fmt.Errorf("time exceeded (code %d) from %s", m.Code, from))
			}
		}
	}
}

// quotesEcho reports whether the IP packet quoted in an ICMP error is an
// echo request with this id and sequence.
func quotesEcho(quoted []byte, id, seq int) bool {
	if len(quoted) < ipv4.HeaderLen {
		return false
	}
	ihl := int(quoted[0]&0x0f) * 4
	if quoted[9] != protocolICMP || len(quoted) < ihl+8 {
		return false
	}
	e := quoted[ihl:]
	return e[0] == byte(ipv4.ICMPTypeEcho) &&
		int(binary.BigEndian.Uint16(e[4:6])) == id &&
		int(binary.BigEndian.Uint16(e[6:8])) == seq
}
