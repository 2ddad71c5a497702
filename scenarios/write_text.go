package scenarios

import (
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
)

// The native text blocks of a stack, printed from the model and read back
// with the parsers Load uses: a line that does not read back as the object
// it came from is an error, so nothing is lost on the way.

// stackText adds a namespace's rules, routes, neighbours, iptables and
// ipsets blocks to m; ref names the namespace in errors.
func (w *writer) stackText(m *yaml.Node, ref string, ns *model.Namespace) {
	if len(ns.Rules) > 0 && !sameRules(ns.Rules, model.DefaultRules()) {
		putStr(m, "rules", textBlock(w, ref, "rule", ns.Rules, ruleText, model.ParseRules, sameRule))
	}
	var routes []*model.Route
	for _, r := range ns.Routes {
		if !r.Implied {
			routes = append(routes, r)
		}
	}
	putStr(m, "routes", textBlock(w, ref, "route", routes, routeText, model.ParseRoutes, sameRoute))
	putStr(m, "neighbors", textBlock(w, ref, "neighbour", ns.Neighbors, (*model.Neighbor).String, model.ParseNeighbors, sameNeighbor))
	if ns.Netfilter != nil {
		put(m, "iptables", str(w.iptablesText(ref, ns.Netfilter)))
	}
	putStr(m, "ipsets", w.ipsetsText(ref, ns.IPSets))
}

// textBlock prints objs one a line and checks each line reads back as the
// object it came from.
func textBlock[T any](w *writer, ref, what string, objs []T, print func(T) string, parse func(string) ([]T, error), same func(a, b T) bool) string {
	var b strings.Builder
	for _, o := range objs {
		line := print(o)
		back, err := parse(line)
		switch {
		case err != nil:
			w.fail(ref, "%s %q does not read back: %v", what, line, err)
		case len(back) != 1 || !same(o, back[0]):
			w.fail(ref, "%s %q reads back as something else: the format cannot say all of it", what, line)
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// routeText is the route as `ip route` prints it, with what the printer
// leaves implicit but the parser would read differently spelled out.
func routeText(r *model.Route) string {
	s := r.String()
	if r.Dst.Bits() == 0 && r.Dst.Addr().Is6() {
		s = strings.Replace(s, "default", "::/0", 1) // a bare default reads as IPv4
	}
	if r.Table == model.TableMain && (r.Type == model.RouteLocal || r.Type == model.RouteBroadcast) {
		s += " table main" // these types default to table local
	}
	if len(r.Nexthops) == 1 && r.Nexthops[0].Weight != 0 {
		s += " weight " + strconv.Itoa(r.Nexthops[0].Weight) // printed for ECMP hops only
	}
	return s
}

// ruleText is the rule as `ip rule` prints it, with spaces for its tab
// (a tab would force the block into a quoted string).
func ruleText(r *model.Rule) string { return strings.ReplaceAll(r.String(), "\t", " ") }

func sameRoute(a, b *model.Route) bool {
	x, y := *a, *b
	x.Source, y.Source = model.Source{}, model.Source{}
	x.Nexthops, y.Nexthops = slices.Clone(x.Nexthops), slices.Clone(y.Nexthops)
	for k := range x.Nexthops {
		x.Nexthops[k].Iface = nil
	}
	return reflect.DeepEqual(x, y)
}

func sameRule(a, b *model.Rule) bool {
	x, y := *a, *b
	x.Source, y.Source = model.Source{}, model.Source{}
	return x == y
}

func sameRules(a, b []*model.Rule) bool { return slices.EqualFunc(a, b, sameRule) }

func sameNeighbor(a, b *model.Neighbor) bool {
	x, y := *a, *b
	x.Source, y.Source = model.Source{}, model.Source{}
	return x == y
}

// iptablesText is the ruleset as iptables-save prints it. Parse reads the
// printer's output back to the same rules; a disabled rule is a what-if
// of a check, which the format has no words for.
func (w *writer) iptablesText(ref string, rs *netfilter.Ruleset) string {
	if len(rs.Tables) != len(rs.TableOrder) {
		w.fail(ref, "iptables: %d tables, %d in the table order", len(rs.Tables), len(rs.TableOrder))
		return ""
	}
	for _, tn := range rs.TableOrder {
		t := rs.Tables[tn]
		if t == nil || len(t.Chains) != len(t.ChainOrder) {
			w.fail(ref, "iptables: table %s is missing or its chains do not match its chain order", tn)
			return ""
		}
		for _, cn := range t.ChainOrder {
			c := t.Chains[cn]
			if c == nil {
				w.fail(ref, "iptables: table %s has no chain %s", tn, cn)
				return ""
			}
			for _, r := range c.Rules {
				if r.Disabled {
					w.fail(ref, "iptables: rule %q is disabled: the format has no disabled rules", r.Text)
				}
			}
		}
	}
	text := rs.String()
	back, err := netfilter.Parse(text)
	switch {
	case err != nil:
		w.fail(ref, "iptables do not read back: %v", err)
	case back.String() != text:
		w.fail(ref, "iptables read back as something else: the format cannot say all of it")
	}
	return text
}

// ipsetsText is the sets as `ipset save` prints them, sorted by name. The
// model keeps no create options beyond the family (none means inet), nor
// entry options beyond nomatch, so neither can be lost here.
func (w *writer) ipsetsText(ref string, sets map[string]*netfilter.IPSet) string {
	names := slices.Sorted(maps.Keys(sets))
	for _, name := range names {
		if s := sets[name]; s == nil || s.Name != name {
			w.fail(ref, "ipset %s: the set is missing or named otherwise", name)
			return ""
		}
	}
	text := netfilter.SaveIPSets(sets)
	back, err := netfilter.ParseIPSets(text)
	if err != nil {
		w.fail(ref, "ipsets do not read back: %v", err)
		return text
	}
	for _, name := range names {
		want := *sets[name]
		if want.Family == "" {
			want.Family = "inet"
		}
		if back[name] == nil || !reflect.DeepEqual(*back[name], want) {
			w.fail(ref, "ipset %s reads back as something else: the format cannot say all of it", name)
		}
	}
	return text
}

// ---- yaml.Node builders ----

func blockMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func flowMap() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
}

func blockSeq() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"} }

func flowSeq() *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
}

// single is a mapping of one key, a top-level section.
func single(key string, v *yaml.Node) *yaml.Node {
	m := blockMap()
	put(m, key, v)
	return m
}

// str is a string; the encoder quotes it if it would read as anything
// else, and text of several lines is a literal block.
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case slices.Contains(yaml11Bools, strings.ToLower(s)):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yaml11Bools are strings YAML 1.1 readers take for booleans; the encoder
// (YAML 1.2) would leave them bare.
var yaml11Bools = []string{"y", "yes", "n", "no", "on", "off"}

// quoted is a string always in quotes (MACs, which some YAML readers take
// for sexagesimal numbers).
func quoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func num(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func put(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }

func putStr(m *yaml.Node, key, s string) {
	if s != "" {
		put(m, key, str(s))
	}
}

func putInt(m *yaml.Node, key string, i int) {
	if i != 0 {
		put(m, key, num(i))
	}
}

func putBool(m *yaml.Node, key string, b bool) {
	if b {
		put(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
}

func putPrefixes(m *yaml.Node, key string, ps []netip.Prefix) {
	if len(ps) == 0 {
		return
	}
	s := flowSeq()
	for _, p := range ps {
		s.Content = append(s.Content, str(p.String()))
	}
	put(m, key, s)
}

func putU16s(m *yaml.Node, key string, vs []uint16) {
	if len(vs) == 0 {
		return
	}
	s := flowSeq()
	for _, v := range vs {
		s.Content = append(s.Content, num(int(v)))
	}
	put(m, key, s)
}

// stringMap is a map with its keys sorted, so output is stable.
func stringMap(kv map[string]string, flow bool) *yaml.Node {
	m := blockMap()
	if flow {
		m.Style = yaml.FlowStyle
	}
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		put(m, k, str(kv[k]))
	}
	return m
}
