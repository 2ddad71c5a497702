package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Up builds the plan on this machine. On failure it leaves the state file
// behind, so Down removes whatever was made.
func Up(ctx context.Context, p *Plan) error {
	if why := Missing(len(p.OVS) > 0); why != "" {
		return errors.New(why)
	}
	if _, err := LoadState(p.Prefix); err == nil {
		return fmt.Errorf("lab %s is already up: run `hopscope lab down` for it first", p.Prefix)
	}
	st := &State{Prefix: p.Prefix, Scenario: p.Scenario, Substitutions: p.Substitutions, OVSDirs: p.OVSDirs}
	for _, s := range p.Spaces {
		st.Netns = append(st.Netns, s.Netns)
		if err := st.save(); err != nil {
			return err
		}
		if err := command(ctx, "", nil, "ip", "netns", "add", s.Name); err != nil {
			return err
		}
	}
	steps := []func(*Space) error{
		func(s *Space) error { return batch(ctx, "ip", s.Name, s.Links) },
		func(s *Space) error { return sysctls(ctx, s) },
		func(s *Space) error { return batch(ctx, "ip", s.Name, s.Settings) },
		func(s *Space) error { return batch(ctx, "bridge", s.Name, s.Bridge) },
		func(s *Space) error { return offloadOff(ctx, s) },
		func(s *Space) error { return batch(ctx, "ip", s.Name, s.Routes) },
		func(s *Space) error { return restore(ctx, s.Name, s.IPSets, "ipset", "restore") },
		func(s *Space) error { return restore(ctx, s.Name, s.Iptables, "iptables-restore") },
	}
	for _, step := range steps {
		for _, s := range p.Spaces {
			if err := step(s); err != nil {
				return err
			}
		}
	}
	for _, o := range p.OVS {
		if err := startOVS(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// sysctls sets the namespace-wide defaults first (a new namespace inherits
// the root's rp_filter), then the plan's own values.
func sysctls(ctx context.Context, s *Space) error {
	all := append([]string{"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
		"net.ipv4.conf.all.proxy_arp=0", "net.ipv4.conf.default.proxy_arp=0"}, s.Sysctls...)
	return inNetns(ctx, s.Name, "", nil, append([]string{"sysctl", "-q", "-w"}, all...)...)
}

// offloadOff computes checksums in software on every veth: the userspace
// datapath forwards frames as it reads them, and a partial checksum left
// to offload would arrive broken.
func offloadOff(ctx context.Context, s *Space) error {
	for _, v := range s.Veths {
		if err := inNetns(ctx, s.Name, "", nil, "ethtool", "-K", v, "tx", "off"); err != nil {
			return err
		}
	}
	return nil
}

func restore(ctx context.Context, netns, text string, args ...string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return inNetns(ctx, netns, text, nil, args...)
}

// startOVS runs a private ovsdb-server and ovs-vswitchd for one host inside
// its OVS namespace, then configures the bridges.
func startOVS(ctx context.Context, o *OVSPlan) error {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	env := ovsEnv(o.Dir)
	db := filepath.Join(o.Dir, "conf.db")
	sock := "unix:" + filepath.Join(o.Dir, "db.sock")
	if err := command(ctx, "", env, "ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema"); err != nil {
		return err
	}
	if err := inNetns(ctx, o.Netns, "", env, "ovsdb-server", db, "--remote=p"+sock, "--pidfile", "--detach",
		"--log-file", "--unixctl="+filepath.Join(o.Dir, "ovsdb-server.ctl")); err != nil {
		return err
	}
	vsctl := func(args ...string) error {
		return command(ctx, "", env, "ovs-vsctl", append([]string{"--db=" + sock, "--timeout=10"}, args...)...)
	}
	if err := vsctl("--no-wait", "init"); err != nil {
		return err
	}
	if err := inNetns(ctx, o.Netns, "", env, "ovs-vswitchd", sock, "--pidfile", "--detach", "--log-file",
		"--unixctl="+filepath.Join(o.Dir, "ovs-vswitchd.ctl")); err != nil {
		return err
	}
	for _, args := range o.Vsctl {
		if err := vsctl(args...); err != nil {
			return fmt.Errorf("OVS of host %s: %w", o.Host, err)
		}
	}
	for _, f := range o.Flows {
		mgmt := "unix:" + filepath.Join(o.Dir, f.Bridge+".mgmt")
		if err := command(ctx, f.Text, env, "ovs-ofctl", "-O", "OpenFlow15", "replace-flows", mgmt, "-"); err != nil {
			return fmt.Errorf("OVS of host %s: flows of %s: %w", o.Host, f.Bridge, err)
		}
	}
	// The bridges' local ports come up, so NORMAL floods reach every port.
	for _, b := range o.Bridge {
		if err := inNetns(ctx, o.Netns, "", nil, "ip", "link", "set", b, "up"); err != nil {
			return err
		}
	}
	return nil
}

func ovsEnv(dir string) []string {
	return []string{"OVS_RUNDIR=" + dir, "OVS_LOGDIR=" + dir, "OVS_DBDIR=" + dir, "OVS_SYSCONFDIR=" + dir}
}
