//go:build !linux

package netns

import (
	"context"
	"errors"

	"github.com/hopscope/hopscope/model"
)

// Import reads live network namespaces, which only Linux has.
func Import(ctx context.Context, o Options) ([]*model.Host, []Problem, error) {
	return nil, nil, errors.New("importing live namespaces needs Linux")
}
