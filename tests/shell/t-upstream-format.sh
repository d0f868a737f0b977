# Upstream formats through display-message -p: session/window/pane variables,
# conditionals, comparisons, #{t:...} time, modifiers, #{version}; and
# `tmux -V`.
. "$(dirname "$0")/lib.sh"

test_case "tmux -V"
run "$TMUX_BIN" -V
assert_eq 0 "$RC"
assert_eq "tmux 3.5a" "$OUT"
assert_eq "" "$ERR"

new_detached fmt
t new-window -t fmt -n second

test_case "session, window and pane variables"
assert_eq fmt "$(t display -p -t fmt '#{session_name}')"
assert_eq 1 "$(t display -p -t fmt '#{window_index}')"
assert_eq 0 "$(t display -p -t fmt:0 '#{window_index}')"
assert_eq second "$(t display -p -t fmt:1 '#{window_name}')"
pane=$(t display -p -t fmt:1 '#{pane_id}')
assert_match '^%[0-9]+$' "$pane"
assert_eq "$pane" "$(t list-panes -t fmt:1 -F '#{pane_id}')"
assert_match '^\$[0-9]+$' "$(t display -p -t fmt '#{session_id}')"
assert_eq "fmt:1.0" "$(t display -p -t fmt '#{session_name}:#{window_index}.#{pane_index}')"
assert_eq "" "$(t display -p -t fmt '#{no_such_variable}')"

test_case "conditionals and comparisons"
assert_eq no "$(t display -p -t fmt '#{?session_attached,yes,no}')"
assert_eq match "$(t display -p -t fmt '#{?#{==:#{session_name},fmt},match,other}')"
assert_eq 1 "$(t display -p '#{==:a,a}')"
assert_eq 0 "$(t display -p '#{==:a,b}')"
assert_eq 1 "$(t display -p '#{!=:a,b}')"
assert_eq 1 "$(t display -p '#{&&:1,1}')"
assert_eq 0 "$(t display -p '#{||:0,0}')"
assert_eq 1 "$(t display -p '#{m:f*,fmt}')"
assert_eq "two" "$(t display -p -t fmt '#{?#{==:#{session_windows},2},two,other}')"

test_case "#{t:session_created}"
created=$(t display -p -t fmt '#{session_created}')
assert_match '^[0-9]+$' "$created"
now=$(date +%s)
assert_eq 1 "$(( created <= now && created > now - 60 ))" "created $created, now $now"
when=$(t display -p -t fmt '#{t:session_created}')
assert_match '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] [0-9]{4}$' "$when"
assert_eq "$(date -d "@$created" '+%a %b %e %H:%M:%S %Y')" "$when"

test_case "modifiers"
assert_eq "fm" "$(t display -p -t fmt '#{=2:session_name}')"
assert_eq "fXt" "$(t display -p -t fmt '#{s/m/X/:session_name}')"
assert_eq 3 "$(t display -p -t fmt '#{n:session_name}')"
assert_eq 5 "$(t display -p '#{e|+|:2,3}')"
assert_eq "#{session_name}" "$(t display -p '#{l:#{session_name}}')"
assert_eq "ü-é" "$(t display -p 'ü-é')"

test_case "#{version}"
assert_eq 3.5a "$(t display -p '#{version}')"
