"""Rendering results for people and programs: terminal tables, JSON, YAML, CSV, Markdown."""
