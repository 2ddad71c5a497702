package oracle

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/hopscope/hopscope/scenarios"
)

// requireLab skips unless this machine can build labs.
func requireLab(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the kernel oracle builds network namespaces: run as root (CI does)")
	}
	for _, tool := range []string{"ip", "iptables-restore", "ethtool", "ovs-vswitchd", "ovsdb-server"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the kernel oracle needs %s (apt-get install iproute2 iptables ethtool openvswitch-switch)", tool)
		}
	}
}

func TestKernelAgreesOnExamples(t *testing.T) {
	requireLab(t)
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := Run(context.Background(), sc, fmt.Sprintf("hsor%d", os.Getpid()%100000))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out {
				switch {
				case o.Sim.Skip != "" || o.Kernel.Skip != "":
					t.Logf("skip  %s: sim %s; kernel %s", o.Case, o.Sim, o.Kernel)
				case o.Differ != "":
					t.Errorf("DIFF %s (%s): sim %s; kernel %s", o.Case, o.Differ, o.Sim, o.Kernel)
				default:
					t.Logf("agree %s: %s", o.Case, o.Sim)
				}
			}
		})
	}
}
