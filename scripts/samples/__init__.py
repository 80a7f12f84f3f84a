"""Sample-export generator, split by export kind; entry point: scripts/make_samples.py."""
