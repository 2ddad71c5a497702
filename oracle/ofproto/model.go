package ofproto

import (
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
)

// ModelBridge is hopscope's model of a bridge the harness built: its ports
// (internal, numbered as given) and the flows in dump (dump-flows syntax),
// ready for trace.NewPipeline.
func ModelBridge(name string, ports []Port, dump string) (*model.OVSBridge, error) {
	b := &model.OVSBridge{Name: name, Host: &model.Host{Name: "h"}}
	names := map[string]uint32{}
	for _, p := range ports {
		b.Ports = append(b.Ports, &model.OVSPort{Name: p.Name, OFPort: p.OFPort, Type: model.OVSInternalPort, Bridge: b})
		names[p.Name] = uint32(p.OFPort)
	}
	flows, err := openflow.Parse(dump)
	if err != nil {
		return nil, err
	}
	b.Flows = openflow.NewFlows(flows)
	if err := b.Flows.ResolvePorts(names); err != nil {
		return nil, err
	}
	return b, nil
}
