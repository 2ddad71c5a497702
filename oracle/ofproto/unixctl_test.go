package ofproto

import (
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"testing"
)

// fakeDaemon answers unixctl requests the way OVS does: "echo" returns its
// params, anything else an error; it hangs up after hangUpAfter replies.
func fakeDaemon(t *testing.T, hangUpAfter int) string {
	path := filepath.Join(t.TempDir(), "fake.ctl")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				dec, enc := json.NewDecoder(conn), json.NewEncoder(conn)
				for n := 0; n < hangUpAfter; n++ {
					var req struct {
						Method string
						Params []string
						ID     int
					}
					if dec.Decode(&req) != nil {
						return
					}
					reply := map[string]any{"id": req.ID}
					if req.Method == "echo" {
						text := ""
						for _, p := range req.Params {
							text += p + "\n"
						}
						reply["result"] = text
					} else {
						reply["error"] = "\"" + req.Method + "\" is not a valid command\n"
					}
					enc.Encode(reply)
				}
			}()
		}
	}()
	return path
}

func TestUnixctl(t *testing.T) {
	c := &unixctl{path: fakeDaemon(t, 2)}
	defer c.close()
	for i := 0; i < 5; i++ { // the daemon hangs up every 2 calls: the client redials
		got, err := c.call("echo", "br0", "in_port=1")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got != "br0\nin_port=1\n" {
			t.Errorf("call %d = %q", i, got)
		}
	}
	_, err := c.call("nope")
	var serr *ServerError
	if !errors.As(err, &serr) || serr.Text != `"nope" is not a valid command` {
		t.Errorf("error %v, want the daemon's", err)
	}
}

func TestUnixctlNoDaemon(t *testing.T) {
	c := &unixctl{path: filepath.Join(t.TempDir(), "none.ctl")}
	var serr *ServerError
	if _, err := c.call("echo"); err == nil || errors.As(err, &serr) {
		t.Errorf("error %v, want a connection error", err)
	}
}
