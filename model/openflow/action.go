package openflow

import (
	"net/netip"
	"strconv"
)

// ActionKind says what an action does; Unsupported is anything the model does
// not interpret, kept raw.
type ActionKind int

const (
	Unsupported  ActionKind = iota // kept as Raw; the tracer stops with UNSUPPORTED
	Output                         // output:Port (or a bare port number)
	OutputInPort                   // IN_PORT, output:in_port: back out of the ingress port
	OutputField                    // output:SRC: to the port number held in Src
	Normal                         // NORMAL: the learning switch
	Local                          // LOCAL: the bridge's internal port
	Flood                          // FLOOD: every port but the ingress one (and no-flood ports)
	All                            // ALL: every port but the ingress one
	Drop                           // drop (written only alone)
	Resubmit                       // resubmit([Port],[Table]): look up a table and come back
	GotoTable                      // goto_table:Table: continue in a later table
	ModVlanVID                     // mod_vlan_vid:Value: set the VID, pushing a tag if there is none
	ModVlanPCP                     // mod_vlan_pcp:Value: set the priority, pushing a tag if there is none
	StripVlan                      // strip_vlan: remove the outer tag
	PushVlan                       // push_vlan:Value: push a tag with TPID Value
	PopVlan                        // pop_vlan: remove the outer tag
	ModDlSrc                       // mod_dl_src:MAC
	ModDlDst                       // mod_dl_dst:MAC
	ModNwSrc                       // mod_nw_src:IP
	ModNwDst                       // mod_nw_dst:IP
	ModNwTos                       // mod_nw_tos:DSCP bits in place
	ModTpSrc                       // mod_tp_src:port
	ModTpDst                       // mod_tp_dst:port
	DecTTL                         // dec_ttl: a TTL of 0 or 1 sends the packet to the controller instead
	SetField                       // set_field:Value[/Mask]->Field (also mod_nw_ttl, mod_nw_ecn, write_metadata)
	Load                           // load:Value->Dst
	Move                           // move:Src->Dst
	SetTunnel                      // set_tunnel:Value, set_tunnel64:Value
	CT                             // ct(...): see the CT field
	CTClear                        // ct_clear: the packet becomes untracked
	Conjunction                    // conjunction(id,k/n): see the Conj field
	Learn                          // learn(...): see the Learn field
	Note                           // note:hex: does nothing
	Controller                     // controller, controller(...), CONTROLLER:max_len
	Group                          // group:Value: group tables are not modelled
	Meter                          // meter:Value: rate limiting only, forwarding is unchanged
	Push                           // push:Src: onto the packet's Stack
	Pop                            // pop:Dst: from the packet's Stack
	Clone                          // clone(...): run Nested on a copy of the packet, then go on with the original
	numActionKinds
)

var actionKindNames = [numActionKinds]string{
	"Unsupported", "Output", "OutputInPort", "OutputField", "Normal", "Local",
	"Flood", "All", "Drop", "Resubmit", "GotoTable", "ModVlanVID", "ModVlanPCP",
	"StripVlan", "PushVlan", "PopVlan", "ModDlSrc", "ModDlDst", "ModNwSrc",
	"ModNwDst", "ModNwTos", "ModTpSrc", "ModTpDst", "DecTTL", "SetField",
	"Load", "Move", "SetTunnel", "CT", "CTClear", "Conjunction", "Learn",
	"Note", "Controller", "Group", "Meter", "Push", "Pop", "Clone",
}

// String is the kind's name: "Output", "Resubmit", "CT".
func (k ActionKind) String() string {
	if k < 0 || k >= numActionKinds {
		return "ActionKind(" + strconv.Itoa(int(k)) + ")"
	}
	return actionKindNames[k]
}

// MarshalText writes the kind's name, so that JSON shows "Resubmit", not 9.
func (k ActionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Reserved OpenFlow port numbers, as OVS numbers them internally (OF1.0).
const (
	PortInPort     uint32 = 0xfff8 // IN_PORT
	PortTable      uint32 = 0xfff9 // TABLE
	PortNormal     uint32 = 0xfffa // NORMAL
	PortFlood      uint32 = 0xfffb // FLOOD
	PortAll        uint32 = 0xfffc // ALL
	PortController uint32 = 0xfffd // CONTROLLER
	PortLocal      uint32 = 0xfffe // LOCAL
	PortNone       uint32 = 0xffff // NONE (ANY)
)

var reservedPorts = map[string]uint32{
	"IN_PORT": PortInPort, "TABLE": PortTable, "NORMAL": PortNormal,
	"FLOOD": PortFlood, "ALL": PortAll, "CONTROLLER": PortController,
	"LOCAL": PortLocal, "NONE": PortNone, "ANY": PortNone,
}

var reservedPortNames = map[uint32]string{
	PortInPort: "IN_PORT", PortTable: "TABLE", PortNormal: "NORMAL",
	PortFlood: "FLOOD", PortAll: "ALL", PortController: "CONTROLLER",
	PortLocal: "LOCAL", PortNone: "NONE",
}

// Action is one action of a flow. Which fields are meaningful depends on Kind.
type Action struct {
	Kind ActionKind
	// Port is the port of Output and the reserved ports' kinds (Normal is
	// 0xfffa, Local 0xfffe, ...) and the in_port a Resubmit looks up with
	// (PortInPort: unchanged).
	Port     uint32
	PortName string // a port given by name; Port is 0 until Flows.ResolvePorts
	// Table is the table of Resubmit and GotoTable; -1 for a Resubmit that
	// keeps the current table (resubmit:port).
	Table int
	// Field, Value and Mask are what SetField, the Mod* kinds, SetTunnel and
	// ModVlanVID write (Mask is all ones in Field.Bits() unless set_field gave
	// one); Value is PushVlan's TPID and the id of Group and Meter.
	Field       Field
	Value, Mask uint64
	Dst, Src    Subfield // Load (Value is the constant), Move, OutputField (Src), Push (Src), Pop (Dst)
	CT          *CTAction
	Conj        Conj
	Learn       *LearnAction
	Nested      []Action // Clone's actions
	Raw         string   // the action as written; always set
}

// CTAction is a ct(...) action.
type CTAction struct {
	Commit    bool
	Force     bool      // force: a committed connection in the other direction is torn down first
	Zone      uint16    // valid iff ZoneField is nil
	ZoneField *Subfield // zone=NXM_NX_REG13[0..15]
	Table     int       // recirculate to this table after conntrack; -1: none
	NAT       *NAT
	Exec      []Action // set_field/load of ct_mark, ct_label (the latter Unsupported)
	Alg       string   // alg=ftp, alg=tftp
}

// NAT is ct's nat[(...)]. With neither Src nor Dst it applies a committed
// connection's existing translation (un-NAT).
type NAT struct {
	Src, Dst         bool
	AddrMin, AddrMax netip.Addr // invalid when not given; AddrMax == AddrMin for one address
	PortMin, PortMax uint16     // 0 when not given
	Flags            []string   // random, persistent, hash
}

// Conj is conjunction(ID, Clause/NClauses); Clause is 1-based as written.
type Conj struct {
	ID       uint32
	Clause   uint8
	NClauses uint8
}

// String is the action's own text: "conjunction(18,1/2)".
func (c Conj) String() string {
	return "conjunction(" + strconv.FormatUint(uint64(c.ID), 10) + "," +
		strconv.Itoa(int(c.Clause)) + "/" + strconv.Itoa(int(c.NClauses)) + ")"
}

// LearnAction is learn(...): it adds a flow built from the packet.
type LearnAction struct {
	Table                    uint8
	Priority                 uint16
	IdleTimeout, HardTimeout int
	Cookie                   uint64
	Specs                    []LearnSpec
	Raw                      string
}

// LearnSpecKind is what one learn spec contributes to the learned flow.
type LearnSpecKind int

const (
	LearnMatchField LearnSpecKind = iota // DST[=SRC]: match DST on the value SRC has now
	LearnMatchValue                      // DST=VALUE: match DST on a constant
	LearnLoad                            // load:SRC->DST or load:VALUE->DST: an action of the learned flow
	LearnOutput                          // output:SRC: an action to the port number SRC holds now
)

// LearnSpec is one spec of learn(...). Src is nil for constants (Value).
type LearnSpec struct {
	Kind  LearnSpecKind
	Dst   Subfield // unused for LearnOutput
	Src   *Subfield
	Value uint64
}

// String is the kind's name: "MatchField", "Load".
func (k LearnSpecKind) String() string {
	switch k {
	case LearnMatchField:
		return "MatchField"
	case LearnMatchValue:
		return "MatchValue"
	case LearnLoad:
		return "Load"
	case LearnOutput:
		return "Output"
	}
	return "LearnSpecKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind's name for JSON.
func (k LearnSpecKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
