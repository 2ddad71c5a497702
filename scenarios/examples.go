package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The example scenarios ship inside the binary: they are the teaching packs
// and what a first run opens.
//
//go:embed examples/*.yaml
var examplesFS embed.FS

// DefaultExample is the example opened when no source is given.
const DefaultExample = "dvr-floating-ip"

// Examples lists the embedded examples by name (file name without .yaml), sorted.
func Examples() []string {
	entries, _ := fs.ReadDir(examplesFS, "examples") // cannot fail: the directory is embedded
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// LoadExample loads an embedded example by name.
func LoadExample(name string) (*Scenario, error) {
	if !slices.Contains(Examples(), name) {
		return nil, fmt.Errorf("unknown example %q: want one of %s", name, strings.Join(Examples(), ", "))
	}
	data, err := examplesFS.ReadFile(path.Join("examples", name+".yaml"))
	if err != nil {
		return nil, err
	}
	return Load(name+".yaml", data)
}
