package frame

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// TestWritePcap: each example's capture holds one frame per hop, in order,
// 1 ms apart, and tcpdump reads it.
func TestWritePcap(t *testing.T) {
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			traces := exampleTraces(t, name)
			var buf bytes.Buffer
			if err := WritePcap(&buf, traces); err != nil {
				t.Fatal(err)
			}
			file := buf.Bytes()
			r, err := pcapgo.NewReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if r.LinkType() != layers.LinkTypeEthernet {
				t.Errorf("link type %s", r.LinkType())
			}
			n := 0
			for _, tr := range traces {
				for _, h := range tr.Hops {
					data, ci, err := r.ReadPacketData()
					if err != nil {
						t.Fatalf("packet %d: %v", n+1, err)
					}
					if want, _ := Bytes(h.Packet); !bytes.Equal(data, want) {
						t.Errorf("packet %d is not hop %s's frame", n+1, h.Node)
					}
					if want := captureStart.Add(time.Duration(n) * time.Millisecond); !ci.Timestamp.Equal(want) {
						t.Errorf("packet %d at %s, want %s", n+1, ci.Timestamp, want)
					}
					n++
				}
			}
			if _, _, err := r.ReadPacketData(); !errors.Is(err, io.EOF) {
				t.Errorf("after %d hops: %v, want EOF", n, err)
			}
			tcpdump(t, name, file)
		})
	}
}

// tcpdump reads the capture with the real tcpdump; it skips the rest of
// the test when there is none.
func tcpdump(t *testing.T, name string, file []byte) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump not on PATH: the capture is not read by it")
	}
	path := filepath.Join(t.TempDir(), name+".pcap")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tcpdump", "-nn", "-r", path).CombinedOutput()
	if err != nil {
		t.Fatalf("tcpdump -nn -r: %v\n%s", err, out)
	}
	if name == "neutron-ovs-compute-network" && !strings.Contains(string(out), "VXLAN") {
		t.Errorf("tcpdump shows no VXLAN packet:\n%s", out)
	}
}

func TestWritePcapError(t *testing.T) {
	bad := pkt("icmp", "2001:db8::1", "2001:db8::2")
	tr := &trace.Trace{Hops: []trace.Hop{{Node: trace.NodeRef{Host: "h", Name: "ns1"}, Packet: pkt("icmp", "10.0.0.1", "10.0.0.2")},
		{Node: trace.NodeRef{Host: "h", Name: "ns2"}, Packet: bad}}}
	err := WritePcap(io.Discard, []*trace.Trace{tr, tr})
	if want := "trace 1 hop 2 (h:ns2): icmp 2001:db8::1 > 2001:db8::2 echo-request: ICMP protocol 1 cannot travel in IPv6"; err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
