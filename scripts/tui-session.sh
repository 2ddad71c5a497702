#!/usr/bin/env bash
# Drives the real hopscope binary in tmux through a troubleshooting session
# on the default example (OpenStack DVR) and prints every screen: VM →
# internet, its reply, SSH from the internet to the floating IP, the
# security-group rule that lets it in switched off as a what-if (DENIED at
# the fallback chain), undone, and the journey saved as a pcap.
#
# usage: scripts/tui-session.sh [HOPSCOPE_BINARY]   (built from ./cmd/hopscope if not given)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tui-session: needs tmux (apt-get install tmux)" >&2; exit 2; }

work=$(mktemp -d)
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$work/hopscope
	go build -o "$bin" ./cmd/hopscope
fi
session=hopscope-tui-$$
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

tmux -f /dev/null new-session -d -s "$session" -x 100 -y 32 "TERM=xterm-256color $bin"

screen() { tmux capture-pane -p -t "$session"; }
shot() { echo "──── $1"; screen; }
# wait_for TEXT...: until the screen shows every TEXT (10 s at most).
wait_for() {
	for _ in $(seq 100); do
		local s ok=1
		s=$(screen)
		for want in "$@"; do
			grep -qF -- "$want" <<<"$s" || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	shot "FAILED: the screen never showed: $*"
	exit 1
}
key() { tmux send-keys -t "$session" "$@"; sleep 0.1; }

wait_for "Topology" "EXITED"
shot "1. hopscope opens on the DVR example, tracing the VM to the internet"
key r
wait_for "Hops, reply" "DELIVERED"
shot "2. r: the internet's answer comes back to the VM"
key c
wait_for "Checks" "SSH from the internet"
shot "3. c: the scenario's checks"
key 3
wait_for "check: SSH from the internet" "DELIVERED"
shot "4. SSH from the internet to the floating IP reaches the VM"
found=0
for _ in $(seq 300); do
	if screen | tail -2 | grep -qF "rule neutron-openvswi-i8aa5e3b4-6 #"; then
		found=1
		break
	fi
	key ']'
done
[ $found = 1 ] || { shot "FAILED: ] never reached the security-group rule"; exit 1; }
shot "5. ] step by step to the security-group rule that lets SSH in"
key w
wait_for "before what-ifs" "DENIED" "before DELIVERED, now DENIED"
shot "6. w: with that rule switched off, the same packet is DENIED"
key d
wait_for "sg-fallback"
shot "7. d: the step that denies it, in the fallback chain"
key W
wait_for "what-if(s) undone"
shot "8. W: every what-if undone"
key s
wait_for "Save as"
key C-u "$work/journey.pcap" Enter
wait_for "saved"
shot "9. s: the journey saved as a pcap"
[ -s "$work/journey.pcap" ] || { echo "FAILED: no pcap written" >&2; exit 1; }
key q
for _ in $(seq 50); do
	tmux has-session -t "$session" 2>/dev/null || break
	sleep 0.1
done
if tmux has-session -t "$session" 2>/dev/null; then
	shot "FAILED: q did not quit"
	exit 1
fi
echo "──── tui-session: every step passed"
