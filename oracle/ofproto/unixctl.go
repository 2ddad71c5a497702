package ofproto

import (
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"time"
)

// unixctl speaks the OVS daemons' control protocol directly: JSON-RPC 1.0
// over a unix stream socket, one request at a time, params all strings,
// the reply's result a string. Keeping one connection open saves the fork
// and exec of ovs-appctl per call, which costs more than the trace itself.
type unixctl struct {
	path string

	mu   sync.Mutex
	conn net.Conn
	dec  *json.Decoder
	id   int
}

// ServerError is an error the daemon itself returned (a bad flow, an
// unknown bridge): the call reached it, so retrying elsewhere is useless.
type ServerError struct{ Method, Text string }

func (e *ServerError) Error() string { return e.Method + ": " + e.Text }

// callTimeout bounds one call; a trace through 100k flows takes far less.
const callTimeout = time.Minute

// call sends one command and returns its text. A broken connection is
// redialled once.
func (c *unixctl) call(method string, params ...string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := c.roundTrip(method, params)
	if _, server := err.(*ServerError); err != nil && !server {
		c.drop()
		out, err = c.roundTrip(method, params)
		if _, server := err.(*ServerError); err != nil && !server {
			c.drop()
		}
	}
	return out, err
}

func (c *unixctl) roundTrip(method string, params []string) (string, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("unix", c.path, 5*time.Second)
		if err != nil {
			return "", err
		}
		c.conn, c.dec = conn, json.NewDecoder(conn)
	}
	if params == nil {
		params = []string{}
	}
	c.id++
	req, err := json.Marshal(struct {
		Method string   `json:"method"`
		Params []string `json:"params"`
		ID     int      `json:"id"`
	}{method, params, c.id})
	if err != nil {
		return "", err
	}
	c.conn.SetDeadline(time.Now().Add(callTimeout))
	if _, err := c.conn.Write(req); err != nil {
		return "", fmt.Errorf("unixctl %s: %w", method, err)
	}
	var reply struct {
		ID     json.RawMessage `json:"id"`
		Result *string         `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := c.dec.Decode(&reply); err != nil {
		return "", fmt.Errorf("unixctl %s: %w", method, err)
	}
	if string(reply.ID) != fmt.Sprint(c.id) {
		return "", fmt.Errorf("unixctl %s: reply id %s, want %d", method, reply.ID, c.id)
	}
	if len(reply.Error) > 0 && string(reply.Error) != "null" {
		var text string
		if json.Unmarshal(reply.Error, &text) != nil {
			text = string(reply.Error)
		}
		return "", &ServerError{Method: method, Text: trimNL(text)}
	}
	if reply.Result == nil {
		return "", fmt.Errorf("unixctl %s: reply has neither result nor error", method)
	}
	return *reply.Result, nil
}

func (c *unixctl) drop() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.dec = nil, nil
	}
}

func (c *unixctl) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drop()
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}
