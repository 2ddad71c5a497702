// Package rundir runs OVS and OVN daemons and tools in a private temp
// directory, for the oracles that drive real ones (ovnrun, ofproto).
// Databases, sockets, pid files and logs all land in the directory, and
// the environment points the tools there, so a test touches neither the
// machine's own daemons nor another test's.
//
// The daemons are children of the test process (SIGKILLed if it dies), so
// Stop and Close end them by process, never by name.
package rundir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Dir is a private run directory and the daemons started in it.
type Dir struct {
	// Chdir runs daemons and tools with the directory as their working
	// directory, so nothing they write by relative path escapes it. Leave
	// it off when callers may name their own files by relative path.
	Chdir bool

	root    string
	env     []string // KEY=VALUE pairs from AddEnv
	daemons []*proc  // in start order
}

// New makes a directory in os.TempDir whose name starts with prefix, so
// that what a test process left behind can be told from another's.
func New(prefix string) (*Dir, error) {
	root, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	return &Dir{root: root}, nil
}

// Root is the directory's path.
func (d *Dir) Root() string { return d.root }

// Path is name inside the directory.
func (d *Dir) Path(name string) string { return filepath.Join(d.root, name) }

// CheckSocket fails when name, as a path in the directory, is too long
// for a unix socket (sun_path holds 108 bytes). A daemon would then never
// come up, and only this error says why.
func (d *Dir) CheckSocket(name string) error {
	if len(d.Path(name)) > 100 {
		return fmt.Errorf("run directory %s is too long for unix sockets; set TMPDIR to a shorter path", d.root)
	}
	return nil
}

// AddEnv adds KEY=VALUE pairs to the environment of whatever runs from
// now on, such as the databases the tools should default to.
func (d *Dir) AddEnv(kv ...string) { d.env = append(d.env, kv...) }

// Env is the environment daemons and tools run with: the caller's, less
// its OVN_* and OVS_* settings (they would point the tools at another
// control plane), with the OVS and OVN run, log and database directories
// set to this one, then the pairs from AddEnv.
func (d *Dir) Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OVN_") || strings.HasPrefix(k, "OVS_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "OVS_RUNDIR="+d.root, "OVS_LOGDIR="+d.root, "OVS_DBDIR="+d.root,
		"OVN_RUNDIR="+d.root, "OVN_LOGDIR="+d.root, "OVN_DBDIR="+d.root)
	return append(env, d.env...)
}

// prepare gives cmd the directory's environment, and runs it in the
// directory when Chdir says so.
func (d *Dir) prepare(cmd *exec.Cmd) *exec.Cmd {
	cmd.Env = d.Env()
	if d.Chdir {
		cmd.Dir = d.root
	}
	return cmd
}

// Stop ends the daemons, the last started first: each is a client of
// those started before it. It forgets them even when one will not die,
// since there is nothing more to try.
func (d *Dir) Stop() error {
	var errs []error
	for i := len(d.daemons) - 1; i >= 0; i-- {
		if err := d.daemons[i].stop(); err != nil {
			errs = append(errs, err)
		}
	}
	d.daemons = nil
	return errors.Join(errs...)
}

// Close stops the daemons and removes the directory, but only once they
// have all stopped: one still running keeps its log for inspection. It is
// safe to call twice.
func (d *Dir) Close() error {
	if err := d.Stop(); err != nil {
		return err
	}
	return os.RemoveAll(d.root)
}
