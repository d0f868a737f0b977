# Layout templates: the built-in 1m+2s and 2m+2s (pane geometry, labels,
# roles), list-agent-templates (text, -F, -J), define-agent-template with a
# layout name (-l even-vertical) and with a layout string taken from a real
# window's #{window_layout}, role commands, redefinition, -f for built-ins,
# -u, and refused definitions changing nothing.
. "$(dirname "$0")/lib.sh"

start_server

# geom SESSION: one line per pane, "left top width height label".
geom() {
	t list-panes -t "=$1:" -F '#{pane_left} #{pane_top} #{pane_width} #{pane_height} #{agent_pane_label}'
}
# tj JQ-FILTER: list-agent-templates -J through jq.
tj() { t list-agent-templates -J | jq -c "$1"; }

test_case "1m+2s: m1 on the left half, s1 and s2 stacked on the right"
assert_ok t new-agent-layout -d -s one -e manager=cat -e specialist=cat
# 80x24 window, borders at the top of each pane (pane-border-status top):
# m1 alone in the left column over the full height, s1 above s2 in the
# right column.
read -r ml mt mw mh _ <<<"$(geom one | awk '$5 == "m1"')"
read -r s1l s1t s1w _ <<<"$(geom one | awk '$5 == "s1"')"
read -r s2l s2t s2w _ <<<"$(geom one | awk '$5 == "s2"')"
assert_eq "0 1 23" "$ml $mt $mh" "m1 starts at the left edge, full height"
assert_eq 1 "$((s1l == mw + 1 && s2l == mw + 1))" "s1/s2 right of m1"
assert_eq 1 "$((s1t < s2t && s1w == s2w))" "s1 above s2, same width"
assert_eq 1 "$((mw * 2 + 1 >= 79 && mw * 2 + 1 <= 81))" "m1 is half the width (got $mw)"
# It is main-vertical as tmux lays it out: applying main-vertical again
# (as agent-pane-recreate does) changes nothing.
shape=$(geom one)
t select-layout -t =one: main-vertical
assert_eq "$shape" "$(geom one)" "1m+2s is what select-layout main-vertical gives"
assert_eq "m1 manager|s1 specialist|s2 specialist" \
    "$(t list-panes -t =one: -F '#{agent_pane_label} #{agent_pane_role}' | paste -sd '|')"
# Each pane is titled with its label.
assert_eq "m1 s1 s2" "$(t list-panes -t =one: -F '#{pane_title}' | paste -sd ' ')"

test_case "2m+2s: managers above, specialists below"
assert_ok t new-agent-layout -d -s two -T 2m+2s -e manager=cat -e specialist=cat
assert_eq "$(printf '0 1 39 10 m1\n40 1 40 10 m2\n0 12 39 12 s1\n40 12 40 12 s2')" "$(geom two)"
mtop=$(geom two | awk '$5 ~ /^m/ { print $2 }' | sort -u)
stop=$(geom two | awk '$5 ~ /^s/ { print $2 }' | sort -u)
assert_eq "1 1" "$(wc -l <<<"$mtop") $(wc -l <<<"$stop")" "managers share a row, specialists share a row"
assert_eq 1 "$((mtop < stop))" "manager row ($mtop) above specialist row ($stop)"
assert_eq "m1 manager|m2 manager|s1 specialist|s2 specialist" \
    "$(t list-panes -t =two: -F '#{agent_pane_label} #{agent_pane_role}' | paste -sd '|')"
assert_eq "2m+2s" "$(t display -p -t =two: '#{agent_layout_template}')"

test_case "list-agent-templates: the built-ins, text and -J"
run t list-agent-templates
assert_eq 0 "$RC"
assert_eq "$(printf '%s\n' \
    "1m+2s: manager:1 specialist:2 (3 panes, layout main-vertical, built in)" \
    "2m+2s: manager:2 specialist:2 (4 panes, layout tiled, built in)")" "$OUT"
assert_eq '["1m+2s","2m+2s"]' "$(tj '[.templates[].name]')"
assert_eq '{"name":"1m+2s","layout":"main-vertical","builtin":true,"panes":3,"labels":["m1","s1","s2"]}' \
    "$(tj '.templates[0] | {name, layout, builtin, panes, labels}')"
assert_eq '[{"role":"manager","count":2,"command":null},{"role":"specialist","count":2,"command":null}]' \
    "$(tj '.templates[1].roles')"
assert_eq '["m1","m2","s1","s2"]' "$(tj '.templates[1].labels')"
assert_eq "1m+2s 3 1|2m+2s 4 1" \
    "$(t list-agent-templates -F '#{template_name} #{template_panes} #{template_builtin}' | paste -sd '|')"

test_case "a user template with a layout name and role commands"
assert_ok t define-agent-template -l even-vertical ev 'worker:3:cat'
assert_eq "" "$ERR"
assert_eq "ev: worker:3:cat (3 panes, layout even-vertical)" \
    "$(t list-agent-templates | grep '^ev:')"
assert_eq '{"name":"ev","layout":"even-vertical","builtin":false,"panes":3,"labels":["w1","w2","w3"]}' \
    "$(tj '.templates[] | select(.name == "ev") | {name, layout, builtin, panes, labels}')"
assert_ok t new-agent-layout -d -s evs -T ev
# even-vertical: full-width panes stacked top to bottom.
assert_eq "0 80 w1|0 80 w2|0 80 w3" \
    "$(geom evs | awk '{ print $1, $3, $5 }' | paste -sd '|')"
tops=$(geom evs | awk '{ print $2 }' | paste -sd ' ')
assert_match '^1 [0-9]+ [0-9]+$' "$tops"
read -r a b c <<<"$tops"
assert_eq 1 "$((a < b && b < c))" "w1 above w2 above w3 (tops $tops)"
# The role command runs in every pane of the role.
assert_eq "cat cat cat" "$(t list-panes -t =evs: -F '#{pane_start_command}' | paste -sd ' ')"
assert_eq '["cat","cat","cat"]' \
    "$(t lsap -t evs -J | jq -c '[.panes[].command]')"
assert_eq "ev" "$(t lsal -F '#{agent_layout_template}' -f '#{==:#{agent_layout_session},evs}')"

test_case "a user template with a layout string from a real window"
t new-session -d -s src -x 80 -y 24 cat
t split-window -t =src: -h -l 30 cat
t split-window -t =src:0.1 -v cat
t set-option -w -t =src: pane-border-status top
want=$(t list-panes -t =src: -F '#{pane_left} #{pane_top} #{pane_width} #{pane_height}')
lay=$(t display -p -t =src: '#{window_layout}')
assert_match '^[0-9a-f]{4},80x24,0,0\{' "$lay"
assert_ok t define-agent-template -l "$lay" custom 'lead:1:cat' 'dev:2:cat'
assert_eq "custom: lead:1:cat dev:2:cat (3 panes, layout $lay)" \
    "$(t list-agent-templates | grep '^custom:')"
assert_ok t new-agent-layout -d -s cus -T custom
assert_eq "$want" "$(t list-panes -t =cus: -F '#{pane_left} #{pane_top} #{pane_width} #{pane_height}')" \
    "panes laid out as the source window"
assert_eq "l1 d1 d2" "$(t list-panes -t =cus: -F '#{agent_pane_label}' | paste -sd ' ')"
# A layout string for another number of panes is refused.
assert_error_contains "layout has 3 panes but the template has 2" \
    t define-agent-template -l "$lay" custom2 'lead:1' 'dev:1'

test_case "redefining a user template replaces it"
assert_ok t define-agent-template mine 'alpha:1:cat'
assert_ok t define-agent-template mine 'beta:2:cat'
assert_eq "mine: beta:2:cat (2 panes, layout tiled)" "$(t list-agent-templates | grep '^mine')"
assert_eq 1 "$(t list-agent-templates -J | jq '[.templates[] | select(.name == "mine")] | length')"
assert_ok t new-agent-layout -d -s mn -T mine
assert_eq "b1 beta|b2 beta" "$(t list-panes -t =mn: -F '#{agent_pane_label} #{agent_pane_role}' | paste -sd '|')"

test_case "labels use full role names when first characters clash"
assert_ok t define-agent-template rev 'reviewer:2' 'runner:1'
assert_eq '["reviewer1","reviewer2","runner1"]' "$(tj '.templates[] | select(.name == "rev") | .labels')"

test_case "a built-in is replaced only with -f, and -u restores it"
before=$(t list-agent-templates -J)
assert_error_contains "template 1m+2s is built in: use -f to override it" \
    t define-agent-template 1m+2s 'solo:1:cat'
assert_eq "$before" "$(t list-agent-templates -J)" "refused: nothing changed"
assert_ok t define-agent-template -f 1m+2s 'solo:1:cat'
assert_eq "1m+2s: solo:1:cat (1 pane, layout tiled)" "$(t list-agent-templates | grep '^1m+2s')"
assert_eq false "$(tj '.templates[] | select(.name == "1m+2s") | .builtin')"
assert_ok t new-agent-layout -d -s over
assert_eq "s1 solo" "$(t list-panes -t =over: -F '#{agent_pane_label} #{agent_pane_role}')"
assert_ok t define-agent-template -u 1m+2s
assert_eq "1m+2s: manager:1 specialist:2 (3 panes, layout main-vertical, built in)" \
    "$(t list-agent-templates | grep '^1m+2s')"
assert_error_contains "template 1m+2s is built in and can't be undefined" \
    t define-agent-template -u 1m+2s
assert_error_contains "template 2m+2s is built in and can't be undefined" \
    t define-agent-template -u 2m+2s
# The layout made from the overriding template keeps its record.
assert_eq "1m+2s 1" "$(t lsal -F '#{agent_layout_template} #{agent_layout_panes}' -f '#{==:#{agent_layout_session},over}')"

test_case "-u removes a user template"
assert_ok t define-agent-template -u mine
assert_eq "" "$(t list-agent-templates | grep '^mine')"
assert_error_contains "unknown template: mine" t new-agent-layout -d -s gone -T mine
assert_error_contains "unknown template: mine" t define-agent-template -u mine
assert_error_contains "-u takes only a template name" t define-agent-template -u ev 'x:1'
assert_error_contains "-u takes only a template name" t define-agent-template -u -l tiled ev
assert_eq "ev" "$(tj '.templates[] | select(.name == "ev") | .name' | tr -d '"')" "ev still defined"

test_case "refused definitions change nothing"
before=$(t list-agent-templates -J)
assert_error_contains 'invalid count for role a: "0" (allowed: 1 to 16)' t define-agent-template bad 'a:0'
assert_error_contains 'invalid count for role b: "17" (allowed: 1 to 16)' t define-agent-template bad 'b:17'
assert_error_contains 'too many panes: 17 (limit 16)' t define-agent-template bad 'a:10' 'b:7'
assert_error_contains 'duplicate role: a' t define-agent-template bad 'a:1' 'a:2'
assert_error_contains 'invalid template name: "a b"' t define-agent-template 'a b' 'a:1'
assert_error_contains 'invalid role name: "a+b"' t define-agent-template bad 'a+b:1'
assert_error_contains 'invalid role spec: "manager" (expected role:count[:command])' \
    t define-agent-template bad manager
assert_error_contains 'no roles: give at least one role:count' t define-agent-template bad
assert_error_contains 'empty command for role a' t define-agent-template bad 'a:1:'
assert_error_contains 'invalid layout: "bogus"' t define-agent-template -l bogus bad 'a:1'
# Redefining an existing template with bad input leaves the old definition.
assert_error_contains 'invalid count for role worker: "0"' t define-agent-template ev 'worker:0'
assert_eq "$before" "$(t list-agent-templates -J)"
assert_eq 16 "$(t define-agent-template max 'a:8' 'b:8' && tj '.templates[] | select(.name == "max") | .panes')"
