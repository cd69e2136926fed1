"""Sinks: file formats, output layouts, atomic publishing and the run summary."""
