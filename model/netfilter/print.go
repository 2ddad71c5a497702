package netfilter

import "strings"

// String writes the ruleset in iptables-save format, counters zeroed, such
// that Parse gives the same ruleset back. Rules print from their typed form,
// so the text is canonical (new-style negation, CIDR masks).
func (rs *Ruleset) String() string {
	var b strings.Builder
	for _, name := range rs.TableOrder {
		rs.Tables[name].write(&b)
	}
	return b.String()
}

func (t *Table) write(b *strings.Builder) {
	b.WriteString("*" + t.Name + "\n")
	for _, name := range t.ChainOrder {
		policy := "-"
		if c := t.Chains[name]; c.Builtin {
			policy = c.Policy.String()
		}
		b.WriteString(":" + name + " " + policy + " [0:0]\n")
	}
	for _, name := range t.ChainOrder {
		for _, r := range t.Chains[name].Rules {
			b.WriteString(r.canonical())
			b.WriteByte('\n')
		}
	}
	b.WriteString("COMMIT\n")
}

// canonical prints the rule from its matches and target.
func (r *Rule) canonical() string {
	var b strings.Builder
	b.WriteString("-A ")
	b.WriteString(quoteMin(r.Chain))
	for _, m := range r.Matches {
		b.WriteByte(' ')
		b.WriteString(m.String())
	}
	if r.Target != nil {
		b.WriteByte(' ')
		b.WriteString(r.Target.String())
	}
	return b.String()
}
