package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Down removes everything lab prefix created: its OVS daemons, its
// namespaces (and with them every device, route and rule inside), its run
// directory. It goes on past errors and reports them all.
func Down(ctx context.Context, prefix string) error {
	if os.Geteuid() != 0 {
		return errors.New("lab down needs root: it deletes network namespaces (run it with sudo)")
	}
	st, err := LoadState(prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, dir := range st.OVSDirs {
		for _, d := range []string{"ovs-vswitchd", "ovsdb-server"} {
			if err := stopDaemon(filepath.Join(dir, d+".pid")); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i := len(st.Netns) - 1; i >= 0; i-- {
		n := st.Netns[i].Name
		if _, err := os.Stat(filepath.Join("/var/run/netns", n)); err != nil {
			continue // never made, or already gone
		}
		if err := command(ctx, "", nil, "ip", "netns", "del", n); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(st.dir()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// stopDaemon ends the process named in pidfile and waits for it to go.
func stopDaemon(pidfile string) error {
	b, err := os.ReadFile(pidfile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%s: %w", pidfile, err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return fmt.Errorf("stop pid %d (%s): %w", pid, pidfile, err)
	}
	for range 50 {
		if syscall.Kill(pid, 0) != nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill pid %d (%s): %w", pid, pidfile, err)
	}
	return nil
}
