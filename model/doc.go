// Package model is hopscope's topology: hosts, namespaces, interfaces,
// bridges, OVS and endpoints, with the indexes a trace looks things up in.
package model
