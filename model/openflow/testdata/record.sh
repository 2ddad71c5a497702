#!/bin/bash
# record.sh regenerates the dump-flows fixtures in this directory from a real
# Open vSwitch: it starts a private ovsdb-server and a userspace
# (datapath_type=netdev) ovs-vswitchd in a throwaway network namespace, loads
# the flows the Neutron OVS agent programs into br-int, br-tun and br-ex (table
# numbers and flow shapes from neutron's openflow/native/br_*.py and
# openvswitch_firewall/firewall.py), plus OVN-style flows with conjunction and
# ct(), and saves `ovs-ofctl dump-flows` in several output variants.
#
# Usage (as root, with openvswitch-switch installed):  ./record.sh
# Rerunning overwrites the fixtures; the namespace, daemons and temporary
# directory are removed on exit, whatever happens.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "record.sh: run as root (it creates a network namespace)" >&2; exit 1; }
command -v ovs-vswitchd >/dev/null || { echo "record.sh: needs openvswitch-switch" >&2; exit 1; }

out=$(cd "$(dirname "$0")" && pwd)
ns=ofrec$$
dir=$(mktemp -d)

cleanup() {
	for pid in "$dir"/vs.pid "$dir"/ovsdb.pid; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
	done
	sleep 0.2
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$ns"
ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ip netns exec "$ns" ovsdb-server --remote="punix:$dir/db.sock" \
	--pidfile="$dir/ovsdb.pid" --unixctl="$dir/ovsdb.ctl" --detach \
	--log-file="$dir/ovsdb.log" "$dir/conf.db"
vsctl() { ovs-vsctl --db="unix:$dir/db.sock" --no-wait "$@"; }
vsctl init
ip netns exec "$ns" env OVS_RUNDIR="$dir" ovs-vswitchd "unix:$dir/db.sock" \
	--pidfile="$dir/vs.pid" --unixctl="$dir/vs.ctl" --detach \
	--log-file="$dir/vs.log"

ofctl() { ovs-ofctl "$@"; }
mgmt() { echo "unix:$dir/$1.mgmt"; }

# port BRIDGE NAME OFPORT [ovs-vsctl set Interface args...]
port() {
	local br=$1 name=$2 ofport=$3
	shift 3
	vsctl add-port "$br" "$name" -- set Interface "$name" \
		ofport_request="$ofport" "$@"
}

bridge() {
	vsctl add-br "$1" -- set Bridge "$1" datapath_type=netdev \
		fail_mode=secure protocols=OpenFlow10,OpenFlow13,OpenFlow15
}

bridge br-int
bridge br-tun
bridge br-ex
bridge br-ovn
port br-int patch-tun 1 type=patch options:peer=patch-int
port br-int int-br-ex 2 type=patch options:peer=phy-br-ex
port br-int tapa1b2c3d4-e5 5 type=internal
port br-int tapf6e5d4c3-b2 6 type=internal
port br-int qr-0a1b2c3d-4e 7 type=internal
port br-tun patch-int 1 type=patch options:peer=patch-tun
port br-tun vxlan-0a000002 2 type=vxlan options:remote_ip=10.0.0.2 \
	options:local_ip=10.0.0.1 options:in_key=flow options:out_key=flow
port br-tun vxlan-0a000003 3 type=vxlan options:remote_ip=10.0.0.3 \
	options:local_ip=10.0.0.1 options:in_key=flow options:out_key=flow
port br-ex phy-br-ex 1 type=patch options:peer=int-br-ex
port br-ex eth1 2 type=internal
port br-ovn tap-vm1 1 type=internal
port br-ovn tap-vm2 2 type=internal
port br-ovn ovn-chassis2 3 type=geneve options:remote_ip=10.0.0.2 \
	options:key=flow
sleep 1 # let vswitchd create the ports

c=0x9a2b3c4d5e6f7081 # the agent's cookie

# br-tun: neutron br_tun.py with arp_responder and l2population; lvid 1 is
# VNI 0x64, lvid 2 is VNI 0x65.
ofctl -O OpenFlow13 add-flows "$(mgmt br-tun)" - <<FLOWS
cookie=$c,table=0,priority=1,in_port=1,actions=goto_table:2
cookie=$c,table=0,priority=1,in_port=2,actions=goto_table:4
cookie=$c,table=0,priority=1,in_port=3,actions=goto_table:4
cookie=$c,table=0,priority=0,actions=drop
cookie=$c,table=2,priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff,actions=goto_table:21
cookie=$c,table=2,priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:20
cookie=$c,table=2,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:22
cookie=$c,table=3,priority=0,actions=drop
cookie=$c,table=4,priority=1,tun_id=0x64,actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10
cookie=$c,table=4,priority=1,tun_id=0x65,actions=push_vlan:0x8100,set_field:4098->vlan_vid,goto_table:10
cookie=$c,table=4,priority=0,actions=drop
cookie=$c,table=6,priority=0,actions=drop
cookie=$c,table=10,priority=2,arp,arp_tha=ff:ff:ff:ff:ff:ff,actions=learn(table=20,hard_timeout=300,priority=1,cookie=$c,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
cookie=$c,table=10,priority=2,icmp6,icmp_type=134,actions=learn(table=20,hard_timeout=300,priority=1,cookie=$c,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
cookie=$c,table=10,priority=2,icmp6,icmp_type=136,actions=learn(table=20,hard_timeout=300,priority=1,cookie=$c,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
cookie=$c,table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,cookie=$c,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
cookie=$c,table=20,priority=2,dl_vlan=1,dl_dst=fa:16:3e:8c:12:01,actions=pop_vlan,set_field:0x64->tun_id,output:2
cookie=$c,table=20,priority=2,dl_vlan=2,dl_dst=fa:16:3e:8c:12:02,actions=pop_vlan,set_field:0x65->tun_id,output:3
cookie=$c,table=20,priority=1,hard_timeout=300,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:77:66:55,actions=load:0->NXM_OF_VLAN_TCI[],load:0x64->NXM_NX_TUN_ID[],output:3
cookie=$c,table=20,priority=0,actions=goto_table:22
cookie=$c,table=21,priority=1,arp,dl_vlan=1,arp_tpa=10.1.0.11,actions=set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:8c:12:01->arp_sha,set_field:10.1.0.11->arp_spa,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:8c:12:01->eth_src,IN_PORT
cookie=$c,table=21,priority=1,arp,dl_vlan=2,arp_tpa=10.2.0.12,actions=set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:8c:12:02->arp_sha,set_field:10.2.0.12->arp_spa,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:8c:12:02->eth_src,IN_PORT
cookie=$c,table=21,priority=0,actions=goto_table:22
cookie=$c,table=22,priority=1,dl_vlan=1,actions=pop_vlan,set_field:0x64->tun_id,output:2,output:3
cookie=$c,table=22,priority=1,dl_vlan=2,actions=pop_vlan,set_field:0x65->tun_id,output:3
cookie=$c,table=22,priority=0,actions=drop
FLOWS

# br-int: neutron br_int.py (LOCAL_SWITCHING 0, CANARY 23, ARP_SPOOF 24,
# MAC_SPOOF 25, LOCAL_EGRESS 30, LOCAL_IP 31, rate limits 58/59, TRANSIENT
# 60/62, DHCP 77) and the openvswitch firewall (71-73, 81-82, 91-94). VM port
# 5 (10.1.0.5, fa:16:3e:11:22:33) and port 6 (10.1.0.6) are on lvid 1, port 7
# is a router port; int-br-ex (2) carries the flat provider network (lvid 3)
# and VLAN 100 (lvid 4).
ofctl -O OpenFlow13 add-flows "$(mgmt br-int)" - <<FLOWS
cookie=$c,table=0,priority=65535,dl_vlan=4095,actions=drop
cookie=$c,table=0,priority=65535,ip,in_port=5,reg2=0,actions=set_field:1->reg2,set_field:18->ip_dscp,resubmit(5)
cookie=$c,table=0,priority=10,arp,in_port=5,actions=goto_table:24
cookie=$c,table=0,priority=10,icmp6,in_port=5,icmp_type=136,actions=goto_table:24
cookie=$c,table=0,priority=10,arp,in_port=6,actions=goto_table:24
cookie=$c,table=0,priority=9,in_port=5,actions=goto_table:25
cookie=$c,table=0,priority=9,in_port=6,actions=goto_table:25
cookie=$c,table=0,priority=3,in_port=2,vlan_tci=0x0000/0x1fff,actions=push_vlan:0x8100,set_field:4099->vlan_vid,goto_table:58
cookie=$c,table=0,priority=3,in_port=2,dl_vlan=100,actions=set_field:4100->vlan_vid,goto_table:58
cookie=$c,table=0,priority=2,in_port=2,actions=drop
cookie=$c,table=0,priority=0,actions=goto_table:58
cookie=$c,table=23,priority=0,actions=drop
cookie=$c,table=24,priority=2,arp,in_port=5,arp_spa=10.1.0.5,actions=goto_table:25
cookie=$c,table=24,priority=2,arp,in_port=6,arp_spa=10.1.0.6,actions=goto_table:25
cookie=$c,table=24,priority=2,icmp6,in_port=5,icmp_type=136,nd_target=fe80::f816:3eff:fe11:2233,actions=goto_table:58
cookie=$c,table=24,priority=0,actions=drop
cookie=$c,table=25,priority=2,in_port=5,dl_src=fa:16:3e:11:22:33,actions=goto_table:30
cookie=$c,table=25,priority=2,in_port=6,dl_src=fa:16:3e:11:22:44,actions=goto_table:30
cookie=$c,table=30,priority=10,in_port=5,actions=set_field:0x1->reg6,resubmit(5,31)
cookie=$c,table=30,priority=0,actions=goto_table:58
cookie=$c,table=31,priority=0,actions=goto_table:58
cookie=$c,table=58,priority=0,actions=goto_table:59
cookie=$c,table=59,priority=0,actions=goto_table:60
cookie=$c,table=60,priority=101,udp,nw_dst=255.255.255.255,tp_src=68,tp_dst=67,actions=goto_table:77
cookie=$c,table=60,priority=100,in_port=5,actions=set_field:0x5->reg5,set_field:0x1->reg6,resubmit(,71)
cookie=$c,table=60,priority=100,in_port=6,actions=set_field:0x6->reg5,set_field:0x1->reg6,resubmit(,71)
cookie=$c,table=60,priority=90,dl_vlan=1,dl_dst=fa:16:3e:11:22:33,actions=set_field:0x5->reg5,set_field:0x1->reg6,strip_vlan,resubmit(,81)
cookie=$c,table=60,priority=90,dl_vlan=1,dl_dst=fa:16:3e:11:22:44,actions=set_field:0x6->reg5,set_field:0x1->reg6,strip_vlan,resubmit(,81)
cookie=$c,table=60,priority=20,dl_vlan=1,dl_dst=fa:16:3e:99:00:07,actions=strip_vlan,output:7
cookie=$c,table=60,priority=3,actions=NORMAL
cookie=$c,table=60,priority=1,actions=NORMAL
cookie=$c,table=62,priority=3,actions=NORMAL
cookie=$c,table=71,priority=110,ct_state=+trk,actions=ct_clear,resubmit(,71)
cookie=$c,table=71,priority=95,arp,reg5=0x5,in_port=5,dl_src=fa:16:3e:11:22:33,arp_spa=10.1.0.5,actions=resubmit(,94)
cookie=$c,table=71,priority=95,icmp6,reg5=0x5,in_port=5,dl_src=fa:16:3e:11:22:33,ipv6_src=fe80::f816:3eff:fe11:2233,icmp_type=135,nd_target=fe80::f816:3eff:fe11:2233,actions=resubmit(,94)
cookie=$c,table=71,priority=80,udp,reg5=0x5,in_port=5,dl_src=fa:16:3e:11:22:33,nw_src=0.0.0.0,tp_src=68,tp_dst=67,actions=resubmit(,73)
cookie=$c,table=71,priority=70,udp,reg5=0x5,in_port=5,tp_src=67,tp_dst=68,actions=resubmit(,93)
cookie=$c,table=71,priority=65,ip,reg5=0x5,in_port=5,dl_src=fa:16:3e:11:22:33,nw_src=10.1.0.5,actions=ct(table=72,zone=NXM_NX_REG6[0..15])
cookie=$c,table=71,priority=65,ipv6,reg5=0x5,in_port=5,dl_src=fa:16:3e:11:22:33,ipv6_src=fe80::f816:3eff:fe11:2233,actions=ct(table=72,zone=NXM_NX_REG6[0..15])
cookie=$c,table=71,priority=65,ip,reg5=0x6,in_port=6,dl_src=fa:16:3e:11:22:44,nw_src=10.1.0.6,actions=ct(table=72,zone=NXM_NX_REG6[0..15])
cookie=$c,table=71,priority=10,reg5=0x5,in_port=5,actions=ct_clear,resubmit(,93)
cookie=$c,table=71,priority=0,actions=drop
cookie=$c,table=72,priority=77,ct_state=+est-rel-rpl,ip,reg5=0x5,actions=resubmit(,73)
cookie=$c,table=72,priority=77,ct_state=+new-est,ip,reg5=0x5,actions=resubmit(,73)
cookie=$c,table=72,priority=50,ct_state=+inv+trk,actions=resubmit(,93)
cookie=$c,table=72,priority=50,ct_mark=0x1,reg5=0x5,actions=resubmit(,93)
cookie=$c,table=72,priority=50,ct_state=+est-rel+rpl,ct_zone=1,ct_mark=0,reg5=0x5,actions=resubmit(,91)
cookie=$c,table=72,priority=50,ct_state=-new-est+rel-inv,ct_zone=1,ct_mark=0,reg5=0x5,actions=resubmit(,91)
cookie=$c,table=72,priority=40,ct_state=-est,reg5=0x5,actions=resubmit(,93)
cookie=$c,table=72,priority=40,ct_state=+est,ip,reg5=0x5,actions=ct(commit,zone=NXM_NX_REG6[0..15],exec(set_field:0x1->ct_mark))
cookie=$c,table=72,priority=0,actions=drop
cookie=$c,table=73,priority=100,reg6=0x1,dl_dst=fa:16:3e:11:22:33,actions=set_field:0x5->reg5,resubmit(,81)
cookie=$c,table=73,priority=100,reg6=0x1,dl_dst=fa:16:3e:11:22:44,actions=set_field:0x6->reg5,resubmit(,81)
cookie=$c,table=73,priority=90,ct_state=+new-est,ip,reg5=0x5,actions=ct(commit,zone=NXM_NX_REG6[0..15]),resubmit(,91)
cookie=$c,table=73,priority=80,reg5=0x5,actions=resubmit(,94)
cookie=$c,table=73,priority=0,actions=drop
cookie=$c,table=77,priority=100,udp,in_port=5,dl_src=fa:16:3e:11:22:33,tp_src=68,tp_dst=67,actions=CONTROLLER:65535
cookie=$c,table=77,priority=0,actions=drop
cookie=$c,table=81,priority=100,arp,reg5=0x5,actions=output:5
cookie=$c,table=81,priority=100,arp,reg5=0x6,actions=output:6
cookie=$c,table=81,priority=95,icmp6,reg5=0x5,icmp_type=135,actions=output:5
cookie=$c,table=81,priority=95,udp,reg5=0x5,tp_src=67,tp_dst=68,actions=output:5
cookie=$c,table=81,priority=90,ct_state=-trk,ip,reg5=0x5,actions=ct(table=82,zone=NXM_NX_REG6[0..15])
cookie=$c,table=81,priority=90,ct_state=-trk,ip,reg5=0x6,actions=ct(table=82,zone=NXM_NX_REG6[0..15])
cookie=$c,table=81,priority=80,ct_state=+trk,reg5=0x5,actions=resubmit(,82)
cookie=$c,table=81,priority=0,actions=drop
cookie=$c,table=82,priority=77,ct_state=+est-rel-rpl,icmp,reg5=0x5,actions=output:5
cookie=$c,table=82,priority=77,ct_state=+new-est,icmp,reg5=0x5,actions=ct(commit,zone=NXM_NX_REG6[0..15]),output:5,resubmit(,92)
cookie=$c,table=82,priority=77,ct_state=+new-est,tcp,reg5=0x5,tp_dst=0x1000/0xf000,actions=ct(commit,zone=NXM_NX_REG6[0..15]),output:5,resubmit(,92)
cookie=$c,table=82,priority=70,ct_state=+est-rel-rpl,ip,reg6=0x1,nw_src=10.1.0.6,actions=conjunction(18,1/2)
cookie=$c,table=82,priority=70,ct_state=+new-est,ip,reg6=0x1,nw_src=10.1.0.6,actions=conjunction(19,1/2)
cookie=$c,table=82,priority=70,ct_state=+est-rel-rpl,ip,reg6=0x1,nw_src=10.1.0.0/24,actions=conjunction(18,1/2),conjunction(20,1/2)
cookie=$c,table=82,priority=70,ct_state=+est-rel-rpl,tcp,reg5=0x5,tp_dst=22,actions=conjunction(18,2/2)
cookie=$c,table=82,priority=70,ct_state=+new-est,tcp,reg5=0x5,tp_dst=22,actions=conjunction(19,2/2)
cookie=$c,table=82,priority=70,conj_id=18,ct_state=+est-rel-rpl,ip,reg5=0x5,actions=output:5
cookie=$c,table=82,priority=70,conj_id=19,ct_state=+new-est,ip,reg5=0x5,actions=ct(commit,zone=NXM_NX_REG6[0..15]),output:5,resubmit(,92)
cookie=$c,table=82,priority=50,ct_state=+inv+trk,actions=resubmit(,93)
cookie=$c,table=82,priority=40,ct_state=-est,reg5=0x5,actions=resubmit(,93)
cookie=$c,table=82,priority=0,actions=drop
cookie=$c,table=91,priority=1,actions=resubmit(,94)
cookie=$c,table=92,priority=0,actions=drop
cookie=$c,table=93,priority=0,actions=drop
cookie=$c,table=94,priority=12,reg6=0x1,dl_dst=fa:16:3e:11:22:33,actions=output:5
cookie=$c,table=94,priority=10,reg6=0x3,dl_src=fa:16:3e:11:22:55,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=mod_vlan_vid:3,output:2
cookie=$c,table=94,priority=1,actions=NORMAL
FLOWS

# br-ex: neutron br_phys.py; lvid 3 is the flat network, lvid 4 is VLAN 100.
ofctl -O OpenFlow13 add-flows "$(mgmt br-ex)" - <<FLOWS
cookie=$c,table=0,priority=4,in_port=1,dl_vlan=3,actions=strip_vlan,NORMAL
cookie=$c,table=0,priority=4,in_port=1,dl_vlan=4,actions=set_field:4196->vlan_vid,NORMAL
cookie=$c,table=0,priority=2,in_port=1,actions=drop
cookie=$c,table=0,priority=0,actions=NORMAL
cookie=$c,table=1,priority=0,actions=goto_table:2
cookie=$c,table=2,priority=2,in_port=1,actions=drop
cookie=$c,table=3,priority=1,actions=NORMAL
FLOWS

# br-ovn: OVN-style flows: logical datapath in metadata, ports in reg14/reg15,
# conntrack zones in reg13, conjunctive ACLs with 2 and 3 clauses, NAT, and
# constructs the model keeps as unsupported.
ofctl add-tlv-map "$(mgmt br-ovn)" '{class=0x102,type=0x80,len=4}->tun_metadata0'
ofctl add-group "$(mgmt br-ovn)" 'group_id=1,type=select,bucket=output:1,bucket=output:2'
ofctl -O OpenFlow15 add-flows "$(mgmt br-ovn)" - <<'FLOWS'
table=0,priority=100,in_port=1,actions=load:0x1->NXM_NX_REG13[],load:0x2->NXM_NX_REG11[],load:0x3->NXM_NX_REG12[],load:0x1->OXM_OF_METADATA[],load:0x1->NXM_NX_REG14[],resubmit(,8)
table=0,priority=100,in_port=2,actions=load:0x2->NXM_NX_REG13[],load:0x1->OXM_OF_METADATA[],load:0x2->NXM_NX_REG14[],resubmit(,8)
table=0,priority=100,in_port=3,actions=move:NXM_NX_TUN_ID[0..23]->OXM_OF_METADATA[0..23],move:NXM_NX_TUN_METADATA0[16..30]->NXM_NX_REG14[0..14],move:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG15[0..15],resubmit(,38)
table=8,priority=100,metadata=0x1,vlan_tci=0x1000/0x1000,actions=drop
table=8,priority=50,reg14=0x1,metadata=0x1,dl_src=fa:16:3e:00:00:01,actions=resubmit(,9)
table=8,priority=50,reg14=0x2,metadata=0x1,actions=resubmit(,9)
table=9,priority=90,ip,reg14=0x1,metadata=0x1,dl_src=fa:16:3e:00:00:01,nw_src=10.0.0.1,actions=resubmit(,10)
table=9,priority=80,ip,reg14=0x1,metadata=0x1,actions=drop
table=9,priority=0,metadata=0x1,actions=resubmit(,10)
table=10,priority=110,ipv6,metadata=0x1,nw_frag=later,actions=resubmit(,11)
table=10,priority=100,ip,metadata=0x1,actions=load:0x1->NXM_NX_XXREG0[96],resubmit(,11)
table=11,priority=100,ip,reg0=0x1/0x1,metadata=0x1,actions=ct(table=12,zone=NXM_NX_REG13[0..15])
table=11,priority=0,metadata=0x1,actions=resubmit(,12)
table=12,priority=65535,ct_state=+inv+trk,metadata=0x1,actions=drop
table=12,priority=65535,ct_state=-new+est-rel+rpl-inv+trk,ct_label=0/0x1,metadata=0x1,actions=resubmit(,13)
table=12,priority=2002,ct_state=+new-est+trk,ip,reg14=0x1,metadata=0x1,nw_dst=10.0.0.0/255.255.255.0,actions=conjunction(100,1/3)
table=12,priority=2002,ct_state=+new-est+trk,tcp,metadata=0x1,tp_dst=80,actions=conjunction(100,2/3)
table=12,priority=2002,ct_state=+new-est+trk,tcp,metadata=0x1,tp_dst=443,actions=conjunction(100,2/3)
table=12,priority=2002,ct_state=+new-est+trk,ip,metadata=0x1,nw_src=192.168.0.0/16,actions=conjunction(100,3/3)
table=12,priority=2001,ct_state=+new-est+trk,ip,metadata=0x1,nw_src=172.16.0.0/12,actions=conjunction(100,3/3)
table=12,priority=2002,conj_id=100,ct_state=+new-est+trk,ip,metadata=0x1,actions=load:0x1->NXM_NX_XXREG0[97],resubmit(,13)
table=12,priority=2001,ct_state=+new-est+trk,ip,reg14=0x2,metadata=0x1,actions=conjunction(101,1/2)
table=12,priority=2001,ct_state=+new-est+trk,udp,metadata=0x1,tp_dst=53,actions=conjunction(101,2/2)
table=12,priority=2001,conj_id=101,ip,metadata=0x1,actions=load:0x1->NXM_NX_XXREG0[97],resubmit(,13)
table=12,priority=1,ip,metadata=0x1,actions=ct(commit,zone=NXM_NX_REG13[0..15],exec(load:0->NXM_NX_CT_LABEL[0])),resubmit(,13)
table=12,priority=0,metadata=0x1,actions=resubmit(,13)
table=13,priority=100,ip,reg0=0x2/0x2,metadata=0x1,actions=ct(commit,zone=NXM_NX_REG13[0..15],table=45,nat(src=10.0.0.1:1000-2000),exec(load:0x1->NXM_NX_CT_MARK[])),resubmit(,14)
table=13,priority=100,ip,reg0=0x4/0x4,metadata=0x1,actions=ct(table=14,zone=NXM_NX_REG11[0..15],nat)
table=13,priority=100,ip,reg0=0x8/0x8,metadata=0x1,actions=ct(commit,table=14,zone=NXM_NX_REG12[0..15],nat(dst=10.0.0.5:8080))
table=13,priority=90,ip,reg0=0x10/0x10,metadata=0x1,actions=ct(commit,zone=NXM_NX_REG12[0..15],nat(src=172.24.4.10-172.24.4.20:5000-6000,random))
table=13,priority=90,tcp,reg0=0x20/0x20,metadata=0x1,actions=ct(commit,zone=5,alg=ftp),resubmit(,14)
table=13,priority=80,ip,metadata=0x1,ct_mark=0x1/0x1,actions=ct_clear,resubmit(,14)
table=13,priority=0,metadata=0x1,actions=resubmit(,14)
table=14,priority=110,ip,metadata=0x1,nw_ttl=0,actions=drop
table=14,priority=100,ip,metadata=0x1,nw_dst=10.0.0.0/24,actions=dec_ttl,move:NXM_OF_IP_DST[]->NXM_NX_XXREG0[96..127],load:0x1->NXM_NX_REG15[],mod_dl_src:fa:16:3e:00:00:ff,resubmit(,15)
table=14,priority=90,ip,metadata=0x1,actions=check_pkt_larger(1500)->NXM_NX_REG0[6],resubmit(,15)
table=14,priority=80,tcp,metadata=0x1,tcp_flags=+syn-ack,actions=controller(userdata=00.00.00.1c.00.00.00.00,pause,meter_id=2),resubmit(,15)
table=14,priority=70,udp,metadata=0x1,tp_dst=9999,actions=sample(probability=65535,collector_set_id=1,obs_domain_id=1,obs_point_id=1),resubmit(,15)
table=14,priority=60,icmp,metadata=0x1,icmp_type=8,icmp_code=0,actions=set_field:0x1/0x1->reg0,load:0x1->OXM_OF_PKT_REG4[32..47],mod_nw_src:10.0.0.1,mod_nw_dst:10.0.0.2,mod_nw_tos:16,resubmit(,15)
table=14,priority=61,tcp,metadata=0x1,tp_dst=8080,actions=mod_tp_src:1000,mod_tp_dst:2000,resubmit(,15)
table=14,priority=50,arp,metadata=0x1,arp_op=1,actions=set_tunnel:0x64,set_tunnel64:0x1234567890,note:00.11.22.33.44,resubmit(,15)
table=14,priority=40,ct_state=-inv+trk,ip,metadata=0x1,ct_nw_dst=10.0.0.5,actions=group:1
table=14,priority=30,ip,metadata=0x1,pkt_mark=0x5,actions=clone(set_field:10.0.0.9->nw_dst,resubmit(,15)),output:NXM_NX_REG15[]
table=14,priority=20,ct_state=-inv+trk,tcp,metadata=0x1,ct_nw_proto=6,ct_tp_dst=80,actions=mod_dl_dst:fa:16:3e:00:00:02,push_vlan:0x8100,mod_vlan_vid:5,mod_vlan_pcp:3,output:in_port
table=14,priority=10,metadata=0x1,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],output:LOCAL,FLOOD,ALL
table=14,priority=0,actions=controller(reason=no_match)
table=15,priority=100,reg15=0x1,metadata=0x1,actions=output:1
table=15,priority=100,reg15=0x2,metadata=0x1,actions=output:2
table=15,priority=50,reg15=0x3,metadata=0x1,actions=set_field:0x3->tun_id,set_field:0x10001->tun_metadata0,output:3
table=45,priority=0,actions=goto_table:46
FLOWS

dump() { # dump BRIDGE NAME: one fixture per output variant
	local br=$1 name=$2
	ofctl dump-flows "$(mgmt "$br")" >"$out/$name.txt"
	ofctl --no-stats dump-flows "$(mgmt "$br")" >"$out/$name-no-stats.txt"
	ofctl --names dump-flows "$(mgmt "$br")" >"$out/$name-names.txt"
	ofctl -O OpenFlow13 dump-flows "$(mgmt "$br")" >"$out/$name-of13.txt"
	ofctl -O OpenFlow15 dump-flows "$(mgmt "$br")" >"$out/$name-of15.txt"
}
dump br-tun neutron-br-tun
dump br-int neutron-br-int
dump br-ex neutron-br-ex
ofctl -O OpenFlow15 --names dump-flows "$(mgmt br-ovn)" >"$out/conj-ct.txt"
ofctl -O OpenFlow13 dump-flows "$(mgmt br-ovn)" >"$out/conj-ct-of13.txt"
echo "recorded fixtures in $out"
