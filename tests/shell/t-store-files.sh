# Bad store files: a missing store starts empty; a corrupt, truncated,
# foreign or newer-version file is never written or half-read: the error is
# in the server log and on agent-restore, the file is moved aside under a
# new name, and the server starts empty and works. A read-only file is read
# but never written. The directory is 0700 and the file 0600.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

# A store with one agent in it, closed cleanly; its path.
seed() {
	start_server
	t new-session -d -s seeded -G claude
	t agent-join-group -t seeded g >/dev/null
	t agent-share -q -t seeded k=v
	stop_server
	store_file
}

# bad_file_case LABEL EXPECTED-REASON: the store was damaged by the caller;
# check what a new server makes of it.
check_moved_aside() {
	local f=$1 reason=$2 copy
	copy="$TEST_DIR/damaged.copy"
	cp "$f" "$copy"
	"$TMUX_BIN" -S "$SOCK" -f /dev/null -v new-session -d -s fresh -G codex
	run t agent-restore
	assert_eq 1 "$RC" "agent-restore fails"
	assert_contains "unusable ($reason" "$ERR"
	assert_contains "moved to $f.bad-" "$ERR"
	aside=$(ls "$f".bad-* 2>/dev/null | grep -v -- '-wal$' | grep -v -- '-shm$' | head -1)
	assert_ne "" "$aside" "moved aside"
	cmp -s "$copy" "$aside" && _pass || _fail "the moved file is not the damaged one"
	# The server works, with an empty state and a new store.
	assert_eq fresh "$(t list-agents -F '#{session_name}')"
	t agent-join-group -t fresh g2 >/dev/null
	assert_eq g2 "$(t list-agent-groups -F '#{group_name}')"
	assert_contains "unusable" "$(cat "$TEST_DIR"/tmux-server-*.log)"
	stop_server
	run t agent-restore
	assert_contains "restored session fresh" "$OUT" "the new store works"
	stop_server
	rm -f "$TEST_DIR"/tmux-*.log
}

test_case "a missing store starts empty"
start_server
run t agent-restore
assert_eq 0 "$RC"
assert_eq "nothing to restore" "$OUT"
assert_eq 700 "$(stat -c %a "$XDG_STATE_HOME/agent-tmux")"
assert_eq 600 "$(stat -c %a "$(store_file)")"
stop_server

test_case "a corrupt store is moved aside"
f=$(seed)
# Garbage over everything after the header page.
$PYTHON -c "
import sys
p = sys.argv[1]
data = bytearray(open(p, 'rb').read())
for i in range(100, len(data)):
    data[i] = (i * 7) & 0xff
open(p, 'wb').write(data)
" "$f"
check_moved_aside "$f" ""

test_case "a truncated store is moved aside"
f=$(seed)
size=$(stat -c %s "$f")
truncate -s $((size / 2)) "$f"
check_moved_aside "$f" ""

test_case "a file that is not SQLite is moved aside"
f=$(seed)
echo "not a database at all, just some text that is long enough" >"$f"
check_moved_aside "$f" "not an SQLite database"

test_case "a foreign SQLite database is moved aside"
f=$(seed)
rm -f "$f" "$f-wal" "$f-shm"
$PYTHON -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('create table t (x)')
c.execute('insert into t values (1)')
c.commit()
" "$f"
check_moved_aside "$f" "not an agent-tmux store"

test_case "a store from a newer version is moved aside"
f=$(seed)
$PYTHON -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('pragma user_version = 99')
c.commit()
" "$f"
check_moved_aside "$f" "store format version 99 is newer"

test_case "a read-only store is read, never written"
f=$(seed)
chmod 0400 "$f"
sum=$(sha256sum "$f" | cut -d' ' -f1)
start_server
t new-session -d -s other -G codex
t agent-join-group -t other x >/dev/null
sleep 0.4
run t agent-restore
assert_eq 0 "$RC"
assert_contains "restored session seeded" "$OUT"
assert_eq v "$(t agent-get -t seeded k)"
stop_server
assert_eq "$sum" "$(sha256sum "$f" | cut -d' ' -f1)" "the file is unchanged"
assert_eq 400 "$(stat -c %a "$f")"
