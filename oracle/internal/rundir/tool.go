package rundir

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Output runs one tool with the directory's environment until it exits
// or ctx ends, feeding it stdin unless that is empty, and returns what it
// printed. The error names the command, its arguments cut at 300 bytes
// (a flow table can be long), and carries its stderr.
func (d *Dir) Output(ctx context.Context, stdin, name string, args ...string) (string, error) {
	cmd := d.prepare(exec.CommandContext(ctx, name, args...))
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		shown := strings.Join(args, " ")
		if len(shown) > 300 {
			shown = shown[:300] + "..."
		}
		return out.String(), fmt.Errorf("%s %s: %v: %s", name, shown, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}
