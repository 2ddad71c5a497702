package frame

import (
	"strings"
	"testing"

	"github.com/hopscope/hopscope/trace"
)

func TestBytes(t *testing.T) {
	synAck := pkt("tcp", "10.0.0.1:1234", "10.0.1.5:443")
	synAck.TCPFlags = trace.TCPSyn | trace.TCPAck
	tagged := pkt("udp", "10.0.0.1:5000", "10.0.1.5:53")
	tagged.VLAN = 2
	short := pkt("icmp", "10.0.0.1", "10.0.1.5")
	short.Length = 0
	unreachable := pkt("icmp", "10.0.0.1", "10.0.1.5")
	unreachable.ICMPType, unreachable.ICMPCode = 3, 3
	echo6 := pkt("58", "2001:db8::1", "2001:db8::2")
	echo6.ICMPType = 128
	cases := []struct {
		name string
		p    trace.Packet
		size int // frame length
	}{
		{"icmp echo padded to Length", pkt("icmp", "10.0.0.1", "10.0.1.5"), 14 + 100},
		{"tcp syn-ack", synAck, 14 + 100},
		{"udp with a VLAN tag", tagged, 18 + 100},
		{"headers longer than Length: no padding", short, 14 + 20 + 8},
		{"icmp port unreachable", unreachable, 14 + 100},
		{"another protocol: IP and zero payload", pkt("253", "10.0.0.1", "10.0.1.5"), 14 + 100},
		{"ipv6 udp", pkt("udp", "[2001:db8::1]:5000", "[2001:db8::2]:53"), 14 + 100},
		{"ipv6 icmpv6 echo", echo6, 14 + 100},
		{"vxlan", tunneled("vxlan", 100, 4789, synAck), 14 + 150},
		{"geneve", tunneled("geneve", 7, 6081, synAck), 14 + 150},
		{"gre with a key", tunneled("gre", 0x64, 0, synAck), 14 + 20 + 8 + 114},
		{"gre without a key", tunneled("gre", 0, 0, synAck), 14 + 20 + 4 + 114},
		{"vxlan in vxlan", tunneled("vxlan", 1, 4789, tunneled("vxlan", 2, 4789, tagged)), 14 + 36 + 14 + 36 + 118},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Bytes(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tc.size {
				t.Errorf("frame is %d bytes, want %d", len(b), tc.size)
			}
			checkFrame(t, tc.p, b)
		})
	}
}

func TestBytesErrors(t *testing.T) {
	p := pkt("udp", "10.0.0.1:5000", "10.0.1.5:53")
	mixed := p
	mixed.Dst = mustAddr("2001:db8::2")
	noSrc := p
	noSrc.Src = mustAddr("")
	icmp6 := pkt("icmp", "2001:db8::1", "2001:db8::2")
	badVLAN := p
	badVLAN.VLAN = 5000
	huge := p
	huge.Length = 70000
	greOverUDP := tunneled("gre", 1, 0, p)
	greOverUDP.Proto = trace.ProtoUDP
	deep := p
	for range maxNesting + 1 {
		deep = tunneled("vxlan", 1, 4789, deep)
	}
	cases := []struct {
		name string
		p    trace.Packet
		want string
	}{
		{"mixed families", mixed, "udp 10.0.0.1:5000 > 2001:db8::2:53: source and destination are of different IP families"},
		{"no source", noSrc, "udp invalid IP:5000 > 10.0.1.5:53: no source or destination address"},
		{"icmp over ipv6", icmp6, "icmp 2001:db8::1 > 2001:db8::2 echo-request: ICMP protocol 1 cannot travel in IPv6"},
		{"vlan out of range", badVLAN, "udp 10.0.0.1:5000 > 10.0.1.5:53: VLAN 5000: want 1-4095"},
		{"too long", huge, "udp 10.0.0.1:5000 > 10.0.1.5:53: IP length 70000 exceeds the maximum 65535"},
		{"vni too large", tunneled("vxlan", 1<<24, 4789, p), "udp 10.0.0.25:49200 > 10.0.0.27:4789 [vxlan 16777216: udp 10.0.0.1:5000 > 10.0.1.5:53]: vxlan VNI 16777216 does not fit in 24 bits"},
		{"gre over udp", greOverUDP, "udp 10.0.0.25:0 > 10.0.0.27:0 [gre 1: udp 10.0.0.1:5000 > 10.0.1.5:53]: a gre tunnel packet must be IP protocol 47, not 17"},
		{"unknown tunnel", tunneled("stt", 1, 7471, p), `udp 10.0.0.25:49200 > 10.0.0.27:7471 [stt 1: udp 10.0.0.1:5000 > 10.0.1.5:53]: unknown tunnel type "stt": want vxlan, geneve or gre`},
		{"bad inner packet", tunneled("geneve", 1, 6081, mixed), "geneve inner packet: udp 10.0.0.1:5000 > 2001:db8::2:53: source and destination are of different IP families"},
		{"tunnels nested too deep", deep, strings.Repeat("vxlan inner packet: ", maxNesting+1) + "more than 8 tunnels nested"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Bytes(tc.p)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func BenchmarkBytes(b *testing.B) {
	plain := pkt("tcp", "10.0.0.1:1234", "10.0.1.5:443")
	for _, bc := range []struct {
		name string
		p    trace.Packet
	}{{"tcp", plain}, {"vxlan", tunneled("vxlan", 100, 4789, plain)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Bytes(bc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
