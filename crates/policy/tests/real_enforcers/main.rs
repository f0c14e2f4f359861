//! Real servers under real enforcers: each export of a hand-written manifest
//! (tests/manifests) is started with sandbox-runtime, Node's permission
//! model or Deno, and driven by the Python MCP SDK. Every tool works with
//! allowed input; reading and writing outside the grants, connecting where
//! the manifest does not say and starting a program it does not name are
//! refused by the enforcer (or the loss report says the target cannot).
//!
//! Needs `.ci/deps.sh` (MCPWARDEN_TEST_DEPS); without it each test prints
//! `SKIP` and passes, except under `CI`, where a missing dependency fails.

mod accepted;
mod codex;
mod filesystem;
mod git;
mod gitlab;
mod harness;
mod pygit;
mod vscode;
