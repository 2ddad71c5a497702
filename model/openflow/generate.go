package openflow

import (
	"fmt"
	"net/netip"
	"strings"
)

// GenPort is port k of GenerateBridge: what a packet from it carries.
type GenPort struct {
	OFPort  uint32
	MAC     uint64
	IP      netip.Addr
	Net     int    // its network; GenNet(Net) describes it
	VLAN    uint16 // the network's local VLAN
	VNI     uint64 // the network's tunnel key
	LPort   uint32 // OVN logical port key (reg14 on ingress, reg15 on egress)
	ConjID  uint32 // its security group's conjunction
	Gateway netip.Prefix
}

// genPortsPerNet is how many ports share a network.
const genPortsPerNet = 20

// GeneratedPort describes port k of GenerateBridge.
func GeneratedPort(k int) GenPort {
	n := k / genPortsPerNet
	return GenPort{
		OFPort:  uint32(10 + k),
		MAC:     0xfa163e000000 | uint64(k),
		IP:      netip.AddrFrom4([4]byte{10, byte(n >> 8), byte(n), byte(10 + k%genPortsPerNet)}),
		Net:     n,
		VLAN:    uint16(1 + n%4000),
		VNI:     uint64(0x1000 + n),
		LPort:   uint32(1 + k%genPortsPerNet),
		ConjID:  uint32(1000 + k),
		Gateway: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n >> 8), byte(n), 0}), 24),
	}
}

// GenerateBridge returns `ovs-ofctl dump-flows` text (with stats) shaped
// like a busy integration bridge: Neutron's br-int tables with the
// openvswitch firewall (0, 23-25, 30, 60, 71-73, 81-82, 94), br-tun's
// tunnel tables (4, 20, 22) and OVN-style logical tables keyed on metadata
// and registers (8, 9, 12, 14, 15), with conjunctive security groups and
// routes to CIDRs. About 33 flows per port over 20 tables: 3,000 ports give
// about 100k flows.
func GenerateBridge(ports int) string {
	var b strings.Builder
	b.Grow(ports * 33 * 170)
	nets := (ports + genPortsPerNet - 1) / genPortsPerNet
	w := func(table, prio int, match, actions string) {
		if match != "" {
			match = "," + match
		}
		fmt.Fprintf(&b, " cookie=0x9a2b3c4d5e6f7081, duration=%d.%03ds, table=%d, n_packets=%d, n_bytes=%d, idle_age=%d, priority=%d%s actions=%s\n",
			1000+prio, table, table, prio*7, prio*512, prio%60, prio, match, actions)
	}
	each := func(f func(GenPort)) {
		for k := range ports {
			f(GeneratedPort(k))
		}
	}
	eachNet := func(f func(n int, p GenPort)) {
		for n := range nets {
			f(n, GeneratedPort(n*genPortsPerNet))
		}
	}
	mac := func(v uint64) string { return formatMAC(v) }

	b.WriteString("NXST_FLOW reply (xid=0x4):\n")
	w(0, 65535, "dl_vlan=4095", "drop")
	each(func(p GenPort) {
		w(0, 10, fmt.Sprintf("arp,in_port=%d", p.OFPort), "resubmit(,24)")
		w(0, 10, fmt.Sprintf("icmp6,in_port=%d,icmp_type=136", p.OFPort), "resubmit(,24)")
		w(0, 9, fmt.Sprintf("in_port=%d", p.OFPort), "resubmit(,25)")
	})
	eachNet(func(n int, p GenPort) {
		w(0, 3, fmt.Sprintf("in_port=2,dl_vlan=%d", 100+n), fmt.Sprintf("mod_vlan_vid:%d,resubmit(,60)", p.VLAN))
	})
	w(0, 0, "", "resubmit(,60)")
	eachNet(func(n int, p GenPort) {
		w(4, 1, fmt.Sprintf("tun_id=%#x", p.VNI), fmt.Sprintf("mod_vlan_vid:%d,resubmit(,20)", p.VLAN))
	})
	w(4, 0, "", "drop")
	eachNet(func(n int, p GenPort) {
		w(8, 100, fmt.Sprintf("metadata=%#x,vlan_tci=0x1000/0x1000", n+1), "drop")
	})
	each(func(p GenPort) {
		w(8, 50, fmt.Sprintf("reg14=%#x,metadata=%#x,dl_src=%s", p.LPort, p.Net+1, mac(p.MAC)), "resubmit(,9)")
	})
	each(func(p GenPort) {
		w(9, 90, fmt.Sprintf("ip,reg14=%#x,metadata=%#x,dl_src=%s,nw_src=%s", p.LPort, p.Net+1, mac(p.MAC), p.IP), "resubmit(,12)")
		w(9, 80, fmt.Sprintf("ip,reg14=%#x,metadata=%#x", p.LPort, p.Net+1), "drop")
	})
	w(9, 0, "", "resubmit(,12)")
	eachNet(func(n int, p GenPort) {
		w(12, 65535, fmt.Sprintf("ct_state=-new+est-rel-inv+trk,metadata=%#x", n+1), "resubmit(,14)")
	})
	w(12, 65535, "ct_state=+inv+trk", "drop")
	each(func(p GenPort) {
		prio := 1001 + (int(p.ConjID)%100)*10
		w(12, prio, fmt.Sprintf("ct_state=+new-est+trk,ip,reg14=%#x,metadata=%#x", p.LPort, p.Net+1), fmt.Sprintf("conjunction(%d,1/2)", p.ConjID))
		w(12, prio, fmt.Sprintf("ct_state=+new-est+trk,tcp,metadata=%#x,tp_dst=%d", p.Net+1, 22+p.LPort%3), fmt.Sprintf("conjunction(%d,2/2)", p.ConjID))
		w(12, prio, fmt.Sprintf("conj_id=%d,ct_state=+new-est+trk,ip,metadata=%#x", p.ConjID, p.Net+1), "ct(commit,zone=NXM_NX_REG13[0..15]),resubmit(,14)")
	})
	w(12, 0, "", "resubmit(,14)")
	eachNet(func(n int, p GenPort) {
		w(14, 74, fmt.Sprintf("ip,metadata=0x10000,nw_dst=%s", p.Gateway), fmt.Sprintf("dec_ttl,set_field:%#x->metadata,resubmit(,15)", n+1))
	})
	each(func(p GenPort) {
		w(14, 98, fmt.Sprintf("ip,metadata=0x10000,nw_dst=%s", p.IP), fmt.Sprintf("dec_ttl,set_field:%#x->metadata,set_field:%#x->reg15,set_field:%s->eth_dst,resubmit(,15)", p.Net+1, p.LPort, mac(p.MAC)))
	})
	w(14, 2, "ip,metadata=0x10000,nw_dst=0.0.0.0/0", "resubmit(,15)")
	w(14, 0, "", "resubmit(,15)")
	each(func(p GenPort) {
		w(15, 100, fmt.Sprintf("reg15=%#x,metadata=%#x", p.LPort, p.Net+1), fmt.Sprintf("output:%d", p.OFPort))
	})
	each(func(p GenPort) {
		w(20, 2, fmt.Sprintf("dl_vlan=%d,dl_dst=%s", p.VLAN, mac(p.MAC)), fmt.Sprintf("strip_vlan,load:%#x->NXM_NX_TUN_ID[],output:2", p.VNI))
	})
	w(20, 0, "", "resubmit(,22)")
	eachNet(func(n int, p GenPort) {
		w(22, 1, fmt.Sprintf("dl_vlan=%d", p.VLAN), fmt.Sprintf("strip_vlan,load:%#x->NXM_NX_TUN_ID[],output:2,output:3", p.VNI))
	})
	w(22, 0, "", "drop")
	w(23, 0, "", "drop")
	each(func(p GenPort) {
		w(24, 2, fmt.Sprintf("arp,in_port=%d,arp_spa=%s", p.OFPort, p.IP), "resubmit(,25)")
	})
	w(24, 0, "", "drop")
	each(func(p GenPort) {
		w(25, 2, fmt.Sprintf("in_port=%d,dl_src=%s", p.OFPort, mac(p.MAC)), "resubmit(,30)")
	})
	w(25, 0, "", "drop")
	each(func(p GenPort) {
		w(30, 10, fmt.Sprintf("in_port=%d", p.OFPort), fmt.Sprintf("set_field:%#x->reg6,resubmit(,60)", p.VLAN))
	})
	w(30, 0, "", "resubmit(,60)")
	each(func(p GenPort) {
		w(60, 100, fmt.Sprintf("in_port=%d", p.OFPort), fmt.Sprintf("set_field:%#x->reg5,set_field:%#x->reg6,resubmit(,71)", p.OFPort, p.VLAN))
		w(60, 90, fmt.Sprintf("dl_vlan=%d,dl_dst=%s", p.VLAN, mac(p.MAC)), fmt.Sprintf("set_field:%#x->reg5,set_field:%#x->reg6,strip_vlan,resubmit(,81)", p.OFPort, p.VLAN))
	})
	w(60, 3, "", "NORMAL")
	w(71, 110, "ct_state=+trk", "ct_clear,resubmit(,71)")
	each(func(p GenPort) {
		w(71, 95, fmt.Sprintf("arp,reg5=%#x,in_port=%d,dl_src=%s,arp_spa=%s", p.OFPort, p.OFPort, mac(p.MAC), p.IP), "resubmit(,94)")
		w(71, 80, fmt.Sprintf("udp,reg5=%#x,in_port=%d,dl_src=%s,nw_src=0.0.0.0,tp_src=68,tp_dst=67", p.OFPort, p.OFPort, mac(p.MAC)), "resubmit(,73)")
		w(71, 65, fmt.Sprintf("ip,reg5=%#x,in_port=%d,dl_src=%s,nw_src=%s", p.OFPort, p.OFPort, mac(p.MAC), p.IP), "ct(table=72,zone=NXM_NX_REG6[0..15])")
		w(71, 10, fmt.Sprintf("reg5=%#x,in_port=%d", p.OFPort, p.OFPort), "ct_clear,resubmit(,93)")
	})
	w(71, 0, "", "drop")
	w(72, 50, "ct_state=+inv+trk", "resubmit(,93)")
	each(func(p GenPort) {
		w(72, 77, fmt.Sprintf("ct_state=+est-rel-rpl,ip,reg5=%#x", p.OFPort), "resubmit(,73)")
		w(72, 77, fmt.Sprintf("ct_state=+new-est,ip,reg5=%#x", p.OFPort), "resubmit(,73)")
		w(72, 50, fmt.Sprintf("ct_mark=0x1,reg5=%#x", p.OFPort), "resubmit(,93)")
		w(72, 40, fmt.Sprintf("ct_state=-est,reg5=%#x", p.OFPort), "resubmit(,93)")
	})
	w(72, 0, "", "drop")
	each(func(p GenPort) {
		w(73, 100, fmt.Sprintf("reg6=%#x,dl_dst=%s", p.VLAN, mac(p.MAC)), fmt.Sprintf("set_field:%#x->reg5,resubmit(,81)", p.OFPort))
		w(73, 90, fmt.Sprintf("ct_state=+new-est,ip,reg5=%#x", p.OFPort), "ct(commit,zone=NXM_NX_REG6[0..15]),resubmit(,91)")
	})
	w(73, 0, "", "drop")
	each(func(p GenPort) {
		w(81, 90, fmt.Sprintf("ct_state=-trk,ip,reg5=%#x", p.OFPort), "ct(table=82,zone=NXM_NX_REG6[0..15])")
		w(81, 80, fmt.Sprintf("ct_state=+trk,reg5=%#x", p.OFPort), "resubmit(,82)")
	})
	w(81, 0, "", "drop")
	eachNet(func(n int, p GenPort) {
		var conj []string
		for k := n * genPortsPerNet; k < min(ports, (n+1)*genPortsPerNet); k++ {
			conj = append(conj, fmt.Sprintf("conjunction(%d,1/2)", GeneratedPort(k).ConjID))
		}
		w(82, 70, fmt.Sprintf("ct_state=+new-est,ip,reg6=%#x,nw_src=%s", p.VLAN, p.Gateway), strings.Join(conj, ","))
	})
	each(func(p GenPort) {
		w(82, 77, fmt.Sprintf("ct_state=+new-est,tcp,reg5=%#x,tp_dst=0x1000/0xf000", p.OFPort), fmt.Sprintf("ct(commit,zone=NXM_NX_REG6[0..15]),output:%d", p.OFPort))
		w(82, 70, fmt.Sprintf("ct_state=+new-est,tcp,reg5=%#x,tp_dst=22", p.OFPort), fmt.Sprintf("conjunction(%d,2/2)", p.ConjID))
		w(82, 70, fmt.Sprintf("conj_id=%d,ct_state=+new-est,ip,reg5=%#x", p.ConjID, p.OFPort), fmt.Sprintf("ct(commit,zone=NXM_NX_REG6[0..15]),output:%d", p.OFPort))
	})
	w(82, 0, "", "drop")
	each(func(p GenPort) {
		w(94, 12, fmt.Sprintf("reg6=%#x,dl_dst=%s", p.VLAN, mac(p.MAC)), fmt.Sprintf("output:%d", p.OFPort))
	})
	w(94, 1, "", "NORMAL")
	return b.String()
}
