# Bad input to every agent command, as one table: empty, over-long, control
# characters, invalid UTF-8, '='-less pairs, huge values, unknown targets,
# targets of the wrong type and too many arguments. Every row must fail with
# exit status 1, print its one-line error (the exact text below) on stderr and
# nothing on stdout, and leave the whole agent state as it was: sessions,
# panes, agents, groups and contexts, layouts and managed panes (removed ones
# too), templates and waiters.
. "$(dirname "$0")/lib.sh"

# rep CHAR N: CHAR repeated N times.
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }

NAME='(allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)'
TYPE='(allowed: A-Z a-z 0-9 _ . -, 1 to 32 characters)'
TNAME='(allowed: A-Z a-z 0-9 _ . + -, 1 to 64 characters)'
LAYOUTS='(not a layout name (even-horizontal, even-vertical, main-horizontal, main-horizontal-mirrored, main-vertical, main-vertical-mirrored, tiled) or layout string)'

# --- fixture ---------------------------------------------------------------------
# a and b: agents in group g1 (a coordinates), context key seed; solo: an
# agent in no group; plain: not an agent. review: a user template. lay (L1):
# a live layout whose M3 was removed and recreated as M7; gone (L2): a killed
# layout, its panes M4-M6 removed. a has one unread message. dead: a pane
# whose program exited; noinput: a pane with input disabled.
start_server
t set -g @agent-settle-time 0
for s in a b solo plain; do new_detached "$s" cat; done
t ajoin -t a g1 >/dev/null
t ajoin -t b g1 >/dev/null
t ashare -t a seed=1 >/dev/null
t set-agent -t solo -G solo
t define-agent-template review author:1:cat reviewer:2
t new-agent-layout -d -s lay -e manager=cat -e specialist=cat
t new-agent-layout -d -s gone -e manager=cat -e specialist=cat
t kill-agent-layout -t gone >/dev/null
t agent-pane-remove -t M3 >/dev/null
t agent-pane-recreate -t M3 cat >/dev/null
t agent-send -t a seeded >/dev/null
t set -g remain-on-exit on
t new-session -d -s dead -x 80 -y 24 'exit 3'
new_detached noinput cat
t select-pane -d -t =noinput:
wait_for "[ \"\$(t lsap -F '#{agent_pane_state}' | sort -u)\" = ready ]" 5
wait_for "[ \"\$(t display -p -t =dead: '#{pane_dead}')\" = 1 ]" 5
# Only now: remain-on-exit is read when the pane's program exits.
t set -g remain-on-exit off
PLAIN_PANE=$(t display -p -t =plain: '#{pane_id}')
SOLO_PANE=$(t display -p -t =solo: '#{pane_id}')
DEAD_PANE=$(t display -p -t =dead: '#{pane_id}')
NOINPUT_PANE=$(t display -p -t =noinput: '#{pane_id}')
ONE_PANE_LAYOUT=$(t display -p -t =plain: '#{window_layout}')

# Values too long for a command line (the client refuses arguments over
# 16 KiB with "command too long") go through source-file.
printf 'agent-share -t a -k big -v "%s"\n' "$(rep v 65537)" >"$TEST_DIR/value.conf"
printf "agent-share -j -t a -k big -v '\"%s\"'\n" "$(rep j 65535)" >"$TEST_DIR/json.conf"
printf 'set-agent -t a -o "%s"\n' "$(rep g 20000)" >"$TEST_DIR/goal.conf"
printf 'agent-send -t a "%s"\n' "$(rep m 65537)" >"$TEST_DIR/message.conf"
printf 'agent-prompt -t a "%s"\n' "$(rep m 65537)" >"$TEST_DIR/prompt.conf"

# --- the table -------------------------------------------------------------------
# row GROUP ERROR ARGV...: running tmux ARGV must fail with ERROR in stderr.
GROUPS_=() ERRORS=() ARGVS=()
row() {
	GROUPS_+=("$1") ERRORS+=("$2")
	ARGVS+=("$(printf '%q ' "${@:3}")")
}

#   group        error text                                                  command
row set-agent    "invalid agent type: \"\" $TYPE"                            set-agent -t a -G ''
row set-agent    "invalid agent type: \"$(rep t 33)\" $TYPE"                 set-agent -t a -G "$(rep t 33)"
row set-agent    'invalid agent type: "ty\u{1}pe"'                           set-agent -t a -G $'ty\x01pe'
row set-agent    'invalid agent type: "a=b"'                                 set-agent -t a -G a=b
row set-agent    "invalid UTF-8 at byte 1"                                   set-agent -t a -G $'a\xffb'
row set-agent    "goal contains a control character"                         set-agent -t a -o $'x\e[31my'
row set-agent    "goal contains a control character"                         set-agent -t a -o $'cr\r'
row set-agent    "invalid UTF-8 at byte 0"                                   set-agent -t a -o $'\xff'
row set-agent    "invalid UTF-8 at byte 2"                                   set-agent -t a -o $'ab\xc3'
row set-agent    "goal too long: 1025 bytes (limit 1024)"                    set-agent -t a -o "$(rep g 1025)"
row set-agent    "goal too long: 20000 bytes (limit 1024)"                   source-file "$TEST_DIR/goal.conf"
row set-agent    "-u cannot be combined with -G or -o"                       set-agent -t a -u -G x
row set-agent    "command set-agent: too many arguments (need at most 0)"    set-agent -t a -G x extra
row set-agent    "command set-agent: unknown flag -x"                        set-agent -x
row set-agent    "session 'plain' has no agent metadata"                     set-agent -u -t plain
row set-agent    "can't find session: nosuch"                                set-agent -t nosuch -G x
row set-agent    "can't find session: L1"                                    set-agent -t L1 -G x
row set-agent    "can't find session: \$999"                                 set-agent -t '$999' -G x

row show-agent   "session 'plain' has no agent metadata"                     show-agent -t plain
row show-agent   "command show-agent: too many arguments (need at most 0)"   show-agent -t a extra
row show-agent   "can't find session: M1"                                    show-agent -t M1
row show-agent   "can't find session: "$'\xff'                               show-agent -t $'\xff'

row list-agents  "command list-agents: too many arguments (need at most 0)"  list-agents extra
row list-agents  "command list-agents: unknown flag -t"                      list-agents -t a
row list-agents  "command list-agents: -F expects an argument"               list-agents -F

row join         "invalid group name: \"\" $NAME"                            agent-join-group -t solo -g ''
row join         "invalid group name: \"\" $NAME"                            agent-join-group -t solo ''
row join         "invalid group name: \"$(rep g 65)\" $NAME"                 agent-join-group -t solo "$(rep g 65)"
row join         "invalid group name: \"$(rep g 80)\"... $NAME"              agent-join-group -t solo "$(rep g 5000)"
row join         'invalid group name: "a\u{1b}[2J"'                          agent-join-group -t solo $'a\e[2J'
row join         'invalid group name: "g\tx"'                                agent-join-group -t solo $'g\tx'
row join         'invalid group name: "=g"'                                  agent-join-group -t a =g
row join         "invalid UTF-8 at byte 1"                                   agent-join-group -t plain $'g\xff'
row join         "give the group name once: -g group-name or group-name"     agent-join-group -t solo -g one two
row join         "no group name given"                                       agent-join-group -t solo
row join         "command agent-join-group: too many arguments (need at most 1)" agent-join-group -t solo one two
row join         "can't find session: nosuch"                                agent-join-group -t nosuch g
row join         "can't find window: @999"                                   agent-join-group -t @999 g

row leave        "session 'plain' has no agent metadata (it is not in a coordination group)" agent-leave-group -t plain
row leave        "session 'solo' is not in a coordination group"             agent-leave-group -t solo
row leave        "command agent-leave-group: too many arguments (need at most 0)" agent-leave-group -t a g1
row leave        "can't find session: nosuch"                                agent-leave-group -t nosuch

row share        "invalid key=value pair (no '='): "                         agent-share -t a ''
row share        "invalid key=value pair (no '='): novalue"                  agent-share -t a novalue
row share        "invalid key=value pair (no '='): no\u{1b}[2Jpair"            agent-share -t a $'no\e[2Jpair'
row share        "invalid key=value pair (no '='): $(rep p 80)..."           agent-share -t a "$(rep p 9000)"
row share        "invalid key: \"\" $NAME"                                   agent-share -t a =v
row share        "invalid key: \"$(rep k 65)\" $NAME"                        agent-share -t a "$(rep k 65)=v"
row share        'invalid key: "a b"'                                        agent-share -t a -k 'a b' -v v
row share        "invalid UTF-8 at byte 1"                                   agent-share -t a $'k\xff=v'
row share        "invalid UTF-8 at byte 2"                                   agent-share -t a $'k=\xff'
row share        "value contains a control character"                        agent-share -t a $'k=\e[2J'
row share        "value contains a control character"                        agent-share -t a -k k -v $'\u0085'
row share        "value too long: 65537 bytes (limit 65536)"                 source-file "$TEST_DIR/value.conf"
row share        "value too long: 65537 bytes (limit 65536)"                 source-file "$TEST_DIR/json.conf"
row share        "invalid JSON value: key must be a string at line 1 column 2" agent-share -t a -j 'k={bad'
row share        "invalid JSON value: EOF while parsing a value at line 1 column 0" agent-share -t a -j k=
row share        "give key=value, -k key -v value, or -u key"                agent-share -t a -j -u seed
row share        "give key=value, -k key -v value, or -u key"                agent-share -t a
row share        "key not found: nokey"                                      agent-share -t a -u nokey
row share        "-k needs -v value"                                         agent-share -t a -k k
row share        "-v needs -k key"                                           agent-share -t a -v v
row share        "command agent-share: too many arguments (need at most 1)"  agent-share -t a x=1 y=2
row share        "session 'plain' has no agent metadata (it is not in a coordination group)" agent-share -t plain k=v
row share        "session 'solo' is not in a coordination group"             agent-share -t solo k=v
row share        "can't find session: nosuch"                                agent-share -t nosuch k=v

row get          "command agent-get: too few arguments (need at least 1)"    agent-get -t a
row get          "command agent-get: too many arguments (need at most 1)"    agent-get -t a seed extra
row get          "key not found: nokey"                                      agent-get -t a nokey
row get          "invalid key: \"\" $NAME"                                   agent-get -t a ''
row get          "invalid key: \"seed=1\" $NAME"                             agent-get -t a seed=1
row get          "invalid UTF-8 at byte 0"                                   agent-get -t a $'\xff'
row get          "session 'solo' is not in a coordination group"             agent-get -t solo seed
row get          "can't find session: M1"                                    agent-get -t M1 seed

row peers        "session 'solo' is not in a coordination group"             agent-peers -t solo
row peers        "session 'plain' has no agent metadata (it is not in a coordination group)" agent-peers -t plain
row peers        "command agent-peers: too many arguments (need at most 0)"  agent-peers -t a b
row peers        "can't find pane: %999"                                     agent-peers -t %999
row peers        "can't find session: L1"                                    agent-peers -t L1

row groups       "command list-agent-groups: too many arguments (need at most 0)" list-agent-groups g1
row groups       "command list-agent-groups: unknown flag -t"                list-agent-groups -t a

row template     "command define-agent-template: too few arguments (need at least 1)" define-agent-template
row template     "invalid template name: \"\" $TNAME"                        define-agent-template '' r:1
row template     "invalid template name: \"$(rep n 65)\" $TNAME"             define-agent-template "$(rep n 65)" r:1
row template     'invalid template name: "a/b"'                              define-agent-template a/b r:1
row template     "invalid UTF-8 at byte 1"                                   define-agent-template $'n\xff' r:1
row template     "no roles: give at least one role:count"                    define-agent-template t1
row template     'invalid role spec: "" (expected role:count[:command])'     define-agent-template t1 ''
row template     'invalid role spec: "r" (expected role:count[:command])'    define-agent-template t1 r
row template     'invalid count for role r: "0" (allowed: 1 to 16)'          define-agent-template t1 r:0
row template     'invalid count for role r: "99999999999999999999" (allowed: 1 to 16)' define-agent-template t1 r:99999999999999999999
row template     "too many panes: 17 (limit 16)"                             define-agent-template t1 a:16 b:1
row template     "empty command for role r"                                  define-agent-template t1 r:1:
row template     "command contains a control character"                      define-agent-template t1 $'r:1:a\x01b'
row template     "command too long: 4097 bytes (limit 4096)"                 define-agent-template t1 "r:1:$(rep c 4097)"
row template     "invalid UTF-8 at byte 4"                                   define-agent-template t1 $'r:1:\xff'
row template     "duplicate role: r"                                         define-agent-template t1 r:1 r:2
row template     "duplicate pane label: a11"                                 define-agent-template t1 a:11 a1:1
row template     "invalid layout: \"nolayout\" $LAYOUTS"                     define-agent-template -l nolayout t1 r:1
row template     "invalid layout: \"\" $LAYOUTS"                             define-agent-template -l '' t1 r:1
row template     "layout has 1 panes but the template has 2"                 define-agent-template -l "$ONE_PANE_LAYOUT" t1 r:2
row template     "unknown template: nosuch"                                  define-agent-template -u nosuch
row template     "template 1m+2s is built in and can't be undefined"         define-agent-template -u 1m+2s
row template     "template 1m+2s is built in: use -f to override it"         define-agent-template 1m+2s r:1
row template     "-u takes only a template name"                             define-agent-template -u review r:1

row templates    "command list-agent-templates: too many arguments (need at most 0)" list-agent-templates review
row templates    "command list-agent-templates: unknown flag -t"             list-agent-templates -t a

row newal        "command new-agent-layout: too many arguments (need at most 0)" new-agent-layout -d extra
row newal        "unknown template: nosuch"                                  new-agent-layout -d -T nosuch
row newal        "invalid template name: \"\" $TNAME"                        new-agent-layout -d -T ''
row newal        "invalid UTF-8 at byte 0"                                   new-agent-layout -d -T $'\xff'
row newal        "invalid session name: \"\" $NAME"                          new-agent-layout -d -s ''
row newal        'invalid session name: "a:b"'                               new-agent-layout -d -s a:b
row newal        "invalid session name: \"$(rep s 65)\""                     new-agent-layout -d -s "$(rep s 65)"
row newal        "invalid UTF-8 at byte 0"                                   new-agent-layout -d -s $'\xff'
row newal        'invalid session name: "a\u{1b}[2J"'                        new-agent-layout -d -s $'a\e[2J'
row newal        "invalid session name: \"$(rep s 80)\"... $NAME"            new-agent-layout -d -s "$(rep s 9000)"
row newal        "duplicate session: plain"                                  new-agent-layout -d -s plain
row newal        "invalid group name: \"\" $NAME"                            new-agent-layout -d -g ''
row newal        'invalid idempotency key: "k\u{1}"'                         new-agent-layout -d -k $'k\x01'
row newal        "invalid idempotency key: \"$(rep k 65)\""                  new-agent-layout -d -k "$(rep k 65)"
row newal        "invalid -e (expected role=command): "                      new-agent-layout -d -e ''
row newal        "invalid role name: \"\" $NAME"                             new-agent-layout -d -e =cat
row newal        'invalid -e (expected role=command): x\u{1b}[2J'            new-agent-layout -d -e $'x\e[2J'
row newal        "invalid start directory: empty"                            new-agent-layout -d -s c1 -c ''
row newal        "start directory contains a control character"              new-agent-layout -d -s c1 -c $'/tmp\e[2J'
row newal        "start directory contains a control character"              new-agent-layout -d -s c1 -c $'/tmp\nx'
row newal        "unknown role in -e: qa"                                    new-agent-layout -d -e qa=cat
row newal        "duplicate role in -e: manager"                             new-agent-layout -d -e manager=a -e manager=b
row newal        "invalid UTF-8 at byte 8"                                   new-agent-layout -d -e $'manager=\xff'
row newal        "command contains a control character"                      new-agent-layout -d -e $'manager=a\x7fb'

row lsal         "command list-agent-layouts: too many arguments (need at most 0)" list-agent-layouts L1
row lsal         "command list-agent-layouts: unknown flag -t"               list-agent-layouts -t L1

row lsap         "can't find layout: L99"                                    list-agent-panes -t L99
row lsap         "can't find session: nosuch"                                list-agent-panes -t nosuch
row lsap         "session 'plain' has no agent layout"                       list-agent-panes -t plain
row lsap         "can't find session: M1"                                    list-agent-panes -t M1
row lsap         "can't find session: lay:m1"                                list-agent-panes -t lay:m1
row lsap         "command list-agent-panes: too many arguments (need at most 0)" list-agent-panes -t L1 extra

row remove       "can't find managed pane: M99"                              agent-pane-remove -t M99
row remove       "can't find pane m9 in layout L1"                           agent-pane-remove -t lay:m9
row remove       "can't find pane: L1"                                       agent-pane-remove -t L1
row remove       "can't find pane: M99999999999999999999"                    agent-pane-remove -t M99999999999999999999
row remove       "pane $PLAIN_PANE is not a managed agent pane"              agent-pane-remove -t "$PLAIN_PANE"
row remove       "invalid UTF-8 at byte 0"                                   agent-pane-remove -t $'\xff'
row remove       "command agent-pane-remove: too many arguments (need at most 0)" agent-pane-remove -t M1 M2

row recreate     "pane M1 is ready: only failed, degraded or removed panes can be recreated" agent-pane-recreate -t M1
row recreate     "M3 was already recreated as M7"                            agent-pane-recreate -t M3
row recreate     "layout L2 is removed: its panes can't be recreated"        agent-pane-recreate -t M4
row recreate     "can't find managed pane: M99"                              agent-pane-recreate -t M99 cat
row recreate     "pane $SOLO_PANE is not a managed agent pane"               agent-pane-recreate -t solo
row recreate     "can't find pane: L1"                                       agent-pane-recreate -t L1
row recreate     "empty command for role manager"                            agent-pane-recreate -t M1 ''
row recreate     "command contains a control character"                      agent-pane-recreate -t M1 $'a\nb'
row recreate     "invalid UTF-8 at byte 0"                                   agent-pane-recreate -t M1 $'\xff'
row recreate     "invalid idempotency key: \"\" $NAME"                       agent-pane-recreate -k '' -t M1
row recreate     "command agent-pane-recreate: too many arguments (need at most 1)" agent-pane-recreate -t M1 a b

row kill         "layout L2 is already removed"                              kill-agent-layout -t L2
row kill         "can't find layout: L99"                                    kill-agent-layout -t L99
row kill         "session 'plain' has no agent layout"                       kill-agent-layout -t "$PLAIN_PANE"
row kill         "can't find session: M1"                                    kill-agent-layout -t M1
row kill         "invalid UTF-8 at byte 0"                                   kill-agent-layout -t $'\xff'
row kill         "command kill-agent-layout: too many arguments (need at most 0)" kill-agent-layout -t L1 L1

row wait         "invalid timeout: 0 (seconds, more than 0)"                 agent-wait -T 0 -t a seed
row wait         "invalid timeout: -1 (seconds, more than 0)"                agent-wait -T -1 -t a seed
row wait         "invalid timeout:  (seconds, more than 0)"                  agent-wait -T '' -t a seed
row wait         "invalid timeout: 1.5s (seconds, more than 0)"              agent-wait -T 1.5s -t a seed
row wait         "invalid timeout: nan (seconds, more than 0)"               agent-wait -T nan -t a seed
row wait         "invalid timeout: 1000000001 (seconds, more than 0)"        agent-wait -T 1000000001 -t a seed
row wait         "invalid timeout: 1e300 (seconds, more than 0)"             agent-wait -T 1e300 -t a seed
row wait         'invalid timeout: 1\u{1b}[2J (seconds, more than 0)'        agent-wait -T $'1\e[2J' -t a seed
row wait         "no key given (or use -i or -m)"                            agent-wait -t a
row wait         "-i takes no key and no -c"                                 agent-wait -i -t a seed
row wait         "-i takes no key and no -c"                                 agent-wait -i -c -t a
row wait         "command agent-wait: too many arguments (need at most 1)"   agent-wait -t a seed extra
row wait         "invalid key: \"\" $NAME"                                   agent-wait -t a ''
row wait         "invalid UTF-8 at byte 0"                                   agent-wait -t a $'\xff'
row wait         "session 'solo' is not in a coordination group"             agent-wait -t solo seed
row wait         "can't find session: nosuch"                                agent-wait -t nosuch seed
row wait         "can't find pane: L1"                                       agent-wait -i -t L1

row new-session  "invalid agent type: \"\" $TYPE"                            new-session -d -s n1 -G '' cat
row new-session  "invalid agent type: \"$(rep t 33)\" $TYPE"                 new-session -d -s n1 -G "$(rep t 33)" cat
row new-session  "invalid UTF-8 at byte 0"                                   new-session -d -s n1 -G $'\xff' cat
row new-session  "goal contains a control character"                        new-session -d -s n1 -o $'a\x1b' cat
row new-session  "invalid UTF-8 at byte 1"                                   new-session -d -s n1 -o $'a\xfe' cat
row new-session  "goal too long: 1025 bytes (limit 1024)"                    new-session -d -s n1 -o "$(rep g 1025)" cat
row new-session  "duplicate session: a"                                      new-session -d -s a -G x -o y cat

row send         "message is empty"                                          agent-send -t a ''
row send         "message contains a control character"                      agent-send -t a $'a\x01b'
row send         "message contains a control character"                      asend -g g1 $'\e[2J'
row send         "invalid UTF-8 at byte 1"                                   agent-send -t a $'a\xffb'
row send         "message too long: 65537 bytes (limit 65536)"               source-file "$TEST_DIR/message.conf"
row send         "command agent-send: too few arguments (need at least 1)"   agent-send -t a
row send         "command agent-send: too many arguments (need at most 1)"   agent-send -t a hello world
row send         "-g and -t can't be used together"                          agent-send -g g1 -t a x
row send         "no receiver: give -t target-session or -g group"           agent-send x
row send         "can't find session: nosuch"                                agent-send -t nosuch x
row send         "can't find session: L1"                                    agent-send -t L1 x
row send         "can't find session: nosuch"                                agent-send -s nosuch -t a x
row send         "can't find session: \u{1b}[2J"                             agent-send -s $'\e[2J' -t a x
row send         "session 'plain' has no agent metadata"                     agent-send -t plain x
row send         "can't find group: nosuch"                                  agent-send -g nosuch x
row send         "invalid group name: \"\" $NAME"                            agent-send -g '' x
row send         "invalid group name: \"$(rep g 65)\" $NAME"                 asend -g "$(rep g 65)" x
row send         "group lay has no other member to send to"                  agent-send -s lay -g lay x
row send         "command agent-send: unknown flag -c"                       agent-send -c -t a x

row inbox        "invalid count: 0 (1 to 100000)"                            agent-inbox -c -n 0 -t a
row inbox        "invalid count: 100001 (1 to 100000)"                       agent-inbox -c -n 100001 -t a
row inbox        "invalid count: 99999999999999999999999 (1 to 100000)"      agent-inbox -n 99999999999999999999999 -t a
row inbox        "invalid count: -1 (1 to 100000)"                           ainbox -n -1 -t a
row inbox        "invalid count:  (1 to 100000)"                             ainbox -c -n '' -t a
row inbox        "invalid count: \u{1b}[2J (1 to 100000)"                    ainbox -n $'\e[2J' -t a
row inbox        "session 'plain' has no agent metadata"                     agent-inbox -c -t plain
row inbox        "can't find session: nosuch"                                agent-inbox -t nosuch
row inbox        "can't find session: M1"                                    agent-inbox -t M1
row inbox        "command agent-inbox: too many arguments (need at most 0)"  agent-inbox -c -t a extra
row inbox        "command agent-inbox: -F expects an argument"               agent-inbox -F

row wait-m       "-m takes no key"                                           agent-wait -m -t a seed
row wait-m       "-m takes no key"                                           agent-wait -mc -t a seeded
row wait-m       "-i and -m can't be used together"                          agent-wait -m -i -t a
row wait-m       "-i and -m can't be used together"                          agent-wait -mic -t a
row wait-m       "session 'plain' has no agent metadata"                     agent-wait -m -t plain
row wait-m       "can't find session: nosuch"                                agent-wait -mc -t nosuch
row wait-m       "invalid timeout: 0 (seconds, more than 0)"                 agent-wait -mc -T 0 -t a

row prompt       "prompt text is empty"                                      agent-prompt -t a ''
row prompt       "prompt text contains a control character"                  agent-prompt -t a $'a\x01b'
row prompt       "prompt text contains a control character"                  aprompt -t a $'\e[2J\r'
row prompt       "invalid UTF-8 at byte 0"                                   agent-prompt -t a $'\xff'
row prompt       "prompt text too long: 65537 bytes (limit 65536)"           source-file "$TEST_DIR/prompt.conf"
row prompt       "command agent-prompt: too few arguments (need at least 1)" agent-prompt -t a
row prompt       "command agent-prompt: too many arguments (need at most 1)" agent-prompt -t a hello world
row prompt       "invalid delay: 61 (seconds, 0 to 60)"                      agent-prompt -d 61 -t a x
row prompt       "invalid delay: -1 (seconds, 0 to 60)"                      agent-prompt -d -1 -t a x
row prompt       "invalid delay: nan (seconds, 0 to 60)"                     agent-prompt -d nan -t a x
row prompt       "invalid delay:  (seconds, 0 to 60)"                        agent-prompt -d '' -t a x
row prompt       "invalid delay: 1e999 (seconds, 0 to 60)"                   aprompt -d 1e999 -t a x
row prompt       "invalid delay: \u{1b}[2J (seconds, 0 to 60)"               aprompt -d $'\e[2J' -t a x
row prompt       "can't find pane: nosuch"                                   agent-prompt -t nosuch x
row prompt       "can't find pane: L1"                                       agent-prompt -t L1 x
row prompt       "can't find managed pane: M99"                              agent-prompt -t M99 x
row prompt       "invalid UTF-8 at byte 0"                                   agent-prompt -t $'\xff' x
row prompt       "pane $DEAD_PANE is dead: its program has exited"           agent-prompt -f -t dead x
row prompt       "pane $NOINPUT_PANE has input disabled (select-pane -e enables it)" agent-prompt -t noinput x
row prompt       "command agent-prompt: unknown flag -Z"                     agent-prompt -Z -t a x

# --- running it ------------------------------------------------------------------

# snapshot: everything the server shows about sessions, panes and agents,
# inboxes included, and what the panes a prompt could reach show.
snapshot() {
	t list-sessions -F '#{session_id} #{session_name}' \; \
	    list-panes -a -F '#{pane_id} #{session_name} #{pane_title} #{pane_dead}' \; \
	    list-agents -J \; list-agent-groups -J \; list-agent-layouts -a -J \; \
	    list-agent-panes -a -J \; list-agent-templates -J \; \
	    display -p 'waiters=#{agent_waiters}' \; \
	    list-agents -F '#{session_name} unread=#{agent_unread} dropped=#{agent_dropped}' \; \
	    agent-inbox -J -t =a \; agent-inbox -J -t =b \; agent-inbox -J -t =solo \; \
	    capture-pane -p -t =a: \; capture-pane -p -t =solo: \; capture-pane -p -t =noinput: 2>&1
}

before=$(snapshot)
group="" cases=0
for i in "${!ERRORS[@]}"; do
	if [ "${GROUPS_[$i]}" != "$group" ]; then
		group=${GROUPS_[$i]}
		cases=$((cases + 1))
		test_case "bad input: $group"
	fi
	eval "argv=(${ARGVS[$i]})"
	shown="${argv[*]}"
	[ ${#shown} -gt 100 ] && shown="${shown:0:100}..."
	assert_error_contains "${ERRORS[$i]}" t "${argv[@]}"
	assert_eq 1 "$RC" "exit status of: $shown"
	assert_eq "" "$OUT" "nothing on stdout from: $shown"
	assert_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "one line of error from: $shown"
	assert_eq "" "$(printf '%s' "$ERR" | LC_ALL=C tr -d '\n' | LC_ALL=C tr -dc '\000-\037\177' | od -An -c)" \
	    "no raw control character in the error from: $shown"
	after=$(snapshot)
	assert_eq "$before" "$after" "state unchanged after: $shown"
	before=$after
done

test_case "the table"
messaging=0
for g in "${GROUPS_[@]}"; do
	case $g in send | inbox | wait-m | prompt) messaging=$((messaging + 1)) ;; esac
done
echo "${#ERRORS[@]} rows in $cases groups ($((${#ERRORS[@]} - messaging)) before the messaging commands, $messaging for them)"
assert_ok test $((${#ERRORS[@]} - messaging)) -ge 60
# The fixture is still what it was: the server answers and the agents stand.
assert_eq "a:Coordinator b:Member solo:- lay:Coordinator" \
    "$(t lsa -F '#{session_name}:#{?agent_role,#{agent_role},-}' | tr '\n' ' ' | sed 's/ $//')"
