"""The demo and the hall-day simulator: the demo hall's reference data, the simulated
devices of `scripts/run`, and `main.py simulate`, which runs a whole day through the real
services on a manual clock."""
