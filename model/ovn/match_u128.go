package ovn

import (
	"math/bits"
	"net/netip"
)

// u128 is an OVN field value or constant: every field is at most 128 bits
// (ct_label, ip6.src, xxreg0), narrower ones live in the low bits. It is
// comparable, so it serves as a map key.
type u128 struct{ hi, lo uint64 }

func u64(v uint64) u128 { return u128{lo: v} }

func (a u128) and(b u128) u128    { return u128{a.hi & b.hi, a.lo & b.lo} }
func (a u128) or(b u128) u128     { return u128{a.hi | b.hi, a.lo | b.lo} }
func (a u128) andNot(b u128) u128 { return u128{a.hi &^ b.hi, a.lo &^ b.lo} }
func (a u128) isZero() bool       { return a.hi|a.lo == 0 }

// less reports a < b as unsigned integers.
func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

// shl shifts left by n (0..127).
func (a u128) shl(n int) u128 {
	switch {
	case n == 0:
		return a
	case n >= 64:
		return u128{hi: a.lo << (n - 64)}
	default:
		return u128{a.hi<<n | a.lo>>(64-n), a.lo << n}
	}
}

// shr shifts right by n (0..127).
func (a u128) shr(n int) u128 {
	switch {
	case n == 0:
		return a
	case n >= 64:
		return u128{lo: a.hi >> (n - 64)}
	default:
		return u128{a.hi >> n, a.lo>>n | a.hi<<(64-n)}
	}
}

// bitLen is the number of bits needed to hold a (0 for 0).
func (a u128) bitLen() int {
	if a.hi != 0 {
		return 64 + bits.Len64(a.hi)
	}
	return bits.Len64(a.lo)
}

// ones returns a value whose low n bits (0..128) are set.
func ones(n int) u128 {
	switch {
	case n <= 0:
		return u128{}
	case n >= 128:
		return u128{^uint64(0), ^uint64(0)}
	case n >= 64:
		return u128{^uint64(0) >> (128 - n), ^uint64(0)}
	default:
		return u128{lo: ^uint64(0) >> (64 - n)}
	}
}

// trailingOnes counts the low-order one bits of a.
func (a u128) trailingOnes() int {
	if a.lo == ^uint64(0) {
		return 64 + bits.TrailingZeros64(^a.hi)
	}
	return bits.TrailingZeros64(^a.lo)
}

func macValue(m MAC) u128 {
	return u64(uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 |
		uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5]))
}

// ip4Value is a as a 32-bit value, 0 when a is not IPv4.
func ip4Value(a netip.Addr) u128 {
	a = a.Unmap()
	if !a.Is4() {
		return u128{}
	}
	b := a.As4()
	return u64(uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3]))
}

// ip6Value is a as a 128-bit value (IPv4 as ::ffff:a.b.c.d, invalid as 0).
func ip6Value(a netip.Addr) u128 {
	b := a.As16()
	var v u128
	for i := range 8 {
		v.hi = v.hi<<8 | uint64(b[i])
		v.lo = v.lo<<8 | uint64(b[i+8])
	}
	return v
}
