//! Pure routing strategies, generic over a pipe slot number: load-balance,
//! fair-queue, distribute, and the subscription tries.

pub mod dist;
pub mod fair_queue;
pub mod indexed;
pub mod load_balance;
pub mod mtrie;
mod prefix_tree;
pub mod trie;
