package frame

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/trace"
)

func TestLayers(t *testing.T) {
	echo := pkt("icmp", "172.16.1.8", "172.16.1.1")
	echo.Length = 84
	dns := pkt("udp", "10.0.0.1:40000", "10.0.0.2:53")
	dns.VLAN = 2
	syn := pkt("tcp", "10.0.0.1:40000", "10.0.0.2:22")
	syn.Length = 40 // headers only: no Data layer
	eth := func(dst string) Layer {
		return Layer{"Ethernet II", []string{"Src: fa:16:3e:00:00:01", "Dst: fa:16:3e:00:00:02", "Type: " + dst}}
	}
	ip := func(src, dst, proto, length string) Layer {
		return Layer{"Internet Protocol Version 4", []string{"Src: " + src, "Dst: " + dst, "TTL: 64", "Protocol: " + proto, "Total Length: " + length}}
	}
	cases := []struct {
		name string
		p    trace.Packet
		want []Layer
	}{
		{"vxlan", tunneled("vxlan", 100, 4789, echo), []Layer{
			eth("IPv4 (0x0800)"),
			ip("10.0.0.25", "10.0.0.27", "UDP (17)", "134"),
			{"User Datagram Protocol", []string{"Src Port: 49200", "Dst Port: 4789", "Length: 114"}},
			{"Virtual eXtensible Local Area Network", []string{"VNI: 100"}},
			eth("IPv4 (0x0800)"),
			ip("172.16.1.8", "172.16.1.1", "ICMPv4 (1)", "84"),
			{"Internet Control Message Protocol", []string{"Type: EchoRequest (8)", "Code: 0", "ID: 1", "Seq: 1"}},
			{"Data", []string{"Length: 56"}},
		}},
		{"vxlan on a port of its own (OVS dst_port)", tunneled("vxlan", 5, 8472, syn), []Layer{
			eth("IPv4 (0x0800)"),
			ip("10.0.0.25", "10.0.0.27", "UDP (17)", "90"),
			{"User Datagram Protocol", []string{"Src Port: 49200", "Dst Port: 8472", "Length: 70"}},
			{"Virtual eXtensible Local Area Network", []string{"VNI: 5"}},
			eth("IPv4 (0x0800)"),
			ip("10.0.0.1", "10.0.0.2", "TCP (6)", "40"),
			{"Transmission Control Protocol", []string{"Src Port: 40000", "Dst Port: 22", "Flags: SYN"}},
		}},
		{"geneve", tunneled("geneve", 7, 6081, syn), []Layer{
			eth("IPv4 (0x0800)"),
			ip("10.0.0.25", "10.0.0.27", "UDP (17)", "90"),
			{"User Datagram Protocol", []string{"Src Port: 49200", "Dst Port: 6081", "Length: 70"}},
			{"Generic Network Virtualization Encapsulation", []string{"VNI: 7", "Protocol: TransparentEthernetBridging (0x6558)", "Options: none"}},
			eth("IPv4 (0x0800)"),
			ip("10.0.0.1", "10.0.0.2", "TCP (6)", "40"),
			{"Transmission Control Protocol", []string{"Src Port: 40000", "Dst Port: 22", "Flags: SYN"}},
		}},
		{"gre", tunneled("gre", 0x64, 0, syn), []Layer{
			eth("IPv4 (0x0800)"),
			ip("10.0.0.25", "10.0.0.27", "GRE (47)", "82"),
			{"Generic Routing Encapsulation", []string{"Protocol: TransparentEthernetBridging (0x6558)", "Key: 100"}},
			eth("IPv4 (0x0800)"),
			ip("10.0.0.1", "10.0.0.2", "TCP (6)", "40"),
			{"Transmission Control Protocol", []string{"Src Port: 40000", "Dst Port: 22", "Flags: SYN"}},
		}},
		{"udp to port 53 is zeros, not DNS", dns, []Layer{
			eth("Dot1Q (0x8100)"),
			{"802.1Q Virtual LAN", []string{"VLAN: 2", "Type: IPv4 (0x0800)"}},
			ip("10.0.0.1", "10.0.0.2", "UDP (17)", "100"),
			{"User Datagram Protocol", []string{"Src Port: 40000", "Dst Port: 53", "Length: 80"}},
			{"Data", []string{"Length: 72"}},
		}},
		{"another protocol is IP and Data", pkt("253", "10.0.0.1", "10.0.0.2"), []Layer{
			eth("IPv4 (0x0800)"),
			ip("10.0.0.1", "10.0.0.2", "UnknownIPProtocol (253)", "100"),
			{"Data", []string{"Length: 80"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Layers(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("layers (-want +got):\n%s", d)
			}
		})
	}
}

func TestLayersError(t *testing.T) {
	_, err := Layers(pkt("icmp", "2001:db8::1", "2001:db8::2"))
	if want := "icmp 2001:db8::1 > 2001:db8::2 echo-request: ICMP protocol 1 cannot travel in IPv6"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
