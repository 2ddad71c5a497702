package probe

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
)

// DefaultTimeout is used when a Probe has no Timeout.
const DefaultTimeout = time.Second

// Probe is one request.
type Probe struct {
	NS      string        // netns to send from
	Proto   Proto         // ICMP, TCP or UDP
	Src     netip.Addr    // source address to bind; invalid: routing chooses
	SPort   uint16        // source port, valid iff Proto is TCP or UDP; 0: ephemeral
	Dst     netip.Addr    // IPv4 destination
	DPort   uint16        // destination port, valid iff Proto is TCP or UDP
	Token   string        // unique per probe, see ValidToken; carried in the payload
	Timeout time.Duration // for the whole probe, socket to reply; 0: DefaultTimeout
}

// String is compact: "tcp c17 from ns-a 10.0.0.1:4000 > 10.0.0.2:80".
func (p Probe) String() string {
	src, dst := "*", p.Dst.String()
	if p.Src.IsValid() {
		src = p.Src.String()
	}
	if p.Proto != ICMP {
		src = fmt.Sprintf("%s:%d", src, p.SPort)
		dst = p.dst().String()
	}
	return fmt.Sprintf("%s %s from %s %s > %s", p.Proto, p.Token, p.NS, src, dst)
}

func (p Probe) dst() netip.AddrPort { return netip.AddrPortFrom(p.Dst, p.DPort) }

// Result says whether the reply came back. A missing reply is a result,
// not a failure of the lab: Err then says what the sender observed, and
// wraps the system error, so errors.Is(r.Err, syscall.ECONNREFUSED) finds
// a refusal and errors.Is(r.Err, os.ErrDeadlineExceeded) a timeout.
type Result struct {
	Replied bool
	Err     error // nil iff Replied
}

func (p Probe) fail(what string, err error) Result {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, os.ErrDeadlineExceeded) {
		err = dialTimeout{err}
	}
	return Result{Err: fmt.Errorf("probe %s: %s: %w", p, what, err)}
}

// dialTimeout marks a connect that ran out of time: the net package
// reports it as context.DeadlineExceeded, reads and writes as
// os.ErrDeadlineExceeded; Result promises the latter for both.
type dialTimeout struct{ error }

func (e dialTimeout) Unwrap() error        { return e.error }
func (e dialTimeout) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// Send sends p from its namespace and waits for the reply until p.Timeout.
// It is safe to call concurrently.
func Send(p Probe) Result {
	if err := p.check(); err != nil {
		return Result{Err: fmt.Errorf("probe %s: %w", p, err)}
	}
	payload, err := encodePayload(p.Token)
	if err != nil {
		return Result{Err: fmt.Errorf("probe %s: %w", p, err)}
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	deadline := time.Now().Add(timeout)
	switch p.Proto {
	case TCP:
		return sendTCP(p, payload, deadline)
	case UDP:
		return sendUDP(p, payload, deadline)
	default:
		return sendICMP(p, payload, deadline)
	}
}

// check rejects a probe that cannot be sent as asked.
func (p Probe) check() error {
	switch {
	case p.NS == "":
		return fmt.Errorf("no namespace to send from")
	case !p.Proto.valid():
		return fmt.Errorf("protocol %q: want icmp, tcp or udp", p.Proto)
	case !p.Dst.Is4():
		return fmt.Errorf("destination %v: want an IPv4 address", p.Dst)
	case p.Src.IsValid() && !p.Src.Is4():
		return fmt.Errorf("source %v: want an IPv4 address", p.Src)
	case p.Proto != ICMP && p.DPort == 0:
		return fmt.Errorf("%s needs a destination port", p.Proto)
	case p.Proto == ICMP && (p.SPort != 0 || p.DPort != 0):
		return fmt.Errorf("icmp has no ports")
	}
	return nil
}
