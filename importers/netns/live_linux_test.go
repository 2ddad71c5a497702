package netns

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportLive builds the lab in fresh namespaces, imports only those,
// checks the model as the fixture test does, and checks that importing
// changed nothing in them.
func TestImportLive(t *testing.T) {
	requireRoot(t)
	prefix := buildLab(t)
	before := labState(t, prefix)
	hosts, problems, err := Import(context.Background(), Options{Place: labPlace(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	checkLab(t, hosts, problems)
	if diff := cmp.Diff(before, labState(t, prefix)); diff != "" {
		t.Errorf("Import changed the lab namespaces (-before +after):\n%s", diff)
	}
}

// TestImportLiveDefault imports the whole machine with default options:
// the root namespace must come out, and its iptables must not change.
// Other namespaces may come and go meanwhile; those are Problems at worst.
func TestImportLiveDefault(t *testing.T) {
	requireRoot(t)
	before := rootIptables(t)
	hosts, problems, err := Import(context.Background(), Options{HostName: "me"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Logf("problem: %s", p)
	}
	if len(hosts) != 1 || hosts[0].Name != "me" || hosts[0].Root() == nil || hosts[0].Namespaces[0] != hosts[0].Root() {
		t.Fatalf("want one host \"me\" with its root namespace first, got %v", hosts)
	}
	if lo := hosts[0].Root().Interface("lo"); lo == nil {
		t.Errorf("root namespace has no lo")
	}
	if diff := cmp.Diff(before, rootIptables(t)); diff != "" {
		t.Errorf("Import changed the root namespace's iptables (-before +after):\n%s", diff)
	}
}

// labState is what the lab namespaces hold, as iproute2, iptables and ipset
// print it, minus what changes by itself (timestamps, counters, IPv6
// addresses and routes, learned FDB rows, dynamic neighbour states).
func labState(t *testing.T, prefix string) map[string]string {
	t.Helper()
	state := map[string]string{"namespaces": grep(output(t, "ip", "netns", "list"), prefix)}
	for _, r := range labRoles {
		ns := prefix + r
		for _, argv := range [][]string{
			{"ip", "-n", ns, "-o", "link"},
			{"ip", "-n", ns, "-4", "-o", "addr"},
			{"ip", "-n", ns, "-4", "route", "show", "table", "all"},
			{"ip", "-n", ns, "rule"},
			{"ip", "-n", ns, "neigh", "show", "nud", "permanent"},
			{"ip", "netns", "exec", ns, "sysctl", "net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables",
				"net.ipv4.conf.all.proxy_arp", "net.ipv4.conf.all.rp_filter"},
			{"ip", "netns", "exec", ns, "iptables-nft-save"},
			{"ip", "netns", "exec", ns, "iptables-legacy-save"},
			{"ip", "netns", "exec", ns, "ipset", "save"},
		} {
			state[strings.Join(argv[2:], " ")] = stable(output(t, argv...))
		}
		var fdb []string
		for _, l := range strings.Split(output(t, "bridge", "-n", ns, "fdb", "show"), "\n") {
			if strings.Contains(l, " master ") && (strings.Contains(l, "static") || strings.Contains(l, "permanent")) {
				fdb = append(fdb, l)
			}
		}
		state[ns+" fdb"] = strings.Join(fdb, "\n")
	}
	return state
}

func rootIptables(t *testing.T) map[string]string {
	t.Helper()
	state := map[string]string{}
	for _, tool := range []string{"iptables-nft-save", "iptables-legacy-save"} {
		if _, err := exec.LookPath(tool); err == nil {
			state[tool] = stable(output(t, tool))
		}
	}
	return state
}

// counters are iptables-save's packet and byte counts, which the kernel's
// own traffic (IGMP reports, ...) moves at any time.
var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// stable drops what differs between two identical states: comment lines
// (timestamps) and counters.
func stable(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "# ") {
			out = append(out, counters.ReplaceAllString(l, "[-]"))
		}
	}
	return strings.Join(out, "\n")
}

func grep(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func output(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out)
}
