"""Artifact repositories, one module per URI scheme."""
