package probe

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// inNetns runs fn on an OS thread that is inside the named namespace
// (/var/run/netns/NAME). Sockets belong to the namespace of the thread
// that creates them, so fn creates sockets and nothing else long-running;
// once created they may be used from any goroutine.
//
// fn runs on a goroutine of its own: if the thread cannot be switched
// back, it stays locked and the runtime kills it when that goroutine
// exits, so no thread is ever left in a foreign namespace and the caller's
// goroutine is never pinned to one.
func inNetns(name string, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- runInNetns(name, fn) }()
	return <-done
}

func runInNetns(name string, fn func() error) (err error) {
	target, err := netns.GetFromName(name)
	if err != nil {
		return fmt.Errorf("netns %s: open: %w", name, err)
	}
	defer target.Close()

	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns %s: save current namespace: %w", name, err)
	}
	defer orig.Close()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns %s: enter: %w", name, err)
	}
	defer func() {
		if serr := netns.Set(orig); serr != nil {
			// Stay locked: the thread dies with this goroutine.
			err = errors.Join(err, fmt.Errorf("netns %s: switch back: %w", name, serr))
			return
		}
		runtime.UnlockOSThread()
	}()
	return fn()
}
