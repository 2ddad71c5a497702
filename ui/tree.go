package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/hopscope/hopscope/model"
)

// pick is what a topology node puts in the packet form: where a packet
// can start (from) and where it can go (to); "" when it cannot.
type pick struct{ from, to string }

func (a *App) buildTree() {
	a.tree = tview.NewTreeView()
	a.tree.SetBorder(true).SetTitle(" Topology  / f t ").SetTitleAlign(tview.AlignLeft)
	a.tree.SetGraphics(true)
	a.filter = tview.NewInputField().SetLabel("/ ").SetFieldStyle(tcell.StyleDefault.Underline(true))
	a.filter.SetChangedFunc(func(string) { a.fillTree() })
	a.filter.SetDoneFunc(func(k tcell.Key) {
		if k == tcell.KeyEscape {
			a.filter.SetText("")
		}
		a.app.SetFocus(a.tree)
	})
	a.fillTree()
}

// fillTree builds the tree (endpoints; hosts, their namespaces with
// interfaces and addresses, OVS bridges with ports; OVN's logical
// switches and routers; segments), keeping
// the nodes whose text, or whose children's, contains the filter.
func (a *App) fillTree() {
	want := strings.ToLower(a.filter.GetText())
	t := a.sc.Topology
	root := tview.NewTreeNode(tview.Escape(t.Name)).SetSelectable(false)
	add := func(parent *tview.TreeNode, text string, ref any) *tview.TreeNode {
		n := tview.NewTreeNode(tview.Escape(text)).SetReference(ref)
		parent.AddChild(n)
		return n
	}
	if len(t.Endpoints) > 0 {
		eps := add(root, "endpoints", nil)
		for _, ep := range t.Endpoints {
			add(eps, fmt.Sprintf("%s (%s %s)", ep.Name, ep.Kind, ep.Addr), pick{ep.Name, ep.Name})
		}
	}
	for _, h := range t.Hosts {
		hn := add(root, "host "+h.Name, nil)
		for _, ns := range h.Namespaces {
			nn := add(hn, fmt.Sprintf("netns %s (%s)", ns.Name, ns.Kind), pick{from: h.Name + ":" + ns.Name})
			for _, i := range ns.Interfaces {
				add(nn, ifaceText(i), ifacePick(h, ns, i))
			}
		}
		if h.OVS != nil {
			for _, b := range h.OVS.Bridges {
				bn := add(hn, "ovs "+b.Name, nil)
				for _, p := range b.Ports {
					text := fmt.Sprintf("%s (%s", p.Name, p.Type)
					if p.Tag != 0 {
						text += fmt.Sprintf(" tag %d", p.Tag)
					}
					if p.OFPort != 0 {
						text += fmt.Sprintf(" ofport %d", p.OFPort)
					}
					add(bn, text+")", pick{from: h.Name + ":" + b.Name + ":" + p.Name})
				}
			}
		}
	}
	if t.OVN != nil {
		addOVN(root, t.OVN, add)
	}
	for _, s := range t.Segments {
		sn := add(root, "segment "+s.Name, nil)
		for _, p := range s.Prefixes {
			add(sn, p.String(), nil)
		}
		if s.Gateway.IsValid() {
			add(sn, "gateway "+s.Gateway.String(), pick{to: s.Gateway.String()})
		}
	}
	if want != "" {
		prune(root, want)
	}
	root.ExpandAll()
	a.tree.SetRoot(root).SetCurrentNode(firstSelectable(root))
}

func ifaceText(i *model.Interface) string {
	s := fmt.Sprintf("%s (%s)", i.Name, i.Kind)
	for _, p := range i.Addrs {
		s += " " + p.String()
	}
	if i.Down {
		s += " DOWN"
	}
	return s
}

func ifacePick(h *model.Host, ns *model.Namespace, i *model.Interface) pick {
	p := pick{from: h.Name + ":" + ns.Name + ":" + i.Name}
	if len(i.Addrs) > 0 {
		p.to = i.Addrs[0].Addr().String()
	}
	return p
}

// prune drops the children of n that neither contain want nor lead to a
// node that does; it says whether anything under n is left.
func prune(n *tview.TreeNode, want string) bool {
	var keep []*tview.TreeNode
	for _, c := range n.GetChildren() {
		if strings.Contains(strings.ToLower(c.GetText()), want) || prune(c, want) {
			keep = append(keep, c)
		}
	}
	n.SetChildren(keep)
	return len(keep) > 0
}

func firstSelectable(n *tview.TreeNode) *tview.TreeNode {
	for _, c := range n.GetChildren() {
		if c.GetReference() != nil {
			return c
		}
		if f := firstSelectable(c); f != nil {
			return f
		}
	}
	return n
}

// pickEndpoint puts the selected topology node in the form's From (or To).
func (a *App) pickEndpoint(to bool) {
	n := a.tree.GetCurrentNode()
	if n == nil {
		return
	}
	p, _ := n.GetReference().(pick)
	val, field, name := p.from, a.pf.from, "From"
	if to {
		val, field, name = p.to, a.pf.to, "To"
	}
	if val == "" {
		a.s.msg = fmt.Sprintf("[red]%s cannot be a packet's %s: pick an endpoint, namespace, interface or port[-]", tview.Escape(n.GetText()), strings.ToLower(name))
		a.renderStatus()
		return
	}
	field.SetText(val)
	a.s.msg = fmt.Sprintf("%s: %s (Enter in the packet pane traces)", name, tview.Escape(val))
	a.renderStatus()
}
