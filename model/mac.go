package model

import (
	"fmt"
	"net"
)

// MAC is an Ethernet address. The zero value means "unknown".
type MAC [6]byte

// BroadcastMAC is ff:ff:ff:ff:ff:ff.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// ParseMAC reads the colon or dash form, in any case.
func ParseMAC(s string) (MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return MAC{}, fmt.Errorf("bad MAC address %q: want six hex bytes like fa:16:3e:ae:b3:e7", s)
	}
	var m MAC
	copy(m[:], hw)
	return m, nil
}

func (m MAC) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// IsZero reports whether the address is unset.
func (m MAC) IsZero() bool { return m == MAC{} }

// IsMulticast is true for group addresses, broadcast included.
func (m MAC) IsMulticast() bool { return m[0]&1 == 1 }

// MarshalText makes MACs print as text in JSON.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }
