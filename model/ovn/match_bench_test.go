package ovn

import (
	"fmt"
	"testing"
)

// benchSets has a port group of 5,000 ports and an address set of 5,000
// prefixes (/24s and /32s), the sizes of a large Neutron security group.
var benchSets = testSets{
	pgs: map[string][]string{"pg": bigNames("lsp-", 5000)},
	as:  map[string][]string{"as": bigPrefixes(5000)},
}

// BenchmarkEval evaluates the SSH ACL of a security group on a packet that
// matches and on packets that fail at different tests.
func BenchmarkEval(b *testing.B) {
	matches := map[string]string{
		"literal":    "outport == @pg && ip4 && ip4.src == 10.0.0.0/16 && tcp && tcp.dst == 22",
		"addressset": "outport == @pg && ip4 && ip4.src == $as && tcp && tcp.dst == 22",
	}
	pkts := map[string]*packetB{
		"match":   mpkt("tcp", "10.0.0.7:40000", "10.1.0.5:22").out("lsp-4321"),
		"port":    mpkt("tcp", "10.0.0.7:40000", "10.1.0.5:22").out("lsp-9999"),
		"proto":   mpkt("udp", "10.0.0.7:40000", "10.1.0.5:22").out("lsp-4321"),
		"notipv4": mpkt("tcp", "[fd00::7]:40000", "[fd00::5]:22").out("lsp-4321"),
	}
	for _, m := range []string{"literal", "addressset"} {
		e, err := Compile(matches[m], benchSets)
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"match", "port", "proto", "notipv4"} {
			p := &pkts[name].Packet
			if m == "addressset" && name == "match" {
				p.IPSrc = mpkt("ip4", "10.119.135.7", "1.1.1.1").IPSrc // entry 4999, a /32
			}
			b.Run(fmt.Sprintf("%s/%s", m, name), func(b *testing.B) {
				b.ReportAllocs()
				want := name == "match"
				for b.Loop() {
					if e.Eval(p) != want {
						b.Fatal("wrong result")
					}
				}
			})
		}
	}
}

// TestMatchEvalDoesNotAllocate holds Eval to zero allocations.
func TestMatchEvalDoesNotAllocate(t *testing.T) {
	e, err := Compile("outport == @pg && ip4 && ip4.src == $as && tcp && tcp.dst == 22", benchSets)
	if err != nil {
		t.Fatal(err)
	}
	p := &mpkt("tcp", "10.119.135.7:40000", "10.1.0.5:22").out("lsp-4321").Packet
	if !e.Eval(p) {
		t.Fatal("no match")
	}
	if n := testing.AllocsPerRun(100, func() { e.Eval(p) }); n != 0 {
		t.Errorf("Eval allocates %v times per run", n)
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("outport == @pg && ip4 && ip4.src == $as && tcp && tcp.dst == 22", benchSets); err != nil {
			b.Fatal(err)
		}
	}
}
