// Package command runs the read-only tools the importers read from
// (iptables-save, ovs-ofctl, ...) and turns their stderr into the error.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Output runs a command, in network namespace ns when it is not "", and
// returns its standard output.
func Output(ctx context.Context, ns, name string, args ...string) (string, error) {
	argv := append([]string{name}, args...)
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		var ee *exec.ExitError
		if msg != "" && errors.As(err, &ee) {
			return "", fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, msg)
		}
		return "", fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return stdout.String(), nil
}
