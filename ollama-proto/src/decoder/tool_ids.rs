//! Tool-call ids through one stream (one model turn): kept when the server sends them,
//! synthesised when it does not, and the same for a partial call and the complete call that
//! follows it with the same `index`.

use crate::types::ToolCall;

/// Ids of one stream's tool calls, and which partial calls are still growing.
#[derive(Debug, Default)]
pub(super) struct ToolCallIds {
    /// The id of each partial call not completed yet, by `index` (`None`: the server sent no
    /// index).
    open: Vec<(Option<u32>, String)>,
    /// Ids synthesised so far in this stream.
    made: u32,
}

/// The id given to the `n`th call of a turn that came without one: `call_` and 8 digits, the
/// shape of the server's own ids (`call_` and 8 of `[a-z0-9]`), unique within the turn and the
/// same however the stream is cut.
pub fn synthesised_id(n: u32) -> String {
    format!("call_{n:08}")
}

impl ToolCallIds {
    /// Gives every call of a line an id, and moves its partial calls to `partial` (cleared
    /// first), keeping the order of each kind.
    pub(super) fn sort_line(&mut self, calls: &mut Vec<ToolCall>, partial: &mut Vec<ToolCall>) {
        partial.clear();
        if calls
            .iter()
            .all(|c| !c.is_partial() && has_id(c) && self.open.is_empty())
        {
            return; // the common case: whole calls with ids, nothing open
        }
        let all = std::mem::take(calls);
        for mut call in all {
            let is_partial = call.is_partial();
            self.assign(&mut call, is_partial);
            if is_partial {
                partial.push(call);
            } else {
                calls.push(call);
            }
        }
    }

    fn assign(&mut self, call: &mut ToolCall, is_partial: bool) {
        let key = call.function.index;
        let open = self.open.iter().position(|(k, _)| *k == key);
        let id = match (&call.id, open) {
            (Some(id), _) if !id.is_empty() => id.clone(),
            (_, Some(i)) => self.open[i].1.clone(),
            _ => {
                let id = synthesised_id(self.made);
                self.made = self.made.saturating_add(1);
                id
            }
        };
        match (is_partial, open) {
            (true, Some(i)) => self.open[i].1.clone_from(&id),
            (true, None) => self.open.push((key, id.clone())),
            (false, Some(i)) => {
                self.open.remove(i);
            }
            (false, None) => {}
        }
        call.id = Some(id);
    }
}

fn has_id(call: &ToolCall) -> bool {
    call.id.as_deref().is_some_and(|id| !id.is_empty())
}
