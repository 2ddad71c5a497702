// Package openflow models OVS OpenFlow tables as `ovs-ofctl dump-flows` prints them: parser, printer, packet field state, matching and a classifier.
package openflow
