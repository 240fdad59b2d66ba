//! The examples of the workspace's `README.md`, compiled and run as doctests
//! (`cargo test -p readme-tests --doc`). Nothing else lives here.

/// The workspace README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadmeDoctests;
