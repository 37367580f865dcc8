"""Tasks 2 and 3 from the settings: the data, the loss, the loaders, the networks and how they train, built the same
way by the notebook and the benchmarks."""
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from . import models, standin, stats, uavid
from .config import Config, Segmentation
from .findings import epochs_text, verdict
from .palette import NUM_CLASSES
from .results import Comparison, SegScores
from .seg_data import SegmentationCrops, WholeImages
from .significance import holm, mean_iou, paired_miou_test, paired_sequence_test
from .training import Training


def standin_root(cfg: Config) -> Path:
    """The stand-in of the settings (STANDIN_WIDTH x STANDIN_HEIGHT, STANDIN_FRAMES, SEED), written to STANDIN_DIR
    where it is missing."""
    seg = cfg.seg
    return standin.make_standin(seg.standin_dir, size=(seg.standin_width, seg.standin_height),
                                frames=seg.standin_frames, seed=cfg.general.seed)


@dataclass(frozen=True)
class SegData:
    """The course split of a UAVid folder read at SEG_HEIGHT rows: the frames, images (uint8) and masks of each
    split, and the training images' channel mean and std."""

    split: dict[str, list[uavid.Sample]]
    images: dict[str, list[torch.Tensor]]
    masks: dict[str, list[torch.Tensor]]
    mean: list[float]
    std: list[float]


def load_data(root: str | Path, cfg: Config) -> SegData:
    """The course split of the UAVid folder root (UAVID_TEST_SEQUENCES drawn with SEED), read at SEG_HEIGHT rows."""
    split = uavid.course_split(root, cfg.seg.test_sequences, cfg.general.seed)
    images, masks = {}, {}
    for name, frames in split.items():
        images[name], masks[name] = uavid.load_samples(frames, cfg.seg.height)
    mean, std = stats.channel_stats(images["train"])
    return SegData(split, images, masks, mean, std)


def loss_function(train_masks: list[torch.Tensor], seg: Segmentation, device: torch.device) -> nn.CrossEntropyLoss:
    """Cross-entropy, weighted by the classes' frequencies in the training masks (stats.class_weights) where
    SEG_CLASS_WEIGHTS is set; its `weight` is None otherwise."""
    weights = stats.class_weights(train_masks) if seg.class_weights else None
    return nn.CrossEntropyLoss(weight=weights.to(device) if weights is not None else None)


@dataclass(frozen=True)
class Loaders:
    """The batches of the FCN and the U-Nets."""

    train: DataLoader  # SEG_CROPS_PER_EPOCH random crops of SEG_CROP px an epoch, SEG_BATCH_SIZE a batch
    val: DataLoader  # every SEG_VAL_EVERY-th validation image, one a batch
    test: DataLoader  # every test image, in order, one a batch


def loaders(data: SegData, seg: Segmentation) -> Loaders:
    """Training crops, validation and test images, normalised by the training images' mean and std."""
    crops = SegmentationCrops(data.images["train"], data.masks["train"], seg.crop, seg.crops_per_epoch, data.mean,
                              data.std)
    every = seg.val_every
    val = WholeImages(data.images["val"][::every], data.masks["val"][::every], data.mean, data.std)
    test = WholeImages(data.images["test"], data.masks["test"], data.mean, data.std)
    return Loaders(DataLoader(crops, batch_size=seg.batch_size, num_workers=seg.workers),
                   DataLoader(val, batch_size=1), DataLoader(test, batch_size=1))


def fcn(seg: Segmentation, upsample: str | None = None) -> models.FCN:
    """The FCN of FCN_WIDTH, upsampling as FCN_UPSAMPLE says unless told otherwise."""
    return models.FCN(NUM_CLASSES, width=seg.fcn_width, upsample=upsample or seg.fcn_upsample)


def unet(seg: Segmentation, skips: bool = True) -> models.UNet:
    """The U-Net of UNET_WIDTH and UNET_DEPTH; skips=False removes its skip connections."""
    return models.UNet(NUM_CLASSES, width=seg.unet_width, depth=seg.unet_depth, skips=skips)


def window_classifier(seg: Segmentation) -> models.PatchCNN:
    """The sliding window's classifier of a PATCH_SIZE x PATCH_SIZE window."""
    return models.PatchCNN(num_classes=NUM_CLASSES, patch=seg.patch_size)


def training(seg: Segmentation, loss_fn: nn.Module, epochs: int, log_every: int = 1) -> Training:
    """How the FCN and the U-Nets train: SEG_OPTIMIZER at LR_SEG with SEG_SCHEDULE for `epochs`, the validation
    mIoU picking the kept weights; a log line every `log_every` epochs and at the last."""
    return Training(epochs=epochs, num_classes=NUM_CLASSES, optimizer=seg.optimizer, lr=seg.lr,
                    schedule=seg.schedule, loss_fn=loss_fn, monitor="val_miou", log_every=log_every)


@dataclass(frozen=True)
class ModelNames:
    """The label of each segmentation model, with its epochs, as every table, figure and finding names it."""

    window: str
    fcn: str  # FCN_UPSAMPLE, FCN_EPOCHS
    fcn_other: str  # the other upsampling, FCN_EPOCHS
    unet_no_skips: str  # FCN_EPOCHS
    unet_short: str  # FCN_EPOCHS
    unet_unweighted: str  # FCN_EPOCHS, trained with an unweighted cross-entropy
    unet: str  # SEG_EPOCHS
    other_upsampling: str


def model_names(seg: Segmentation) -> ModelNames:
    """The labels of the settings' models; the short U-Net is marked as 2.6's where both U-Nets train alike long."""
    short = epochs_text(seg.fcn_epochs)
    other = "transposed" if seg.fcn_upsample == "bilinear" else "bilinear"
    twin = " (2.6)" if seg.epochs == seg.fcn_epochs else ""
    return ModelNames("window classifier", f"FCN, {short}", f"FCN, {other} upsampling, {short}",
                      f"U-Net without skips, {short}", f"U-Net{twin}, {short}", f"U-Net, unweighted loss, {short}",
                      f"U-Net, {epochs_text(seg.epochs)}", other)


@dataclass(frozen=True)
class Planned:
    """A planned comparison of two models, by their labels: first minus second, on the mIoU of all classes or, where
    `classes` lists some, on theirs (named by `measure`)."""

    topic: str
    first: str
    second: str
    classes: tuple[int, ...] = ()
    measure: str = "mIoU"


def controlled_comparisons(names: ModelNames, rare: list[int] | None = None) -> list[Planned]:
    """2.6's family: each pair differs in one thing, or (U-Net against FCN) in the architecture; with `rare`, also
    the class weights, on the mIoU of those rare classes, which the weights are for."""
    planned = [Planned("Upsampling", names.fcn_other, names.fcn),
               Planned("Skip connections", names.unet_short, names.unet_no_skips),
               Planned("U-Net against FCN", names.unet_short, names.fcn),
               Planned("Training length", names.unet, names.unet_short)]
    if rare:
        planned.append(Planned("Class weights", names.unet_short, names.unet_unweighted, tuple(rare),
                               "rare-class mIoU"))
    return planned


# mIoU differences below this count as none: a change of CPU or number format alone moves a model's mIoU this much
MIOU_MARGIN = 0.01


def compare(family: str, planned: list[Planned], scores: dict[str, SegScores], per_image: dict[str, torch.Tensor],
            sequences: list[str], seed: int) -> list[Comparison]:
    """Each planned comparison's frame-level permutation test and sequence-level paired t-test (per_image: each
    model's per-image confusions; sequences: each image's sequence); the verdict takes the larger p, Holm-adjusted
    over the family, and a difference under MIOU_MARGIN is none."""
    frame_tests = [paired_miou_test(per_image[p.first], per_image[p.second], seed=seed, classes=list(p.classes) or None)
                   for p in planned]
    sequence_tests = [paired_sequence_test(per_image[p.first], per_image[p.second], sequences, list(p.classes) or None)
                      for p in planned]
    adjusted = holm([max(f.p_value, s.p_value) for f, s in zip(frame_tests, sequence_tests, strict=True)])
    return [Comparison(p.topic, scores[p.first], scores[p.second], frame, sequence, family, p_value,
                       verdict(frame.difference, p_value, MIOU_MARGIN), p.measure, _subset_scores(p, per_image))
            for p, frame, sequence, p_value in zip(planned, frame_tests, sequence_tests, adjusted, strict=True)]


def _subset_scores(planned: Planned, per_image: dict[str, torch.Tensor]) -> tuple[float, float] | None:
    """Both models' mIoU over the planned classes on the whole test set; None where it is the mIoU of all."""
    if not planned.classes:
        return None
    return tuple(float(mean_iou(per_image[name].double().sum(0), list(planned.classes)))
                 for name in (planned.first, planned.second))
