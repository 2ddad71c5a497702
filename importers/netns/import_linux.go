package netns

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"

	"github.com/hopscope/hopscope/importers/iptables"
	"github.com/hopscope/hopscope/model"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netnsDir is where `ip netns` keeps its named namespaces.
const netnsDir = "/var/run/netns"

// Import reads the root namespace and every named one (/var/run/netns, i.e.
// `ip netns list`), read-only.
func Import(ctx context.Context, o Options) ([]*model.Host, []Problem, error) {
	host := o.HostName
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, nil, fmt.Errorf("host name: %w", err)
		}
		host = h
	}
	place := o.placer(host)
	names, err := listNetns()
	if err != nil {
		return nil, nil, err
	}
	var wanted []string
	for _, n := range append([]string{""}, names...) {
		if _, _, ok := place(n); ok {
			wanted = append(wanted, n)
		}
	}
	dumps, problems := readNamespaces(ctx, wanted)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	hosts, more := translate(dumps, place)
	return hosts, append(problems, more...), nil
}

// listNetns returns the `ip netns` names, sorted.
func listNetns() ([]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing named namespaces: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// opened is a namespace being read: its handle and netlink sockets in it.
type opened struct {
	name  string
	ns    netns.NsHandle
	nl    *netlink.Handle
	rules *nl.NetlinkSocket // for ruleList
	dump  *nsDump
}

func (o *opened) close() {
	o.rules.Close()
	o.nl.Close()
	o.ns.Close()
}

// readNamespaces dumps each named namespace ("" = the caller's own). One
// that cannot be opened or read is a Problem and left out.
func readNamespaces(ctx context.Context, names []string) ([]*nsDump, []Problem) {
	var (
		open     []*opened
		problems []Problem
	)
	defer func() {
		for _, o := range open {
			o.close()
		}
	}()
	for _, name := range names {
		if ctx.Err() != nil {
			break
		}
		o, err := openNamespace(name, open)
		if err != nil {
			problems = append(problems, Problem{NS: name, Err: err})
			continue
		}
		if o.dump, err = dumpNetlink(o.nl, o.rules, name); err != nil {
			o.close()
			problems = append(problems, Problem{NS: name, Err: err})
			continue
		}
		open = append(open, o)
		problems = append(problems, readRest(ctx, o)...)
	}
	var dumps []*nsDump
	for _, o := range open {
		o.dump.NetNsIDs = netnsIDs(o, open)
		dumps = append(dumps, o.dump)
	}
	return dumps, problems
}

// openNamespace opens namespace name and a netlink socket in it; a name
// that is another name for a namespace already open is refused, so no
// namespace is imported twice.
func openNamespace(name string, open []*opened) (*opened, error) {
	var (
		h   netns.NsHandle
		err error
	)
	if name == "" {
		h, err = netns.Get()
	} else {
		h, err = netns.GetFromName(name)
	}
	if err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	for _, o := range open {
		if o.ns.Equal(h) {
			h.Close()
			return nil, fmt.Errorf("is the same namespace as %s; read once, as that", nsLabel(o.name))
		}
	}
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	rs, err := nl.GetNetlinkSocketAt(h, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		nh.Close()
		h.Close()
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	return &opened{name: name, ns: h, nl: nh, rules: rs}, nil
}

// readRest adds sysctls and iptables to o's dump; what fails is a Problem.
func readRest(ctx context.Context, o *opened) []Problem {
	var problems []Problem
	var err error
	if o.dump.Sysctls, err = readSysctls(o.ns, o.dump.Links); err != nil {
		problems = append(problems, problemf(o.name, "sysctls: %v", err))
	}
	if o.dump.Iptables, o.dump.IptablesWarnings, err = iptables.Save(ctx, o.name); err != nil {
		problems = append(problems, problemf(o.name, "iptables: %v; no rules imported, the model sees no firewall here", err))
	}
	if o.dump.IPSets, err = iptables.SaveIPSets(ctx, o.name); err != nil {
		problems = append(problems, problemf(o.name, "ipset: %v", err))
	}
	return problems
}

// netnsIDs maps the ids o's namespace gives the other namespaces to their
// names. Ids are per namespace: the same peer has different ids as seen
// from different namespaces, so each is asked from o's own socket.
func netnsIDs(o *opened, all []*opened) map[int]string {
	ids := map[int]string{}
	for _, other := range all {
		if other == o {
			continue
		}
		if id, err := o.nl.GetNetNsIdByFd(int(other.ns)); err == nil && id >= 0 {
			ids[id] = other.name
		}
	}
	return ids
}
