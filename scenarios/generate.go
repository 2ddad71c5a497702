package scenarios

import (
	"fmt"
	"strings"

	"github.com/hopscope/hopscope/model/netfilter"
)

// GenerateNeutronHost is a compute node whose root namespace holds the
// generated Neutron hybrid-firewall ruleset for `ports` ports, with the
// VM behind the last port reachable from the namespace "router" across its
// qbr bridge: a trace from router to vm crosses br_netfilter's raw and
// filter walks of the whole ruleset. Benchmarks use it; it also returns
// the number of rules.
func GenerateNeutronHost(ports int) (*Scenario, int, error) {
	rules := netfilter.GenerateNeutronHost(ports)
	k := ports - 1
	tap := netfilter.PortTap(k)
	id := strings.TrimPrefix(tap, "tap")
	var y strings.Builder
	fmt.Fprintf(&y, `name: generated-neutron-host
hosts:
  compute:
    namespaces:
      root:
        sysctls: {net.ipv4.ip_forward: 1, net.bridge.bridge-nf-call-iptables: 1}
        interfaces:
          - {name: qbr%[1]s, kind: bridge}
          - {name: %[2]s, kind: tap, master: qbr%[1]s}
          - {name: qvb%[1]s, kind: veth, master: qbr%[1]s, peer: router:qr0}
        iptables: |
`, id, tap)
	for _, line := range strings.Split(strings.TrimRight(rules, "\n"), "\n") {
		y.WriteString("          " + line + "\n")
	}
	fmt.Fprintf(&y, `        ipsets: |
          create NIPv4%[1]s hash:net family inet hashsize 1024 maxelem 65536
          add NIPv4%[1]s 10.0.0.200
`, id[:10])
	fmt.Fprintf(&y, `      router:
        sysctls: {net.ipv4.ip_forward: 1}
        interfaces:
          - {name: qr0, kind: veth, addresses: [10.0.0.1/8]}
endpoints:
  vm:
    kind: vm
    host: compute
    interface: {name: eth0, addresses: [%s/8], link: %s}
`, netfilter.PortAddr(k), tap)
	sc, err := Load("generated-neutron-host.yaml", []byte(y.String()))
	return sc, strings.Count(rules, "\n-A "), err
}
