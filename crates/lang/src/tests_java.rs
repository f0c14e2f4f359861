//! Extraction tests for java (see tests.rs for the conventions).
