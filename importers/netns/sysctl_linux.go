package netns

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/vishvananda/netns"
)

// Sysctls the model reads; per-interface ones are under net/ipv4/conf/IFACE/.
const (
	sysIPForward = "net/ipv4/ip_forward"
	sysBridgeNF  = "net/bridge/bridge-nf-call-iptables" // absent without br_netfilter
)

func confPath(iface, key string) string { return "net/ipv4/conf/" + iface + "/" + key }

// readSysctls reads the sysctls the model needs from namespace ns. A file
// that does not exist is left out of the map.
func readSysctls(ns netns.NsHandle, links []link) (map[string]string, error) {
	paths := []string{sysIPForward, sysBridgeNF, confPath("all", "proxy_arp"), confPath("all", "rp_filter")}
	for _, l := range links {
		paths = append(paths, confPath(l.Name, "proxy_arp"), confPath(l.Name, "rp_filter"))
	}
	vals := map[string]string{}
	var readErr error
	err := inNamespace(ns, func() {
		for _, p := range paths {
			b, err := os.ReadFile("/proc/sys/" + p)
			switch {
			case err == nil:
				vals[p] = strings.TrimSpace(string(b))
			case !os.IsNotExist(err) && readErr == nil:
				readErr = err
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return vals, readErr
}

// inNamespace runs fn on an OS thread switched into ns: /proc/sys resolves
// in the calling thread's namespace. The thread is a fresh goroutine's, so
// the caller's own thread never moves; if switching back fails, the thread
// stays locked and dies with the goroutine instead of going back to the
// pool inside a foreign namespace.
func inNamespace(ns netns.NsHandle, fn func()) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("current namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			runtime.UnlockOSThread() // setns failed: the thread never left
			done <- fmt.Errorf("entering namespace: %w", err)
			return
		}
		fn()
		if err := netns.Set(orig); err != nil {
			done <- fmt.Errorf("leaving namespace: %w", err) // stay locked: the thread exits with us
			return
		}
		runtime.UnlockOSThread()
		done <- nil
	}()
	return <-done
}
