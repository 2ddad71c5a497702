package netns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	record = flag.Bool("record", false, "rebuild testdata/lab.json from real namespaces (needs root)")
	update = flag.Bool("update", false, "rewrite testdata/lab.golden from testdata/lab.json")
)

const fixture = "testdata/lab.json"

// The lab: four namespaces, named prefix+role. The router holds almost
// everything; a, b and c sit behind its veths and bridge.
//
//	a:a-r ==== r-a  router  br0 --- br0-b ==== b:b0
//	                         |  `-- br0-c ==== c:c0
//	                        brv (vlan filtering, when the kernel has it) --- brv-p1 ==== brv-p1x
//	                                                                      `-- tap0 (down)
//	                        vx0 (vxlan, down), d0 (dummy, when the kernel has it)
var labRoles = []string{"router", "a", "b", "c"}

// labPlace puts the lab on two model hosts: the router as lab's root, a and
// b as lab's named namespaces, c as the root of host "other" (so one veth
// crosses hosts).
func labPlace(prefix string) func(string) (string, string, bool) {
	return func(name string) (string, string, bool) {
		switch name {
		case prefix + "router":
			return "lab", "root", true
		case prefix + "a", prefix + "b":
			return "lab", strings.TrimPrefix(name, prefix), true
		case prefix + "c":
			return "other", "root", true
		}
		return "", "", false
	}
}

// labScript builds the lab; {role} is replaced by the namespace name. A
// line starting with "?" may fail (a kernel without that device kind or
// without vlan filtering).
// "settle" waits for the veths' carriers; the pings after it run before
// iptables, so the bridge learns and ARP resolves.
const labScript = `
ip netns add {router}
ip netns add {a}
ip netns add {b}
ip netns add {c}
ip -n {router} link set lo up
ip -n {a} link set lo up
ip -n {b} link set lo up
ip -n {c} link set lo up
ip -n {router} link add r-a type veth peer name a-r netns {a}
ip -n {router} addr add 10.1.0.1/24 dev r-a
ip -n {router} link set r-a up
ip -n {a} addr add 10.1.0.2/24 dev a-r
ip -n {a} link set a-r up
ip -n {a} route add default via 10.1.0.1
ip -n {router} link add br0 type bridge
ip -n {router} link add br0-b type veth peer name b0 netns {b}
ip -n {router} link add br0-c type veth peer name c0 netns {c}
ip -n {router} link set br0-b master br0
ip -n {router} link set br0-c master br0
ip -n {router} addr add 10.2.0.1/24 dev br0
ip -n {router} link set br0 up
ip -n {router} link set br0-b up
ip -n {router} link set br0-c up
ip -n {b} addr add 10.2.0.2/24 dev b0
ip -n {b} link set b0 up
ip -n {c} addr add 10.2.0.3/24 dev c0
ip -n {c} link set c0 up
bridge -n {router} fdb add 02:00:00:00:00:bb dev br0-b master static
bridge -n {router} fdb add 02:00:00:00:00:cc dev br0-c master permanent
ip -n {router} link add brv type bridge
ip -n {router} link add brv-p1 type veth peer name brv-p1x
ip -n {router} tuntap add tap0 mode tap
ip -n {router} link set brv-p1 master brv
ip -n {router} link set tap0 master brv
? ip -n {router} link set brv type bridge vlan_filtering 1
? bridge -n {router} vlan add vid 10 dev brv-p1 pvid untagged
? bridge -n {router} vlan add vid 20 dev brv-p1
? bridge -n {router} vlan del vid 1 dev brv-p1
? bridge -n {router} vlan add vid 10 dev tap0
? bridge -n {router} vlan add vid 20 dev tap0
ip -n {router} link set brv up
ip -n {router} link set brv-p1 up
ip -n {router} link set brv-p1x up
? ip -n {router} link add d0 type dummy
? ip -n {router} addr add 192.0.2.1/32 dev d0
? ip -n {router} link set d0 up
ip -n {router} link add vx0 type vxlan id 42 remote 192.0.2.99 dstport 4789
ip -n {router} link set vx0 mtu 1450
ip -n {router} route add 10.9.0.0/24 via 10.1.0.2 proto static metric 100
ip -n {router} route add 198.51.100.0/24 dev br0 scope link src 10.2.0.1
ip -n {router} route add default table 100 nexthop via 10.1.0.2 dev r-a weight 1 nexthop via 10.2.0.2 dev br0 weight 3
ip -n {router} route add blackhole 10.66.0.0/16 table 100
ip -n {router} route add unreachable 10.77.0.0/16 table 200
ip -n {router} route add prohibit 10.78.0.0/16 table 200
ip -n {router} route add throw 10.79.0.0/16 table 200
ip -n {router} rule add pref 100 from 10.2.0.0/24 lookup 100
ip -n {router} rule add pref 110 fwmark 0x10/0xff lookup 200
ip -n {router} rule add pref 120 iif br0 lookup 100
ip -n {router} rule add pref 130 not to 10.0.0.0/8 lookup main
ip -n {router} rule add pref 140 oif r-a blackhole
ip -n {router} rule add pref 150 goto 32766
ip -n {router} rule add pref 160 ipproto tcp dport 22 lookup 100
ip -n {router} neigh add 10.1.0.99 lladdr 02:00:00:00:01:99 dev r-a nud permanent
ip -n {router} neigh add 10.2.0.99 dev br0 nud failed
ip netns exec {router} sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.r-a.proxy_arp=1 net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.br0.rp_filter=2 net.bridge.bridge-nf-call-iptables=1
ip netns exec {b} sysctl -qw net.bridge.bridge-nf-call-iptables=0
settle
ip netns exec {b} ping -c1 -W2 10.2.0.3
ip netns exec {router} ping -c1 -W2 10.2.0.2
ip netns exec {router} ipset restore < routerSets
ip netns exec {router} iptables-nft-restore < routerRules
ip netns exec {a} iptables-legacy-restore < aRules
ip netns exec {b} iptables-nft-restore < bNftRules
ip netns exec {b} iptables-legacy-restore < bLegacyRules
`

// labInputs are the texts labScript feeds on standard input.
var labInputs = map[string]string{
	"routerSets": "create allowed hash:net family inet\nadd allowed 10.2.0.0/24\n",
	"routerRules": `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i br0 -o r-a -m set --match-set allowed src -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.2.0.0/24 -o r-a -j MASQUERADE
COMMIT
`,
	"aRules":       "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p icmp -j ACCEPT\nCOMMIT\n",
	"bNftRules":    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.2.0.3/32 -j ACCEPT\nCOMMIT\n",
	"bLegacyRules": "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n",
}

// requireRoot skips t unless it can build namespaces.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds network namespaces with veths, bridges, routes and iptables rules")
	}
	for _, tool := range []string{"ip", "bridge", "sysctl", "ping", "ipset", "iptables-nft-restore", "iptables-legacy-restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s installed", tool)
		}
	}
}

// buildLab builds the lab in namespaces named "hsimp-" + random + "-" +
// role, deleted when t ends, and returns the prefix.
func buildLab(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	prefix := "hsimp-" + hex.EncodeToString(b) + "-"
	t.Cleanup(func() {
		for _, r := range labRoles {
			exec.Command("ip", "netns", "del", prefix+r).Run() // some may not exist after a failed build
		}
	})
	for _, line := range strings.Split(strings.TrimSpace(labScript), "\n") {
		if line == "settle" {
			settle(t, prefix)
			continue
		}
		optional := strings.HasPrefix(line, "? ")
		line = strings.TrimPrefix(line, "? ")
		for _, r := range labRoles {
			line = strings.ReplaceAll(line, "{"+r+"}", prefix+r)
		}
		stdin := ""
		if cmd, in, ok := strings.Cut(line, " < "); ok {
			line, stdin = cmd, labInputs[in]
		}
		argv := strings.Fields(line)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			if !optional {
				t.Fatalf("%s: %v: %s", line, err, out)
			}
			t.Logf("optional step failed (kernel lacks it?): %s: %v: %s", line, err, strings.TrimSpace(string(out)))
		}
	}
	return prefix
}

// settle waits until no lab device that is up lacks its carrier: the
// kernel raises carriers asynchronously, and the live test compares states.
func settle(t *testing.T, prefix string) {
	t.Helper()
	for try := 0; ; try++ {
		waiting := ""
		for _, r := range labRoles {
			out, err := exec.Command("ip", "-n", prefix+r, "-o", "link").Output()
			if err != nil {
				t.Fatalf("ip -n %s -o link: %v", prefix+r, err)
			}
			if strings.Contains(string(out), "NO-CARRIER") {
				waiting = prefix + r
			}
		}
		if waiting == "" {
			return
		}
		if try == 50 {
			t.Fatalf("%s: devices still without carrier after 5s", waiting)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRecordFixture rebuilds testdata/lab.json from a real lab:
// go test ./importers/netns -run TestRecordFixture -record
func TestRecordFixture(t *testing.T) {
	if !*record {
		t.Skip("the fixture is rebuilt only with -record")
	}
	requireRoot(t)
	prefix := buildLab(t)
	var names []string
	for _, r := range labRoles {
		names = append(names, prefix+r)
	}
	dumps, problems := readNamespaces(context.Background(), names)
	for _, p := range problems {
		t.Errorf("reading the lab: %s", p)
	}
	for _, d := range dumps { // drop the random prefix: the fixture is stable
		d.Name = strings.TrimPrefix(d.Name, prefix)
		for id, n := range d.NetNsIDs {
			d.NetNsIDs[id] = strings.TrimPrefix(n, prefix)
		}
	}
	b, err := json.MarshalIndent(dumps, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixture, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadFixture(t *testing.T) []*nsDump {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(fixture))
	if err != nil {
		t.Fatal(err)
	}
	var dumps []*nsDump
	if err := json.Unmarshal(b, &dumps); err != nil {
		t.Fatalf("%s: %v", fixture, err)
	}
	return dumps
}
