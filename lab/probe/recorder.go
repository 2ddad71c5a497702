package probe

import (
	"sync"
	"time"
)

// Recorder collects arrivals from Servers. It is shared by all servers of
// a lab and safe for concurrent use; the zero value is ready to use.
type Recorder struct {
	mu      sync.Mutex
	byToken map[string][]Arrival
	changed chan struct{} // closed and replaced on every add
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

func (r *Recorder) initLocked() {
	if r.byToken == nil {
		r.byToken = map[string][]Arrival{}
		r.changed = make(chan struct{})
	}
}

func (r *Recorder) add(a Arrival) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.initLocked()
	r.byToken[a.Token] = append(r.byToken[a.Token], a)
	close(r.changed)
	r.changed = make(chan struct{})
}

// Arrivals returns the arrivals recorded so far for token, in order.
func (r *Recorder) Arrivals(token string) []Arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Arrival(nil), r.byToken[token]...)
}

// Wait returns the arrivals for token as soon as there is at least one,
// or nil once d has passed without any. An ICMP arrival may be recorded
// after the sender already has its reply (the kernel answers, not the
// Server), so callers Wait rather than read Arrivals right after Send.
func (r *Recorder) Wait(token string, d time.Duration) []Arrival {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		r.mu.Lock()
		r.initLocked()
		got := append([]Arrival(nil), r.byToken[token]...)
		changed := r.changed
		r.mu.Unlock()
		if len(got) > 0 {
			return got
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil
		}
	}
}
