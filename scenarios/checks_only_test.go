package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadChecks(t *testing.T) {
	sc, err := LoadExample(DefaultExample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "name: live checks\nchecks:\n  - {name: out, from: 172.12.10.4, to: 8.8.8.8, expect: {disposition: EXITED}}\n")
	checks, err := LoadChecks(sc.Topology, good)
	if err != nil || len(checks) != 1 || checks[0].Name != "out" || checks[0].Proto != "icmp" {
		t.Fatalf("LoadChecks = %+v, %v", checks, err)
	}
	for _, c := range []struct{ name, text, want string }{
		{"hosts", "hosts:\n  h: {}\nchecks: []\n", "hosts.yaml:2:3: hosts: with a live source the file holds checks only: the topology is this machine's"},
		{"unknown", "checks:\n  - {name: x, from: nosuch, to: 8.8.8.8, expect: {disposition: EXITED}}\n", `unknown.yaml:2:21: checks[0].from: no endpoint "nosuch": want an endpoint name (test, internet)`},
	} {
		_, err := LoadChecks(sc.Topology, write(c.name+".yaml", c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
		}
	}
}

// A live source takes a file's explanations too; a file that fails adds none.
func TestLoadChecksExplanations(t *testing.T) {
	sc, err := LoadExample(DefaultExample)
	if err != nil {
		t.Fatal(err)
	}
	topo := sc.Topology
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("explain:\n  - {node: 'br-*', text: a bridge}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("explain:\n  - {node: 'qr-*', text: a port}\n  - {step: Nope, text: t}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	had := len(topo.Explanations)
	if _, err := LoadChecks(topo, good); err != nil {
		t.Fatal(err)
	}
	if n := len(topo.Explanations); n != had+1 || topo.Explanations[n-1].Text != "a bridge" {
		t.Fatalf("after good.yaml: %d explanations, last %v", n, topo.Explanations[n-1])
	}
	if _, err := LoadChecks(topo, bad); err == nil || !strings.Contains(err.Error(), `bad.yaml:3:12: explain[1].step: unknown step kind "Nope"`) {
		t.Errorf("bad.yaml: error %v", err)
	}
	if n := len(topo.Explanations); n != had+1 {
		t.Errorf("a failed load left %d explanations, want %d", n, had+1)
	}
}
