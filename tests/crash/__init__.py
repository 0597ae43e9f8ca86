"""Crash-safety harness: kill the web server and the worker, then check nothing is lost."""
