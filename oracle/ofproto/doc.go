// Package ofproto runs a real ovs-vswitchd (userspace datapath) as the
// oracle for hopscope's OpenFlow interpreter: it loads the same flows into
// a private bridge and reads `ofproto/trace` back into outputs, drops and
// final headers.
//
// One Switch is one private ovsdb-server plus ovs-vswitchd in a network
// namespace of its own:
//
//	test ──ovs-vsctl──▶ ovsdb-server ◀──── ovs-vswitchd (netns hsofpPID-N)
//	     ──ovs-ofctl──────────────────────▶ BRIDGE.mgmt
//	     ──JSON-RPC (unixctl)─────────────▶ ovs-vswitchd.ctl  ofproto/trace
//
// Everything it makes lives under one temp dir and one namespace, so Close
// removes it all, also after a Start that failed half way.
package ofproto
