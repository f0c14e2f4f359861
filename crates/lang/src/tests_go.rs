//! Extraction tests for go (see tests.rs for the conventions).
