"""Checks of the notebook's settings (its `parameters` cell), each failing with a one-line fix.

They run in the notebook's first cells, so that a bad value stops it there, not after minutes of training.
The rules go by name (LR_* > 0, *EPOCHS positive, ...); then the settings that constrain each other (crop,
image and network sizes, tiles, the steps of a one-cycle schedule) are checked together. Paths and the
device are checked where they are used.
"""
import math

from .errors import check
from .training import OPTIMIZERS, SCHEDULERS
from .uavid import CROP_SCALE

POSITIVE_INTS = ("SEG_HEIGHT", "SEG_CROP", "SEG_CROPS_PER_EPOCH", "FCN_WIDTH", "UNET_WIDTH",
                 "PATCH_TRAIN_WINDOWS", "TILE_SIZE", "STANDIN_FRAMES")
NON_NEGATIVE_INTS = ("TRAIN_LIMIT", "TILE_OVERLAP", "SEG_WORKERS")
MNIST_TRAIN = 60000  # MNIST's training images, of which VAL_SIZE are held out
UAVID_TRAIN_SEQUENCES = 20  # labelled sequences of UAVid's (and the stand-in's) uavid_train
SWITCHES = ("RESUME", "PROGRESS", "SEG_CLASS_WEIGHTS")
UPSAMPLING = ("bilinear", "transposed")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_settings(settings: dict) -> None:
    """Validate the UPPER_CASE settings one by one, then those that constrain each other."""
    for name, value in settings.items():
        check_setting(name, value)
    check_combinations(settings)


def check_setting(name: str, value) -> None:
    """One setting, by its name: learning rates, epochs, batch sizes, sizes, names of optimizers, ..."""
    where = f"{name}={value!r} in the parameters cell"
    if name.startswith("LR_"):
        check(_is_number(value) and 0 < value < math.inf, f"{where}: a learning rate must be a positive number (e.g. 1e-3)")
    elif name == "SEED":
        check(_is_int(value) and 0 <= value < 2 ** 32, f"{where}: must be a whole number from 0 to 2**32 - 1")
    elif name == "UNET_DEPTH":
        check(_is_int(value) and 1 <= value <= 7, f"{where}: must be a whole number from 1 to 7 (down-sampling by 2 to 128)")
    elif name == "UAVID_TEST_SEQUENCES":
        check(_is_int(value) and 0 < value < UAVID_TRAIN_SEQUENCES,
              f"{where}: the test split takes whole sequences of uavid_train's {UAVID_TRAIN_SEQUENCES}, so from 1 to "
              f"{UAVID_TRAIN_SEQUENCES - 1} (the course uses 6)")
    elif name.endswith(("EPOCHS", "BATCH_SIZE", "_EVERY")) or name in POSITIVE_INTS:
        check(_is_int(value) and value > 0, f"{where}: must be a positive whole number")
    elif name in NON_NEGATIVE_INTS:
        check(_is_int(value) and value >= 0, f"{where}: must be a whole number, 0 or more")
    elif name in SWITCHES:
        check(isinstance(value, bool), f"{where}: must be True or False")
    elif name.endswith("OPTIMIZER"):
        check(value in OPTIMIZERS, f"{where}: unknown optimizer, use one of {', '.join(OPTIMIZERS)}")
    elif name.endswith("SCHEDULE"):
        check(value in SCHEDULERS, f"{where}: unknown schedule, use one of {', '.join(SCHEDULERS)}")
    elif name.endswith("UPSAMPLE"):
        check(value in UPSAMPLING, f"{where}: use one of {', '.join(UPSAMPLING)}")
    elif name == "VAL_SIZE":
        check(_is_int(value) and 0 < value < MNIST_TRAIN,
              f"{where}: the validation set is held out of the {MNIST_TRAIN:,} MNIST training images, "
              f"so it must be between 1 and {MNIST_TRAIN - 1:,} (e.g. 5000)")
    elif name == "MLP_HIDDEN":
        check(isinstance(value, (list, tuple)) and all(_is_int(v) and v > 0 for v in value),
              f"{where}: must be a list of layer widths, positive whole numbers (e.g. [512, 256])")
    elif name in ("STANDIN_WIDTH", "STANDIN_HEIGHT"):
        check(_is_int(value) and value >= 16, f"{where}: the stand-in's frames need at least 16 px (e.g. 960 x 540)")
    elif name == "PATCH_SIZE":
        check(_is_int(value) and value >= 9 and value % 2 == 1,
              f"{where}: the window must have a centre pixel, so an odd whole number, at least 9 (e.g. 25)")
    elif name in ("AUG_SHIFT", "AUG_SCALE"):
        check(_is_number(value) and 0 <= value < 1, f"{where}: must be in [0, 1) (e.g. 0.1)")
    elif name == "AUG_DEGREES":
        check(_is_number(value) and 0 <= value <= 180, f"{where}: must be between 0 and 180 degrees")
    elif name.endswith("DROPOUT"):
        check(_is_number(value) and 0 <= value < 1, f"{where}: dropout must be in [0, 1)")


def check_combinations(s: dict) -> None:
    """Settings that constrain each other: crop, image and network sizes, tiles, one-cycle steps."""
    if {"SEG_CROP", "SEG_HEIGHT"} <= s.keys():
        largest = int(s["SEG_HEIGHT"] * CROP_SCALE[0])  # crops are cut after a random zoom by CROP_SCALE
        check(s["SEG_CROP"] <= largest,
              f"SEG_CROP={s['SEG_CROP']} in the parameters cell is larger than the images' {s['SEG_HEIGHT']} rows "
              f"(SEG_HEIGHT) after the smallest random zoom ({CROP_SCALE[0]}): use at most {largest}, or a larger SEG_HEIGHT")
    if {"SEG_CROP", "UNET_DEPTH"} <= s.keys():
        # at least 2 x 2 pixels at the bottom of the U-Net (depth) and of the FCN (1/8): batch norm needs more
        # than one value per channel when a batch holds a single crop
        smallest = 2 * max(2 ** s["UNET_DEPTH"], 8)
        check(s["SEG_CROP"] >= smallest,
              f"SEG_CROP={s['SEG_CROP']} in the parameters cell is too small to pool down {s['UNET_DEPTH']} times "
              f"(UNET_DEPTH) and 3 times (FCN): use at least {smallest}")
    if {"PATCH_SIZE", "SEG_HEIGHT"} <= s.keys():
        check(s["PATCH_SIZE"] <= s["SEG_HEIGHT"],
              f"PATCH_SIZE={s['PATCH_SIZE']} in the parameters cell is larger than the images' {s['SEG_HEIGHT']} rows "
              "(SEG_HEIGHT): use a smaller window")
    if {"TILE_SIZE", "TILE_OVERLAP", "UNET_DEPTH"} <= s.keys():
        step = 2 ** s["UNET_DEPTH"]  # tiles start on multiples of the U-Net's down-sampling
        check(s["TILE_SIZE"] - s["TILE_OVERLAP"] >= step,
              f"TILE_OVERLAP={s['TILE_OVERLAP']} in the parameters cell leaves tiles of TILE_SIZE={s['TILE_SIZE']} "
              f"advancing by less than {step} px (2 ** UNET_DEPTH): use an overlap of at most {s['TILE_SIZE'] - step}")
    check_one_cycle_steps(s)


def check_one_cycle_steps(s: dict) -> None:
    """Each one-cycle schedule of the notebook needs at least 10 training steps (epochs x batches)."""
    runs = []
    if {"STUDY_EPOCHS", "LONG_EPOCHS", "BATCH_SIZE", "VAL_SIZE"} <= s.keys():  # the study's one-cycle variants
        images = min(s.get("TRAIN_LIMIT") or MNIST_TRAIN, MNIST_TRAIN - s["VAL_SIZE"])
        runs.append(("STUDY_EPOCHS, LONG_EPOCHS, BATCH_SIZE, TRAIN_LIMIT", min(s["STUDY_EPOCHS"], s["LONG_EPOCHS"]),
                     math.ceil(images / s["BATCH_SIZE"])))
    if {"PATCH_EPOCHS", "PATCH_TRAIN_WINDOWS", "PATCH_BATCH_SIZE"} <= s.keys():
        runs.append(("PATCH_EPOCHS, PATCH_TRAIN_WINDOWS, PATCH_BATCH_SIZE", s["PATCH_EPOCHS"],
                     math.ceil(s["PATCH_TRAIN_WINDOWS"] / s["PATCH_BATCH_SIZE"])))
    if s.get("SEG_SCHEDULE") == "onecycle" and {"SEG_EPOCHS", "SEG_CROPS_PER_EPOCH", "SEG_BATCH_SIZE"} <= s.keys():
        runs.append(("SEG_EPOCHS, SEG_CROPS_PER_EPOCH, SEG_BATCH_SIZE", s["SEG_EPOCHS"],
                     math.ceil(s["SEG_CROPS_PER_EPOCH"] / s["SEG_BATCH_SIZE"])))
    for names, epochs, batches in runs:
        check(epochs * batches >= 10, f"{names} in the parameters cell give a one-cycle schedule {epochs} x {batches} "
                                      f"= {epochs * batches} training steps: it needs at least 10, so raise one of them")
