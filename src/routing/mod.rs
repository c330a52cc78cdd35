//! Pure routing strategies, generic over a pipe slot number and the
//! [`pipe_set::PipeSet`] they pick pipes from: load-balance, fair-queue,
//! distribute, and the subscription tries. Only the base (`msg`, `error`,
//! `util`) lies below: `pipe` implements `PipeSet`, not the reverse.

pub(crate) mod dist;
pub(crate) mod fair_queue;
#[cfg(test)]
mod fake_pipes;
pub(crate) mod indexed;
pub(crate) mod load_balance;
pub(crate) mod mtrie;
pub(crate) mod pipe_set;
mod prefix_tree;
pub(crate) mod trie;
