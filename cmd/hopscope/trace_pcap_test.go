package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
	"github.com/hopscope/hopscope/trace/frame"
)

// TestTracePcap: -o pcap writes the forward then the reply hops' frames,
// exactly as frame.WritePcap does, and keeps trace's exit codes.
func TestTracePcap(t *testing.T) {
	cases := []struct {
		name    string
		example string
		req     trace.Request
		reply   bool
		args    []string
		code    int
	}{
		{"vxlan there and back", "neutron-ovs-compute-network", trace.Request{From: "vm1", To: "172.16.1.1", Proto: trace.ProtoICMP}, true,
			[]string{"--from", "vm1", "--to", "172.16.1.1", "--reply"}, 0},
		{"denied still writes its hops", "dvr-floating-ip", trace.Request{From: "test", To: "internet", Proto: trace.ProtoICMP, SrcIP: netip.MustParseAddr("172.12.10.99")}, false,
			[]string{"--from", "test", "--to", "internet", "--src-ip", "172.12.10.99"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trace", "--example", tc.example, "-o", "pcap"}, tc.args...)
			code, out, errs := hopscope(args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errs)
			}
			traces := expectedTraces(t, tc.example, tc.req, tc.reply)
			var want bytes.Buffer
			if err := frame.WritePcap(&want, traces); err != nil {
				t.Fatal(err)
			}
			if out != want.String() {
				t.Error("output is not the forward then reply traces' capture")
			}
			hops := 0
			for _, tr := range traces {
				hops += len(tr.Hops)
			}
			if n := countPackets(t, strings.NewReader(out)); n != hops {
				t.Errorf("%d packets, want %d (one per hop)", n, hops)
			}
		})
	}
}

func expectedTraces(t *testing.T, example string, req trace.Request, reply bool) []*trace.Trace {
	t.Helper()
	sc, err := scenarios.LoadExample(example)
	if err != nil {
		t.Fatal(err)
	}
	e := trace.New(sc.Topology)
	fwd, err := e.Trace(req)
	if err != nil {
		t.Fatal(err)
	}
	if !reply {
		return fwd
	}
	back, err := e.Reply(fwd)
	if err != nil {
		t.Fatal(err)
	}
	return append(fwd, back...)
}

func countPackets(t *testing.T, r io.Reader) int {
	t.Helper()
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, _, err := pr.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("packet %d: %v", n+1, err)
		}
		n++
	}
}

// TestTracePcapToTerminal: binary output to a terminal is refused, with
// exit 2 and the way out. The terminal is a real pseudo-terminal.
func TestTracePcapToTerminal(t *testing.T) {
	tty := openPTY(t)
	var errb bytes.Buffer
	err := run(context.Background(), []string{"trace", "--example", "dvr-floating-ip", "--from", "test", "--to", "internet", "-o", "pcap"}, tty, &errb)
	if code := exitCode(err, &errb); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if want := "hopscope: -o pcap writes binary: redirect it to a file (hopscope trace ... -o pcap > trace.pcap)\n"; errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

// openPTY opens a pseudo-terminal and returns its terminal end.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here (%v): cannot test output to a terminal", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("naming the pseudo-terminal: %v", err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}
