package netfilter

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// IPSet is one set from `ipset save`.
type IPSet struct {
	Name     string
	Type     string         // hash:net, hash:ip, bitmap:ip, hash:ip,port, ...
	Family   string         // inet, inet6
	Members  []netip.Prefix // single addresses as /32; valid iff Supported
	Unparsed []string       // entries the model cannot represent, as written
}

// supportedSetTypes are the one-dimensional address set types Contains can
// answer for.
var supportedSetTypes = map[string]bool{"hash:ip": true, "hash:net": true, "bitmap:ip": true}

// Supported reports whether Contains answers for this set: an IPv4 address
// set whose entries are all plain addresses or prefixes.
func (s *IPSet) Supported() bool {
	return supportedSetTypes[s.Type] && (s.Family == "" || s.Family == "inet") && len(s.Unparsed) == 0
}

// Contains reports whether a is in the set; always false when !Supported,
// so callers must check Supported first.
func (s *IPSet) Contains(a netip.Addr) bool {
	if !s.Supported() {
		return false
	}
	for _, m := range s.Members {
		if m.Contains(a) {
			return true
		}
	}
	return false
}

func (s *IPSet) String() string {
	return fmt.Sprintf("%s %s family %s (%d members)", s.Name, s.Type, s.Family, len(s.Members)+len(s.Unparsed))
}

// ParseIPSets reads `ipset save` output: "create NAME TYPE [options]" and
// "add NAME ENTRY [options]" lines.
func ParseIPSets(text string) (map[string]*IPSet, error) {
	sets := map[string]*IPSet{}
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		errf := func(format string, args ...any) error {
			return &ParseError{Line: n + 1, Msg: fmt.Sprintf(format, args...)}
		}
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "create", "-N":
			if len(f) < 3 {
				return nil, errf("create: expected create NAME TYPE [family inet|inet6] ...")
			}
			if sets[f[1]] != nil {
				return nil, errf("set %s created twice", f[1])
			}
			s := &IPSet{Name: f[1], Type: f[2], Family: "inet"}
			for i := 3; i+1 < len(f); i++ {
				if f[i] == "family" {
					s.Family = f[i+1]
				}
			}
			sets[s.Name] = s
		case "add", "-A":
			if len(f) < 3 {
				return nil, errf("add: expected add NAME ENTRY")
			}
			s := sets[f[1]]
			if s == nil {
				return nil, errf("add to undeclared set %s: expected its create line first", f[1])
			}
			if err := s.add(f[2], f[3:]); err != nil {
				return nil, errf("%v", err)
			}
		default:
			return nil, errf("unexpected %q: expected create or add", f[0])
		}
	}
	return sets, nil
}

// add files one entry: a prefix when the set type is a plain address set
// and the entry is a plain address, else the raw text.
func (s *IPSet) add(entry string, opts []string) error {
	for _, o := range opts {
		if o == "nomatch" { // an exception inside a wider entry: not modelled
			s.Unparsed = append(s.Unparsed, entry+" nomatch")
			return nil
		}
	}
	if !supportedSetTypes[s.Type] || s.Family != "inet" {
		s.Unparsed = append(s.Unparsed, entry)
		return nil
	}
	if strings.ContainsAny(entry, "-,") { // ranges are expanded by ipset save; keep anything else raw
		s.Unparsed = append(s.Unparsed, entry)
		return nil
	}
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("set %s: bad entry %q: expected an IPv4 address or CIDR", s.Name, entry)
		}
		s.Members = append(s.Members, p.Masked())
		return nil
	}
	a, err := netip.ParseAddr(entry)
	if err != nil || !a.Is4() {
		return fmt.Errorf("set %s: bad entry %q: expected an IPv4 address or CIDR", s.Name, entry)
	}
	s.Members = append(s.Members, netip.PrefixFrom(a, 32))
	return nil
}

// SaveIPSets prints sets as `ipset save` does (sorted by name), so
// `ipset restore` and ParseIPSets read them back.
func SaveIPSets(sets map[string]*IPSet) string {
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		s := sets[n]
		fmt.Fprintf(&b, "create %s %s", s.Name, s.Type)
		if s.Family != "" {
			fmt.Fprintf(&b, " family %s", s.Family)
		}
		b.WriteString("\n")
		for _, m := range s.Members {
			if m.IsSingleIP() {
				fmt.Fprintf(&b, "add %s %s\n", s.Name, m.Addr())
			} else {
				fmt.Fprintf(&b, "add %s %s\n", s.Name, m)
			}
		}
		for _, u := range s.Unparsed {
			fmt.Fprintf(&b, "add %s %s\n", s.Name, u)
		}
	}
	return b.String()
}
