"""Checks of the notebook's settings (its `parameters` cell), each failing with a one-line fix.

Every setting is checked before anything runs, so a bad value stops the notebook in its first cells, not
after minutes of training. The rules go by name (LR_* > 0, *EPOCHS positive, ...), then a few settings are
checked against each other.
"""
from .errors import check
from .training import OPTIMIZERS, SCHEDULERS
from .uavid import CROP_SCALE

POSITIVE_INTS = ("SEG_HEIGHT", "SEG_CROP", "SEG_CROPS_PER_EPOCH", "FCN_WIDTH", "UNET_WIDTH", "UNET_DEPTH",
                 "PATCH_TRAIN_WINDOWS", "TILE_SIZE", "STANDIN_FRAMES",
                 "UAVID_TEST_SEQUENCES")
NON_NEGATIVE_INTS = ("SEED", "TRAIN_LIMIT", "TILE_OVERLAP")
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
        check(_is_number(value) and value > 0, f"{where}: a learning rate must be a positive number (e.g. 1e-3)")
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
        check(_is_int(value) and 0 < value < 60000,
              f"{where}: the validation set is held out of the 60,000 MNIST training images, "
              "so it must be between 1 and 59,999 (e.g. 5000)")
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
    """Settings that constrain each other: crop and image size, network depth, tiles."""
    if {"SEG_CROP", "SEG_HEIGHT"} <= s.keys():
        largest = int(s["SEG_HEIGHT"] * CROP_SCALE[0])  # crops are cut after a random zoom by CROP_SCALE
        check(s["SEG_CROP"] <= largest,
              f"SEG_CROP={s['SEG_CROP']} in the parameters cell is larger than the images' {s['SEG_HEIGHT']} rows "
              f"(SEG_HEIGHT) after the smallest random zoom ({CROP_SCALE[0]}): use at most {largest}, or a larger SEG_HEIGHT")
    if {"SEG_CROP", "UNET_DEPTH"} <= s.keys():
        smallest = max(2 ** s["UNET_DEPTH"], 8)  # the FCN's encoder goes down to 1/8
        check(s["SEG_CROP"] >= smallest,
              f"SEG_CROP={s['SEG_CROP']} in the parameters cell is too small to pool down {s['UNET_DEPTH']} times "
              f"(UNET_DEPTH) and 3 times (FCN): use at least {smallest}")
    if {"TILE_SIZE", "TILE_OVERLAP", "UNET_DEPTH"} <= s.keys():
        step = 2 ** s["UNET_DEPTH"]  # tiles start on multiples of the U-Net's down-sampling
        check(s["TILE_SIZE"] - s["TILE_OVERLAP"] >= step,
              f"TILE_OVERLAP={s['TILE_OVERLAP']} in the parameters cell leaves tiles of TILE_SIZE={s['TILE_SIZE']} "
              f"advancing by less than {step} px (2 ** UNET_DEPTH): use an overlap of at most {s['TILE_SIZE'] - step}")
