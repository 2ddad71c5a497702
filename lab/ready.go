package lab

import (
	"os"
	"os/exec"
)

// Missing says why this machine cannot build a lab, or "" when it can;
// withOVS asks for the Open vSwitch daemons too. Up and the root-only
// tests share it, so both name the same package to install.
func Missing(withOVS bool) string {
	if os.Geteuid() != 0 {
		return "a lab needs root: it creates network namespaces, devices and iptables rules (run it with sudo)"
	}
	tools := []struct{ bin, pkg string }{
		{"ip", "iproute2"}, {"bridge", "iproute2"}, {"sysctl", "procps"},
		{"ethtool", "ethtool"}, {"iptables-restore", "iptables"}, {"ipset", "ipset"},
	}
	if withOVS {
		tools = append(tools, struct{ bin, pkg string }{"ovs-vswitchd", "openvswitch-switch"},
			struct{ bin, pkg string }{"ovsdb-server", "openvswitch-switch"}, struct{ bin, pkg string }{"ovsdb-tool", "openvswitch-switch"})
	}
	for _, t := range tools {
		if _, err := exec.LookPath(t.bin); err != nil {
			return "a lab needs " + t.bin + ": apt-get install " + t.pkg
		}
	}
	return ""
}
