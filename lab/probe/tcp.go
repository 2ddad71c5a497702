package probe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func (s *Server) acceptTCP(l net.Listener) {
	defer s.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.isClosed() {
				return
			}
			time.Sleep(acceptRetry)
			continue
		}
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go s.handleTCP(c)
	}
}

// track registers c so Close can end it; false once the server is closed.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// handleTCP reads one token line, records the arrival and echoes the line.
func (s *Server) handleTCP(c net.Conn) {
	defer s.wg.Done()
	defer s.untrack(c)
	c.SetDeadline(time.Now().Add(serverIOTimeout))
	line, err := readLine(c)
	if err != nil {
		return
	}
	tok, ok := parsePayload(line)
	if !ok {
		return
	}
	s.rec.add(Arrival{
		NS:    s.ns,
		Proto: TCP,
		Src:   addrPortOf(c.RemoteAddr()),
		Dst:   addrPortOf(c.LocalAddr()),
		Token: tok,
	})
	c.Write(append(line, '\n'))
}

// readLine reads one "\n"-terminated payload, at most maxPayloadLen bytes
// before the newline, and returns it without the newline.
func readLine(r io.Reader) ([]byte, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, int64(maxPayloadLen)+1), maxPayloadLen+1)
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return nil, fmt.Errorf("line without newline: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	return bytes.Clone(line[:len(line)-1]), nil
}

// sendTCP connects, sends the payload line and waits for it to come back.
func sendTCP(p Probe, payload []byte, deadline time.Time) Result {
	d := net.Dialer{Deadline: deadline}
	if p.Src.IsValid() || p.SPort != 0 {
		d.LocalAddr = &net.TCPAddr{IP: p.Src.AsSlice(), Port: int(p.SPort)}
	}
	if p.SPort != 0 {
		// A fixed source port may still be in TIME_WAIT from an
		// earlier probe.
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			})
			return errors.Join(err, serr)
		}
	}
	var c net.Conn
	err := inNetns(p.NS, func() (err error) {
		// A literal address and "tcp4": the socket is created and
		// connected on this goroutine, inside the namespace.
		c, err = d.Dial("tcp4", p.dst().String())
		return err
	})
	if err != nil {
		return p.fail("connect", err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	if _, err := c.Write(append(payload, '\n')); err != nil {
		return p.fail("write", err)
	}
	line, err := readLine(c)
	if err != nil {
		return p.fail("read echo", err)
	}
	if !bytes.Equal(line, payload) {
		return p.fail("read echo", fmt.Errorf("got %q, want %q", line, payload))
	}
	return Result{Replied: true}
}
