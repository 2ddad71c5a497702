package openflow

// Apply returns the flow learn would add for a packet in state s: its match
// and action values are read from s now, as OVS does when the action runs.
// The tracer installs it with Flows.Add for the rest of the trace.
func (l *LearnAction) Apply(s *State) *Flow {
	f := &Flow{Table: l.Table, Priority: l.Priority, Cookie: l.Cookie}
	for _, sp := range l.Specs {
		switch sp.Kind {
		case LearnMatchField:
			if sp.Src.Bits > 64 {
				// Only xxreg subfields are this wide: copy chunk by chunk.
				for i := 0; i*64 < sp.Dst.Bits; i++ {
					n := min(64, sp.Dst.Bits-64*i)
					src := Subfield{sp.Src.Field, sp.Src.Ofs + 64*i, n}
					f.matchSubfield(Subfield{sp.Dst.Field, sp.Dst.Ofs + 64*i, n}, src.Get(s))
				}
				continue
			}
			f.matchSubfield(sp.Dst, sp.Src.Get(s))
		case LearnMatchValue:
			f.matchSubfield(sp.Dst, sp.Value)
		case LearnLoad:
			v := sp.Value
			if sp.Src != nil {
				v = sp.Src.Get(s)
			}
			a := Action{Kind: Load, Dst: sp.Dst, Value: v}
			a.Raw = a.format()
			f.Actions = append(f.Actions, a)
		case LearnOutput:
			port := uint32(sp.Src.Get(s))
			a := Action{Kind: Output, Port: port}
			if k, ok := reservedKinds[port]; ok {
				a.Kind = k
			}
			a.Raw = a.format()
			f.Actions = append(f.Actions, a)
		}
	}
	f.Text = f.String()
	return f
}

// reservedKinds are the action kinds of outputs to reserved ports.
var reservedKinds = map[uint32]ActionKind{
	PortInPort: OutputInPort, PortNormal: Normal, PortFlood: Flood,
	PortAll: All, PortLocal: Local, PortController: Controller,
}

// matchSubfield makes the flow match v in subfield sf, merging with the
// flow's other bits of that field. Register views (xreg, xxreg) become
// matches on the 32-bit registers, as dump-flows prints them.
func (f *Flow) matchSubfield(sf Subfield, v uint64) {
	if !sf.valid() || sf.Bits > 64 {
		return
	}
	var regBase Field
	switch {
	case sf.Field >= XReg0 && sf.Field <= XReg7:
		regBase = Reg0 + 2*(sf.Field-XReg0)
	case sf.Field >= XXReg0 && sf.Field <= XXReg3:
		regBase = Reg0 + 4*(sf.Field-XXReg0)
	default:
		m := widthMask(sf.Bits) << uint(sf.Ofs)
		f.setTerm(Match{Field: sf.Field, Value: v << uint(sf.Ofs), Mask: m})
		return
	}
	// Register k of the view holds bits [32*(n-1-k), 32*(n-k)).
	n := sf.Field.Bits() / 32
	for bit := 0; bit < sf.Bits; {
		abs := sf.Ofs + bit
		k := n - 1 - abs/32
		lo := abs % 32
		take := min(32-lo, sf.Bits-bit)
		part := v >> uint(bit) & widthMask(take)
		f.setTerm(Match{Field: regBase + Field(k), Value: part << uint(lo), Mask: widthMask(take) << uint(lo)})
		bit += take
	}
}
