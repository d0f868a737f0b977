# The live-layout limit: @agent-layout-limit (3 here, to be fast) and the
# default of 40 (40 layouts of 1m+2s). A refused create makes nothing; a
# replay (-k) is answered even at the limit; removed layouts do not count,
# degraded and failed ones do.
. "$(dirname "$0")/lib.sh"

start_server

nsessions() { t list-sessions 2>/dev/null | wc -l | tr -d ' '; }
nlayouts() { t list-agent-layouts -a | wc -l | tr -d ' '; }
live() { t list-agent-layouts | wc -l | tr -d ' '; }

assert_ok t define-agent-template one 'w:1:cat'

test_case "@agent-layout-limit 3: the fourth live layout is refused"
t set -g @agent-layout-limit 3
assert_ok t new-agent-layout -d -s a1 -T one -k key-a1
assert_ok t new-agent-layout -d -s a2 -T one
# A degraded layout is live and counts.
assert_ok t new-agent-layout -d -s a3 -T one -e w=true
s=$(nsessions) n=$(nlayouts)
assert_error_contains "too many layouts: 3 live (limit 3)" t new-agent-layout -d -s a4 -T one
assert_eq 1 "$RC"
assert_eq "$s $n" "$(nsessions) $(nlayouts)" "nothing created"
assert_fails t has-session -t =a4
assert_error_contains "too many layouts: 3 live (limit 3)" t new-agent-layout -d
assert_eq "$s $n" "$(nsessions) $(nlayouts)"

test_case "a replay is answered at the limit"
run t new-agent-layout -d -k key-a1 -s other
assert_eq 0 "$RC"
assert_match '^L1 \(replay of idempotency key key-a1\)$' "$OUT"
assert_eq "$s $n" "$(nsessions) $(nlayouts)"

test_case "removed layouts do not count"
assert_ok t kill-agent-layout -t a2
assert_eq 2 "$(live)"
assert_ok t new-agent-layout -d -s a5 -T one
assert_error_contains "too many layouts: 3 live (limit 3)" t new-agent-layout -d -s a6 -T one
# A layout whose panes the user killed is removed as well.
assert_ok t kill-pane -t "$(t list-panes -t =a5: -F '#{pane_id}')"
assert_eq 2 "$(live)"
assert_ok t new-agent-layout -d -s a6 -T one
assert_eq 3 "$(live)"
# Raising the limit lets more in at once.
t set -g @agent-layout-limit 4
assert_ok t new-agent-layout -d -s a7 -T one
assert_error_contains "too many layouts: 4 live (limit 4)" t new-agent-layout -d -s a8 -T one
for s in a1 a3 a6 a7; do t kill-agent-layout -t "$s" >/dev/null; done
assert_eq 0 "$(live)"

test_case "the default limit is 40 layouts (1m+2s, 3 panes each)"
t set -gu @agent-layout-limit
assert_eq "" "$(t show -gv @agent-layout-limit 2>/dev/null)"
start=$(date +%s.%N)
made=0
for i in $(seq 1 40); do
	t new-agent-layout -d -s "big$i" -e manager=cat -e specialist=cat || break
	made=$i
done
assert_eq 40 "$made" "40 layouts created"
assert_eq 40 "$(live)"
assert_eq 120 "$(t list-panes -a -f '#{m:big*,#{session_name}}' | wc -l | tr -d ' ')"
s=$(nsessions) n=$(nlayouts)
assert_error_contains "too many layouts: 40 live (limit 40)" t new-agent-layout -d -s big41 -e manager=cat -e specialist=cat
assert_eq "$s $n" "$(nsessions) $(nlayouts)" "the 41st created nothing"
assert_fails t has-session -t =big41
# A limit that is not a whole number means the default.
t set -g @agent-layout-limit lots
assert_error_contains "too many layouts: 40 live (limit 40)" t new-agent-layout -d -s big41 -T one
t set -gu @agent-layout-limit
echo "40 layouts in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')s"
# One goes, one more fits.
assert_ok t kill-agent-layout -t big7
assert_ok t new-agent-layout -d -s big41 -e manager=cat -e specialist=cat
assert_error_contains "too many layouts: 40 live (limit 40)" t new-agent-layout -d -s big42 -T one
# They all settle: 120 ready panes.
wait_for "[ \"\$(t lsap -F '#{agent_pane_state}' | sort -u)\" = ready ]" 5
assert_eq "120 ready" "$(t lsap -F '#{agent_pane_state}' | sort | uniq -c | awk '{ print $1, $2 }')"
