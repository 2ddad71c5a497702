package scenarios

import (
	"errors"
	"os"

	"github.com/hopscope/hopscope/model"
)

// LoadChecks reads the checks of files against a topology that came from
// elsewhere (a live import): the files hold checks, and may name the
// scenario, but describe no hosts, segments or endpoints of their own.
// Their explanations are added to t, which a failed load leaves as it was.
func LoadChecks(t *model.Topology, paths ...string) ([]Check, error) {
	if len(paths) == 0 {
		return nil, errors.New("no check files given")
	}
	var errs errList
	var raws []*rawScenario
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if r := decodeFile(p, data, &errs); r != nil {
			raws = append(raws, r)
		}
	}
	if !errs.empty() {
		return nil, errs.err()
	}
	b := &builder{topo: t, hosts: map[string]*model.Host{}}
	for _, h := range t.Hosts {
		b.hosts[h.Name] = h
	}
	var checks []Check
	had := len(t.Explanations)
	for _, r := range raws {
		b.explanations(r)
		for _, key := range []string{"hosts", "segments", "endpoints"} {
			if r.Loc.has(key) {
				b.add(r.Loc.at(key, "with a live source the file holds checks only: the topology is this machine's"))
			}
		}
		for _, rc := range r.Checks {
			checks = append(checks, b.check(rc))
		}
	}
	if !b.errs.empty() {
		t.Explanations = t.Explanations[:had]
		return nil, b.errs.err()
	}
	return checks, nil
}
