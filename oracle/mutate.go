package oracle

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
)

// MutationKinds are the ways Mutate changes a scenario, in the order the
// suite cycles through them.
var MutationKinds = []string{
	"delete-filter-rule", "reorder-filter-rules", "flip-policy", "remove-route", "remove-ip-rule",
	"toggle-proxy-arp", "toggle-ip-forward", "remove-neighbor", "change-nat-target",
}

// Mutate applies one mutation of kind to t (resolved) at a spot rng picks,
// and says what it did; ok is false when t has nothing of that kind.
func Mutate(t *model.Topology, kind string, rng *rand.Rand) (what string, ok bool, err error) {
	var spaces []*model.Namespace
	for _, h := range t.Hosts {
		spaces = append(spaces, h.Namespaces...)
	}
	switch kind {
	case "delete-filter-rule", "reorder-filter-rules", "flip-policy", "change-nat-target":
		return mutateNetfilter(t, spaces, kind, rng)
	case "remove-route":
		return pick(rng, spaces, func(ns *model.Namespace) []int {
			return indexes(ns.Routes, func(r *model.Route) bool { return !r.Implied })
		},
			func(ns *model.Namespace, i int) string {
				what := fmt.Sprintf("removed route %q from %s", ns.Routes[i], ns.Ref())
				ns.Routes = slices.Delete(ns.Routes, i, i+1)
				return what
			})
	case "remove-ip-rule":
		return pick(rng, spaces, func(ns *model.Namespace) []int {
			return indexes(ns.Rules, func(r *model.Rule) bool { return r.Priority != 0 })
		},
			func(ns *model.Namespace, i int) string {
				what := fmt.Sprintf("removed ip rule %q from %s", ns.Rules[i], ns.Ref())
				ns.Rules = slices.Delete(ns.Rules, i, i+1)
				return what
			})
	case "toggle-proxy-arp":
		return pick(rng, spaces, func(ns *model.Namespace) []int {
			return indexes(ns.Interfaces, func(i *model.Interface) bool { return len(i.Addrs) > 0 && i.Kind != model.IfLoopback })
		}, func(ns *model.Namespace, i int) string {
			x := ns.Interfaces[i]
			x.ProxyARP = !x.ProxyARP
			return fmt.Sprintf("set proxy_arp=%t on %s", x.ProxyARP, x.Ref())
		})
	case "toggle-ip-forward":
		return pick(rng, spaces, func(ns *model.Namespace) []int {
			if ns.Kind == model.NSGuest {
				return nil
			}
			return []int{0}
		}, func(ns *model.Namespace, _ int) string {
			ns.IPForward = !ns.IPForward
			return fmt.Sprintf("set ip_forward=%t in %s", ns.IPForward, ns.Ref())
		})
	case "remove-neighbor":
		return pick(rng, spaces, func(ns *model.Namespace) []int {
			return indexes(ns.Neighbors, func(*model.Neighbor) bool { return true })
		},
			func(ns *model.Namespace, i int) string {
				what := fmt.Sprintf("removed neighbour %q from %s", ns.Neighbors[i], ns.Ref())
				ns.Neighbors = slices.Delete(ns.Neighbors, i, i+1)
				return what
			})
	}
	return "", false, fmt.Errorf("unknown mutation kind %q", kind)
}

// pick chooses a namespace and an index among the candidates cands finds,
// and applies do.
func pick(rng *rand.Rand, spaces []*model.Namespace, cands func(*model.Namespace) []int, do func(*model.Namespace, int) string) (string, bool, error) {
	type spot struct {
		ns *model.Namespace
		i  int
	}
	var all []spot
	for _, ns := range spaces {
		for _, i := range cands(ns) {
			all = append(all, spot{ns, i})
		}
	}
	if len(all) == 0 {
		return "", false, nil
	}
	s := all[rng.IntN(len(all))]
	return do(s.ns, s.i), true, nil
}

func indexes[T any](list []T, keep func(T) bool) []int {
	var out []int
	for i, x := range list {
		if keep(x) {
			out = append(out, i)
		}
	}
	return out
}

var natTo = regexp.MustCompile(`--to-(destination|source) (\d+\.\d+\.\d+\.\d+)`)

// mutateNetfilter edits a namespace's iptables-save text and parses it
// again, as a user editing and restoring their rules would.
func mutateNetfilter(t *model.Topology, spaces []*model.Namespace, kind string, rng *rand.Rand) (string, bool, error) {
	var addrs []netip.Addr
	for _, e := range t.Endpoints {
		addrs = append(addrs, e.Addr)
	}
	return pick(rng, spaces, func(ns *model.Namespace) []int {
		if ns.Netfilter == nil {
			return nil
		}
		return editable(strings.Split(ns.Netfilter.String(), "\n"), kind)
	}, func(ns *model.Namespace, i int) string {
		lines := strings.Split(ns.Netfilter.String(), "\n")
		var what string
		switch kind {
		case "delete-filter-rule":
			what = "deleted " + lines[i]
			lines = slices.Delete(lines, i, i+1)
		case "reorder-filter-rules":
			what = fmt.Sprintf("swapped %q with the rule after it", lines[i])
			lines[i], lines[i+1] = lines[i+1], lines[i]
		case "flip-policy":
			f := strings.Fields(lines[i])
			f[1] = map[string]string{"ACCEPT": "DROP", "DROP": "ACCEPT"}[f[1]]
			what = fmt.Sprintf("set policy %s %s", f[0][1:], f[1])
			lines[i] = strings.Join(f, " ")
		case "change-nat-target":
			old := lines[i]
			cur := netip.MustParseAddr(natTo.FindStringSubmatch(old)[2])
			others := slices.DeleteFunc(slices.Clone(addrs), func(a netip.Addr) bool { return a == cur || !a.Is4() })
			if len(others) == 0 {
				return "(no other address to NAT to)"
			}
			to := others[rng.IntN(len(others))]
			lines[i] = natTo.ReplaceAllString(old, "--to-$1 "+to.String())
			what = fmt.Sprintf("changed %q to %q", old, lines[i])
		}
		rs, err := netfilter.Parse(strings.Join(lines, "\n"))
		if err != nil {
			return "(mutation did not parse: " + err.Error() + ")"
		}
		ns.Netfilter = rs
		return what + " in " + ns.Ref()
	})
}

// editable lists the lines of an iptables-save text a kind can change.
func editable(lines []string, kind string) []int {
	var out []int
	table := ""
	for i, l := range lines {
		if strings.HasPrefix(l, "*") {
			table = l[1:]
			continue
		}
		switch kind {
		case "delete-filter-rule":
			if table == "filter" && strings.HasPrefix(l, "-A ") {
				out = append(out, i)
			}
		case "reorder-filter-rules":
			if table == "filter" && strings.HasPrefix(l, "-A ") && i+1 < len(lines) &&
				strings.HasPrefix(lines[i+1], "-A "+chainOf(l)+" ") {
				out = append(out, i)
			}
		case "flip-policy":
			f := strings.Fields(l)
			if table == "filter" && len(f) >= 2 && strings.HasPrefix(l, ":") && (f[1] == "ACCEPT" || f[1] == "DROP") {
				out = append(out, i)
			}
		case "change-nat-target":
			if table == "nat" && natTo.MatchString(l) {
				out = append(out, i)
			}
		}
	}
	return out
}

func chainOf(rule string) string {
	f := strings.Fields(rule)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}
