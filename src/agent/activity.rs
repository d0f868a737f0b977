//! Busy or idle: whether a pane's program produced output recently.
//!
//! The server reports each burst of output ([`Activity::output`]) and fires
//! one timer per busy pane ([`Activity::timer`]); nothing polls. A pane is
//! busy from its first output until `threshold` passes with no output, then
//! idle. Times are milliseconds from any fixed origin, passed in.

use std::fmt;

/// A pane's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneStatus {
    Busy,
    Idle,
    Exited,
}

impl fmt::Display for PaneStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaneStatus::Busy => "busy",
            PaneStatus::Idle => "idle",
            PaneStatus::Exited => "exited",
        })
    }
}

/// The default idle threshold, in milliseconds.
pub const DEFAULT_IDLE_MS: u64 = 3000;
/// The smallest idle threshold accepted: it bounds how often a pane can flip
/// between busy and idle (and so how many notifications a program can cause).
pub const MIN_IDLE_MS: u64 = 100;

/// One pane's activity.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    last_output: Option<u64>,
    busy: bool,
    timer_armed: bool,
}

/// What the caller must do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// The status changed to this.
    pub became: Option<PaneStatus>,
    /// Arm the pane's timer to fire after this many milliseconds.
    pub arm_after: Option<u64>,
}

impl Activity {
    /// Output arrived at `now`.
    pub fn output(&mut self, now: u64, threshold: u64) -> Step {
        self.last_output = Some(now);
        let mut step = Step::default();
        if !self.busy {
            self.busy = true;
            step.became = Some(PaneStatus::Busy);
        }
        if !self.timer_armed {
            self.timer_armed = true;
            step.arm_after = Some(threshold);
        }
        step
    }

    /// The pane's timer fired at `now`.
    pub fn timer(&mut self, now: u64, threshold: u64) -> Step {
        self.timer_armed = false;
        let since = now.saturating_sub(self.last_output.unwrap_or(0));
        if since >= threshold {
            let was_busy = std::mem::replace(&mut self.busy, false);
            Step {
                became: was_busy.then_some(PaneStatus::Idle),
                arm_after: None,
            }
        } else {
            self.timer_armed = true;
            Step {
                became: None,
                arm_after: Some(threshold - since),
            }
        }
    }

    /// The pane's program was replaced (respawned): whatever it was doing
    /// is over and the new program has produced nothing yet, so the pane is
    /// idle. A pending timer stays pending (it finds nothing to do, or
    /// times the new program's first output). Returns whether it was busy.
    pub fn restart(&mut self) -> bool {
        self.last_output = None;
        std::mem::replace(&mut self.busy, false)
    }

    /// Busy or idle (the caller knows whether the process exited).
    pub fn status(&self) -> PaneStatus {
        if self.busy {
            PaneStatus::Busy
        } else {
            PaneStatus::Idle
        }
    }

    /// Is the pane's timer pending (so a new output needs no threshold)?
    pub fn timer_armed(&self) -> bool {
        self.timer_armed
    }

    /// When output last arrived.
    pub fn last_output(&self) -> Option<u64> {
        self.last_output
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_makes_idle_and_keeps_one_timer() {
        let mut a = Activity::default();
        let s = a.output(1000, 500);
        assert_eq!(s.arm_after, Some(500));
        assert!(a.restart(), "it was busy");
        assert_eq!(a.status(), PaneStatus::Idle);
        assert!(!a.restart(), "idle now");
        // The new program's first output: busy, and no second timer.
        let s = a.output(1200, 500);
        assert_eq!(
            s,
            Step {
                became: Some(PaneStatus::Busy),
                arm_after: None
            }
        );
        // The old timer fires and times the new output.
        let s = a.timer(1500, 500);
        assert_eq!(
            s,
            Step {
                became: None,
                arm_after: Some(200)
            }
        );
        let s = a.timer(1700, 500);
        assert_eq!(s.became, Some(PaneStatus::Idle));
        // A restart with the timer pending and no new output: it fires idle.
        a.output(2000, 500);
        a.restart();
        assert_eq!(a.timer(2500, 500), Step::default());
    }

    #[test]
    fn busy_on_output_idle_after_threshold() {
        let mut a = Activity::default();
        assert_eq!(a.status(), PaneStatus::Idle);
        let s = a.output(1000, 3000);
        assert_eq!(s.became, Some(PaneStatus::Busy));
        assert_eq!(s.arm_after, Some(3000));
        // More output while busy: no transition, no second timer.
        assert_eq!(a.output(2000, 3000), Step::default());
        // The timer fires 3 s after the first output: 2 s since the last, re-arm for 1 s.
        let s = a.timer(4000, 3000);
        assert_eq!(
            s,
            Step {
                became: None,
                arm_after: Some(1000)
            }
        );
        assert_eq!(a.status(), PaneStatus::Busy);
        let s = a.timer(5000, 3000);
        assert_eq!(s.became, Some(PaneStatus::Idle));
        assert_eq!(s.arm_after, None);
        assert_eq!(a.status(), PaneStatus::Idle);
    }

    #[test]
    fn one_timer_at_a_time_and_transitions_alternate() {
        let mut a = Activity::default();
        let mut armed = 0;
        let mut last = None;
        for t in (0..100_000).step_by(700) {
            let s = a.output(t, 500);
            armed += s.arm_after.is_some() as u32;
            if let Some(b) = s.became {
                assert_ne!(Some(b), last);
                last = Some(b);
            }
            let s = a.timer(t + 500, 500);
            if let Some(b) = s.became {
                assert_ne!(Some(b), last);
                last = Some(b);
            }
            assert!(s.arm_after.is_none());
        }
        assert!(armed > 0);
    }
}
