package scenarios

import (
	"strings"
	"testing"
)

// host wraps interface lines into a one-namespace scenario so cases stay short.
const hostHead = "hosts:\n  h1:\n    namespaces:\n      root:\n"

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"empty file", "", `bad.yaml: empty scenario: want a mapping with hosts, segments, endpoints and checks`},
		{"only a comment", "# nothing\n", `bad.yaml: empty scenario: want a mapping with hosts, segments, endpoints and checks`},
		{"yaml syntax", "hosts: [a\nsegments: {}\n", `bad.yaml:1: YAML syntax error: did not find expected ',' or ']'`},
		{"two documents", "name: a\n---\nname: b\n", `bad.yaml:2:1: a second YAML document: want one scenario per file`},
		{"top level is a list", "- a\n", `bad.yaml:1:1: want a mapping (key: value), got a list`},
		{"unknown top key", "nmae: x\n", `bad.yaml:1:1: nmae: unknown key; want one of name, description, segments, hosts, endpoints, ovn, checks, explain`},
		{"unknown segment key", "segments:\n  provider:\n    gatway: 192.168.0.1\n", `bad.yaml:3:5: segments.provider.gatway: unknown key; want one of prefixes, gateway, gateway-mac, upstream`},
		{"duplicate key", "segments:\n  a: {}\n  a: {}\n", `bad.yaml:3:3: segments.a: duplicate key: already given at line 2`},
		{"want a list", "segments:\n  a:\n    prefixes: 10.0.0.0/8\n", `bad.yaml:3:15: segments.a.prefixes: want a list, got "10.0.0.0/8"`},
		{"want a number", hostHead + "        interfaces:\n          - {name: e, kind: veth, mtu: big}\n", `bad.yaml:6:40: hosts.h1.namespaces.root.interfaces[0].mtu: want a number, got "big"`},
		{"want a bool", hostHead + "        interfaces:\n          - {name: e, kind: veth, down: maybe}\n", `bad.yaml:6:41: hosts.h1.namespaces.root.interfaces[0].down: want true or false, got "maybe"`},
		{"want a mapping", "hosts:\n  h1: [a]\n", `bad.yaml:2:7: hosts.h1: want a mapping (key: value), got a list`},
		{"missing required key", hostHead + "        interfaces:\n          - kind: veth\n", `bad.yaml:6:13: hosts.h1.namespaces.root.interfaces[0]: missing required key "name"`},
		{"unknown interface kind", hostHead + "        interfaces:\n          - name: eth4\n            kind: phys\n", `bad.yaml:7:19: hosts.h1.namespaces.root.interfaces[0].kind: unknown interface kind "phys": want one of loopback, veth, tap, physical, bridge, internal, dummy, nic, other`},
		{"bad address", hostHead + "        interfaces:\n          - {name: e, kind: dummy, addresses: [10.0.0.1]}\n", `bad.yaml:6:48: hosts.h1.namespaces.root.interfaces[0].addresses[0]: bad prefix "10.0.0.1": want ADDRESS/LENGTH like 10.0.0.0/24`},
		{"bad mac", hostHead + "        interfaces:\n          - {name: e, kind: dummy, mac: 'fa:16'}\n", `bad.yaml:6:41: hosts.h1.namespaces.root.interfaces[0].mac: bad MAC address "fa:16": want six hex bytes like fa:16:3e:ae:b3:e7`},
		{"duplicate interface", hostHead + "        interfaces:\n          - {name: e, kind: dummy}\n          - {name: e, kind: dummy}\n", `bad.yaml:7:20: hosts.h1.namespaces.root.interfaces[1].name: interface "e" is already defined at bad.yaml:6:13`},
		{"segment on a veth", hostHead + "        interfaces:\n          - {name: e, kind: veth, segment: s}\n", `bad.yaml:6:44: hosts.h1.namespaces.root.interfaces[0].segment: only a physical interface attaches to a segment, and this one is a veth`},
		{"bad route in block", hostHead + "        interfaces:\n          - {name: e, kind: dummy}\n        routes: |\n          10.1.0.0/16 dev e\n          10.0.0.0/33 dev e\n", `bad.yaml:9:11: hosts.h1.namespaces.root.routes (line 2 of the block): bad prefix "10.0.0.0/33": want ADDRESS/LENGTH like 10.0.0.0/24`},
		{"unsupported rule selector", hostHead + "        rules: |\n          100: from all uidrange 0-0 lookup main\n", `bad.yaml:6:11: hosts.h1.namespaces.root.rules (line 1 of the block): rule selector "uidrange" is not supported by the model yet`},
		{"bad neighbour state", hostHead + "        neighbors: \"10.0.0.1 dev e GONE\"\n", `bad.yaml:5:20: hosts.h1.namespaces.root.neighbors (line 1 of the block): unknown neighbour word "GONE": want dev, lladdr, router or a state (PERMANENT, NOARP, REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED)`},
		{"text block is a list", hostHead + "        routes: [a]\n", `bad.yaml:5:17: hosts.h1.namespaces.root.routes: want a text block (key: |, then the command output indented below), got a list`},
		{"unknown sysctl", hostHead + "        sysctls: {net.ipv4.tcp_syncookies: 1}\n", `bad.yaml:5:19: hosts.h1.namespaces.root.sysctls.net.ipv4.tcp_syncookies: unknown sysctl "net.ipv4.tcp_syncookies": want one of net.ipv4.ip_forward, net.ipv4.conf.all.forwarding, net.bridge.bridge-nf-call-iptables, net.ipv4.conf.IFACE.proxy_arp, net.ipv4.conf.IFACE.rp_filter`},
		{"sysctl on a missing interface", hostHead + "        sysctls: {net.ipv4.conf.eth9.proxy_arp: 1}\n", `bad.yaml:5:19: hosts.h1.namespaces.root.sysctls.net.ipv4.conf.eth9.proxy_arp: no interface "eth9" in namespace root: declare it under interfaces`},
		{"bad sysctl value", hostHead + "        sysctls: {net.ipv4.ip_forward: 7}\n", `bad.yaml:5:19: hosts.h1.namespaces.root.sysctls.net.ipv4.ip_forward: bad value "7": want a number from 0 to 1`},
		{"bad ovs port type", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p, type: vxlan6}\n", `bad.yaml:7:31: hosts.h1.ovs.bridges.br0.ports[0].type: unknown OVS interface type "vxlan6": want one of system, internal, patch, vxlan, geneve, gre, other`},
		{"patch without peer", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p, type: patch}\n", `bad.yaml:7:15: hosts.h1.ovs.bridges.br0.ports[0]: patch port p has no peer: want peer: PORT`},
		{"tag out of range", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p, type: internal, tag: 5000}\n", `bad.yaml:7:46: hosts.h1.ovs.bridges.br0.ports[0].tag: VLAN 5000 is out of range: want 1 to 4095`},
		{"bad flow in block", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal, ofport: 1}\n            - {name: p2, type: internal, ofport: 2}\n" + "          flows: |\n            table=0, priority=1,in_port=1 actions=output:2\n            table=0, priority=1,reg0=0xzz actions=drop\n", `bad.yaml:11:33: hosts.h1.ovs.bridges.br0.flows (line 2 of the block): reg0=0xzz: want a number like 0x1 or 0x1/0xff`},
		{"flow names an unknown port (Resolve)", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal, ofport: 1}\n            - {name: p2, type: internal, ofport: 2}\n" + "          flows: |\n            table=0, priority=1,in_port=1 actions=output:2\n            table=0, priority=1,in_port=\"p9\" actions=output:2\n", `bad.yaml:11 (hosts.h1.ovs.bridges.br0.flows): flows of br0: unknown port "p9": want one of the bridge's ports (p1, p2)`},
		{"port without ofport on a bridge with flows (Resolve)", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal}\n          flows: |\n            table=0, priority=0 actions=drop\n", `bad.yaml:7 (hosts.h1.ovs.bridges.br0.ports[0]): port p1 of br0: a bridge with flows needs every port's ofport (flows name ports by number)`},
		{"two ports with one ofport (Resolve)", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal, ofport: 1}\n            - {name: p2, type: internal, ofport: 1}\n", `bad.yaml:8 (hosts.h1.ovs.bridges.br0.ports[1]): ports p1 and p2 of br0 both have ofport 1`},
		{"bad fdb row", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal, ofport: 1}\n            - {name: p2, type: internal, ofport: 2}\n" + "          fdb: |\n             port  VLAN  MAC                Age\n                1     0  fa:16:3e:ae:b3     3\n", `bad.yaml:11:17: hosts.h1.ovs.bridges.br0.fdb (line 2 of the block): bad MAC address "fa:16:3e:ae:b3": want six hex bytes like fa:16:3e:ae:b3:e7`},
		{"fdb names an unknown ofport (Resolve)", "hosts:\n  h1:\n    ovs:\n      bridges:\n        br0:\n          ports:\n            - {name: p1, type: internal, ofport: 1}\n            - {name: p2, type: internal, ofport: 2}\n" + "          fdb: |\n                9     0  fa:16:3e:ae:b3:e7    3\n", `bad.yaml:10 (hosts.h1.ovs.bridges.br0.fdb): fdb of br0: fa:16:3e:ae:b3:e7: the bridge has no port with ofport 9`},
		{"dangling peer (Resolve)", hostHead + "        interfaces:\n          - {name: e, kind: veth, peer: x:f}\n", `bad.yaml:6 (hosts.h1.namespaces.root.interfaces[0]): interface e: peer: "h1:x:f": host h1 has no namespace "x"`},
		{"conflicting peers", hostHead + "        interfaces:\n          - {name: a, kind: veth, peer: b}\n          - {name: b, kind: veth, peer: c}\n          - {name: c, kind: veth}\n", `bad.yaml:6:41: hosts.h1.namespaces.root.interfaces[0].peer: h1:root:a says its peer is h1:root:b, but h1:root:b says its peer is h1:root:c`},
		{"unknown endpoint kind", "endpoints:\n  e:\n    kind: vmm\n", `bad.yaml:3:11: endpoints.e.kind: unknown endpoint kind "vmm": want one of vm, container, namespace, external`},
		{"endpoint key for another kind", "endpoints:\n  e:\n    kind: external\n    address: 8.8.8.8\n    host: h1\n", `bad.yaml:5:11: endpoints.e.host: not for kind external: want one of address, segment`},
		{"vm on an unknown host", "endpoints:\n  e:\n    kind: vm\n    host: nope\n    interface: {name: eth0}\n", `bad.yaml:4:11: endpoints.e.host: no host "nope": hosts are (none)`},
		{"external beyond every segment (Resolve)", "endpoints:\n  e:\n    kind: external\n    address: 8.8.8.8\n", `bad.yaml:2 (endpoints.e): external endpoint "e" (8.8.8.8) is on no segment and beyond no segment's gateway`},
		{"check without expect", "checks:\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2}\n", `bad.yaml:2:5: checks[0]: missing required key "expect"`},
		{"unknown disposition", "checks:\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2, expect: {disposition: OK}}\n", `bad.yaml:2:65: checks[0].expect.disposition: unknown disposition "OK": want one of DELIVERED, EXITED, DENIED, DROPPED, NO_ROUTE, NULL_ROUTED, NEIGHBOR_UNREACHABLE, LOOP, TTL_EXCEEDED, UNSUPPORTED`},
		{"unknown endpoint in check", "checks:\n  - {name: c, from: tset, to: 2.2.2.2, expect: {disposition: DENIED}}\n", `bad.yaml:2:21: checks[0].from: no endpoint "tset": want an endpoint name (), host:ns:iface or an IP address`},
		{"dport with icmp", "checks:\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2, dport: 22, expect: {disposition: DENIED}}\n", `bad.yaml:2:50: checks[0].dport: ports are only for proto tcp or udp`},
		{"bad expected address", "checks:\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2, expect: {disposition: DENIED, src: 10.0.0}}\n", `bad.yaml:2:78: checks[0].expect.src: bad address "10.0.0": want an IP address like 192.168.0.1`},
		{"duplicate check name", "checks:\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2, expect: {disposition: DENIED}}\n  - {name: c, from: 1.1.1.1, to: 2.2.2.2, expect: {disposition: DENIED}}\n", `bad.yaml:3:5: checks[1]: check "c" is already defined at bad.yaml:2:5`},
		{"disable an unknown rule", hostHead + "        iptables: |\n          *filter\n          :FORWARD ACCEPT [0:0]\n          -A FORWARD -j DROP\n          COMMIT\n" +
			"checks:\n  - name: c\n    from: 1.1.1.1\n    to: 2.2.2.2\n    disable: [{ns: 'h1:root', table: filter, rule: '-A FORWARD -j ACCEPT'}]\n    expect: {disposition: DENIED}\n",
			`bad.yaml:14:52: checks[0].disable[0].rule: no such rule in table filter of h1:root`},
		{"disable in an unknown namespace", "checks:\n  - name: c\n    from: 1.1.1.1\n    to: 2.2.2.2\n    disable: [{ns: 'h1:root', table: filter, rule: '-A FORWARD -j ACCEPT'}]\n    expect: {disposition: DENIED}\n",
			`bad.yaml:5:20: checks[0].disable[0].ns: no host "h1": hosts are (none)`},
		{"merge key", "segments:\n  a: &x {gateway: 10.0.0.1}\n  b:\n    <<: *x\n", `bad.yaml:4:5: segments.b.<<: merge keys (<<) are not supported: write the keys out`},
		{"explain is a mapping", "explain: {node: x, text: t}\n", `bad.yaml:1:10: explain: want a list, got a mapping`},
		{"explain unknown key", "explain:\n  - {nod: x, text: t}\n", `bad.yaml:2:6: explain[0].nod: unknown key; want one of node, step, text`},
		{"explain without text", "explain:\n  - {node: x}\n", `bad.yaml:2:5: explain[0]: missing required key "text"`},
		{"explain empty text", "explain:\n  - {node: x, text: ''}\n", `bad.yaml:2:21: explain[0].text: empty: want one to four plain sentences`},
		{"explain without selector", "explain:\n  - text: t\n", `bad.yaml:2:5: explain[0]: want node, step or both: with neither, the note would show at every hop`},
		{"explain empty item", "explain:\n  -\n", `bad.yaml:2:4: explain[0]: empty explanation: want node, step or both, and text`},
		{"explain bad glob", "explain:\n  - {node: x, text: t}\n  - node: 'qrouter-['\n    text: t\n", `bad.yaml:3:11: explain[1].node: bad glob "qrouter-[": syntax error in pattern; want a pattern like qrouter-* or compute0:br-*`},
		{"explain unknown step", "explain:\n  - {step: Neighbour, text: t}\n", `bad.yaml:2:12: explain[0].step: unknown step kind "Neighbour": want one of EnterPort, ExitPort, Netfilter, Conntrack, Route, Neighbor, BridgeFDB, OVSFlow, OVNStage, Transform, Encap, Decap, Deliver`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("bad.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLoadErrorsCollected checks that one load reports every independent
// mistake, not just the first.
func TestLoadErrorsCollected(t *testing.T) {
	_, err := Load("bad.yaml", []byte("nmae: x\nsegments:\n  a: {gatway: 1}\n"))
	want := "bad.yaml:1:1: nmae: unknown key; want one of name, description, segments, hosts, endpoints, ovn, checks, explain\n" +
		"bad.yaml:3:7: segments.a.gatway: unknown key; want one of prefixes, gateway, gateway-mac, upstream"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	if n := strings.Count(want, "\n"); n != 1 {
		t.Fatal(n)
	}
}

// TestIptablesErrorRebased checks that a netfilter parse error points at
// the file line inside the iptables block (the message is netfilter's).
func TestIptablesErrorRebased(t *testing.T) {
	y := hostHead + "        iptables: |\n          *filter\n          -A FORWARD -j DROP\n          COMMIT\n"
	_, err := Load("bad.yaml", []byte(y))
	want := "bad.yaml:7:11: hosts.h1.namespaces.root.iptables (line 2 of the block): "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error:\n got %v\nwant prefix %s", err, want)
	}
}
