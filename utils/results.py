"""What a run measured, as records that the tables (report), the prose (findings) and the figures (plots) all
read: a training history, a trained classifier of Task 1 and its scores, a segmentation model's test scores, and
two segmentation models compared by a paired test. Computing them is done elsewhere; these only hold them."""
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from .significance import PairedMiou, PairedSequences


@dataclass
class History:
    """What fit records after each epoch, and which epoch's weights it kept (best_epoch, counted from 1)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    val_miou: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int = 0

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, **values: float) -> None:
        """Record one finished epoch: a value for every list above."""
        for key, value in values.items():
            getattr(self, key).append(value)

    def seconds_per_epoch(self) -> float:
        """Mean training seconds of the finished epochs (validation excluded); NaN before the first."""
        return sum(self.seconds) / len(self.seconds) if self.seconds else float("nan")

    def best(self, key: str) -> float:
        """The value of `key` (e.g. "val_accuracy") at the epoch whose weights were kept."""
        return getattr(self, key)[self.best_epoch - 1]


@dataclass(frozen=True)
class Trained:
    """A trained classifier of Task 1: how it was trained, its history, and its answers on the test digits."""

    name: str
    model: nn.Module  # with its kept weights
    label: str  # how it was trained, e.g. 'adam 0.003 one-cycle'
    history: History
    test_correct: torch.Tensor  # bool: which test digits it gets right
    test_losses: torch.Tensor | None = None  # the cross-entropy of each test digit

    @property
    def test_accuracy(self) -> float:
        return float(self.test_correct.float().mean())


@dataclass(frozen=True)
class SegScores:
    """One segmentation model's scores on the test split."""

    name: str
    accuracy: float
    miou: float
    iou: list[float]
    precision: list[float]
    recall: list[float]
    confusion: torch.Tensor  # rows = truth, columns = prediction
    parameters: int
    seconds_per_epoch: float
    epochs: int

    @classmethod
    def of(cls, name: str, result: dict, parameters: int, seconds_per_epoch: float, epochs: int) -> "SegScores":
        """From evaluate()'s result and the model's size and training time."""
        return cls(name, result["accuracy"], result["miou"], result["iou"].tolist(), result["precision"].tolist(),
                   result["recall"].tolist(), result["confusion"], parameters, seconds_per_epoch, epochs)


@dataclass(frozen=True)
class Comparison:
    """Two segmentation models scored on the same test images: the frame-level and the sequence-level paired test
    of their mIoU difference (first minus second), the Holm-adjusted p of the more cautious one, and the verdict."""

    topic: str  # what differs, e.g. "Skip connections"
    first: SegScores
    second: SegScores
    test: PairedMiou  # frame level: a permutation test over the test images
    sequences: PairedSequences  # sequence level: a paired t-test over the test sequences
    family: str  # the tests Holm's adjustment runs over, e.g. "controlled comparisons"
    adjusted_p: float  # Holm-adjusted max(frame p, sequence p)
    verdict: str  # "better", "worse" or "no detectable difference" at the adjusted p
    measure: str = "mIoU"  # what the tests compare: the mIoU, or that of some classes, e.g. "rare-class mIoU"
    scores: tuple[float, float] | None = None  # both models' measure on the test set; None: their mIoU

    def compared(self) -> tuple[float, float]:
        """Both models' value of the compared measure on the whole test set."""
        return self.scores if self.scores is not None else (self.first.miou, self.second.miou)
