package openflow

import (
	"errors"
	"fmt"
)

// ErrUnmodelled says a packet carries a field the model has no room for
// (an IPv6 address, say): such a packet cannot be traced, only reported.
var ErrUnmodelled = errors.New("the model has no field for it")

// ParsePacket reads a packet in ofproto/trace's flow syntax
// ("in_port=1,tcp,nw_dst=10.0.0.1,tp_dst=22") into the fields a pipeline
// starts from. Shorthands set their prerequisites, as in a match.
func ParsePacket(s string) (State, error) {
	var st State
	f, err := ParseFlow(s + " actions=drop")
	if err != nil {
		return st, fmt.Errorf("packet %q: %w", s, err)
	}
	if len(f.Unknown) > 0 {
		return st, fmt.Errorf("packet %q: %v: %w", s, f.Unknown, ErrUnmodelled)
	}
	for _, m := range f.Match {
		st.Set(m.Field, st.Get(m.Field)&^m.Mask|m.Value&m.Mask)
	}
	return st, nil
}

// FormatValue prints one value of field f as ovs-ofctl does: a MAC, an
// address, a port, a decimal or a hex number.
func FormatValue(f Field, v uint64) string { return formatValue(f, v, f.fullMask(), "") }
