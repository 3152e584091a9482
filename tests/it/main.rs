//! The integration tests, in one binary: each file is a module, and the
//! crate is linked once instead of once per file, which is most of what
//! `cargo test` spends beyond compiling.
//!
//! Most drive the real `cocreate` binary as a user would (`assert_cmd`);
//! a few use the library directly.

mod attribute;
mod calibrate;
mod cli;
mod common;
mod compare;
mod determinism;
mod discover;
mod docs;
mod folders;
mod interrupt;
mod limits;
mod oracle;
mod pins;
mod properties;
mod pvc2;
mod report;
mod scenarios;
mod serve;
mod slurm;
mod stylized_facts;
mod sweep;
