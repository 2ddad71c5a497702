package openflow

// DefaultPriority is a flow's priority when the text does not give one (and
// dump-flows does not print it).
const DefaultPriority = 32768

// Flow is one line of `ovs-ofctl dump-flows`.
type Flow struct {
	Table    uint8
	Priority uint16
	// Disabled switches the flow off (a what-if): Lookup treats it as
	// deleted, so the flows it hid apply again. Set it in place; the index
	// needs no rebuild. It sits beside Priority, in the cache line a
	// caller reads anyway.
	Disabled bool
	Cookie   uint64
	// Match holds at most one term per field, in the order first written; the
	// shorthands' prerequisites are explicit terms ("tcp" is dl_type=0x0800
	// and nw_proto=6).
	Match []Match
	// Unknown holds the match terms the model does not evaluate, as written
	// (ipv6_src=..., nd_target=..., ct_label=..., dp_hash=...): a flow whose
	// other terms match might match, and the tracer reports UNSUPPORTED.
	Unknown []string
	Actions []Action
	Line    int    // 1-based line in the parsed text; 0 for a flow built in code
	Text    string // the line as written, without the stats fields
	// Bridge names the bridge holding the flow ("host:br-int"), for
	// messages; set by whoever places the flows, "" when unknown.
	Bridge string
}

// Match is one field=value[/mask] term of a flow.
type Match struct {
	Field       Field
	Value, Mask uint64 // Value has no bits outside Mask; an exact match has all ones in Field.Bits()
	// PortName is an in_port given by name (--names output): Value stays 0,
	// which is no port, until Flows.ResolvePorts fills it in.
	PortName string
}

// unresolved reports an in_port name not yet resolved to a number.
func (m *Match) unresolved() bool { return m.PortName != "" && m.Value == 0 }

// holds reports whether the packet's field has the term's value under its mask.
func (m *Match) holds(s *State) bool { return s.Get(m.Field)&m.Mask == m.Value&m.Mask }

// Matches reports whether the flow matches a packet in state s. ok is a
// definite match. unknown reports that every term the model evaluates
// matches but the flow has Unknown terms (or an unresolved port name), so it
// might match; ok is then false.
func (f *Flow) Matches(s *State) (ok bool, unknown bool) {
	for i := range f.Match {
		m := &f.Match[i]
		if m.unresolved() {
			unknown = true
			continue
		}
		if !m.holds(s) {
			return false, false
		}
	}
	if unknown || len(f.Unknown) > 0 {
		return false, true
	}
	return true, false
}

// isClause reports a conjunctive-match clause: a flow whose actions are all
// conjunction(...). OVS evaluates it only as part of its conjunctions.
func (f *Flow) isClause() bool {
	if len(f.Actions) == 0 {
		return false
	}
	for i := range f.Actions {
		if f.Actions[i].Kind != Conjunction {
			return false
		}
	}
	return true
}

// term returns the flow's term on field fd, or nil.
func (f *Flow) term(fd Field) *Match {
	for i := range f.Match {
		if f.Match[i].Field == fd {
			return &f.Match[i]
		}
	}
	return nil
}

// setTerm narrows the flow's term on m.Field to m's bits: bits m covers take
// m's value, others keep theirs. It adds the term when there is none.
func (f *Flow) setTerm(m Match) { f.setRegion(m.Field, m.Mask, m.Value, m.Mask) }

// replaceTerm sets the flow's term on m.Field to exactly m, as a later
// field=value term does in ovs-ofctl.
func (f *Flow) replaceTerm(m Match) {
	m.Value &= m.Mask
	if t := f.term(m.Field); t != nil {
		*t = m
		return
	}
	f.Match = append(f.Match, m)
}

// dropTerm removes the term on fd (a zero mask matches everything).
func (f *Flow) dropTerm(fd Field) {
	for i := range f.Match {
		if f.Match[i].Field == fd {
			f.Match = append(f.Match[:i], f.Match[i+1:]...)
			return
		}
	}
}
