"""Checks of the notebook's settings (its `parameters` cell), each failing with a one-line fix."""
from .errors import check
from .training import OPTIMIZERS, SCHEDULERS


def check_settings(settings: dict) -> None:
    """Validate the UPPER_CASE settings by their naming convention: LR_* > 0, *EPOCHS and BATCH_SIZE*
    positive integers (and *_EVERY), *OPTIMIZER* and *SCHEDULE* known names, VAL_SIZE within the MNIST training set."""
    for name, value in settings.items():
        where = f"{name}={value!r} in the parameters cell"
        if name.startswith("LR_") or name.endswith("_LR"):
            check(isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
                  f"{where}: a learning rate must be a positive number (e.g. 1e-3)")
        elif name.endswith("EPOCHS") or name.startswith("BATCH_SIZE") or name.endswith("BATCH_SIZE"):
            check(isinstance(value, int) and not isinstance(value, bool) and value > 0,
                  f"{where}: must be a positive whole number")
        elif name.endswith("OPTIMIZER"):
            check(value in OPTIMIZERS, f"{where}: unknown optimizer, use one of {', '.join(OPTIMIZERS)}")
        elif name.endswith("SCHEDULE"):
            check(value in SCHEDULERS, f"{where}: unknown schedule, use one of {', '.join(SCHEDULERS)}")
        elif name == "VAL_SIZE":
            check(isinstance(value, int) and 0 < value < 60000,
                  f"{where}: the validation set is held out of the 60,000 MNIST training images, "
                  "so it must be between 1 and 59,999 (e.g. 5000)")
        elif name.endswith("_EVERY"):
            check(isinstance(value, int) and not isinstance(value, bool) and value > 0,
                  f"{where}: must be a positive whole number (1: every one)")
        elif name in ("AUG_SHIFT", "AUG_SCALE"):
            check(isinstance(value, (int, float)) and 0 <= value < 1, f"{where}: must be in [0, 1) (e.g. 0.1)")
        elif name == "AUG_DEGREES":
            check(isinstance(value, (int, float)) and 0 <= value <= 180, f"{where}: must be between 0 and 180 degrees")
        elif name.endswith("DROPOUT"):
            check(isinstance(value, (int, float)) and 0 <= value < 1, f"{where}: dropout must be in [0, 1)")
