package openflow

import (
	"slices"
	"testing"
	"time"
)

// benchPorts gives GenerateBridge about 100k flows over 20 tables.
const benchPorts = 3000

func BenchmarkParse100k(b *testing.B) {
	text := GenerateBridge(benchPorts)
	b.SetBytes(int64(len(text)))
	var flows []*Flow
	for b.Loop() {
		var err error
		if flows, err = Parse(text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(flows)), "flows")
}

// benchState is a TCP SYN from generated port k to port k+1 on its network,
// as it stands once the pipeline has set its registers.
func benchState(k int) *State {
	p, q := GeneratedPort(k), GeneratedPort(k+1)
	s := &State{
		InPort: p.OFPort, DlSrc: p.MAC, DlDst: q.MAC, DlType: ethIP, VlanTCI: 0x1000 | p.VLAN,
		NwProto: 6, NwTTL: 64, TpSrc: 40000, TpDst: 22,
		CtState: CtNew | CtTrk, Metadata: uint64(p.Net + 1),
	}
	s.NwSrc, s.NwDst = ipv4(p.IP.String()), ipv4(q.IP.String())
	s.Regs[5], s.Regs[6], s.Regs[14], s.Regs[15] = p.OFPort, uint32(p.VLAN), p.LPort, q.LPort
	return s
}

// BenchmarkLookup looks a packet up in each of the 20 tables of a 100k-flow
// bridge; ns/op is per Lookup, median-ns per pass over all 20 tables.
func BenchmarkLookup(b *testing.B) {
	flows, err := Parse(GenerateBridge(benchPorts))
	if err != nil {
		b.Fatal(err)
	}
	fl := NewFlows(flows)
	var tables []uint8
	for _, f := range flows {
		if !slices.Contains(tables, f.Table) {
			tables = append(tables, f.Table)
		}
	}
	states := make([]*State, 64)
	for i := range states {
		states[i] = benchState(i * (benchPorts - 2) / len(states))
	}
	hits := 0
	var times []time.Duration
	i := 0
	for b.Loop() {
		s := states[i%len(states)]
		i++
		start := time.Now()
		for _, t := range tables {
			if r := fl.Lookup(t, s); r.Flow != nil {
				hits++
			}
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tables)), "ns/lookup")
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/20-tables")
	b.ReportMetric(float64(len(flows)), "flows")
	if hits == 0 {
		b.Fatal("no lookup matched")
	}
}

func BenchmarkNewFlows100k(b *testing.B) {
	flows, err := Parse(GenerateBridge(benchPorts))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		NewFlows(flows)
	}
}
