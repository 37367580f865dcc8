"""The notebook's settings as one typed config, validated once.

The `parameters` cell keeps plain UPPER_CASE names (papermill sets them); `Config.from_parameters` turns them
into three frozen dataclasses and checks every value, then the settings that constrain each other. A bad value
stops the notebook at once with one line that names the setting and says how to fix it.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .choices import CROP_SCALE, OPTIMIZERS, PRECISIONS, SCHEDULERS, UPSAMPLING
from .errors import check
from .strides import FCN_DEPTH, total_stride
from .uavid import check_uavid_dir

MNIST_TRAIN = 60000  # MNIST's training images, of which VAL_SIZE are held out
UAVID_TRAIN_SEQUENCES = 20  # labelled sequences of UAVid's (and the stand-in's) uavid_train


# ----------------------------------------------------------------------------- rules: value -> bool


def _whole(low: int = 0, high: float = math.inf) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _number(low: float = 0.0, high: float = math.inf, open_low: bool = False, open_high: bool = True):
    def rule(value) -> bool:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            return False
        return (value > low if open_low else value >= low) and (value < high if open_high else value <= high)
    return rule


def _one_of(*choices) -> Callable[[Any], bool]:
    return lambda v: v in choices


def _flag(value) -> bool:
    return isinstance(value, bool)


def _text(value) -> bool:
    return isinstance(value, str) and value != ""


def _rates(value) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(item, (int, float)) and not isinstance(item, bool) and item > 0 for item in value)


def _pixels(value) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(_whole(1, 8)(item) for item in value)


def _widths(value) -> bool:
    return isinstance(value, (list, tuple)) and all(_whole(1)(w) for w in value)


POSITIVE = "must be a positive whole number"
LEARNING_RATE = "a learning rate must be a positive number (e.g. 1e-3)"


def setting(default, rule: Callable[[Any], bool], hint: str, name: str = "", key: bool = False):
    """A field of the config: its default (as in the parameters cell), its rule and the hint shown when the rule
    fails; `name` is the notebook's name if it is not the field's in capitals; `key`: it changes what a model
    is trained on, so it keys the checkpoints."""
    return field(default=default, metadata={"rule": rule, "hint": hint, "name": name, "key": key})


def _name(setting_field) -> str:
    return setting_field.metadata["name"] or setting_field.name.upper()


@dataclass(frozen=True)
class General:
    """Seed, device, folders, checkpoints and progress bars."""

    seed: int = setting(0, _whole(0, 2 ** 32 - 1), "must be a whole number from 0 to 2**32 - 1", key=True)
    device: str = setting("auto", _text, "name a device: 'auto', 'cpu', 'cuda', 'cuda:1' or 'mps'")
    data_dir: str = setting("data", _text, "name a folder (MNIST is read from DATA_DIR/MNIST/raw)")
    figures_dir: str = setting("figures", _text, "name a folder")
    output_dir: str = setting("outputs", _text, "name a folder")
    checkpoint_dir: str = setting("checkpoints", _text, "name a folder")
    resume: bool = setting(True, _flag, "must be True or False")
    progress: bool = setting(True, _flag, "must be True or False")
    precision: str = setting("auto", _one_of(*PRECISIONS), f"use one of {', '.join(PRECISIONS)} ('auto': bfloat16 "
                             "where the GPU or CPU computes it natively, float16 on older GPUs, else float32)")


@dataclass(frozen=True)
class Mnist:
    """Task 1: the MLP and the LeNet study."""

    val_size: int = setting(5000, _whole(1, MNIST_TRAIN - 1), "the validation set is held out of the 60,000 MNIST "
                            "training images, so it must be between 1 and 59,999 (e.g. 5000)", key=True)
    batch_size: int = setting(128, _whole(1), POSITIVE)
    train_limit: int = setting(0, _whole(0), "must be a whole number, 0 or more", key=True)
    mlp_hidden: tuple = setting((512, 256), _widths, "must be a list of layer widths, positive whole numbers "
                                "(e.g. [512, 256])")
    mlp_epochs: int = setting(3, _whole(1), POSITIVE)
    lr_mlp: float = setting(1e-3, _number(open_low=True), LEARNING_RATE)
    sweep_limit: int = setting(8000, _whole(1), POSITIVE)
    sweep_rates: tuple = setting((1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0), _rates,
                                 "must be a list of positive learning rates (e.g. [0.001, 0.01, 0.1])")
    reg_limit: int = setting(2000, _whole(1), POSITIVE)
    reg_epochs: int = setting(15, _whole(1), POSITIVE)
    lr_onecycle: float = setting(3e-3, _number(open_low=True), LEARNING_RATE)
    pool_epochs: int = setting(1, _whole(1), POSITIVE)
    shifts: tuple = setting((1, 2, 3), _pixels, "must be a list of shifts in whole pixels, 1 to 8 (e.g. [1, 2, 3])")
    shift_tested: int = setting(2, _whole(1, 8), "must be a shift in whole pixels, 1 to 8")
    noises: tuple = setting((0.2, 0.4, 0.6), _rates, "must be a list of positive noise levels (e.g. [0.2, 0.4])")
    dropout: float = setting(0.5, _number(0, 1, open_low=True), "dropout must be in (0, 1) (e.g. 0.5)")
    aug_shift: float = setting(0.08, _number(0, 1), "must be in [0, 1) (e.g. 0.1)")
    aug_degrees: float = setting(10, _number(0, 180, open_high=False), "must be between 0 and 180 degrees")
    aug_scale: float = setting(0.1, _number(0, 1), "must be in [0, 1) (e.g. 0.1)")


@dataclass(frozen=True)
class Segmentation:
    """Tasks 2 and 3: UAVid or the stand-in, the window classifier, the FCN, the U-Net and tiled prediction."""

    uavid_dir: str = setting("data/uavid", _text, "name the folder that holds UAVid")
    standin_dir: str = setting("data/uavid_standin", _text, "name a folder")
    standin_width: int = setting(960, _whole(16), "the stand-in's frames need at least 16 px (e.g. 960 x 540)",
                                 key=True)
    standin_height: int = setting(540, _whole(16), "the stand-in's frames need at least 16 px (e.g. 960 x 540)",
                                  key=True)
    standin_frames: int = setting(10, _whole(1), POSITIVE, key=True)
    test_sequences: int = setting(6, _whole(1, UAVID_TRAIN_SEQUENCES - 1), "the test split takes whole sequences "
                                  f"of uavid_train's {UAVID_TRAIN_SEQUENCES}, so from 1 to {UAVID_TRAIN_SEQUENCES - 1} "
                                  "(the course uses 6)", name="UAVID_TEST_SEQUENCES", key=True)
    height: int = setting(270, _whole(1), POSITIVE, name="SEG_HEIGHT", key=True)
    crop: int = setting(128, _whole(1), POSITIVE, name="SEG_CROP", key=True)
    crops_per_epoch: int = setting(640, _whole(1), POSITIVE, name="SEG_CROPS_PER_EPOCH", key=True)
    batch_size: int = setting(4, _whole(1), POSITIVE, name="SEG_BATCH_SIZE")
    workers: int = setting(0, _whole(0), "must be a whole number, 0 or more", name="SEG_WORKERS", key=True)
    epochs: int = setting(24, _whole(1), POSITIVE, name="SEG_EPOCHS")
    fcn_epochs: int = setting(6, _whole(1), POSITIVE)
    val_every: int = setting(4, _whole(1), POSITIVE, name="SEG_VAL_EVERY", key=True)
    optimizer: str = setting("adam", _one_of(*OPTIMIZERS), f"unknown optimizer, use one of {', '.join(OPTIMIZERS)}",
                             name="SEG_OPTIMIZER")
    schedule: str = setting("onecycle", _one_of(*SCHEDULERS), f"unknown schedule, use one of {', '.join(SCHEDULERS)}",
                            name="SEG_SCHEDULE")
    lr: float = setting(3e-3, _number(open_low=True), LEARNING_RATE, name="LR_SEG")
    class_weights: bool = setting(True, _flag, "must be True or False", name="SEG_CLASS_WEIGHTS")
    fcn_width: int = setting(16, _whole(1), POSITIVE)
    fcn_upsample: str = setting("bilinear", _one_of(*UPSAMPLING), f"use one of {', '.join(UPSAMPLING)}")
    unet_width: int = setting(16, _whole(1), POSITIVE)
    unet_depth: int = setting(3, _whole(1, 7), "must be a whole number from 1 to 7 (down-sampling by 2 to 128)")
    patch_size: int = setting(25, lambda v: _whole(9)(v) and v % 2 == 1, "the window must have a centre pixel, so an "
                              "odd whole number, at least 9 (e.g. 25)", key=True)
    patch_train_windows: int = setting(24000, _whole(1), POSITIVE, key=True)
    patch_epochs: int = setting(2, _whole(1), POSITIVE)
    patch_batch_size: int = setting(128, _whole(1), POSITIVE)
    lr_patch: float = setting(3e-3, _number(open_low=True), LEARNING_RATE)
    tile_size: int = setting(256, _whole(1), POSITIVE)
    tile_overlap: int = setting(96, _whole(0), "must be a whole number, 0 or more")
    pixel_sample: int = setting(20000, _whole(1), POSITIVE)
    boundary_band: float = setting(3, _number(0, 1000, open_low=True), "must be a distance in pixels above 0 (e.g. 3)")


@dataclass(frozen=True)
class Config:
    """All the notebook's settings, checked, and the UAVid folder found at UAVID_DIR (None: there is none, so
    Task 2 runs on the stand-in)."""

    general: General = field(default_factory=General)
    mnist: Mnist = field(default_factory=Mnist)
    seg: Segmentation = field(default_factory=Segmentation)
    uavid_root: Path | None = None

    @classmethod
    def from_parameters(cls, parameters: dict) -> "Config":
        """The config of the parameters cell's UPPER_CASE names (others are ignored), each value checked, with the
        UAVid folder found at UAVID_DIR and its layout checked (before Task 1 trains, not after)."""
        sections = {name: _section(kind, parameters) for name, kind in SECTIONS.items()}
        config = cls(**sections)
        config.check_combinations()
        return replace(config, uavid_root=check_uavid_dir(config.seg.uavid_dir, Segmentation().uavid_dir))

    def mnist_key(self) -> dict:
        """The settings that change what the MNIST models see (tagged key=True): part of their checkpoints' key."""
        return _key(self.general, self.mnist)

    def seg_key(self) -> dict:
        """The settings that change what the segmentation models see (tagged key=True): part of their
        checkpoints' key."""
        return _key(self.general, self.seg)

    def check_combinations(self) -> None:
        """Settings that constrain each other: crop, image and network sizes, tiles, one-cycle steps."""
        s, m = self.seg, self.mnist
        largest = int(s.height * CROP_SCALE[0])  # crops are cut after a random zoom by CROP_SCALE
        check(s.crop <= largest,
              f"SEG_CROP={s.crop} in the parameters cell is larger than the images' {s.height} rows (SEG_HEIGHT) "
              f"after the smallest random zoom ({CROP_SCALE[0]}): use at most {largest}, or a larger SEG_HEIGHT")
        # at least 2 x 2 pixels at the bottom of the U-Net and of the FCN (1/16): batch norm needs more than one
        # value per channel when a batch holds a single crop
        smallest = 2 * max(total_stride(s.unet_depth), total_stride(FCN_DEPTH))
        check(s.crop >= smallest, f"SEG_CROP={s.crop} in the parameters cell is too small to halve {s.unet_depth + 1} "
                                  f"times (the stem and UNET_DEPTH steps down) and {FCN_DEPTH + 1} times (the FCN): "
                                  f"use at least {smallest}")
        check(s.patch_size <= s.height, f"PATCH_SIZE={s.patch_size} in the parameters cell is larger than the images' "
                                        f"{s.height} rows (SEG_HEIGHT): use a smaller window")
        step = total_stride(s.unet_depth)  # tiles start on multiples of the U-Net's down-sampling
        check(s.tile_size - s.tile_overlap >= step,
              f"TILE_OVERLAP={s.tile_overlap} in the parameters cell leaves tiles of TILE_SIZE={s.tile_size} "
              f"advancing by less than {step} px (2 ** (UNET_DEPTH + 1)): use an overlap of at most "
              f"{s.tile_size - step}")
        images = min(m.train_limit or MNIST_TRAIN, MNIST_TRAIN - m.val_size)
        batches = math.ceil(images / m.batch_size)
        runs = [("SWEEP_LIMIT, BATCH_SIZE, TRAIN_LIMIT", 1, math.ceil(min(m.sweep_limit, images) / m.batch_size)),
                ("REG_EPOCHS, REG_LIMIT, BATCH_SIZE", m.reg_epochs, math.ceil(min(m.reg_limit, images) / m.batch_size)),
                ("POOL_EPOCHS, BATCH_SIZE, TRAIN_LIMIT", m.pool_epochs, batches),
                ("PATCH_EPOCHS, PATCH_TRAIN_WINDOWS, PATCH_BATCH_SIZE", s.patch_epochs,
                 math.ceil(s.patch_train_windows / s.patch_batch_size))]
        if s.schedule == "onecycle":
            runs.append(("SEG_EPOCHS, FCN_EPOCHS, SEG_CROPS_PER_EPOCH, SEG_BATCH_SIZE", min(s.epochs, s.fcn_epochs),
                         math.ceil(s.crops_per_epoch / s.batch_size)))
        for names, epochs, batches in runs:
            check(epochs * batches >= 10, f"{names} in the parameters cell give a one-cycle schedule {epochs} x "
                                          f"{batches} = {epochs * batches} training steps: it needs at least 10, "
                                          "so raise one of them")


SECTIONS = {"general": General, "mnist": Mnist, "seg": Segmentation}


def _key(*sections) -> dict:
    """The values of the sections' fields tagged key=True, by field name."""
    return {f.name: getattr(section, f.name) for section in sections for f in fields(section) if f.metadata["key"]}


def _section(kind: type, parameters: dict):
    """One section of the config from the parameters that name its fields, each value checked by its rule."""
    values = {}
    for f in fields(kind):
        name = _name(f)
        if name in parameters:
            value = parameters[name]
            check(f.metadata["rule"](value), f"{name}={value!r} in the parameters cell: {f.metadata['hint']}")
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return kind(**values)


def setting_names() -> list[str]:
    """Every setting's name in the parameters cell."""
    return [_name(f) for kind in SECTIONS.values() for f in fields(kind)]
