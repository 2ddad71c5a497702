package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// command runs one program and turns a failure into an error that names
// the command and what it printed.
func command(ctx context.Context, stdin string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// batch feeds lines to `ip` or `bridge` in batch mode inside netns; the
// error names the namespace and the line that failed.
func batch(ctx context.Context, tool, netns string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	if err := command(ctx, strings.Join(lines, "\n")+"\n", nil, tool, "-n", netns, "-batch", "-"); err != nil {
		return fmt.Errorf("in %s: %w", netns, err)
	}
	return nil
}

// inNetns runs a program inside netns.
func inNetns(ctx context.Context, netns, stdin string, env []string, args ...string) error {
	return command(ctx, stdin, env, "ip", append([]string{"netns", "exec", netns}, args...)...)
}
