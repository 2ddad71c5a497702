package ovsdb

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/dump.json and testdata/vswitch.ovsschema from a live ovsdb-server (needs root)")

const systemSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// ovsServer is a private ovsdb-server on its own database in a temp dir.
type ovsServer struct {
	dir  string
	sock string
	env  []string
}

// startServer starts a private ovsdb-server, stopped when the test ends.
// It skips unless running as root with the Open vSwitch tools installed.
func startServer(t *testing.T) *ovsServer {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live OVSDB test needs root (it starts a private ovsdb-server); run as root")
	}
	for _, tool := range []string{"ovsdb-tool", "ovsdb-server", "ovsdb-client", "ovs-vsctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("live OVSDB test needs %s (Debian package openvswitch-switch): %v", tool, err)
		}
	}
	if _, err := os.Stat(systemSchema); err != nil {
		t.Skipf("live OVSDB test needs the vswitch schema: %v", err)
	}
	dir := t.TempDir()
	s := &ovsServer{dir: dir, sock: filepath.Join(dir, "db.sock")}
	if len(s.sock) > 100 { // sun_path is 108 bytes
		t.Fatalf("socket path %s too long for a unix socket; set TMPDIR shorter", s.sock)
	}
	s.env = append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir)
	s.run(t, "ovsdb-tool", "create", filepath.Join(dir, "conf.db"), systemSchema)
	pidfile := filepath.Join(dir, "ovsdb.pid")
	s.run(t, "ovsdb-server", filepath.Join(dir, "conf.db"),
		"--remote=punix:"+s.sock, "--pidfile="+pidfile, "--unixctl="+filepath.Join(dir, "ovsdb.ctl"),
		"--detach", "--log-file="+filepath.Join(dir, "ovsdb.log"))
	t.Cleanup(func() { stopServer(t, pidfile) })
	return s
}

// stopServer ends the ovsdb-server this test started, by the pid it wrote,
// and waits for it to remove its pidfile on the way out.
func stopServer(t *testing.T, pidfile string) {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Errorf("stopping ovsdb-server: %v", err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Errorf("stopping ovsdb-server: bad pidfile %s: %q", pidfile, b)
		return
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Errorf("stopping ovsdb-server %d: %v", pid, err)
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidfile); os.IsNotExist(err) {
			return
		}
	}
	t.Errorf("ovsdb-server %d still running 5s after SIGTERM", pid)
}

func (s *ovsServer) run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func (s *ovsServer) vsctl(t *testing.T, args ...string) {
	t.Helper()
	s.run(t, "ovs-vsctl", append([]string{"--db=unix:" + s.sock, "--no-wait"}, args...)...)
}

func TestLiveImport(t *testing.T) {
	s := startServer(t)
	for _, args := range scenario {
		s.vsctl(t, args...)
	}
	if *update {
		writeFixture(t, s)
	}

	db := filepath.Join(s.dir, "conf.db")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := Import(ctx, "unix:"+s.sock)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	checkScenario(t, got)

	// Read-only: the database file is untouched.
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("Import changed %s (%d bytes before, %d after); it must not write", db, len(before), len(after))
	}
}

// writeFixture records the server's four tables and schema under testdata/.
func writeFixture(t *testing.T, s *ovsServer) {
	t.Helper()
	var dump []byte
	for _, table := range []string{tableRoot, tableBridge, tablePort, tableInterface} {
		dump = append(dump, s.run(t, "ovsdb-client", "dump", "--format=json", "unix:"+s.sock, database, table)...)
	}
	schema := s.run(t, "ovsdb-client", "get-schema", "unix:"+s.sock, database)
	for name, b := range map[string][]byte{"dump.json": dump, "vswitch.ovsschema": schema} {
		if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Log("rewrote testdata/dump.json and testdata/vswitch.ovsschema")
}

func TestImportMissingSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "missing.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := Import(ctx, "unix:"+sock)
	if err == nil || !strings.Contains(err.Error(), sock) {
		t.Fatalf("Import(unix:%s) = %v, %v; want an error naming the socket", sock, got, err)
	}
}

func TestImportNoDefaultSocket(t *testing.T) {
	if _, err := os.Stat(defaultSocket); !os.IsNotExist(err) {
		t.Skipf("%s exists (or cannot be checked: %v): this host runs OVS, so there is no absent default to test", defaultSocket, err)
	}
	got, err := Import(context.Background(), "")
	if got != nil || err != nil {
		t.Fatalf("Import(\"\") with no %s = %v, %v; want nil, nil", defaultSocket, got, err)
	}
}
