"""The training loop: any model, loss, optimizer and schedule; validation after each epoch, the best weights
kept, checkpoints, and Ctrl-C handled in one place (fit)."""
import copy
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LRScheduler
from tqdm.auto import tqdm

from .checkpoints import describe_loss, load_checkpoint, rng_state, save_checkpoint, set_rng_state
from .choices import MONITORS, OPTIMIZERS, SCHEDULERS
from .errors import Interrupted, check
from .metrics import ConfusionMatrix
from .precision import autocast, make_scaler
from .run import Run


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
        check(total_steps >= 10, f"the one-cycle schedule needs at least 10 training steps, but got {total_steps} "
                                 "(epochs x batches): train longer or on more data, or use the schedule 'none'")
        group = optimizer.param_groups[0]
        has_momentum = "betas" in group or group.get("momentum", 0) > 0
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=group["lr"], total_steps=total_steps,
                                                   pct_start=0.25, cycle_momentum=has_momentum)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return None


def train_one_epoch(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer, loader: Iterable,
                    device: torch.device, scheduler: LRScheduler | None = None,
                    scaler: torch.amp.GradScaler | None = None, amp: torch.dtype | None = None, desc: str = "train",
                    progress: bool = True) -> dict:
    """One pass over loader, with autocast to `amp` (None: float32); returns the loss (the batches' means, weighted
    by their sample or pixel counts) and the accuracy (per sample, or per pixel)."""
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
            with autocast(device, amp):
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
def evaluate(model: nn.Module, loss_fn: nn.Module, loader: Iterable, run: Run, num_classes: int,
             keep_predictions: bool = False) -> dict:
    """The loss (batch means weighted by sample or pixel counts, as in train_one_epoch) and the metrics of one
    confusion matrix over loader (accuracy, mIoU, ...); with keep_predictions, also the predicted classes of
    every sample ("predictions", uint8 on the CPU)."""
    model.eval()
    confusion = ConfusionMatrix(num_classes, run.device)
    total_loss = torch.zeros((), device=run.device)
    count, predictions = 0, []
    for x, y in loader:
        x, y = x.to(run.device, non_blocking=True), y.to(run.device, non_blocking=True)
        with run.autocast():
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
def predict(model: nn.Module, loader: Iterable, run: Run) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax probabilities and labels for everything in loader, on the CPU."""
    model.eval()
    probs, labels = [], []
    for x, y in loader:
        with run.autocast():
            logits = model(x.to(run.device))
        probs.append(logits.float().softmax(1).cpu())
        labels.append(y.cpu())
    return torch.cat(probs), torch.cat(labels)


@dataclass
class History:
    """What fit records after each epoch, and which epoch's weights it kept (best_epoch, counted from 1)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    val_miou: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int = 0

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, **values: float) -> None:
        """Record one finished epoch: a value for every list above."""
        for key, value in values.items():
            getattr(self, key).append(value)

    def seconds_per_epoch(self) -> float:
        """Mean training seconds of the finished epochs (validation excluded); NaN before the first."""
        return sum(self.seconds) / len(self.seconds) if self.seconds else float("nan")

    def best(self, key: str) -> float:
        """The value of `key` (e.g. "val_accuracy") at the epoch whose weights were kept."""
        return getattr(self, key)[self.best_epoch - 1]


def fit(model: nn.Module, run: Run, *, train_loader: Iterable, val_loader: Iterable, num_classes: int, epochs: int,
        optimizer: str = "adam", lr: float = 1e-3, schedule: str = "none", weight_decay: float = 0.0,
        loss_fn: nn.Module | None = None, monitor: str = "val_accuracy", key: dict | None = None, name: str = "",
        checkpoint: str | None = None) -> History:
    """Train for `epochs` with the named optimizer and schedule, validating after each; leave the best weights
    (by `monitor`) in the model and return the history.

    With `checkpoint` (a file name in run.checkpoint_dir), every finished epoch is saved there; a later call with
    the same `key` (and the same training settings) resumes from it, or skips training if it is complete. Ctrl-C
    keeps the best weights so far in the model and every finished epoch in the checkpoint, then raises
    Interrupted (one line).
    """
    check(isinstance(epochs, int) and epochs > 0, f"epochs={epochs} must be a positive whole number")
    check(monitor in MONITORS, f"monitor={monitor!r} must be one of {', '.join(MONITORS)}")
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    optim = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    scheduler = make_scheduler(schedule, optim, epochs * len(train_loader))
    parts = (model, optim, scheduler, make_scaler(run.device, run.amp))
    # the batches key it too: a resumed one-cycle schedule must have as many steps as it was built with
    key = {**(key or {}), "model": repr(model), "batch_size": getattr(train_loader, "batch_size", None),
           "steps_per_epoch": len(train_loader), "optimizer": optimizer, "lr": lr, "schedule": schedule,
           "epochs": epochs, "weight_decay": weight_decay, "monitor": monitor, "loss": describe_loss(loss_fn),
           "amp": str(run.amp)}
    path = run.checkpoint(checkpoint) if checkpoint else None
    label = f"[{name}] " if name else ""
    history, best_state = _resume(path, key, parts, train_loader, run.device, epochs, label)
    epoch = len(history)
    try:
        for epoch in range(len(history), epochs):
            values = _train_and_validate(parts, loss_fn, train_loader, val_loader, run, num_classes,
                                         desc=f"{label}epoch {epoch + 1}/{epochs}")
            history.append(epoch=epoch + 1, **values)
            if best_state is None or _better(monitor, values[monitor], history.best(monitor)):
                history.best_epoch = epoch + 1
                best_state = copy.deepcopy(model.state_dict())
            print(label + _epoch_line(history, epochs, monitor == "val_miou"))
            if path is not None:
                _save(path, parts, history, best_state, key, train_loader)
    except KeyboardInterrupt:
        _stop(model, history, best_state, epoch, name)
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _better(monitor: str, new: float, best: float) -> bool:
    return new < best if monitor == "val_loss" else new > best


def _train_and_validate(parts: tuple, loss_fn: nn.Module, train_loader: Iterable, val_loader: Iterable, run: Run,
                        num_classes: int, desc: str) -> dict:
    """One epoch of training, timed (the GPU's queued work included), then validation: a History row."""
    model, optim, scheduler, scaler = parts
    tic = time.perf_counter()
    train = train_one_epoch(model, loss_fn, optim, train_loader, run.device, scheduler, scaler, run.amp, desc=desc,
                            progress=run.progress)
    if run.device.type == "cuda":
        torch.cuda.synchronize(run.device)
    seconds = time.perf_counter() - tic
    val = evaluate(model, loss_fn, val_loader, run, num_classes)
    return dict(train_loss=train["loss"], train_accuracy=train["accuracy"], val_loss=val["loss"],
                val_accuracy=val["accuracy"], val_miou=val["miou"], lr=optim.param_groups[0]["lr"], seconds=seconds)


def _epoch_line(history: History, epochs: int, miou: bool) -> str:
    """The printed summary of the last epoch."""
    h = history
    return (f"epoch {h.epoch[-1]:>2}/{epochs}  train loss {h.train_loss[-1]:.4f} acc {h.train_accuracy[-1]:.2%}  "
            f"val loss {h.val_loss[-1]:.4f} acc {h.val_accuracy[-1]:.2%}"
            + (f" mIoU {h.val_miou[-1]:.3f}" if miou else "") + f"  {h.seconds[-1]:.1f} s")


def _resume(path: Path | None, key: dict, parts: tuple, loader: Iterable, device: torch.device, epochs: int,
            label: str) -> tuple[History, dict | None]:
    """The history and best weights of the checkpoint at path, its training state loaded into parts (model,
    optimizer, schedule, scaler) and its random state restored; an empty history without a usable checkpoint."""
    state = load_checkpoint(path, device, key)
    if state is None:
        return History(), None
    model, optim, scheduler, scaler = parts
    model.load_state_dict(state["model"])
    optim.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    if state["scaler"]:  # empty when written without float16 scaling (CPU, or a bfloat16 GPU)
        scaler.load_state_dict(state["scaler"])
    set_rng_state(state["rng"], loader)
    history = History(**state["history"])
    print(f"{label}checkpoint {path} {'has all' if len(history) >= epochs else 'resumes after'} "
          f"{len(history)} epoch(s)")
    return history, state["best_model"]


def _save(path: Path, parts: tuple, history: History, best_state: dict, key: dict, loader: Iterable) -> None:
    """Checkpoint the training state after a finished epoch, with what resuming needs."""
    model, optim, scheduler, scaler = parts
    save_checkpoint(path, {
        "model": model.state_dict(), "optimizer": optim.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scaler": scaler.state_dict(), "history": asdict(history), "best_model": best_state,
        "key": key, "rng": rng_state(loader)})


def _stop(model: nn.Module, history: History, best_state: dict | None, epoch: int, name: str) -> NoReturn:
    """After Ctrl-C: put the best weights so far in the model and raise Interrupted with the history."""
    label = f"[{name}] " if name else ""
    print(f"{label}interrupted during epoch {epoch + 1}: keeping the best weights and the history of "
          f"{len(history)} finished epoch(s)")
    if best_state is not None:
        model.load_state_dict(best_state)
    raise Interrupted(f"{name or 'training'} stopped by Ctrl-C after {len(history)} finished epoch(s): the best "
                      "weights are in the model and, with a checkpoint, the history too; run again to resume",
                      history) from None
