package scenarios

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestLoadFilesMerge(t *testing.T) {
	sc, err := LoadFiles("testdata/dvr.yaml", "testdata/extra-host.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hosts, checks []string
	for _, h := range sc.Topology.Hosts {
		hosts = append(hosts, h.Name)
	}
	for _, c := range sc.Checks {
		checks = append(checks, c.Source.File+": "+c.Name)
	}
	tests := []struct {
		name      string
		got, want []string
	}{
		{"files", sc.Files, []string{"testdata/dvr.yaml", "testdata/extra-host.yaml"}},
		{"hosts", hosts, []string{"compute02", "network01"}},
		{"checks", checks, []string{
			"testdata/dvr.yaml: VM reaches the internet with its floating IP",
			"testdata/dvr.yaml: ssh without the allow-all tcp rule is denied",
			"testdata/extra-host.yaml: network node reaches the VM's floating IP",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	// The second file's NIC joins the first file's segment.
	eth1, err := sc.Topology.InterfaceByRef("network01:root:eth1")
	if err != nil || eth1.Segment == nil || eth1.Segment.Name != "provider" {
		t.Errorf("network01 eth1 not on provider: %v %v", eth1, err)
	}
}

func TestLoadFilesDuplicate(t *testing.T) {
	_, err := LoadFiles("testdata/dvr.yaml", "testdata/dup-host.yaml")
	want := `testdata/dup-host.yaml:2:3: hosts.compute02: host "compute02" is already defined at testdata/dvr.yaml:13:3`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile("testdata/no-such.yaml")
	if err == nil || !strings.Contains(err.Error(), "testdata/no-such.yaml") {
		t.Errorf("error %v does not name the file", err)
	}
}

func TestExamples(t *testing.T) {
	names := Examples()
	if len(names) == 0 || !slices.IsSorted(names) {
		t.Fatalf("Examples() = %q: want a sorted, non-empty list", names)
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if strings.HasSuffix(n, ".yaml") {
				t.Errorf("name %q keeps its extension", n)
			}
			if _, err := LoadExample(n); err != nil {
				t.Error(err)
			}
		})
	}
	_, err := LoadExample("no-such-example")
	want := `unknown example "no-such-example": want one of ` + strings.Join(names, ", ")
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func FuzzLoad(f *testing.F) {
	for _, name := range []string{"testdata/dvr.yaml", "testdata/extra-host.yaml", "testdata/dup-host.yaml", "testdata/ovn-small.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("segments:\n  a: &x {gateway: 10.0.0.1}\n  b: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Load("fuzz.yaml", data)
		if err == nil && sc.Topology == nil {
			t.Fatal("no error and no topology")
		}
	})
}

// Explanations of merged files are concatenated in file order, each
// pointing at its own file.
func TestLoadFilesMergeExplanations(t *testing.T) {
	sc, err := load([]namedData{
		{"a.yaml", []byte("explain:\n  - {node: qrouter-*, text: router}\n  - {step: Encap, text: tunnel}\n")},
		{"b.yaml", []byte("explain:\n  - node: 'fip-*'\n    step: Neighbor\n    text: >\n      proxy ARP\n")}, // its newline is trimmed
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range sc.Topology.Explanations {
		got = append(got, e.Source.String()+" "+e.String())
	}
	want := []string{
		"a.yaml:2 (explain[0]) qrouter-*: router",
		"a.yaml:3 (explain[1]) * [Encap]: tunnel",
		"b.yaml:2 (explain[0]) fip-* [Neighbor]: proxy ARP",
	}
	if !slices.Equal(got, want) {
		t.Errorf("explanations:\n got %q\nwant %q", got, want)
	}
}
