// Package netns imports the live network namespaces of this machine —
// links, addresses, routes, rules, neighbours, bridges, sysctls and
// iptables — into the model, read-only.
package netns

import (
	"fmt"

	"github.com/hopscope/hopscope/model"
)

// Options say which namespaces to read and what to call them.
type Options struct {
	HostName string // "" = os.Hostname()
	// Place maps an `ip netns` name ("" for the caller's root namespace) to
	// the model host and namespace it becomes; ok=false skips it. nil = every
	// namespace onto HostName, root as model.RootName ("root"), named ones as
	// themselves.
	Place func(netnsName string) (host, ns string, ok bool)
}

// Problem is a namespace (or part of one) that could not be read, or that
// was read but holds something the model cannot represent; the import goes
// on without it.
type Problem struct {
	NS  string // the `ip netns` name; "" for the root namespace
	Err error
}

func (p Problem) String() string { return nsLabel(p.NS) + ": " + p.Err.Error() }

// nsLabel names a namespace in messages and sources.
func nsLabel(netnsName string) string {
	if netnsName == "" {
		return "root namespace"
	}
	return "netns " + netnsName
}

// placer returns o.Place, or the default placement onto host.
func (o Options) placer(host string) func(string) (string, string, bool) {
	if o.Place != nil {
		return o.Place
	}
	return func(name string) (string, string, bool) {
		if name == "" {
			return host, model.RootName, true
		}
		return host, name, true
	}
}

func problemf(ns, format string, args ...any) Problem {
	return Problem{NS: ns, Err: fmt.Errorf(format, args...)}
}
