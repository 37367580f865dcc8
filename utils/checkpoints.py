"""Checkpoints of a training run: written atomically, keyed by the settings that made them, with the random
state that lets a resumed run draw the same batches."""
from pathlib import Path

import torch

from .errors import LabError
from .files import write_atomic


def rng_state(loader) -> dict:
    """The random state a training run draws from: PyTorch's global generators and the loader's own, if any."""
    generator = getattr(loader, "generator", None)
    return {"torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None,  # no context on CPU runs
            "loader": generator.get_state() if isinstance(generator, torch.Generator) else None}


def set_rng_state(state: dict, loader) -> None:
    """Restore what rng_state saved, so a resumed run draws the same batches and dropout masks."""
    # generator states must be CPU byte tensors, but a checkpoint loaded with map_location="cuda" has them on the GPU
    torch.set_rng_state(state["torch"].cpu())
    if state["cuda"] is not None and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    if state["loader"] is not None:
        loader.generator.set_state(state["loader"].cpu())


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write a training state atomically (a half-written file never replaces a good one)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda tmp: torch.save(state, tmp))


def load_checkpoint(path: str | Path | None, device: torch.device, key: dict | None = None) -> dict | None:
    """The saved training state, or None if there is none or it was made with other settings than `key`."""
    if path is None or not Path(path).is_file():
        return None
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:
        raise LabError(f"checkpoint {path} cannot be read ({type(err).__name__}): "
                       "delete it to train from scratch") from None
    if state.get("key") != key:
        print(f"checkpoint {path} was made with other settings: training from scratch")
        return None
    return state


def describe_loss(loss_fn) -> str:
    """The loss and its settings, e.g. class weights and label smoothing, which repr() does not show."""
    settings = {k: v for k, v in vars(loss_fn).items() if not k.startswith("_") and k != "training"}
    weight = getattr(loss_fn, "weight", None)
    if weight is not None:
        settings["weight"] = [round(float(w), 6) for w in weight]
    return f"{type(loss_fn).__name__}({settings})"
