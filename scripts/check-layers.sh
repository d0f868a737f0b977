#!/usr/bin/env bash
# The layering rule of the Rust code, checked (called by `make lint`):
#
#   cmds/ -> src/server/ -> { src/agent/ (domain), src/tmux/ (facade over C) }
#
# - `unsafe`, `#[no_mangle]` and `extern "C"` appear only under src/tmux/
#   (the crate roots also `#![deny(unsafe_code)]`, with an allow on `mod tmux`
#   only), and only src/tmux names the raw bindings (`sys::`);
# - src/tmux never names the server or the commands: it reaches them only
#   through the handler table the server installs at start-up; of the domain
#   it names only the errors it reports (`AgentError`, quoted with `Bare`);
# - src/server never names the commands;
# - src/agent names neither tmux, the server nor the raw bindings;
# - src/ids.rs (the typed ids every layer shares) names nothing of the crate;
# - mcp/ (the agent-tmux-mcp binary, a crate of its own) names nothing of the
#   agent_tmux crate: it reaches the server only through tmux's protocol
#   (control mode and tmux client processes), as any other client does.
# - the persistent store's thread (src/server/store/db.rs, writer.rs) names
#   neither the facade nor the server's state: it runs beside tmux's event
#   loop and must never call into tmux (only src/server/store/mod.rs, on the
#   event loop, talks to both).
#
# Comments are ignored (`//` to end of line), so prose may name anything.
# Exits non-zero with one line per violation.
set -u
cd "$(dirname "$0")/.."

fail=0
report() { # file, rule
    echo "check-layers: $1: $2" >&2
    fail=1
}

# Print "LINE: CODE" for the lines of file $2 whose code (comments removed)
# matches the Perl regex $1. A `use` statement spread over several lines is
# matched as one line (reported at its first line).
matches() {
    perl -0777 -e '
        my ($re, $file) = @ARGV;
        open my $fh, "<", $file or die "$file: $!";
        local $/;
        my @lines = split /\n/, <$fh>, -1;
        s{//.*}{} for @lines;
        for (my $i = 0; $i < @lines; $i++) {
            my ($n, $code) = ($i + 1, $lines[$i]);
            if ($code =~ /^\s*(pub(\([^)]*\))?\s+)?use\b/) {
                while ($code !~ /;/ && $i + 1 < @lines) {
                    $code .= " " . $lines[++$i];
                }
            }
            print "$n: $code\n" if $code =~ /$re/;
        }
    ' "$1" "$2"
}

check() { # rule, regex, files...
    local rule=$1 re=$2 f hit
    shift 2
    for f in "$@"; do
        while IFS= read -r hit; do
            [ -n "$hit" ] && report "$f:${hit%%:*}" "$rule"
        done < <(matches "$re" "$f")
    done
}

rs_files() { # directories...
    find "$@" -name '*.rs' -not -path '*/target/*' 2>/dev/null | sort
}

outside_tmux=$(rs_files src cmds fuzz tests mcp build.rs | grep -v '^src/tmux/')
# shellcheck disable=SC2086
check "unsafe code outside src/tmux" '\bunsafe\b' $outside_tmux
# shellcheck disable=SC2086
check "#[no_mangle] or extern \"C\" outside src/tmux" 'no_mangle|\bextern\s+"C"' $outside_tmux
# shellcheck disable=SC2086
check "raw bindings (sys::) named outside src/tmux" '(?<![\w:])(crate::)?(tmux::)?sys::' $outside_tmux

crate_of() { echo 'crate\s*::\s*(\{[^;]*\b)?'"$1"'\b'; }
# shellcheck disable=SC2046
check "src/tmux names the server or the commands" "$(crate_of '(server|cmds|events|formats|activity|typing)')" $(rs_files src/tmux)
# shellcheck disable=SC2046
check "src/tmux names the domain beyond its errors" 'agent_tmux\s*::\s*agent\b(?!\s*::\s*(\{\s*AgentError\s*,\s*Bare\s*\}|AgentError\b|Bare\b))' $(rs_files src/tmux)
# shellcheck disable=SC2046
check "src/server names the commands" "$(crate_of cmds)|\bsuper\s*::\s*cmds\b" $(rs_files src/server)
# shellcheck disable=SC2046
check "src/agent names tmux, the server or the raw bindings" "$(crate_of '(tmux|server|sys)')|\b(tmux|server|sys)::" $(rs_files src/agent)

check "src/ids.rs names another module of the crate" "$(crate_of '(agent|tmux|server|cmds|sys)')|\\b(agent|tmux|server|cmds|sys)::" src/ids.rs

check "the store's thread names tmux or the server's state" "$(crate_of '(tmux|server)')|\\bsuper\\s*::\\s*super\\b|\\b(tmux|state|sys)::" src/server/store/db.rs src/server/store/writer.rs

# shellcheck disable=SC2046
check "mcp/ names the agent_tmux crate (it talks to the server only through tmux's protocol)" '\bagent_tmux\s*::|\bextern\s+crate\s+agent_tmux\b' $(rs_files mcp)

for root in src/main.rs src/lib.rs mcp/src/main.rs; do
    grep -q '^#!\[deny(unsafe_code)\]' "$root" || report "$root" "missing #![deny(unsafe_code)]"
done
# Exactly one allow of unsafe code: on `mod tmux;` in src/main.rs.
allows=$(grep -rn --include='*.rs' 'allow(unsafe_code)' src cmds)
expected=$(grep -n -x -A1 '#\[allow(unsafe_code)\]' src/main.rs | grep -c -x '[0-9]*-mod tmux;')
if [ "$(printf '%s\n' "$allows" | grep -c .)" -ne 1 ] || [ "$expected" -ne 1 ]; then
    report "src/main.rs" "#[allow(unsafe_code)] must be on \`mod tmux;\` only; found: ${allows:-none}"
fi

if [ "$fail" -ne 0 ]; then
    echo "check-layers: FAILED (the rule is at the top of scripts/check-layers.sh)" >&2
    exit 1
fi
echo "check-layers: ok"
