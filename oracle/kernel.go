package oracle

import (
	"fmt"
	"sync"
	"time"

	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/lab/probe"
)

// Probe sends every case from its source namespace in lab p (which must be
// up) and reports what the receivers saw. Listeners answer on ports in
// every namespace but the OVS ones.
func Probe(p *lab.Plan, cases []Case, ports []uint16, timeout time.Duration) ([]Verdict, error) {
	rec := probe.NewRecorder()
	for _, n := range p.Netns {
		if n.Role == "ovs" {
			continue
		}
		s, err := probe.Serve(rec, n.Name, ports)
		if err != nil {
			return nil, err
		}
		defer s.Close()
	}
	out := make([]Verdict, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = probeOne(p, rec, c, fmt.Sprintf("c%d", i), timeout)
		}()
	}
	wg.Wait()
	return out, nil
}

func probeOne(p *lab.Plan, rec *probe.Recorder, c Case, token string, timeout time.Duration) Verdict {
	ns := p.EndpointNetns(c.From)
	if ns == "" {
		return Verdict{Skip: "the source endpoint is not realised in the lab"}
	}
	res := probe.Send(probe.Probe{NS: ns, Proto: probe.Proto(c.Proto), Src: c.From.Addr, SPort: c.SPort,
		Dst: c.Dst, DPort: c.DPort, Token: token, Timeout: timeout})
	// The kernel may answer an echo before the server has recorded it, and
	// a request may arrive while its answer is lost: give both a moment.
	arr := rec.Wait(token, 200*time.Millisecond)
	v := Verdict{Replied: res.Replied}
	if res.Err != nil {
		v.Note = res.Err.Error()
	}
	if len(arr) > 0 {
		a := arr[0]
		v.Delivered, v.NS, v.Src, v.Dst = true, a.NS, a.Src.Addr(), a.Dst.Addr()
		if c.Proto != "icmp" {
			v.DPort = a.Dst.Port()
		}
		if len(arr) > 1 {
			v.Note = fmt.Sprintf("arrived %d times, first at %s", len(arr), a.NS)
		}
	}
	return v
}
