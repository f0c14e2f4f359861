//! Extraction tests for rust (see tests.rs for the conventions).
