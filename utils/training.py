"""The training loop: any model, loss, optimizer and scheduler; validation, best weights, checkpoints."""
import contextlib
import copy
import os
import time
from collections.abc import Iterable
from pathlib import Path

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LRScheduler
from tqdm.auto import tqdm

from .errors import Interrupted, LabError, check
from .metrics import ConfusionMatrix

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw")
SCHEDULERS = ("none", "onecycle", "cosine")


def make_optimizer(name: str, params, lr: float, weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """SGD (plain, with momentum 0.9, or Nesterov), Adam or AdamW by name."""
    check(name in OPTIMIZERS, f"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}")
    check(isinstance(lr, (int, float)) and lr > 0, f"learning rate lr={lr} must be a positive number (e.g. 1e-3)")
    check(weight_decay >= 0, f"weight_decay={weight_decay} must be zero or positive")
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    momentum = {"sgd": 0.0, "momentum": 0.9, "nesterov": 0.9}[name]
    return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov", weight_decay=weight_decay)


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, total_steps: int) -> LRScheduler | None:
    """A per-batch learning-rate schedule: 'none', 'onecycle' (peak at the optimizer's lr) or 'cosine'.

    One-cycle also cycles the momentum (SGD's, or Adam's beta1) from 0.95 down to 0.85 and back, as in
    Smith's recipe; an optimizer without momentum (plain SGD) keeps none."""
    check(name in SCHEDULERS, f"unknown schedule {name!r}: use one of {', '.join(SCHEDULERS)}")
    if name == "onecycle":
        check(total_steps >= 10, f"the one-cycle schedule needs at least 10 training steps, but these settings give "
                                 f"{total_steps} (epochs x batches): raise the epochs or the training data "
                                 "(TRAIN_LIMIT, PATCH_TRAIN_WINDOWS, SEG_CROPS_PER_EPOCH), or use the schedule 'none'")
        group = optimizer.param_groups[0]
        has_momentum = "betas" in group or group.get("momentum", 0) > 0
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=group["lr"], total_steps=total_steps,
                                                   pct_start=0.25, cycle_momentum=has_momentum)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return None


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast type on this device: bfloat16 on CUDA GPUs that run it natively (compute capability 8
    and up), float16 on older ones (T4, V100), None (full precision) elsewhere."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.get_device_capability(device)[0] >= 8 else torch.float16


def autocast(device: torch.device):
    """Mixed precision on CUDA (see amp_dtype); a no-op elsewhere."""
    dtype = amp_dtype(device)
    return contextlib.nullcontext() if dtype is None else torch.autocast("cuda", dtype=dtype)


def make_scaler(device: torch.device) -> torch.amp.GradScaler:
    """Gradient scaling, needed only for float16 autocast."""
    return torch.amp.GradScaler("cuda", enabled=amp_dtype(device) == torch.float16)


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


def train_one_epoch(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer, loader: Iterable,
                    device: torch.device, scheduler: LRScheduler | None = None,
                    scaler: torch.amp.GradScaler | None = None, desc: str = "train", progress: bool = True) -> dict:
    """One pass over loader; returns the loss (the batches' means, weighted by their sample or pixel counts)
    and the accuracy (per sample, or per pixel)."""
    model.train()
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.int64)
    count = 0
    scaling = scaler is not None and scaler.is_enabled()  # float16 autocast only
    scale = scaler.get_scale() if scaling else None
    # tqdm.auto gets an iterator: given the loader, its asyncio layer calls iter() on it once more, which
    # would start a DataLoader's worker processes twice and draw an extra seed. The bar is closed on Ctrl-C too.
    total = len(loader) if hasattr(loader, "__len__") else None
    with tqdm(iter(loader), total=total, desc=desc, leave=False, disable=not progress) as bar:
        for step, (x, y) in enumerate(bar):
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with autocast(device):
                logits = model(x)
                loss = loss_fn(logits.float(), y)
            optimizer.zero_grad(set_to_none=True)
            if scaling:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                # a lowered scale means the gradients overflowed and the step was skipped, so the schedule
                # waits too (reading the scale syncs once a step, on float16 GPUs alone)
                new_scale = scaler.get_scale()
                stepped, scale = new_scale >= scale, new_scale
            else:
                loss.backward()
                optimizer.step()
                stepped = True
            if scheduler is not None and stepped:
                scheduler.step()
            total_loss += loss.detach() * y.numel()
            correct += (logits.argmax(1) == y).sum()
            count += y.numel()
            if step % 20 == 0:  # reading the loss forces a device sync; not every step
                bar.set_postfix(loss=f"{total_loss.item() / count:.4f}")
    return {"loss": total_loss.item() / max(count, 1), "accuracy": correct.item() / max(count, 1)}


@torch.no_grad()
def evaluate(model: nn.Module, loss_fn: nn.Module, loader: Iterable, device: torch.device, num_classes: int,
             keep_predictions: bool = False) -> dict:
    """The loss (batch means weighted by sample or pixel counts, as in train_one_epoch) and the metrics of one
    confusion matrix over loader (accuracy, mIoU, ...); with keep_predictions, also the predicted classes of
    every sample ("predictions", uint8 on the CPU)."""
    model.eval()
    confusion = ConfusionMatrix(num_classes, device)
    total_loss = torch.zeros((), device=device)
    count, predictions = 0, []
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with autocast(device):
            logits = model(x)
        total_loss += loss_fn(logits.float(), y) * y.numel()
        count += y.numel()
        pred = logits.argmax(1)
        confusion.update(pred, y)
        if keep_predictions:
            predictions.extend(pred.to(torch.uint8).cpu())
    out = {"loss": total_loss.item() / max(count, 1), **confusion.compute()}
    if keep_predictions:
        out["predictions"] = predictions
    return out


@torch.no_grad()
def predict(model: nn.Module, loader, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax probabilities and labels for everything in loader, on the CPU."""
    model.eval()
    probs, labels = [], []
    for x, y in loader:
        with autocast(device):
            logits = model(x.to(device))
        probs.append(logits.float().softmax(1).cpu())
        labels.append(y.cpu())
    return torch.cat(probs), torch.cat(labels)


def new_history() -> dict:
    return {"epoch": [], "train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [],
            "val_miou": [], "lr": [], "seconds": [], "best_epoch": 0, "interrupted": False}


def fit(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer, train_loader: Iterable,
        val_loader: Iterable, epochs: int, device: torch.device, num_classes: int,
        scheduler: LRScheduler | None = None, monitor: str = "val_accuracy", checkpoint: str | Path | None = None,
        config: dict | None = None, progress: bool = True, name: str = "") -> dict:
    """Train for `epochs`, validating after each; leave the best weights (by `monitor`) in the model.

    With `checkpoint`, every finished epoch is saved there; a later call with the same `config`
    resumes from it, or skips training if it is complete. Ctrl-C stops cleanly: the model gets the
    best weights so far and the returned history holds every finished epoch.
    """
    check(isinstance(epochs, int) and epochs > 0, f"epochs={epochs} must be a positive whole number")
    check(monitor in ("val_accuracy", "val_miou", "val_loss"), f"monitor={monitor!r} must be val_accuracy, val_miou or val_loss")
    scaler = make_scaler(device)
    history, best_state, start = new_history(), None, 0
    better = (lambda a, b: a < b) if monitor == "val_loss" else (lambda a, b: a > b)
    label = f"[{name}] " if name else ""

    state = load_checkpoint(checkpoint, device, config)
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
        if state["scaler"]:  # empty when written without float16 scaling (CPU, or a bfloat16 GPU)
            scaler.load_state_dict(state["scaler"])
        if state.get("rng") is not None:
            set_rng_state(state["rng"], train_loader)
        history, best_state, start = state["history"], state["best_model"], len(state["history"]["epoch"])
        history["interrupted"] = False
        verb = "has all" if start >= epochs else "resumes after"
        print(f"{label}checkpoint {checkpoint} {verb} {start} epoch(s)")

    epoch = start
    try:
        for epoch in range(start, epochs):
            tic = time.perf_counter()
            train = train_one_epoch(model, loss_fn, optimizer, train_loader, device, scheduler, scaler,
                                    desc=f"{label}epoch {epoch + 1}/{epochs}", progress=progress)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            seconds = time.perf_counter() - tic
            val = evaluate(model, loss_fn, val_loader, device, num_classes)
            for key, value in (("epoch", epoch + 1), ("train_loss", train["loss"]), ("train_accuracy", train["accuracy"]),
                               ("val_loss", val["loss"]), ("val_accuracy", val["accuracy"]), ("val_miou", val["miou"]),
                               ("lr", optimizer.param_groups[0]["lr"]), ("seconds", seconds)):
                history[key].append(value)
            if best_state is None or better(history[monitor][-1], history[monitor][history["best_epoch"] - 1]):
                history["best_epoch"] = epoch + 1
                best_state = copy.deepcopy(model.state_dict())
            print(f"{label}epoch {epoch + 1:>2}/{epochs}  train loss {train['loss']:.4f} acc {train['accuracy']:.2%}  "
                  f"val loss {val['loss']:.4f} acc {val['accuracy']:.2%}"
                  + (f" mIoU {val['miou']:.3f}" if monitor == "val_miou" else "") + f"  {seconds:.1f} s")
            if checkpoint is not None:
                save_checkpoint(checkpoint, model, optimizer, scheduler, scaler, history, best_state, config,
                                rng_state(train_loader))
    except KeyboardInterrupt:
        history["interrupted"] = True
        print(f"{label}interrupted during epoch {epoch + 1}: keeping the best weights and the history of "
              f"{len(history['epoch'])} finished epoch(s)")
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def stop_if_interrupted(history: dict, name: str) -> None:
    """After a fit stopped by Ctrl-C (its results kept), stop the notebook here too: raise Interrupted."""
    if history["interrupted"]:
        raise Interrupted(f"{name} stopped by Ctrl-C after {len(history['epoch'])} finished epoch(s): the best weights "
                          "and the history are kept; re-run this cell to resume (from the checkpoint, with RESUME on)")


def save_checkpoint(path: str | Path, model, optimizer, scheduler, scaler, history: dict, best_state: dict,
                    config: dict | None, rng: dict | None = None) -> None:
    """Write the training state atomically (a half-written file never replaces a good one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict() if scheduler is not None else None,
             "scaler": scaler.state_dict(), "history": history, "best_model": best_state, "config": config,
             "rng": rng}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path | None, device: torch.device, config: dict | None = None) -> dict | None:
    """The saved training state, or None if there is none or it was made with another config."""
    if path is None or not Path(path).is_file():
        return None
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:
        raise LabError(f"checkpoint {path} cannot be read ({type(err).__name__}): delete it to train from scratch") from None
    if state.get("config") != config:
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


def train_model(model: nn.Module, train_loader: Iterable, val_loader: Iterable, device: torch.device, *,
                optimizer: str = "adam", lr: float = 1e-3, schedule: str = "none", epochs: int = 1, num_classes: int,
                loss_fn: nn.Module | None = None,
                weight_decay: float = 0.0, monitor: str = "val_accuracy", checkpoint: str | Path | None = None,
                config: dict | None = None, progress: bool = True, name: str = "") -> dict:
    """Build the optimizer and schedule by name, then fit; `config` (plus these settings) keys the checkpoint."""
    optim = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    scheduler = make_scheduler(schedule, optim, epochs * len(train_loader))
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    # the batches key it too: a resumed one-cycle schedule must have as many steps as it was built with
    config = {**(config or {}), "model": repr(model), "batch_size": getattr(train_loader, "batch_size", None),
              "steps_per_epoch": len(train_loader), "optimizer": optimizer, "lr": lr, "schedule": schedule,
              "epochs": epochs, "weight_decay": weight_decay, "monitor": monitor, "loss": describe_loss(loss_fn)}
    return fit(model, loss_fn, optim, train_loader, val_loader, epochs, device, num_classes, scheduler,
               monitor, checkpoint, config, progress, name)
