# new-agent-layout (newal) flags: -d, -P and -F, -g (default: the session
# name; the session joins that group), -k (a replay says so and creates
# nothing), -s (an existing session is an error, never a silent rename), -c
# (start directory), -e role=command over the template's commands, and the
# attach without -d (through a pty).
. "$(dirname "$0")/lib.sh"

start_server

sessions() { t list-sessions -F '#{session_name}' | sort | paste -sd ' '; }
layouts() { t list-agent-layouts -a -F '#{agent_layout_id}' | paste -sd ' '; }

test_case "-d: a detached session with one managed pane per slot"
run t new-agent-layout -d -e manager=cat -e specialist=cat
assert_eq 0 "$RC"
assert_eq "" "$OUT" "no output without -P"
assert_eq "" "$ERR"
assert_eq "layout1" "$(sessions)" "a free name is chosen"
assert_eq "" "$(t list-clients)" "no client attached"
assert_eq "1" "$(t list-windows -t =layout1 | wc -l | tr -d ' ')"
assert_eq "m1 manager M1|s1 specialist M2|s2 specialist M3" \
    "$(t list-panes -t =layout1: -F '#{agent_pane_label} #{agent_pane_role} #{agent_pane_id}' | paste -sd '|')"
assert_eq "L1: session=layout1 template=1m+2s group=layout1 state=creating panes=3 (creating 3)" \
    "$(t list-agent-layouts)"
# Managed panes keep their output after exit and show their label in the border.
assert_eq "on on on" "$(t list-panes -t =layout1: -F '#{remain-on-exit}' | paste -sd ' ')"
assert_eq "top" "$(t show-options -wv -t =layout1: pane-border-status)"
run t new-agent-layout -d -e manager=cat -e specialist=cat
assert_eq "layout1 layout2" "$(sessions)"

test_case "-P prints the layout id; -F formats it"
run t new-agent-layout -d -P -s pp -e manager=cat -e specialist=cat
assert_eq 0 "$RC"
assert_eq "L3" "$OUT"
run t newal -dP -s pf -T 2m+2s -F '#{agent_layout_id}|#{agent_layout_session}|#{agent_layout_template}|#{agent_layout_group}|#{agent_layout_panes}|#{agent_layout_replay}|#{agent_layout_key}|#{session_name}' -e manager=cat -e specialist=cat
assert_eq "L4|pf|2m+2s|pf|4|0||pf" "$OUT"

test_case "-g: the group defaults to the session name and the session joins it"
assert_eq "pf" "$(t display -p -t =pf: '#{agent_group}')"
assert_eq "pf|1|layout" "$(t display -p -t =pf: '#{agent_layout_group}|#{agent_is_agent}|#{agent_type}')"
run t agent-peers -t pf
assert_contains "Coordination Group: pf" "$OUT"
assert_contains "Peers: None (only session in group)" "$OUT"
assert_ok t newal -d -s crew1 -g crew -e manager=cat -e specialist=cat
assert_ok t newal -d -s crew2 -g crew -e manager=cat -e specialist=cat
assert_eq "crew crew" "$(t display -p -t =crew1: '#{agent_group}') $(t display -p -t =crew2: '#{agent_group}')"
run t apeers -t crew2
assert_contains "Coordination Group: crew" "$OUT"
assert_contains "  - crew1 (type: layout" "$OUT"
assert_eq "crew 2" "$(t list-agent-groups -F '#{group_name} #{group_members}' -f '#{==:#{group_name},crew}')"
assert_eq "crew|crew" "$(t lsal -F '#{agent_layout_group}' -f '#{m:crew*,#{agent_layout_session}}' | paste -sd '|')"

test_case "-k: a second create with the same key is a replay and creates nothing"
run t newal -d -P -k job-1 -s k1 -e manager=cat -e specialist=cat
assert_eq 0 "$RC"
kid=$OUT
assert_match '^L[0-9]+$' "$kid"
before_s=$(sessions) before_l=$(layouts) before_p=$(t list-panes -a | wc -l)
run t newal -d -k job-1 -s k2 -T 2m+2s
assert_eq 0 "$RC"
assert_eq "$kid (replay of idempotency key job-1)" "$OUT"
assert_eq "$before_s" "$(sessions)" "no session k2"
assert_eq "$before_l" "$(layouts)" "no new layout"
assert_eq "$before_p" "$(t list-panes -a | wc -l)" "no new pane"
run t newal -d -P -F '#{agent_layout_id} #{agent_layout_replay} #{agent_layout_session} #{agent_layout_key}' -k job-1
assert_eq "$kid 1 k1 job-1" "$OUT"
assert_eq "$before_l" "$(layouts)"
# Once that layout is gone, the key makes a new one.
assert_ok t kill-agent-layout -t "$kid"
run t newal -d -P -k job-1 -s k3 -e manager=cat -e specialist=cat
assert_eq 0 "$RC"
assert_ne "$kid" "$OUT"
assert_eq "k3" "$(t lsal -F '#{agent_layout_session}' -f '#{==:#{agent_layout_key},job-1}')"

test_case "-s: an existing session is an error, never a silent rename"
t new-session -d -s taken cat
before_s=$(sessions) before_l=$(layouts)
assert_error_contains "duplicate session: taken" t newal -d -s taken
assert_eq 1 "$RC"
assert_eq "$before_s" "$(sessions)"
assert_eq "$before_l" "$(layouts)"
# The same for a layout's own session.
assert_error_contains "duplicate session: pf" t newal -d -s pf -T 2m+2s
assert_eq "$before_s" "$(sessions)"
assert_eq "$before_l" "$(layouts)"
assert_eq "1" "$(t list-panes -t =taken: | wc -l | tr -d ' ')" "the existing session is untouched"
assert_eq "" "$(t display -p -t =taken: '#{agent_layout_id}')"

test_case "-c: every pane starts in the start directory"
mkdir -p "$TEST_DIR/work dir"
assert_ok t newal -d -s cd -c "$TEST_DIR/work dir" -e manager=cat -e specialist=cat
assert_eq "$(printf '%s\n' "$TEST_DIR/work dir" "$TEST_DIR/work dir" "$TEST_DIR/work dir")" \
    "$(t list-panes -t =cd: -F '#{pane_start_path}')"
wait_for "[ \"\$(t list-panes -t =cd: -F '#{pane_current_path}' | sort -u)\" = '$TEST_DIR/work dir' ]" 5
assert_eq "$TEST_DIR/work dir" "$(t list-panes -t =cd: -F '#{pane_current_path}' | sort -u)"

test_case "-e role=command overrides the template's command for that role"
assert_ok t define-agent-template crewt 'lead:1:sleep 1000' 'dev:2:sleep 1001'
assert_ok t newal -d -s ov -T crewt -e dev=cat
assert_eq '["l1 lead sleep 1000","d1 dev cat","d2 dev cat"]' \
    "$(t lsap -t ov -J | jq -c '[.panes[] | "\(.label) \(.role) \(.command)"]')"
assert_eq "cat cat" "$(t list-panes -t =ov: -F '#{agent_pane_role} #{pane_start_command}' | awk '$1 == "dev" { print $2 }' | paste -sd ' ')"
# A built-in has no commands: only the overridden role gets one.
assert_ok t newal -d -s ov2 -e specialist=cat
assert_eq '[null,"cat","cat"]' "$(t lsap -t ov2 -J | jq -c '[.panes[].command]')"
# Overrides do not change the template.
assert_eq "crewt: lead:1:sleep 1000 dev:2:sleep 1001 (3 panes, layout tiled)" \
    "$(t list-agent-templates | grep '^crewt')"

test_case "without -d and without a terminal: an error, and nothing is created"
# As upstream new-session: it cannot attach, so it must not create.
before_s=$(sessions) before_l=$(layouts)
assert_error_contains "not a terminal" t newal -s noterm -e manager=cat -e specialist=cat
assert_eq "$before_s" "$(sessions)" "no session noterm"
assert_eq "$before_l" "$(layouts)" "no new layout"

test_case "-c expands formats, as upstream's -c does"
mkdir -p "$TEST_DIR/fmtdir/sub"
t new-session -d -s fmtbase -c "$TEST_DIR/fmtdir" cat
# pane_current_path is the pane process's directory: the forked child
# changes to it after the fork, so wait for it before expanding it.
wait_for "[ \"\$(t display -p -t =fmtbase: '#{pane_current_path}')\" = '$TEST_DIR/fmtdir' ]" 5
printf '%s\n' 'new-agent-layout -d -s fmtlay -e manager=cat -e specialist=cat -c "#{pane_current_path}/sub"' |
    "$TMUX_BIN" -S "$SOCK" -f /dev/null -C attach -t =fmtbase >/dev/null
wait_for "[ -n \"\$(t lsap -t fmtlay -F x 2>/dev/null)\" ]" 5
wait_for "[ \"\$(t lsap -t fmtlay -F '#{pane_current_path}' | sort -u)\" = '$TEST_DIR/fmtdir/sub' ]" 5
assert_eq "$TEST_DIR/fmtdir/sub" "$(t lsap -t fmtlay -F '#{pane_current_path}' | sort -u)" "every pane starts in the expanded directory"
assert_error_contains "invalid start directory: empty" t new-agent-layout -d -s fmtbad -c '#{?1,,}'
assert_fails t has-session -t =fmtbad

test_case "without -d the new layout is attached (pty client)"
# Last in this file, with tmux commands under a timeout: should the server
# hang, the other cases have run and this one fails in seconds.
tt() { timeout 3 "$TMUX_BIN" -S "$SOCK" -f /dev/null "$@"; }
pty_start att "$TMUX_BIN" -S "$SOCK" new-agent-layout -s att -e manager=cat -e specialist=cat
wait_for "grep -aq 's2 (specialist)' '$TEST_DIR/att.out' || [ -s '$TEST_DIR/att.status' ]" 5
assert_contains "m1 (manager)" "$(pty_output att)" "the client draws the layout"
run tt list-clients -F '#{session_name}'
if assert_eq "0 att" "$RC $OUT" "a client attached to att (exit status, sessions)"; then
	assert_ok tt detach-client -s att
	assert_eq 0 "$(pty_wait att 3)"
	run tt list-panes -t =att: -F '#{agent_pane_label}'
	assert_eq "m1 s1 s2" "$(paste -sd ' ' <<<"$OUT")"
fi
