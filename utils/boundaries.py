"""How well a segmentation follows object boundaries: each pixel's distance to the nearest class boundary, and
the accuracy and mIoU of the pixels within a band around the boundaries."""
from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

from .metrics import ConfusionMatrix


def boundary_distance(mask: np.ndarray | torch.Tensor) -> np.ndarray:
    """Each pixel's Euclidean distance (in pixels) to the nearest pixel that has a 4-neighbour of another class;
    those boundary pixels themselves are at distance 0."""
    mask = np.asarray(mask)
    edge = np.zeros(mask.shape, dtype=bool)
    vertical = mask[1:, :] != mask[:-1, :]
    horizontal = mask[:, 1:] != mask[:, :-1]
    edge[1:, :] |= vertical
    edge[:-1, :] |= vertical
    edge[:, 1:] |= horizontal
    edge[:, :-1] |= horizontal
    if not edge.any():  # one class only: no boundary in the image
        return np.full(mask.shape, np.inf)
    return ndimage.distance_transform_edt(~edge)


@dataclass(frozen=True)
class BoundaryScores:
    """Scores of one model near the true class boundaries."""

    band: float  # pixels closer than this to a boundary are in the band, as the bins below it count them
    band_share: float  # share of all test pixels in the band
    accuracy: float  # pixel accuracy in the band
    miou: float  # mIoU of the band's confusion matrix
    distances: np.ndarray  # bin edges of accuracy_by_distance (left edges)
    accuracy_by_distance: np.ndarray  # pixel accuracy of each distance bin
    pixel_share: np.ndarray  # share of all test pixels in each distance bin
    pixels_by_distance: np.ndarray  # number of test pixels in each distance bin

    def accuracy_from(self, distance: float) -> float:
        """Pixel accuracy of all pixels in the bins from `distance` on, pooled (each pixel counts once); NaN if none."""
        far = (self.distances >= distance) & (self.pixels_by_distance > 0)
        pixels = self.pixels_by_distance[far]
        correct = self.accuracy_by_distance[far] * pixels
        return float(correct.sum() / pixels.sum()) if pixels.sum() > 0 else float("nan")


def boundary_distances(masks: list) -> list[np.ndarray]:
    """boundary_distance of each mask: computed once, for boundary_scores and far_confusion of every model."""
    return [boundary_distance(mask) for mask in masks]


def boundary_scores(predictions: list[torch.Tensor], masks: list[torch.Tensor], num_classes: int, band: float,
                    bins: np.ndarray, distances: list[np.ndarray] | None = None) -> BoundaryScores:
    """Accuracy and mIoU of the pixels closer than `band` to a true class boundary (the bins below `band` hold the
    same pixels), and the accuracy in each distance bin [bins[i], bins[i + 1]) (the last bin is open); distances:
    boundary_distances(masks), where already computed."""
    confusion = ConfusionMatrix(num_classes)
    correct, counts = np.zeros(len(bins)), np.zeros(len(bins))
    in_band = total = 0
    distances = boundary_distances(masks) if distances is None else distances
    for pred, mask, distance in zip(predictions, masks, distances, strict=True):
        pred, mask = np.asarray(pred).astype(np.int64), np.asarray(mask).astype(np.int64)
        near = distance < band
        confusion.update(torch.from_numpy(pred[near]), torch.from_numpy(mask[near]))
        in_band, total = in_band + int(near.sum()), total + mask.size
        which = np.digitize(distance, bins) - 1  # distances below bins[0] fall out (-1)
        keep = which >= 0
        counts += np.bincount(which[keep], minlength=len(bins))[:len(bins)]
        correct += np.bincount(which[keep], weights=(pred == mask)[keep], minlength=len(bins))[:len(bins)]
    scores = confusion.compute()
    accuracy = np.divide(correct, counts, out=np.full(len(bins), np.nan), where=counts > 0)
    return BoundaryScores(band, in_band / max(total, 1), scores["accuracy"], scores["miou"], np.asarray(bins),
                          accuracy, counts / max(total, 1), counts.astype(np.int64))


def errors_in_band(band: BoundaryScores, overall_accuracy: float) -> float:
    """The share of a model's wrong test pixels that lie in the boundary band (0 where it makes no error), from its
    band scores and its accuracy over all test pixels."""
    wrong = 1 - overall_accuracy
    return band.band_share * (1 - band.accuracy) / wrong if wrong > 0 else 0.0


def region_count(mask: np.ndarray | torch.Tensor, num_classes: int) -> int:
    """The connected regions (4-connected) of a label map, summed over the classes."""
    mask = np.asarray(mask)
    return sum(ndimage.label(mask == c)[1] for c in range(num_classes))


def mean_regions(masks: list, num_classes: int) -> float:
    """The mean of region_count over label maps."""
    return float(np.mean([region_count(mask, num_classes) for mask in masks]))


def far_confusion(predictions: list, masks: list, num_classes: int, min_distance: float,
                  distances: list[np.ndarray] | None = None) -> torch.Tensor:
    """The confusion matrix (rows: truth) of the pixels at least `min_distance` pixels from a true class boundary
    (distances: boundary_distances(masks), where already computed)."""
    confusion = ConfusionMatrix(num_classes)
    distances = boundary_distances(masks) if distances is None else distances
    for pred, mask, distance in zip(predictions, masks, distances, strict=True):
        pred, mask = np.asarray(pred).astype(np.int64), np.asarray(mask).astype(np.int64)
        far = distance >= min_distance
        confusion.update(torch.from_numpy(pred[far]), torch.from_numpy(mask[far]))
    return confusion.compute()["confusion"]


def label_shares(label_maps: list, num_classes: int) -> np.ndarray:
    """The share of all pixels of the label maps given each class."""
    counts = np.zeros(num_classes, dtype=np.int64)
    for labels in label_maps:
        counts += np.bincount(np.asarray(labels).ravel(), minlength=num_classes)[:num_classes]
    return counts / max(int(counts.sum()), 1)

