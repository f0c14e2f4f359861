//! Extraction tests for kotlin (see tests.rs for the conventions).
