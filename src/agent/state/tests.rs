use super::*;

#[test]
fn placeholder_aggregate() {
    assert_eq!(
        aggregate([AgentState::Idle, AgentState::Waiting, AgentState::Working]),
        Some(AgentState::Waiting)
    );
}
