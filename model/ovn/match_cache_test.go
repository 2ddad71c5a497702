package ovn

import (
	"fmt"
	"testing"
)

// cachedSets shares built sets across Compile calls, as DB.Index does.
type cachedSets struct {
	testSets
	sc setCache
}

func (s *cachedSets) cache() *setCache { return &s.sc }

// Matches naming the same big group share one built set; a set that mixes
// the group with other constants builds its own, so neither sees the
// other's members.
func TestSetCacheSharesOnlyWholeSets(t *testing.T) {
	var ports, addrs []string
	for i := range 20 {
		ports = append(ports, fmt.Sprintf("vm%d", i))
		addrs = append(addrs, fmt.Sprintf("10.0.0.%d", i))
	}
	s := &cachedSets{testSets: testSets{pgs: map[string][]string{"pg": ports}, as: map[string][]string{"as": addrs}}}
	compile := func(m string) *Expr {
		x, err := Compile(m, s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	whole := compile("outport == @pg && ip4.src == $as")
	again := compile("outport == @pg && ip4.dst == $as")
	mixed := compile(`outport == {@pg, "extra"} && ip4.src == {$as, 192.0.2.1}`)
	if len(s.sc.strs) != 1 || len(s.sc.vals) != 1 {
		t.Errorf("cache holds %d string sets and %d value sets, want 1 each: @pg, and $as for ip4.src and ip4.dst alike", len(s.sc.strs), len(s.sc.vals))
	}
	p := mpkt("ip4", "10.0.0.3", "10.0.0.4").out("vm7").Packet
	q := mpkt("ip4", "192.0.2.1", "10.0.0.4").out("extra").Packet
	for _, c := range []struct {
		name string
		x    *Expr
		p    Packet
		want bool
	}{
		{"whole, a member", whole, p, true}, {"again, a member", again, p, true},
		{"whole, the mixed set's extras", whole, q, false}, {"mixed, its extras", mixed, q, true}, {"mixed, a member", mixed, p, true},
	} {
		if got := c.x.Eval(&c.p); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
