package probe

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// serverIOTimeout bounds how long a server waits for a TCP client to send
// its token line and take the echo.
const serverIOTimeout = time.Second

// acceptRetry is the pause after an Accept error other than close (for
// example EMFILE), so the loop does not spin.
const acceptRetry = 10 * time.Millisecond

// Server receives probes in one namespace: a TCP listener and a UDP socket
// on each of its ports (0.0.0.0) and a raw ICMP socket.
type Server struct {
	ns  string
	rec *Recorder

	sockets []io.Closer // listeners, UDP and raw sockets
	wg      sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // accepted TCP connections being served
	closed bool
}

// Serve opens the sockets inside the namespace netnsName and records every
// probe request that arrives in rec. TCP and UDP answer with the token;
// the kernel answers ICMP echo itself. Ports must be non-zero; duplicates
// are ignored.
func Serve(rec *Recorder, netnsName string, ports []uint16) (*Server, error) {
	ports = slices.Clone(ports)
	slices.Sort(ports)
	ports = slices.Compact(ports)
	if len(ports) > 0 && ports[0] == 0 {
		return nil, fmt.Errorf("netns %s: serve: port 0 is not a port", netnsName)
	}
	s := &Server{ns: netnsName, rec: rec, conns: map[net.Conn]struct{}{}}
	var (
		tcp  []net.Listener
		udp  []net.PacketConn
		icmp net.PacketConn
	)
	err := inNetns(netnsName, func() error {
		for _, port := range ports {
			addr := fmt.Sprintf("0.0.0.0:%d", port)
			l, err := net.Listen("tcp4", addr)
			if err != nil {
				return fmt.Errorf("netns %s: listen tcp %s: %w", netnsName, addr, err)
			}
			tcp = append(tcp, l)
			s.sockets = append(s.sockets, l)
			c, err := net.ListenPacket("udp4", addr)
			if err != nil {
				return fmt.Errorf("netns %s: listen udp %s: %w", netnsName, addr, err)
			}
			udp = append(udp, c)
			s.sockets = append(s.sockets, c)
		}
		c, err := net.ListenPacket("ip4:icmp", "0.0.0.0")
		if err != nil {
			return fmt.Errorf("netns %s: open raw icmp socket: %w", netnsName, err)
		}
		icmp = c
		s.sockets = append(s.sockets, c)
		return nil
	})
	if err == nil {
		err = s.start(tcp, udp, ports, icmp)
	}
	if err != nil {
		s.closeSockets()
		return nil, err
	}
	return s, nil
}

// start wraps the sockets and launches one goroutine per socket.
func (s *Server) start(tcp []net.Listener, udp []net.PacketConn, ports []uint16, icmp net.PacketConn) error {
	pcs := make([]*ipv4.PacketConn, len(udp))
	for i, c := range udp {
		pcs[i] = ipv4.NewPacketConn(c)
		// IP_PKTINFO: the address each datagram was sent to, and the
		// source to answer from.
		if err := pcs[i].SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true); err != nil {
			return fmt.Errorf("netns %s: udp port %d: enable IP_PKTINFO: %w", s.ns, ports[i], err)
		}
	}
	raw, err := ipv4.NewRawConn(icmp)
	if err != nil {
		return fmt.Errorf("netns %s: raw icmp socket: %w", s.ns, err)
	}
	for _, l := range tcp {
		s.wg.Add(1)
		go s.acceptTCP(l)
	}
	for i, pc := range pcs {
		s.wg.Add(1)
		go s.serveUDP(pc, ports[i])
	}
	s.wg.Add(1)
	go s.serveICMP(raw)
	return nil
}

// Close closes every socket and connection and waits for the server's
// goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.closeSockets()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("netns %s: close server: %w", s.ns, err)
	}
	return nil
}

func (s *Server) closeSockets() error {
	var errs []error
	for _, c := range s.sockets {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
