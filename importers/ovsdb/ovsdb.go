// Package ovsdb reads a host's Open vSwitch configuration from its OVSDB server.
package ovsdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/hopscope/hopscope/importers/internal/endpoint"
	"github.com/hopscope/hopscope/model"
)

// DefaultEndpoint is where ovsdb-server listens on a Debian host.
const DefaultEndpoint = "unix:" + defaultSocket

const defaultSocket = "/var/run/openvswitch/db.sock"

// defaultTimeout bounds an import whose context has no deadline, so a
// server that accepts the connection but never answers cannot hang it.
const defaultTimeout = 30 * time.Second

// Import connects to ep ("unix:PATH" or "tcp:IP:PORT"; "" = DefaultEndpoint),
// reads Bridge, Port and Interface, and returns the model. When ep is ""
// and the default socket does not exist, it returns (nil, nil): no OVS on the host is not an error.
// An explicit endpoint that cannot be reached is an error naming it.
//
// Import never writes: it reads the four tables with one transaction of
// select operations, which is also one consistent snapshot. Bridges and
// ports come back without Host and Bridge back-pointers and without Iface;
// model.Topology.Resolve sets those.
func Import(ctx context.Context, ep string) (*model.OVS, error) {
	if ep == "" {
		if _, err := os.Stat(defaultSocket); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		ep = DefaultEndpoint
	}
	addr, err := endpoint.Parse(ep)
	if err != nil {
		return nil, fmt.Errorf("ovsdb %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	t, err := read(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("ovsdb %s: %w", ep, err)
	}
	ovs, err := build(t)
	if err != nil {
		return nil, fmt.Errorf("ovsdb %s: %w", ep, err)
	}
	return ovs, nil
}

// read connects, selects every row of the four tables in one transaction,
// and decodes them. A List from the libovsdb cache would need a monitor and
// would see the tables at slightly different moments; a select does not.
func read(ctx context.Context, addr string) (tables, error) {
	cm, err := clientModel()
	if err != nil {
		return tables{}, err
	}
	c, err := client.NewOVSDBClient(cm, client.WithEndpoint(addr))
	if err != nil {
		return tables{}, err
	}
	// Connect also checks that the models are a subset of the server's schema.
	if err := c.Connect(ctx); err != nil {
		return tables{}, err
	}
	defer c.Close()

	names := []string{tableRoot, tableBridge, tablePort, tableInterface}
	ops := make([]ovsdb.Operation, len(names))
	for i, n := range names {
		ops[i] = ovsdb.Operation{Op: ovsdb.OperationSelect, Table: n}
	}
	res, err := c.Transact(ctx, ops...)
	if err != nil {
		return tables{}, fmt.Errorf("select: %w", err)
	}
	if _, err := ovsdb.CheckOperationResults(res, ops); err != nil {
		return tables{}, fmt.Errorf("select: %w", err)
	}
	rows := make(map[string][]ovsdb.Row, len(names))
	for i, n := range names {
		rows[n] = res[i].Rows
	}
	dbm, errs := libmodel.NewDatabaseModel(c.Schema(), cm)
	if len(errs) > 0 {
		return tables{}, fmt.Errorf("schema: %w", errors.Join(errs...))
	}
	return decode(dbm, rows)
}
