import os
import random

import numpy as np
import pytest
import torch
import torch.nn as nn

from utils.device import describe, pick_device, seed_everything, to_device, usable_cores
from utils.errors import LabError


def test_device_names_are_checked():
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(LabError, match="not a device name") as err:
        pick_device("gpu0")
    assert "\n" not in str(err.value)
    if not torch.cuda.is_available():
        with pytest.raises(LabError, match="CUDA GPU"):
            pick_device("cuda:1")
    mps = getattr(torch.backends, "mps", None)
    if mps is None or not mps.is_available():
        with pytest.raises(LabError, match="MPS is not available here"):
            pick_device("mps")


def test_auto_prefers_cuda_then_mps_then_the_cpu():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device("auto").type == expected == pick_device().type


def draws() -> tuple:
    return torch.rand(3).tolist(), np.random.rand(3).tolist(), [random.random() for _ in range(3)]


def test_seed_everything_repeats_the_draws_of_torch_numpy_and_random():
    seed_everything(5)
    first = draws()
    seed_everything(5)
    again = draws()
    seed_everything(6)
    other = draws()
    for mine, same, different in zip(first, again, other, strict=True):  # torch, then numpy, then random
        assert mine == same and mine != different


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_usable_cores_follow_the_cpu_affinity():
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})  # as a container or job scheduler narrows it
        assert usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert usable_cores() == len(allowed)


def test_cores_description_and_channels_last():
    assert describe(torch.device("cpu")).startswith("cpu (")
    conv = to_device(nn.Conv2d(3, 4, 3), torch.device("cpu"))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
