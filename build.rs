//! Builds upstream tmux from the pinned, verified source and generates the raw
//! bindings to `tmux.h` (the libtmux-sys layer).
//!
//! Steps: make sure `vendor/fetch.sh` has unpacked the verified release, copy it
//! into `OUT_DIR`, apply `vendor/patches/*.patch` in order, run upstream's own
//! `configure` (so feature macros, compat objects and libraries are what tmux's
//! build would pick on this platform), ask the generated Makefile for its exact
//! preprocessor flags, C flags, object list and libraries, compile those sources
//! with `cc` and run `bindgen` over `tmux.h` with the very same `-D`/`-I` set
//! (a mismatch would silently change struct layouts).
//!
//! `AGENT_TMUX_SANITIZE=address` (opt-in, used by `make asan`) builds the C
//! side, upstream and our generated wrapper, with AddressSanitizer and links
//! the binary with its runtime; the Rust code is not instrumented (that needs
//! a nightly toolchain) but its heap goes through the same intercepted malloc.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What upstream's generated Makefile says about building tmux here.
struct MakeFlags {
    cppflags: Vec<String>,
    cflags: Vec<String>,
    sources: Vec<String>,
    libs: Vec<String>,
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let pin = read_pin(&root.join("vendor/pin"));
    let version = pin_value(&pin, "TMUX_VERSION");

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=vendor/pin");
    println!("cargo:rerun-if-changed=vendor/fetch.sh");
    println!("cargo:rerun-if-changed=vendor/patches");
    println!("cargo:rerun-if-env-changed=AGENT_TMUX_TARBALL");
    println!("cargo:rerun-if-env-changed=AGENT_TMUX_CFLAGS");
    println!("cargo:rerun-if-env-changed=AGENT_TMUX_SANITIZE");
    let sanitize = sanitizer();

    let upstream = root.join("vendor/upstream").join(format!("tmux-{version}"));
    let stamp = upstream.join(".agent-tmux-verified");
    if !stamp.exists() {
        run(
            Command::new("bash").arg(root.join("vendor/fetch.sh")),
            "vendor/fetch.sh",
        );
    }
    println!("cargo:rerun-if-changed={}", stamp.display());

    let src = out.join(format!("tmux-{version}"));
    prepare_source(&root, &upstream, &src);
    let flags = configure(&src, &out);

    compile(&src, &out, &flags, sanitize);
    if sanitize.is_some() {
        // rustc links with -nodefaultlibs, so the C driver would not add the
        // runtime for -fsanitize; name it, first among the shared libraries
        // (ASan checks that its runtime is loaded before any other).
        println!("cargo:rustc-link-lib=dylib=asan");
    }
    for lib in &flags.libs {
        if let Some(name) = lib.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={name}");
        } else if let Some(dir) = lib.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        }
    }
    // Every path that destroys a session (kill-session, the last pane exiting,
    // kill-server, destroy-unattached) calls session_destroy() from another
    // translation unit; the linker routes those calls through Rust first.
    println!("cargo:rustc-link-arg=-Wl,--wrap=session_destroy");
    // ... and every session is made by session_create() (cmd-new-session.c):
    // agent-tmux indexes sessions by id (tmux's own lookup by id is linear).
    println!("cargo:rustc-link-arg=-Wl,--wrap=session_create");
    // Pane processes exiting are reported through notify_pane("pane-died" /
    // "pane-exited"), always called from other translation units.
    println!("cargo:rustc-link-arg=-Wl,--wrap=notify_pane");
    // Output arriving on a pane (busy/idle) and a client going away (waiters).
    println!("cargo:rustc-link-arg=-Wl,--wrap=input_parse_pane");
    println!("cargo:rustc-link-arg=-Wl,--wrap=format_lost_client");
    // Keys reaching a pane: those typed by a human through a client carry the
    // client's mouse event (send-keys passes none), for agent-prompt's
    // human-typing guard.
    println!("cargo:rustc-link-arg=-Wl,--wrap=window_pane_key");
    // Panes moved between windows (join-pane, move-pane, swap-pane: the
    // window-layout-changed notification; break-pane: window-linked), for
    // managed panes taken out of their layout's window.
    println!("cargo:rustc-link-arg=-Wl,--wrap=notify_window");
    println!("cargo:rustc-link-arg=-Wl,--wrap=notify_session_window");
    // Respawns (cmd-respawn-pane.c, cmd-respawn-window.c): the old process
    // is gone without a pane-died notification.
    println!("cargo:rustc-link-arg=-Wl,--wrap=spawn_pane");
    println!("cargo:rustc-link-arg=-Wl,--wrap=spawn_window");
    // Session renames (cmd-rename-session.c's "session-renamed"), for the
    // persistent store, which keeps sessions by name.
    println!("cargo:rustc-link-arg=-Wl,--wrap=notify_session");
    // The persistent store (src/server/store): the configuration is loaded
    // (cfg.c's cfg_done calls status_prompt_load_history() once, after the
    // last config command and before the first client's command), and the
    // server leaves its loop (server.c calls job_kill_all() once, on exit).
    println!("cargo:rustc-link-arg=-Wl,--wrap=status_prompt_load_history");
    println!("cargo:rustc-link-arg=-Wl,--wrap=job_kill_all");

    bindings(&src, &out, &flags);
    println!("cargo:rustc-env=AGENT_TMUX_UPSTREAM_VERSION={version}");
}

/// The sanitizer asked for by AGENT_TMUX_SANITIZE, if any.
fn sanitizer() -> Option<&'static str> {
    match env::var("AGENT_TMUX_SANITIZE").as_deref() {
        Err(_) | Ok("") => None,
        Ok("address") => Some("address"),
        Ok(other) => panic!("AGENT_TMUX_SANITIZE={other}: only \"address\" is supported"),
    }
}

fn read_pin(path: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).expect("read vendor/pin");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn pin_value(pin: &[(String, String)], key: &str) -> String {
    pin.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("vendor/pin has no {key}"))
}

fn run(cmd: &mut Command, what: &str) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(status.success(), "{what} failed ({status})");
}

/// Copy the pristine tree into OUT_DIR and apply our patch series in order.
/// Redone only when build.rs reruns (pin, patches or the source changed).
fn prepare_source(root: &Path, upstream: &Path, src: &Path) {
    if src.exists() {
        fs::remove_dir_all(src).expect("remove old patched source");
    }
    run(
        Command::new("cp").arg("-a").arg(upstream).arg(src),
        "copying the upstream source",
    );
    let mut patches: Vec<PathBuf> = fs::read_dir(root.join("vendor/patches"))
        .expect("read vendor/patches")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "patch"))
        .collect();
    patches.sort();
    for patch in &patches {
        println!("cargo:rerun-if-changed={}", patch.display());
        let file = fs::File::open(patch).expect("open patch");
        run(
            Command::new("patch")
                .args(["-p1", "-s", "--no-backup-if-mismatch", "-d"])
                .arg(src)
                .stdin(file),
            &format!("applying {}", patch.display()),
        );
    }
}

/// Run upstream's configure and read the exact build flags from its Makefile.
fn configure(src: &Path, out: &Path) -> MakeFlags {
    run(
        Command::new("./configure")
            .args(["--quiet", "--sysconfdir=/etc", "YACC=true"])
            .current_dir(src),
        "upstream ./configure (are libevent-dev and libncurses-dev installed?)",
    );
    // Let make and the shell do the word splitting and quote removal, exactly
    // as they would when building tmux, and print one word per line.
    let probe = out.join("agent-tmux-flags.mk");
    fs::write(
        &probe,
        "agent-tmux-flags:\n\
         \t@for w in $(DEFS) $(DEFAULT_INCLUDES) $(INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS); do printf 'cpp %s\\n' \"$$w\"; done\n\
         \t@for w in $(AM_CFLAGS) $(CFLAGS); do printf 'cc %s\\n' \"$$w\"; done\n\
         \t@for w in $(tmux_OBJECTS) $(LDADD); do printf 'obj %s\\n' \"$$w\"; done\n\
         \t@for w in $(LDFLAGS) $(LIBS); do printf 'lib %s\\n' \"$$w\"; done\n",
    )
    .unwrap();
    let output = Command::new("make")
        .args(["-s", "-f", "Makefile", "-f"])
        .arg(&probe)
        .arg("agent-tmux-flags")
        .current_dir(src)
        .output()
        .expect("run make to read the build flags");
    assert!(
        output.status.success(),
        "reading flags from upstream's Makefile failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut flags = MakeFlags {
        cppflags: Vec::new(),
        cflags: Vec::new(),
        sources: Vec::new(),
        libs: Vec::new(),
    };
    let abs = |dir: &str| src.join(dir).display().to_string();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let (kind, word) = line.split_once(' ').unwrap_or((line, ""));
        match kind {
            "cpp" => {
                // Relative include directories are relative to the source tree.
                if let Some(dir) = word.strip_prefix("-I") {
                    flags.cppflags.push(format!("-I{}", abs(dir)));
                } else if let Some(dir) = word.strip_prefix("-iquote") {
                    flags.cppflags.push(format!("-iquote{}", abs(dir)));
                } else {
                    flags.cppflags.push(word.to_string());
                }
            }
            "cc" => flags.cflags.push(word.to_string()),
            "obj" => {
                let object = word.strip_suffix(".o").expect("object name ends in .o");
                flags.sources.push(format!("{object}.c"));
            }
            "lib" => flags.libs.push(word.to_string()),
            _ => panic!("unexpected line from the flags probe: {line}"),
        }
    }
    flags.sources.sort();
    flags.sources.dedup();
    assert!(
        flags.sources.iter().any(|s| s == "tmux.c") && flags.sources.len() > 100,
        "upstream's Makefile lists too few sources: {:?}",
        flags.sources
    );
    flags
}

fn compile(src: &Path, out: &Path, flags: &MakeFlags, sanitize: Option<&str>) {
    // tmux.c's main() becomes tmux_main(); Rust's main registers the agent
    // commands and then calls it.
    let main_wrapper = out.join("agent-tmux-main.c");
    fs::write(
        &main_wrapper,
        format!(
            "/* Generated by build.rs: upstream tmux.c with main renamed. */\n\
             #define main tmux_main\n#include \"{}\"\n",
            src.join("tmux.c").display()
        ),
    )
    .unwrap();

    let mut build = cc::Build::new();
    build
        .warnings(false)
        .extra_warnings(false)
        .cargo_warnings(false)
        .opt_level(2)
        // Code generation as upstream's configure build gets it from gcc's
        // defaults: position-independent for an executable (-fPIE, not
        // cc's -fPIC, whose interposable globals cost tmux's per-byte parser
        // its inlining), and no frame pointers (unless sanitizing, below).
        .pic(false)
        .flag("-fPIE")
        .force_frame_pointer(false);
    for f in flags.cppflags.iter().chain(&flags.cflags) {
        // Optimisation follows upstream's -O2 via opt_level; debug info follows
        // the cargo profile.
        if f.starts_with("-O") || f == "-g" {
            continue;
        }
        build.flag(f);
    }
    if let Some(kind) = sanitize {
        // Frame pointers and no tail calls: complete stack traces from ASan's
        // fast unwinder (inlined frames come from the debug info).
        build
            .flag(format!("-fsanitize={kind}"))
            .flag("-fno-omit-frame-pointer")
            .flag("-fno-optimize-sibling-calls");
    }
    if let Ok(extra) = env::var("AGENT_TMUX_CFLAGS") {
        for f in extra.split_whitespace() {
            build.flag(f);
        }
    }
    for s in &flags.sources {
        if s == "tmux.c" {
            build.file(&main_wrapper);
        } else {
            build.file(src.join(s));
        }
    }
    build.compile("tmuxc");
}

fn bindings(src: &Path, out: &Path, flags: &MakeFlags) {
    let header = out.join("agent-tmux-bindings.h");
    fs::write(
        &header,
        format!("#include \"{}\"\n", src.join("tmux.h").display()),
    )
    .unwrap();
    let clang_args: Vec<String> = flags
        .cppflags
        .iter()
        .filter(|f| f.starts_with("-D") || f.starts_with("-I") || f.starts_with("-U"))
        .cloned()
        .chain(
            flags
                .cppflags
                .iter()
                .filter_map(|f| f.strip_prefix("-iquote").map(|d| format!("-I{d}"))),
        )
        .collect();
    let allow = [
        "cmd_.*",
        "cmdq_.*",
        "args_.*",
        "format_.*",
        "session_.*",
        "sessions",
        "server_.*",
        "window_.*",
        "winlink_.*",
        "options_.*",
        "notify_.*",
        "control_.*",
        "status_.*",
        "spawn_.*",
        "layout_.*",
        "clients",
        "global_.*",
        "log_debug",
        "xstrdup",
        "xasprintf",
        "environ_.*",
        "start_time",
        "socket_path",
        "input_.*",
        "bufferevent_.*",
        "evbuffer_.*",
        "file_read",
        "file_cancel",
        "event_.*",
        "evtimer_.*",
        "paste_.*",
        "screen_.*",
        "key_.*",
        "getversion",
        "next_session_id",
        "agent_pane_destroyed",
        "job_run",
        "job_free",
        "job_get_status",
        "job_get_event",
        "job_get_data",
        "grid_string_cells",
        "osdep_get_name",
        "winlinks_RB_.*",
    ]
    .join("|");
    let generated = bindgen::Builder::default()
        .header(header.display().to_string())
        .clang_args(&clang_args)
        .allowlist_function(&allow)
        .allowlist_var(&allow)
        .allowlist_type(
            "cmd_.*|cmdq_.*|args_.*|session|window_pane|window|winlink|client|format_tree",
        )
        .allowlist_var(
            "CMD_.*|CMDQ_.*|FORMAT_.*|CLIENT_.*|PANE_.*|WINDOW_.*|OPTIONS_.*|EV_.*|MODE_BRACKETPASTE|SPAWN_RESPAWN|GRID_STRING_TRIM_SPACES",
        )
        .default_enum_style(bindgen::EnumVariation::Consts)
        .derive_default(false)
        .layout_tests(false)
        .generate_comments(false)
        .generate()
        .expect("bindgen over tmux.h");
    generated
        .write_to_file(out.join("tmux_sys.rs"))
        .expect("write bindings");
}
