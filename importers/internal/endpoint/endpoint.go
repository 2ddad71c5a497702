// Package endpoint checks the OVSDB server endpoints the importers connect
// to and turns them into the form libovsdb dials.
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// Want is what an endpoint looks like, for errors.
const Want = `"unix:PATH" or "tcp:IP:PORT"`

// Parse checks one endpoint, "unix:PATH" or "tcp:IP:PORT", and returns it
// as libovsdb wants it. A relative unix path is made absolute: libovsdb
// reads "unix:db.sock" as "unix:" with no path and silently connects to its
// default socket instead.
func Parse(endpoint string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("endpoint %q: %s; want %s", endpoint, why, Want)
	}
	if path, ok := strings.CutPrefix(endpoint, "unix:"); ok {
		if path == "" {
			return "", bad("no socket path")
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", bad(err.Error())
		}
		return "unix:" + abs, nil
	}
	if hostport, ok := strings.CutPrefix(endpoint, "tcp:"); ok {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return "", bad(err.Error())
		}
		if host == "" || port == "" {
			return "", bad("missing address or port")
		}
		return endpoint, nil
	}
	return "", bad("unsupported scheme")
}

// ParseList checks a comma-separated list of endpoints, the members of a
// clustered database (any one of them will do), as Parse checks one.
func ParseList(list string) ([]string, error) {
	if list == "" {
		return nil, errors.New("no endpoint; want " + Want)
	}
	var out []string
	for _, e := range strings.Split(list, ",") {
		addr, err := Parse(strings.TrimSpace(e))
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, nil
}
