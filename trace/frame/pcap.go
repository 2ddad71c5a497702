package frame

import (
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/hopscope/hopscope/trace"
)

// captureStart is the first packet's timestamp: fixed, so the same traces
// give the same file, and packets 1 ms apart keep their order in Wireshark.
var captureStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	captureGap = time.Millisecond
	snaplen    = 65535
)

// WritePcap writes a pcap file (Ethernet, snaplen 65535) holding, for each
// trace in order, the packet as it arrived at each of its hops.
func WritePcap(w io.Writer, traces []*trace.Trace) error {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(snaplen, layers.LinkTypeEthernet); err != nil {
		return err
	}
	n := 0
	for i, t := range traces {
		for j, h := range t.Hops {
			b, err := Bytes(h.Packet)
			if err != nil {
				return fmt.Errorf("trace %d hop %d (%s): %w", i+1, j+1, h.Node, err)
			}
			// A frame longer than the snap length is cut, as a capture would cut it.
			capture := min(len(b), snaplen)
			ci := gopacket.CaptureInfo{Timestamp: captureStart.Add(time.Duration(n) * captureGap), CaptureLength: capture, Length: len(b)}
			if err := pw.WritePacket(ci, b[:capture]); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}
