package ovn

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// index holds what Index resolves: names to rows, the ACLs each switch
// applies, and the addresses each switch knows.
type index struct {
	switches map[string]*Switch // by name and UUID
	routers  map[string]*Router
	ports    map[string]*SwitchPort
	rports   map[string]*RouterPort
	pgs      map[string]*PortGroup
	sets     map[string]*AddressSet
	chassis  map[string]*Chassis // by name and hostname
	lbs      map[string]*LoadBalancer

	acls     map[*Switch]*[2][]*ACL // [0] from-lport, [1] to-lport, in evaluation order
	byIP     map[netip.Addr][]*SwitchPort
	swMAC    map[*Switch]map[MAC]*SwitchPort
	unknown  map[*Switch][]*SwitchPort
	datapath map[int]any // tunnel key -> *Switch or *Router
	portKey  map[portKey]any
	pgIPs    map[string][]string // "<pg>_ip4" / "<pg>_ip6" address sets
	pgNames  map[string][]string // each port group's port names, as matches see them
	matchSet setCache            // sets built for matches, shared by those naming the same group
}

type portKey struct{ dp, port int }

// Index resolves names into pointers, numbers what has no tunnel key
// (datapaths from 1, ports from 1 within their datapath, in NB order, as
// northd would but not necessarily with its numbers), compiles every match
// and indexes what the pipeline looks up per packet. It must be called
// after any change to the DB. Errors name the row's Source. A match that
// is valid OVN but uses something hopscope does not model is not an error:
// the trace reports it UNSUPPORTED where it would decide.
func (db *DB) Index() error {
	x := &index{
		switches: map[string]*Switch{}, routers: map[string]*Router{}, ports: map[string]*SwitchPort{},
		rports: map[string]*RouterPort{}, pgs: map[string]*PortGroup{}, sets: map[string]*AddressSet{},
		chassis: map[string]*Chassis{}, lbs: map[string]*LoadBalancer{}, acls: map[*Switch]*[2][]*ACL{},
		byIP: map[netip.Addr][]*SwitchPort{}, swMAC: map[*Switch]map[MAC]*SwitchPort{},
		unknown: map[*Switch][]*SwitchPort{}, datapath: map[int]any{}, portKey: map[portKey]any{},
		pgIPs: map[string][]string{},
	}
	db.idx = x
	var errs []error
	bad := func(r Row, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if r.Source != "" {
			msg = r.Source + ": " + msg
		}
		errs = append(errs, errors.New(msg))
	}
	put := func(m map[string]bool, r Row, kind, name string) bool {
		if m[name] {
			bad(r, "%s %q is defined twice", kind, name)
			return false
		}
		m[name] = true
		return true
	}
	seen := map[string]bool{}
	for _, c := range db.Chassis {
		if put(seen, c.Row, "chassis", "chassis "+c.Name) {
			x.chassis[c.Name] = c
			if c.Hostname != "" && x.chassis[c.Hostname] == nil {
				x.chassis[c.Hostname] = c
			}
		}
	}
	for _, s := range db.AddressSets {
		if put(seen, s.Row, "address set", "as "+s.Name) {
			x.sets[s.Name] = s
		}
	}
	for _, lb := range db.LoadBalancers {
		x.lbs[lb.Name] = lb
		if lb.UUID != "" {
			x.lbs[lb.UUID] = lb
		}
	}
	nextDP := 1 + maxKey(db)
	for _, sw := range db.Switches {
		if !put(seen, sw.Row, "logical switch", "ls "+sw.Name) {
			continue
		}
		x.switches[sw.Name] = sw
		if sw.UUID != "" {
			x.switches[sw.UUID] = sw
		}
		if sw.TunnelKey == 0 {
			sw.TunnelKey, nextDP = nextDP, nextDP+1
		}
		x.datapath[sw.TunnelKey] = sw
		x.swMAC[sw] = map[MAC]*SwitchPort{}
		nextPort := 1
		for _, p := range sw.Ports {
			if !put(seen, p.Row, "logical switch port", "lsp "+p.Name) {
				continue
			}
			p.Switch = sw
			x.ports[p.Name] = p
			if p.UUID != "" {
				x.ports[p.UUID] = p
			}
			nextPort = max(nextPort, p.TunnelKey+1)
		}
		for _, p := range sw.Ports {
			if p.TunnelKey == 0 {
				p.TunnelKey, nextPort = nextPort, nextPort+1
			}
			x.portKey[portKey{sw.TunnelKey, p.TunnelKey}] = p
			for _, a := range p.Addresses {
				if a.Unknown {
					x.unknown[sw] = append(x.unknown[sw], p)
				}
				if a.MAC != (MAC{}) {
					x.swMAC[sw][a.MAC] = p
				}
				for _, ip := range a.IPs {
					x.byIP[ip.Addr()] = append(x.byIP[ip.Addr()], p)
				}
			}
			if p.Chassis != "" && len(db.Chassis) > 0 && x.chassis[p.Chassis] == nil {
				bad(p.Row, "port %s is bound to chassis %q, which is not in the Chassis table", p.Name, p.Chassis)
			}
		}
	}
	for _, r := range db.Routers {
		if !put(seen, r.Row, "logical router", "lr "+r.Name) {
			continue
		}
		x.routers[r.Name] = r
		if r.UUID != "" {
			x.routers[r.UUID] = r
		}
		if r.TunnelKey == 0 {
			r.TunnelKey, nextDP = nextDP, nextDP+1
		}
		x.datapath[r.TunnelKey] = r
		nextPort := 1
		for _, p := range r.Ports {
			nextPort = max(nextPort, p.TunnelKey+1)
		}
		for _, p := range r.Ports {
			if !put(seen, p.Row, "logical router port", "lrp "+p.Name) {
				continue
			}
			p.Router = r
			x.rports[p.Name] = p
			if p.UUID != "" {
				x.rports[p.UUID] = p
			}
			if p.TunnelKey == 0 {
				p.TunnelKey, nextPort = nextPort, nextPort+1
			}
			x.portKey[portKey{r.TunnelKey, p.TunnelKey}] = p
		}
	}
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if p.Type != PortRouter {
				continue
			}
			rp := x.rports[p.Options["router-port"]]
			if rp == nil {
				bad(p.Row, "router port %s: options:router-port %q names no logical router port", p.Name, p.Options["router-port"])
				continue
			}
			p.RouterPort, rp.SwitchPort = rp, p
			x.swMAC[sw][rp.MAC] = p
		}
	}
	for _, r := range db.Routers {
		for _, p := range r.Ports {
			if p.Peer == "" {
				continue
			}
			if p.PeerPort = x.rports[p.Peer]; p.PeerPort == nil {
				bad(p.Row, "router port %s: peer %q names no logical router port", p.Name, p.Peer)
			}
		}
	}
	for _, pg := range db.PortGroups {
		if !put(seen, pg.Row, "port group", "pg "+pg.Name) {
			continue
		}
		x.pgs[pg.Name] = pg
		pg.Ports = pg.Ports[:0]
		var v4, v6 []string
		for _, n := range pg.PortNames {
			p := x.ports[n]
			if p == nil {
				bad(pg.Row, "port group %s: port %q is no logical switch port", pg.Name, n)
				continue
			}
			pg.Ports = append(pg.Ports, p)
			for _, a := range p.Addresses {
				for _, ip := range a.IPs {
					if ip.Addr().Is4() {
						v4 = append(v4, ip.Addr().String())
					} else {
						v6 = append(v6, ip.Addr().String())
					}
				}
			}
		}
		x.pgIPs[pg.Name+"_ip4"], x.pgIPs[pg.Name+"_ip6"] = v4, v6
	}
	attach := func(sw *Switch, a *ACL) {
		l := x.acls[sw]
		if l == nil {
			l = &[2][]*ACL{}
			x.acls[sw] = l
		}
		d := 0
		if a.Direction == "to-lport" {
			d = 1
		}
		if !slices.Contains(l[d], a) {
			l[d] = append(l[d], a)
		}
	}
	compile := func(a *ACL) {
		a.expr, a.err = compileMatch(a.Match, db)
		if a.err != nil && !isUnsupported(a.err) {
			bad(a.Row, "ACL %s %d %q: %v", a.Direction, a.Priority, a.Match, a.err)
		}
	}
	for _, sw := range db.Switches {
		for _, a := range sw.ACLs {
			a.Owner, a.PortGroup = "switch "+sw.Name, nil
			compile(a)
			attach(sw, a)
		}
	}
	for _, pg := range db.PortGroups {
		for _, a := range pg.ACLs {
			a.Owner, a.PortGroup = "port group "+pg.Name, pg
			compile(a)
			for _, p := range pg.Ports {
				attach(p.Switch, a)
			}
		}
	}
	for _, r := range db.Routers {
		for _, pol := range r.Policies {
			pol.expr, pol.err = compileMatch(pol.Match, db)
			if pol.err != nil && !isUnsupported(pol.err) {
				bad(pol.Row, "router %s policy %d: match %q: %v", r.Name, pol.Priority, pol.Match, pol.err)
			}
		}
		slices.SortStableFunc(r.Policies, func(a, b *Policy) int { return b.Priority - a.Priority })
	}
	for _, l := range x.acls {
		for d := range l {
			slices.SortStableFunc(l[d], func(a, b *ACL) int {
				if a.Tier != b.Tier {
					return a.Tier - b.Tier
				}
				return b.Priority - a.Priority
			})
		}
	}
	return errors.Join(errs...)
}

func maxKey(db *DB) int {
	m := 0
	for _, s := range db.Switches {
		m = max(m, s.TunnelKey)
	}
	for _, r := range db.Routers {
		m = max(m, r.TunnelKey)
	}
	return m
}

func compileMatch(match string, db *DB) (*Expr, error) { return Compile(match, sets{db}) }

func isUnsupported(err error) bool {
	var me *MatchError
	return errors.As(err, &me) && me.Unsupported
}

// sets lets a match resolve @port_group and $address_set, including the
// _ip4/_ip6 address sets OVN makes for every port group.
type sets struct{ db *DB }

func (s sets) PortGroup(name string) ([]string, bool) {
	x := s.db.idx
	if names, ok := x.pgNames[name]; ok {
		return names, true
	}
	pg := x.pgs[name]
	if pg == nil {
		return nil, false
	}
	names := make([]string, len(pg.Ports))
	for i, p := range pg.Ports {
		names[i] = p.Name
	}
	if x.pgNames == nil {
		x.pgNames = map[string][]string{}
	}
	x.pgNames[name] = names
	return names, true
}

func (s sets) cache() *setCache { return &s.db.idx.matchSet }

func (s sets) AddressSet(name string) ([]string, bool) {
	if as := s.db.idx.sets[name]; as != nil {
		return as.Addresses, true
	}
	ips, ok := s.db.idx.pgIPs[name]
	return ips, ok
}
