"""Where and how the notebook trains and evaluates: one small record, so that cells need not repeat it. The
training loop (train_one_epoch, fit), evaluate and predict, and the inference functions all take it."""
from dataclasses import dataclass
from pathlib import Path

import torch

from .precision import autocast


@dataclass(frozen=True)
class Run:
    """The device, the autocast type (None: float32), whether to show progress bars, and the folder of the
    checkpoints (None: none are read or written)."""

    device: torch.device
    amp: torch.dtype | None = None
    progress: bool = True
    checkpoint_dir: str | Path | None = None

    def autocast(self):
        """Autocast to amp on the device; a no-op for float32."""
        return autocast(self.device, self.amp)

    def checkpoint(self, name: str) -> Path | None:
        """The checkpoint file of a model called `name`, or None without a checkpoint folder."""
        return None if self.checkpoint_dir is None else Path(self.checkpoint_dir) / f"{name}.pt"
