// Package ovn holds OVN's northbound objects (logical switches and routers,
// ACLs, port groups, address sets, NAT, load balancers), the southbound
// facts that place them on chassis (bindings, tunnel keys, encaps), and a
// parser and evaluator for OVN's match-expression language.
//
// It imports nothing else of hopscope: the model package holds a *DB.
package ovn
