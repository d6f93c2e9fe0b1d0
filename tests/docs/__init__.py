"""Tests that run the documentation: README.md and docs/ code blocks, console transcripts and examples/."""
