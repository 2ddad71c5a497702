// Package lab realises a scenario's Linux and OVS parts on this machine as
// real namespaces, veths, bridges, routes, rules and iptables, so the kernel
// and ovs-vswitchd can be asked what the simulator claims.
package lab
