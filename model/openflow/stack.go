package openflow

// Stack is a packet's action stack, which push:SRC and pop:DST use (OVN
// saves registers around a resubmit with them). A copy of a Stack is
// independent of the original: Push never writes into a shared array.
type Stack struct {
	vals []stackVal
}

type stackVal struct {
	hi, lo uint64 // up to 128 bits, right-aligned
	bits   int
}

// Push pushes the value of src.
func (st *Stack) Push(s *State, src Subfield) {
	if !src.valid() {
		return
	}
	hi, lo := src.get128(s)
	st.vals = append(st.vals[:len(st.vals):len(st.vals)], stackVal{hi, lo, src.Bits})
}

// Pop pops the top value into dst; it reports false, writing nothing, when
// the stack is empty (OVS logs the underflow and goes on).
func (st *Stack) Pop(s *State, dst Subfield) bool {
	n := len(st.vals)
	if n == 0 || !dst.valid() {
		return false
	}
	v := st.vals[n-1]
	st.vals = st.vals[:n-1]
	dst.set128(s, v.hi, v.lo)
	return true
}

// Len is the number of values on the stack.
func (st *Stack) Len() int { return len(st.vals) }

// get128 reads a subfield of up to 128 bits, right-aligned.
func (sf Subfield) get128(s *State) (hi, lo uint64) {
	fhi, flo := s.get128(sf.Field)
	lo = shr128(fhi, flo, sf.Ofs)
	hi = shr128(0, fhi, sf.Ofs) // what shifts out of the high word
	if sf.Ofs >= 64 {
		hi = 0
	}
	switch {
	case sf.Bits <= 64:
		return 0, lo & widthMask(sf.Bits)
	default:
		return hi & widthMask(sf.Bits-64), lo
	}
}

// set128 writes the low sf.Bits of the 128-bit value (hi, lo).
func (sf Subfield) set128(s *State, hi, lo uint64) {
	sf.Set(s, lo)
	if sf.Bits > 64 {
		Subfield{sf.Field, sf.Ofs + 64, sf.Bits - 64}.Set(s, hi)
	}
}
