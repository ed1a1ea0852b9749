"""Benchmarks of the joiningforces app: see benchmarks/README.md. Run as `python -m benchmarks.NAME`."""
