// Package probe sends real ICMP, TCP and UDP probes between Linux network
// namespaces and records which namespace's socket each one reached.
//
// A differential test realises a scenario as namespaces, runs a Server in
// every namespace that may receive, and Sends probes carrying unique
// tokens. Two questions are answered per probe:
//
//	sender ns                        receiver ns
//	Send(Probe) ── request ─[NAT]─▶  Server socket ──▶ Recorder: Arrival{NS, Src, Dst}
//	Result.Replied ◀── reply ─[NAT]─ (token echoed; the kernel answers ICMP)
//
// Everything is IPv4: servers listen on 0.0.0.0, probes go to IPv4
// addresses.
package probe
