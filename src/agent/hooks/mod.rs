//! Agent CLIs' own hooks as a source of agent state: what a hook reports
//! ([`report`], for `agent-report`) and the snippet that makes a CLI's
//! hooks report ([`settings`], for `agent-hooks`).

pub mod report;
pub mod settings;

pub use report::{parse as parse_report, ReportError};
pub use settings::{merge as merge_settings, snippet_text, HookCli, MergeError, Merged};
