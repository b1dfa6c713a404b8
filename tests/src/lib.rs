//! End-to-end tests of the generated client live in `tests/`. This library only makes
//! the project README's example a doctest, so the README cannot rot.
#![doc = include_str!("../../README.md")]
