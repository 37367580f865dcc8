"""Classification and segmentation metrics from one confusion matrix (rows = truth, columns = prediction)."""
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
        preds = preds.flatten().to(self.mat.device, torch.int64)  # int64: no overflow in targets * C
        targets = targets.flatten().to(self.mat.device, torch.int64)
        if preds.numel():
            low, high = (int(v) for v in preds.aminmax())
            check(0 <= low and high < self.num_classes,
                  f"predictions must be class indices in [0, {self.num_classes}): got values from {low} to {high}")
        keep = (targets >= 0) & (targets < self.num_classes)
        idx = targets[keep] * self.num_classes + preds[keep]
        self.mat += torch.bincount(idx, minlength=self.num_classes ** 2).reshape(self.num_classes, self.num_classes)

    def compute(self) -> dict[str, torch.Tensor | float]:
        """Overall accuracy and per-class precision, recall, F1 and IoU; mIoU is the mean IoU over classes."""
        return metrics_from_confusion(self.mat)


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
