//! Pure routing strategies, generic over a pipe slot number and the
//! [`pipe_set::PipeSet`] they pick pipes from: load-balance, fair-queue,
//! distribute, and the subscription tries. Only the base (`msg`, `error`,
//! `util`) lies below: `pipe` implements `PipeSet`, not the reverse.

pub mod dist;
pub mod fair_queue;
#[cfg(test)]
mod fake_pipes;
pub mod indexed;
pub mod load_balance;
pub mod mtrie;
pub mod pipe_set;
mod prefix_tree;
pub mod trie;
