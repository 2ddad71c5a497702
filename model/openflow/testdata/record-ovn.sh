#!/usr/bin/env bash
# record-ovn.sh records what a real ovn-controller installs in br-int:
# `ovs-ofctl -O OpenFlow15 dump-flows br-int`, statistics included, into
# ovn-br-int.txt beside this script (or the file named by $1).
#
# It runs a private OVN in a temp dir and a network namespace of its own:
#
#   NB ovsdb-server ◀── ovn-northd ──▶ SB ovsdb-server ◀── ovn-controller
#                                                             │
#   Open_vSwitch ovsdb-server ◀── ovs-vswitchd (netns, netdev) ◀┘ br-int
#
# The NB holds one logical switch ls1 with two VIF ports (lp1 10.0.0.1,
# lp2 10.0.0.2) in port group pg1 with from-lport/to-lport ACLs
# (allow-related tcp 22 from 10.0.0.0/16, a drop), and a logical router
# lr1 with a port on ls1, a gateway port on chassis1 and a dnat_and_snat.
# lp1 and lp2 are bound to internal ports of br-int on chassis1.
#
# Needs root and the Debian packages openvswitch-switch, ovn-central and
# ovn-host. Everything it starts and makes is removed on exit (trap).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/ovn-br-int.txt}
for bin in ovsdb-server ovs-vswitchd ovn-northd ovn-controller ovn-nbctl ovn-sbctl; do
	command -v "$bin" >/dev/null || { echo "record-ovn.sh needs $bin (apt-get install ovn-central ovn-host)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "record-ovn.sh needs root (network namespace, ovs-vswitchd)" >&2; exit 1; }

dir=$(mktemp -d /tmp/hsovn.XXXXXX)
ns=hsovn$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
export OVN_RUNDIR=$dir OVN_LOGDIR=$dir OVN_DBDIR=$dir OVN_SYSCONFDIR=$dir

# daemon NAME CMD...: start a daemon in the background with its own log,
# pid file and control socket in $dir (ovn-controller has no --unixctl:
# its socket is $OVN_RUNDIR/ovn-controller.PID.ctl).
daemon() {
	local name=$1
	shift
	local ctl=--unixctl="$dir/$name.ctl"
	[ "$name" = ovn-controller ] && ctl=
	"$@" ${ctl:+"$ctl"} --pidfile="$dir/$name.pid" --log-file="$dir/$name.log" -vconsole:off 2>>"$dir/$name.stderr" &
	pids+=($!)
}

# waitfor FILE: until a daemon has opened its socket.
waitfor() {
	for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done
	echo "no socket $1; logs:" >&2
	tail -n 20 "$dir"/*.log >&2
	exit 1
}

ip netns add "$ns"
ip -n "$ns" link set lo up

# OVN central: the northbound and southbound databases and ovn-northd.
ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-tool create "$dir/sb.db" /usr/share/ovn/ovn-sb.ovsschema
daemon nb ovsdb-server "$dir/nb.db" --remote="punix:$dir/nb.sock"
daemon sb ovsdb-server "$dir/sb.db" --remote="punix:$dir/sb.sock"
waitfor "$dir/nb.sock"
waitfor "$dir/sb.sock"
daemon northd ovn-northd --ovnnb-db="unix:$dir/nb.sock" --ovnsb-db="unix:$dir/sb.sock"
nbctl() { ovn-nbctl --db="unix:$dir/nb.sock" --timeout=30 "$@"; }
sbctl() { ovn-sbctl --db="unix:$dir/sb.sock" --timeout=30 "$@"; }

# The chassis: a private ovsdb-server and a userspace ovs-vswitchd, which
# needs a namespace of its own (it owns the namespace's ovs-netdev tap).
ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
daemon ovsdb-server ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock"
waitfor "$dir/db.sock"
vsctl() { ovs-vsctl --db="unix:$dir/db.sock" --timeout=30 "$@"; }
vsctl --no-wait init
daemon ovs-vswitchd ip netns exec "$ns" ovs-vswitchd "unix:$dir/db.sock"
waitfor "$dir/ovs-vswitchd.ctl"
vsctl set open_vswitch . external_ids:system-id=chassis1 \
	external_ids:ovn-remote="unix:$dir/sb.sock" \
	external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=127.0.0.1 \
	external_ids:ovn-bridge-datapath-type=netdev
vsctl add-br br-int -- set bridge br-int datapath_type=netdev fail_mode=secure \
	other-config:disable-in-band=true
daemon ovn-controller ovn-controller "unix:$dir/db.sock"

# The logical network.
nbctl ls-add ls1
nbctl lsp-add ls1 lp1 -- lsp-set-addresses lp1 "00:00:00:00:00:01 10.0.0.1"
nbctl lsp-add ls1 lp2 -- lsp-set-addresses lp2 "00:00:00:00:00:02 10.0.0.2"
nbctl pg-add pg1 lp1 lp2
nbctl acl-add pg1 from-lport 1002 'inport == @pg1 && ip4' allow-related
nbctl acl-add pg1 to-lport 1002 'outport == @pg1 && ip4 && ip4.src == 10.0.0.0/16 && tcp.dst == 22' allow-related
nbctl acl-add pg1 to-lport 1001 'outport == @pg1 && ip4' drop
nbctl lr-add lr1
nbctl lrp-add lr1 lrp1 00:00:00:00:ff:01 10.0.0.254/24
nbctl lsp-add ls1 ls1-lr1 -- lsp-set-type ls1-lr1 router \
	-- lsp-set-addresses ls1-lr1 router -- lsp-set-options ls1-lr1 router-port=lrp1
nbctl ls-add ext
nbctl lrp-add lr1 lrp-ext 00:00:00:00:ff:02 172.16.0.1/24
nbctl lrp-set-gateway-chassis lrp-ext chassis1 10
nbctl lsp-add ext ext-lr1 -- lsp-set-type ext-lr1 router \
	-- lsp-set-addresses ext-lr1 router -- lsp-set-options ext-lr1 router-port=lrp-ext
nbctl lr-nat-add lr1 dnat_and_snat 172.16.0.10 10.0.0.1

# Bind the VIFs on this chassis.
for p in lp1 lp2; do
	vsctl add-port br-int "$p" -- set interface "$p" type=internal external_ids:iface-id="$p"
done

# Wait until ovn-controller has caught up with the NB (nb_cfg reaches the
# hypervisor) and both ports are bound here.
nbctl --wait=hv sync
for _ in $(seq 100); do
	bound=$(sbctl --bare --columns=logical_port find port_binding chassis!='[]' | grep -c '^lp[12]$' || true)
	[ "$bound" = 2 ] && break
	sleep 0.1
done
[ "$bound" = 2 ] || { echo "lp1 and lp2 were not bound to chassis1" >&2; sbctl show >&2; exit 1; }
nbctl --wait=hv sync

# ovn-controller installs incrementally: dump once the table has not
# changed for a second.
flows() { ovs-ofctl -O OpenFlow15 --no-stats dump-flows br-int | sort; }
prev=$(flows)
for _ in $(seq 30); do
	sleep 1
	now=$(flows)
	[ "$now" = "$prev" ] && break
	prev=$now
done

ovs-ofctl -O OpenFlow15 dump-flows br-int >"$out"
echo "$(grep -c 'actions=' "$out") flows in $out" >&2
