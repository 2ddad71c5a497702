// Package scenarios reads hopscope's YAML scenario files — a topology plus
// what-if checks — strictly, into a resolved model with errors that point at
// the file, line and field.
package scenarios
