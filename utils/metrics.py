"""Classification and segmentation metrics from one confusion matrix (rows = truth, columns = prediction)."""
from dataclasses import dataclass

import torch

from .errors import check


class ConfusionMatrix:
    """Accumulates a confusion matrix on the device; update per batch, compute at the end."""

    def __init__(self, num_classes: int, device: torch.device | str = "cpu"):
        self.num_classes = num_classes
        self.mat = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)

    def reset(self) -> None:
        self.mat.zero_()

    @torch.no_grad()
    def update(self, preds: torch.Tensor, targets: torch.Tensor) -> None:
        """Add predicted and true class indices of any matching shape (labels outside [0, C) are ignored)."""
        self.mat += count_confusions(targets.to(self.mat.device), preds.to(self.mat.device), self.num_classes)[0]

    def compute(self) -> dict[str, torch.Tensor | float]:
        """Overall accuracy and per-class precision, recall, F1 and IoU; mIoU is the mean IoU over classes."""
        return metrics_from_confusion(self.mat)


@torch.no_grad()
def count_confusions(truth: torch.Tensor, predicted: torch.Tensor, num_classes: int, groups: torch.Tensor | None = None,
                     num_groups: int = 1) -> torch.Tensor:
    """Confusion counts (num_groups, C, C), rows = truth, of class indices of any matching shape, one matrix per
    group (e.g. per image; groups: each item's group). Items whose true label is outside [0, C) are left out (an
    ignore label); predictions must be class indices."""
    predicted = predicted.flatten().long()  # int64: no overflow in truth * C
    truth = truth.flatten().to(predicted.device, torch.int64)
    if predicted.numel():
        low, high = (int(v) for v in predicted.aminmax())
        check(0 <= low and high < num_classes,
              f"predictions must be class indices in [0, {num_classes}): got values from {low} to {high}")
    keep = (truth >= 0) & (truth < num_classes)
    index = truth[keep] * num_classes + predicted[keep]
    if groups is not None:
        index += groups.flatten().to(predicted.device, torch.int64)[keep] * num_classes ** 2
    counts = torch.bincount(index, minlength=num_groups * num_classes ** 2)
    return counts.reshape(num_groups, num_classes, num_classes)


def _ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    return torch.where(den > 0, num / den.clamp(min=1e-12), torch.zeros_like(num))


def iou_per_class(mat: torch.Tensor) -> torch.Tensor:
    """IoU of each class, TP / (TP + FP + FN), for one confusion matrix (C, C) or a batch of them (..., C, C);
    a class with no support and no prediction gets 0."""
    tp = mat.diagonal(dim1=-2, dim2=-1)
    return _ratio(tp, mat.sum(-1) + mat.sum(-2) - tp)


def metrics_from_confusion(mat: torch.Tensor) -> dict[str, torch.Tensor | float]:
    """The metrics of ConfusionMatrix.compute for a given matrix. A class with no support and no
    prediction gets 0 (as scikit-learn's zero_division=0)."""
    mat = mat.double().cpu()
    tp = mat.diag()
    fp = mat.sum(0) - tp
    fn = mat.sum(1) - tp
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    iou = iou_per_class(mat)
    total = mat.sum()
    return {
        "accuracy": float(tp.sum() / total) if total > 0 else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "iou": iou,
        "miou": float(iou.mean()),
        "confusion": mat.long(),
    }


@dataclass(frozen=True)
class Confusion:
    """One off-diagonal cell of a confusion matrix: the share of a true class's pixels given to another class."""

    truth: int
    predicted: int
    share: float  # of the truth row


def largest_confusions(confusion: torch.Tensor, top: int) -> list[Confusion]:
    """The `top` largest off-diagonal shares of their truth row (rows = truth), largest first; zeros left out."""
    mat = confusion.double()
    shares = mat / mat.sum(1, keepdim=True).clamp(min=1)
    cells = [Confusion(t, p, float(shares[t, p])) for t in range(len(mat)) for p in range(len(mat))
             if t != p and shares[t, p] > 0]
    return sorted(cells, key=lambda cell: -cell.share)[:top]
