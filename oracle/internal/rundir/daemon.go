package rundir

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// StartTimeout bounds how long a daemon may take to open its socket.
const StartTimeout = 20 * time.Second

// stopTimeout bounds how long SIGTERM, and then SIGKILL, may take.
const stopTimeout = 5 * time.Second

// Daemon says how to run one daemon.
type Daemon struct {
	// Args is the daemon's command line. Start appends --unixctl,
	// --pidfile and --log-file, naming NAME.ctl, NAME.pid and NAME.log in
	// the directory, and -vconsole:off, so that the log is its only output.
	Args []string
	// Via, if set, is a command that runs Args, such as ip netns exec NS.
	Via []string
	// Name names the daemon's files and, after Args[0], its errors; it
	// defaults to Args[0]. Two daemons of one program need names.
	Name string
	// Sock is the socket in the directory that accepts connections once
	// the daemon is ready.
	Sock string
}

// proc is a daemon this process started; done closes when it has exited.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a daemon as a child of this process, SIGKILLed if this
// process dies, and waits until its socket accepts connections. Once
// started the daemon is Stop's to end, even when Start then fails; the
// error says why it did not come up and ends with its log.
func (d *Dir) Start(ctx context.Context, dm Daemon) (*exec.Cmd, error) {
	name, label := dm.Name, dm.Args[0]
	if name == "" {
		name = dm.Args[0]
	}
	if name != label {
		label += " (" + name + ")"
	}
	args := append(slices.Concat(dm.Via, dm.Args), "--unixctl="+d.Path(name+".ctl"),
		"--pidfile="+d.Path(name+".pid"), "--log-file="+d.Path(name+".log"), "-vconsole:off")
	// Not CommandContext: ctx bounds the start, the daemon outlives it.
	cmd := d.prepare(exec.Command(args[0], args[1:]...))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", dm.Args[0], err)
	}
	p := &proc{name: label, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	d.daemons = append(d.daemons, p)
	deadline := time.After(StartTimeout)
	for {
		if conn, err := net.Dial("unix", d.Path(dm.Sock)); err == nil {
			conn.Close()
			return cmd, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited at start: %s%s", label, strings.TrimSpace(out.String()), d.LogTail(name))
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w%s", label, ctx.Err(), d.LogTail(name))
		case <-deadline:
			return nil, fmt.Errorf("%s did not open %s within %v%s", label, dm.Sock, StartTimeout, d.LogTail(name))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop ends one daemon: SIGTERM, then SIGKILL if it lingers.
func (p *proc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
	}
	p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// LogTail is the end of the log of the daemon called name, for errors;
// "" when there is none.
func (d *Dir) LogTail(name string) string {
	b, err := os.ReadFile(d.Path(name + ".log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + name + ".log ends:\n" + string(b)
}
