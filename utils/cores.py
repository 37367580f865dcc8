"""The CPU cores this process may use (no torch here: the stand-in's writer and the UAVid reader use it)."""
import os


def usable_cores() -> int:
    """Cores this process may run on: its CPU affinity, which containers and job schedulers narrow, not the
    machine's total that os.cpu_count() reports."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
