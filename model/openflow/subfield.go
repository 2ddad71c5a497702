package openflow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Subfield is a bit range of a field, as load, move and learn write it:
// NXM_NX_REG0[0..15], OXM_OF_METADATA[], reg0[16..31], NXM_NX_XXREG0[96].
// Bits counts from Ofs upwards; at most 64 bits are read or written at once
// except by Move.
type Subfield struct {
	Field     Field
	Ofs, Bits int
}

// errUnknownField marks a well-formed subfield of a field the model does not
// know: an action using it is Unsupported, not a syntax error.
var errUnknownField = errors.New("unknown field")

// ParseSubfield reads NAME[], NAME[i], NAME[a..b] or a bare NAME (the whole
// field), where NAME is any name LookupField accepts.
func ParseSubfield(s string) (Subfield, error) {
	name, rng := s, ""
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return Subfield{}, fmt.Errorf("%q: want a subfield like NXM_NX_REG0[0..15]", s)
		}
		name, rng = s[:i], s[i+1:len(s)-1]
	}
	if name == "" || strings.ContainsAny(name, "[]") {
		return Subfield{}, fmt.Errorf("%q: want a subfield like NXM_NX_REG0[0..15]", s)
	}
	f, ok := LookupField(name)
	if !ok {
		return Subfield{}, fmt.Errorf("%q: %w %s", s, errUnknownField, name)
	}
	sf := Subfield{Field: f, Bits: f.Bits()}
	if rng == "" {
		return sf, nil
	}
	lo, hi, isRange := strings.Cut(rng, "..")
	a, ok1 := parseDec(lo)
	b, ok2 := a, true
	if isRange {
		b, ok2 = parseDec(hi)
	}
	if !ok1 || !ok2 || b < a || b >= f.Bits() {
		return Subfield{}, fmt.Errorf("%q: want bits [a..b] with 0 <= a <= b < %d", s, f.Bits())
	}
	sf.Ofs, sf.Bits = a, b-a+1
	return sf, nil
}

// String is the form load and move print: NXM_NX_REG0[0..15], NXM_OF_ETH_SRC[].
func (sf Subfield) String() string {
	name := sf.Field.nxmName()
	switch {
	case sf.Ofs == 0 && sf.Bits == sf.Field.Bits():
		return name + "[]"
	case sf.Bits == 1:
		return name + "[" + strconv.Itoa(sf.Ofs) + "]"
	}
	return name + "[" + strconv.Itoa(sf.Ofs) + ".." + strconv.Itoa(sf.Ofs+sf.Bits-1) + "]"
}

// valid reports whether the range lies inside the field.
func (sf Subfield) valid() bool {
	return sf.Field > 0 && sf.Field < numFields && sf.Ofs >= 0 && sf.Bits > 0 && sf.Ofs+sf.Bits <= sf.Field.Bits()
}

// Get returns the subfield's bits, right-aligned; of a subfield wider than
// 64 bits, the low 64.
func (sf Subfield) Get(s *State) uint64 {
	if !sf.valid() {
		return 0
	}
	hi, lo := s.get128(sf.Field)
	return shr128(hi, lo, sf.Ofs) & widthMask(sf.Bits)
}

// Set writes the low sf.Bits of v into the subfield and leaves the field's
// other bits alone; a subfield wider than 64 bits gets v zero-extended.
func (sf Subfield) Set(s *State, v uint64) {
	if !sf.valid() {
		return
	}
	mhi, mlo := shl128(0, widthMask(sf.Bits), sf.Ofs)
	if sf.Bits > 64 {
		mhi, mlo = shl128(widthMask(sf.Bits-64), ^uint64(0), sf.Ofs)
	}
	vhi, vlo := shl128(0, v&widthMask(sf.Bits), sf.Ofs)
	hi, lo := s.get128(sf.Field)
	s.set128(sf.Field, hi&^mhi|vhi&mhi, lo&^mlo|vlo&mlo)
}

// MoveBits copies src to dst (move:SRC->DST) of any width up to 128 bits; the
// widths must be equal, as OVS checks when it parses the action.
func MoveBits(s *State, dst, src Subfield) {
	if !src.valid() || !dst.valid() || src.Bits != dst.Bits {
		return
	}
	// Read everything before writing: src and dst may overlap.
	var chunks [2]uint64
	for i := 0; i*64 < src.Bits; i++ {
		chunks[i] = Subfield{src.Field, src.Ofs + 64*i, min(64, src.Bits-64*i)}.Get(s)
	}
	for i := 0; i*64 < dst.Bits; i++ {
		Subfield{dst.Field, dst.Ofs + 64*i, min(64, dst.Bits-64*i)}.Set(s, chunks[i])
	}
}

func shr128(hi, lo uint64, n int) uint64 {
	switch {
	case n == 0:
		return lo
	case n >= 128:
		return 0
	case n >= 64:
		return hi >> uint(n-64)
	}
	return lo>>uint(n) | hi<<uint(64-n)
}

func shl128(hi, lo uint64, n int) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n >= 128:
		return 0, 0
	case n >= 64:
		return lo << uint(n-64), 0
	}
	return hi<<uint(n) | lo>>uint(64-n), lo << uint(n)
}
