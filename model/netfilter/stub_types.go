// Package netfilter models iptables rulesets: types, the iptables-save
// parser and printer, and rule evaluation against one packet at one hook.
package netfilter

// PLACEHOLDER: replaced by the real parser.

// Ruleset is a placeholder until the parser lands.
type Ruleset struct{}

// IPSet is a placeholder until the parser lands.
type IPSet struct{ Name string }

// Parse is a placeholder until the parser lands.
func Parse(text string) (*Ruleset, error) { return &Ruleset{}, nil }

// ParseIPSets is a placeholder until the parser lands.
func ParseIPSets(text string) (map[string]*IPSet, error) { return nil, nil }
