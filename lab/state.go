package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StateRoot holds one directory per lab: its state file and OVS run dirs.
var StateRoot = "/run/hopscope"

// Prefix is the lab name a scenario gets by default: short, stable, and
// unlikely to meet a real host's namespace names.
func Prefix(scenario string) string {
	h := fnv.New32a()
	h.Write([]byte(scenario))
	return fmt.Sprintf("hs%06x", h.Sum32()&0xffffff)
}

// Netns is one namespace the lab created and what it stands for.
type Netns struct {
	Name string // the `ip netns` name
	Host string // model host ("" for segments and external endpoints)
	NS   string // model namespace, segment or endpoint name
	Role string // "namespace", "ovs", "segment", "external"
}

// State is everything a lab created, written before each creation so that
// Down can undo a partial Up.
type State struct {
	Prefix        string
	Scenario      string
	Netns         []Netns
	OVSDirs       []string // run directories of private ovsdb-server/ovs-vswitchd pairs
	Substitutions []string // where the lab could not realise the model exactly
}

func (s *State) dir() string  { return filepath.Join(StateRoot, s.Prefix) }
func (s *State) file() string { return filepath.Join(s.dir(), "state.json") }

func (s *State) save() error {
	if err := os.MkdirAll(s.dir(), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.file() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, s.file())
}

// LoadState reads the state of lab prefix; a lab that is not up is an error
// saying so.
func LoadState(prefix string) (*State, error) {
	s := &State{Prefix: prefix}
	b, err := os.ReadFile(s.file())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab %s is not up (no %s)", prefix, s.file())
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("%s: %w", s.file(), err)
	}
	return s, nil
}

// Place maps a lab namespace back to the model host and namespace it
// realises, in the shape importers/netns takes.
func (s *State) Place(netns string) (host, ns string, ok bool) {
	for _, n := range s.Netns {
		if n.Name == netns && n.Role == "namespace" {
			return n.Host, n.NS, true
		}
	}
	return "", "", false
}

// netnsName builds a namespace name from the lab prefix and parts.
func netnsName(prefix string, parts ...string) string {
	return prefix + "-" + strings.Join(parts, "-")
}
