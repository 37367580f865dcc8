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
from .precision import make_scaler
from .results import History
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
                    run: Run, scheduler: LRScheduler | None = None, scaler: torch.amp.GradScaler | None = None,
                    desc: str = "train") -> dict:
    """One pass over loader on run.device, with the run's autocast; returns the loss (the batches' means, weighted
    by their sample or pixel counts) and the accuracy (per sample, or per pixel)."""
    model.train()
    total_loss = torch.zeros((), device=run.device)
    correct = torch.zeros((), device=run.device, dtype=torch.int64)
    count = 0
    scaling = scaler is not None and scaler.is_enabled()  # float16 autocast only
    scale = scaler.get_scale() if scaling else None
    # tqdm.auto gets an iterator: given the loader, its asyncio layer calls iter() on it once more, which
    # would start a DataLoader's worker processes twice and draw an extra seed. The bar is closed on Ctrl-C too.
    total = len(loader) if hasattr(loader, "__len__") else None
    with tqdm(iter(loader), total=total, desc=desc, leave=False, disable=not run.progress) as bar:
        for step, (x, y) in enumerate(bar):
            x, y = x.to(run.device, non_blocking=True), y.to(run.device, non_blocking=True)
            with run.autocast():
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


@dataclass(frozen=True)
class Training:
    """How fit trains a model: epochs, the optimizer by name and its learning rate, the schedule, weight decay and
    loss; the classes validation scores and the validation metric that picks the kept weights (monitor); which
    epochs fit prints a line for (every log_every-th and the last; 0: none)."""

    epochs: int
    num_classes: int
    optimizer: str = "adam"
    lr: float = 1e-3
    schedule: str = "none"
    weight_decay: float = 0.0
    loss_fn: nn.Module = field(default_factory=nn.CrossEntropyLoss)
    monitor: str = "val_accuracy"
    log_every: int = 1

    def __post_init__(self):
        check(isinstance(self.epochs, int) and self.epochs > 0, f"epochs={self.epochs} must be a positive whole number")
        check(self.monitor in MONITORS, f"monitor={self.monitor!r} must be one of {', '.join(MONITORS)}")


@dataclass
class TrainingState:
    """What a checkpoint holds to resume training: the model, optimizer, schedule and gradient scaler, the history
    of the finished epochs, the best weights so far, and the random state (PyTorch's and the loader's)."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: LRScheduler | None
    scaler: torch.amp.GradScaler
    loader: Iterable  # the training batches: a generator of its own is part of the random state
    history: History = field(default_factory=History)
    best_weights: dict | None = None

    def state_dict(self) -> dict:
        """The state as a checkpoint stores it (tensors and plain values only)."""
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "scaler": self.scaler.state_dict(), "history": asdict(self.history), "best_model": self.best_weights,
                "rng": rng_state(self.loader)}

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict returned, random state included, so that training goes on as it would have."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state["scheduler"] is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        if state["scaler"]:  # empty when written without float16 scaling (CPU, or a bfloat16 GPU)
            self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"], self.loader)
        self.history = History(**state["history"])
        self.best_weights = state["best_model"]


def fit(model: nn.Module, run: Run, training: Training, train_loader: Iterable, val_loader: Iterable, *,
        key: dict | None = None, name: str = "", checkpoint: str | None = None) -> History:
    """Train as `training` says, validating after each epoch; leave the best weights (by training.monitor) in the
    model and return the history.

    With `checkpoint` (a file name in run.checkpoint_dir), every finished epoch is saved there; a later call with
    the same `key` (and the same training settings) resumes from it, or skips training if it is complete. Ctrl-C
    keeps the best weights so far in the model and every finished epoch in the checkpoint, then raises
    Interrupted (one line).
    """
    optimizer = make_optimizer(training.optimizer, model.parameters(), training.lr, training.weight_decay)
    scheduler = make_scheduler(training.schedule, optimizer, training.epochs * len(train_loader))
    state = TrainingState(model, optimizer, scheduler, make_scaler(run.device, run.amp), train_loader)
    key = _checkpoint_key(key, model, training, train_loader, run)
    path = run.checkpoint(checkpoint) if checkpoint else None
    label = f"[{name}] " if name else ""
    _resume(state, path, key, run.device, training.epochs, label)
    history, epochs, monitor = state.history, training.epochs, training.monitor
    epoch = len(history)
    try:
        for epoch in range(len(history), epochs):
            values = _train_and_validate(state, training, val_loader, run, desc=f"{label}epoch {epoch + 1}/{epochs}")
            history.append(epoch=epoch + 1, **values)
            if state.best_weights is None or _better(monitor, values[monitor], history.best(monitor)):
                history.best_epoch = epoch + 1
                state.best_weights = copy.deepcopy(model.state_dict())
            if training.log_every and ((epoch + 1) % training.log_every == 0 or epoch + 1 == epochs):
                print(label + _epoch_line(history, epochs, monitor == "val_miou"))
            if path is not None:
                save_checkpoint(path, {**state.state_dict(), "key": key})
    except KeyboardInterrupt:
        _stop(state, epoch, name)
    if state.best_weights is not None:
        model.load_state_dict(state.best_weights)
    return history


def _checkpoint_key(key: dict | None, model: nn.Module, training: Training, loader: Iterable, run: Run) -> dict:
    """The caller's key with every setting of this training run: a checkpoint made otherwise is not resumed."""
    # the batches key it too: a resumed one-cycle schedule must have as many steps as it was built with
    return {**(key or {}), "model": repr(model), "batch_size": getattr(loader, "batch_size", None),
            "steps_per_epoch": len(loader), "optimizer": training.optimizer, "lr": training.lr,
            "schedule": training.schedule, "epochs": training.epochs, "weight_decay": training.weight_decay,
            "monitor": training.monitor, "loss": describe_loss(training.loss_fn), "amp": str(run.amp)}


def _better(monitor: str, new: float, best: float) -> bool:
    return new < best if monitor == "val_loss" else new > best


def _train_and_validate(state: TrainingState, training: Training, val_loader: Iterable, run: Run, desc: str) -> dict:
    """One epoch of training, timed (the GPU's queued work included), then validation: a History row."""
    tic = time.perf_counter()
    train = train_one_epoch(state.model, training.loss_fn, state.optimizer, state.loader, run, state.scheduler,
                            state.scaler, desc=desc)
    if run.device.type == "cuda":
        torch.cuda.synchronize(run.device)
    seconds = time.perf_counter() - tic
    val = evaluate(state.model, training.loss_fn, val_loader, run, training.num_classes)
    return dict(train_loss=train["loss"], train_accuracy=train["accuracy"], val_loss=val["loss"],
                val_accuracy=val["accuracy"], val_miou=val["miou"], lr=state.optimizer.param_groups[0]["lr"],
                seconds=seconds)


def _epoch_line(history: History, epochs: int, miou: bool) -> str:
    """The printed summary of the last epoch."""
    h = history
    return (f"epoch {h.epoch[-1]:>2}/{epochs}  train loss {h.train_loss[-1]:.4f} acc {h.train_accuracy[-1]:.2%}  "
            f"val loss {h.val_loss[-1]:.4f} acc {h.val_accuracy[-1]:.2%}"
            + (f" mIoU {h.val_miou[-1]:.3f}" if miou else "") + f"  {h.seconds[-1]:.1f} s")


def _resume(state: TrainingState, path: Path | None, key: dict, device: torch.device, epochs: int,
            label: str) -> None:
    """Load the checkpoint at path into state, if there is one made with the same key."""
    saved = load_checkpoint(path, device, key)
    if saved is None:
        return
    state.load_state_dict(saved)
    print(f"{label}checkpoint {path} {'has all' if len(state.history) >= epochs else 'resumes after'} "
          f"{len(state.history)} epoch(s)")


def _stop(state: TrainingState, epoch: int, name: str) -> NoReturn:
    """After Ctrl-C: put the best weights so far in the model and raise Interrupted with the history."""
    label = f"[{name}] " if name else ""
    history = state.history
    print(f"{label}interrupted during epoch {epoch + 1}: keeping the best weights and the history of "
          f"{len(history)} finished epoch(s)")
    if state.best_weights is not None:
        state.model.load_state_dict(state.best_weights)
    raise Interrupted(f"{name or 'training'} stopped by Ctrl-C after {len(history)} finished epoch(s): the best "
                      "weights are in the model and, with a checkpoint, the history too; run again to resume",
                      history) from None
