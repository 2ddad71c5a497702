// Package oracle proves the simulator against the real kernel: it realises
// a scenario with package lab, sends real probes between its namespaces,
// traces the same packets, and tabulates where the two agree.
package oracle
