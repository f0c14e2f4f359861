//! Extraction tests for csharp (see tests.rs for the conventions).
