import warnings
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from utils import training
from utils.batches import TensorLoader
from utils.errors import Interrupted
from utils.results import History
from utils.run import Run
from utils.seg_data import SegmentationCrops, WholeImages
from utils.training import Training, TrainingState

from expect import raises_naming

CPU = torch.device("cpu")


def blobs(n=400, seed=0):
    """Two well separated Gaussian blobs in 2-D."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) * 0.5 + (y[:, None].float() * 2 - 1) * 2
    return x, y


def loaders(shuffle=True):
    x, y = blobs()
    return TensorLoader(x[:300], y[:300], 32, shuffle=shuffle), TensorLoader(x[300:], y[300:], 100)


def fit(model, train, val, device=CPU, checkpoint=None, progress=False, key=None, name="", **settings):
    """training.fit with the device in the order of the tests, 2 classes, the training settings as keywords, and the
    checkpoint as a path."""
    run = Run(device, progress=progress, checkpoint_dir=checkpoint and Path(checkpoint).parent)
    return training.fit(model, run, Training(num_classes=2, **settings), train, val, key=key, name=name,
                        checkpoint=checkpoint and Path(checkpoint).stem)


def test_a_tiny_model_learns_a_separable_problem():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    train, val = loaders()
    history = fit(model, train, val, optimizer="sgd", lr=0.1, epochs=5)
    assert isinstance(history, History) and len(history) == 5 and history.epoch == [1, 2, 3, 4, 5]
    assert history.val_accuracy[-1] > 0.97
    assert history.train_loss[-1] < history.train_loss[0]
    assert 1 <= history.best_epoch <= 5 and history.best("val_accuracy") == max(history.val_accuracy)
    for values in (history.train_loss, history.train_accuracy, history.val_loss, history.val_miou, history.lr,
                   history.seconds):
        assert len(values) == 5
    assert history.lr == [0.1] * 5  # no schedule


def test_fit_takes_its_checkpoint_settings_by_keyword_only():
    train, val = loaders()
    with pytest.raises(TypeError):
        training.fit(nn.Linear(2, 2), Run(CPU), Training(1, 2), train, val, {"seed": 0})  # type: ignore[misc]


def test_history_best_reads_the_kept_epoch():
    history = History()
    for epoch, acc in ((1, 0.5), (2, 0.9), (3, 0.7)):
        history.append(epoch=epoch, train_loss=1.0, train_accuracy=acc, val_loss=1 - acc, val_accuracy=acc,
                       val_miou=acc / 2, lr=0.1, seconds=1.0)
    history.best_epoch = 2
    assert len(history) == 3 and history.best("val_accuracy") == 0.9 and history.best("val_miou") == 0.45
    assert History(**asdict(history)) == history  # how checkpoints store it


@pytest.mark.parametrize("monitor", ["val_accuracy", "val_miou", "val_loss"])
def test_the_monitored_metric_picks_the_kept_weights(monitor):
    torch.manual_seed(0)
    train, val = loaders()
    model = nn.Linear(2, 2)
    history = fit(model, train, val, optimizer="sgd", lr=0.5, epochs=4, monitor=monitor)
    values = getattr(history, monitor)
    best = min(values) if monitor == "val_loss" else max(values)
    assert history.best(monitor) == best and history.best_epoch == values.index(best) + 1
    final = training.evaluate(model, nn.CrossEntropyLoss(), val, Run(CPU), 2)
    assert final[monitor.removeprefix("val_")] == pytest.approx(best)  # the model holds that epoch's weights


def test_bad_training_settings_are_one_line_errors():
    with raises_naming("epochs=0", "positive whole number"):
        Training(epochs=0, num_classes=2)
    with raises_naming("monitor='accuracy'", "val_accuracy, val_miou, val_loss"):
        Training(epochs=1, num_classes=2, monitor="accuracy")


def test_the_training_state_round_trips_through_its_state_dict():
    train, _ = loaders()

    def state(seed):
        torch.manual_seed(seed)
        model = nn.Linear(2, 2)
        optimizer = training.make_optimizer("momentum", model.parameters(), 0.05)
        scheduler = training.make_scheduler("onecycle", optimizer, 4 * len(train))
        return TrainingState(model, optimizer, scheduler, torch.amp.GradScaler("cpu", enabled=False), train)

    trained = state(0)
    training.train_one_epoch(trained.model, nn.CrossEntropyLoss(), trained.optimizer, train, Run(CPU, progress=False),
                             trained.scheduler)
    trained.history.append(epoch=1, train_loss=0.5, train_accuracy=0.9, val_loss=0.4, val_accuracy=0.95,
                           val_miou=0.9, lr=0.05, seconds=1.0)
    trained.best_weights = {k: v.clone() for k, v in trained.model.state_dict().items()}
    saved = trained.state_dict()
    next_batches = [x for x, _ in train]

    restored = state(1)  # other weights and another random state until loaded
    restored.load_state_dict(saved)
    assert all(torch.equal(a, b) for a, b in zip(restored.model.parameters(), trained.model.parameters(), strict=True))
    assert restored.history == trained.history and restored.best_weights is saved["best_model"]
    assert restored.scheduler.last_epoch == trained.scheduler.last_epoch == len(train)
    buffers = [[o.state[p]["momentum_buffer"] for p in o.param_groups[0]["params"]]
               for o in (restored.optimizer, trained.optimizer)]
    assert all(torch.equal(a, b) for a, b in zip(*buffers, strict=True))
    assert all(torch.equal(a, b) for a, b in zip([x for x, _ in train], next_batches, strict=True))  # same shuffle


class CountIters:
    """Wraps a loader and counts how often iter() is called on it."""

    def __init__(self, loader):
        self.loader, self.iters = loader, 0

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        self.iters += 1
        return iter(self.loader)


@pytest.mark.parametrize("progress", [False, True])
def test_each_epoch_starts_the_loader_once(progress):
    # a DataLoader starts its worker processes on every iter()
    train, val = loaders()
    counted = CountIters(train)
    fit(nn.Linear(2, 2), counted, val, epochs=3, progress=progress)
    assert counted.iters == 3


def test_train_one_epoch_takes_any_iterable_of_batches():
    x, y = blobs(64)
    batches = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))  # a generator: no len()
    model = nn.Linear(2, 2)
    before = model.weight.detach().clone()
    result = training.train_one_epoch(model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), batches,
                                      Run(CPU, progress=True))
    assert 0 < result["loss"] and 0 <= result["accuracy"] <= 1
    assert not torch.equal(model.weight, before)  # it trained on the batches


class InterruptAt:
    """Wraps a loader and raises KeyboardInterrupt after `after` batches in total (as Ctrl-C would)."""

    def __init__(self, loader, after):
        self.loader, self.after, self.count = loader, after, 0

    def __len__(self):
        return len(self.loader)

    @property
    def generator(self):  # the loader's random state, which checkpoints save
        return self.loader.generator

    @property
    def batch_size(self):  # keys the checkpoint
        return self.loader.batch_size

    def __iter__(self):
        for batch in self.loader:
            if self.count == self.after:
                raise KeyboardInterrupt
            self.count += 1
            yield batch


@pytest.mark.parametrize("name, prefix", [("", "training"), ("MLP", "MLP")])
def test_interrupt_keeps_best_weights_and_history(tmp_path, capsys, name, prefix):
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    train, val = loaders()
    interrupted = InterruptAt(train, after=2 * len(train) + 3)  # in the third epoch
    with raises_naming(f"{prefix} stopped", "after 2 finished epoch", "run again to resume", kind=Interrupted) as err:
        fit(model, interrupted, val, optimizer="sgd", lr=0.1, epochs=10, checkpoint=tmp_path / "ck.pt", name=name)
    assert isinstance(err.value, KeyboardInterrupt)  # so that it stops the notebook's Run All in this cell
    said = capsys.readouterr().out
    label = f"[{name}] " if name else ""
    assert f"{label}interrupted during epoch 3" in said and "2 finished epoch" in said
    history = err.value.history
    assert history.epoch == [1, 2] and history.best_epoch in (1, 2)
    state = torch.load(tmp_path / "ck.pt", map_location="cpu", weights_only=True)
    assert state["history"] == asdict(history)  # a plain dict: every finished epoch is in the checkpoint
    best = state["best_model"]
    assert all(torch.equal(model.state_dict()[k], best[k]) for k in best)
    assert training.evaluate(model, nn.CrossEntropyLoss(), val, Run(CPU), 2)["accuracy"] == max(history.val_accuracy)


def test_interrupt_in_the_first_epoch_keeps_the_weights_and_an_empty_history():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    train, val = loaders()
    with raises_naming("training stopped", "after 0 finished epoch", kind=Interrupted) as err:
        fit(model, InterruptAt(train, after=3), val, optimizer="sgd", lr=0.1, epochs=3)
    assert len(err.value.history) == 0 and err.value.history.best_epoch == 0


def test_resume_continues_where_it_stopped(tmp_path, capsys):
    train, val = loaders(shuffle=False)  # the same batches in every epoch, so runs can be compared
    kwargs = dict(optimizer="momentum", lr=0.002, schedule="onecycle", epochs=4, key={"seed": 0})

    torch.manual_seed(0)
    straight = nn.Linear(2, 2)
    full = fit(straight, train, val, **kwargs)

    torch.manual_seed(0)
    first = nn.Linear(2, 2)
    interrupted = InterruptAt(train, after=2 * len(train))  # stops exactly after epoch 2
    with pytest.raises(Interrupted) as err:
        fit(first, interrupted, val, checkpoint=tmp_path / "ck.pt", **kwargs)
    assert err.value.history.epoch == [1, 2]
    state = torch.load(tmp_path / "ck.pt", map_location="cpu", weights_only=True)
    assert state["key"]["seed"] == 0 and state["key"]["epochs"] == 4  # the caller's key, and fit's settings

    capsys.readouterr()
    resumed_model = nn.Linear(2, 2)
    resumed = fit(resumed_model, interrupted.loader, val, checkpoint=tmp_path / "ck.pt", **kwargs)
    assert "resumes after 2 epoch(s)" in capsys.readouterr().out
    assert resumed.epoch == [1, 2, 3, 4]
    # the optimizer's and the schedule's state were restored: the same losses as training straight through
    assert resumed.train_loss == pytest.approx(full.train_loss, rel=1e-5)
    assert resumed.lr == pytest.approx(full.lr)

    # a finished checkpoint is not trained again; other settings start from scratch
    again = fit(nn.Linear(2, 2), interrupted.loader, val, checkpoint=tmp_path / "ck.pt", **kwargs)
    assert "has all 4 epoch(s)" in capsys.readouterr().out
    assert again.train_loss == resumed.train_loss
    other = fit(nn.Linear(2, 2), train, val, checkpoint=tmp_path / "ck.pt", **{**kwargs, "lr": 0.01})
    assert "made with other settings: training from scratch" in capsys.readouterr().out
    assert other.train_loss != resumed.train_loss
    another_key = fit(nn.Linear(2, 2), train, val, checkpoint=tmp_path / "ck.pt", **{**kwargs, "key": {"seed": 1}})
    assert "made with other settings: training from scratch" in capsys.readouterr().out
    assert len(another_key) == 4


@pytest.mark.parametrize("batch_size", [16, 31])  # 16: more batches an epoch; 31: as many as 32 gives
def test_resume_with_another_batch_size_trains_from_scratch(tmp_path, capsys, batch_size):
    # the checkpoint's one-cycle schedule has a fixed number of steps; resumed with more batches an epoch it
    # would step past its end in the fourth epoch ("Tried to step 41 times")
    x, y = blobs()
    val = TensorLoader(x[300:], y[300:], 100)
    kwargs = dict(optimizer="adam", lr=0.01, schedule="onecycle", epochs=4, checkpoint=tmp_path / "ck.pt")
    loader = TensorLoader(x[:300], y[:300], 32)
    interrupted = InterruptAt(loader, after=2 * len(loader))  # stops exactly after epoch 2
    with pytest.raises(Interrupted) as err:
        fit(nn.Linear(2, 2), interrupted, val, **kwargs)
    assert err.value.history.epoch == [1, 2]
    other = TensorLoader(x[:300], y[:300], batch_size)
    history = fit(nn.Linear(2, 2), other, val, **kwargs)
    assert "made with other settings: training from scratch" in capsys.readouterr().out
    assert history.epoch == [1, 2, 3, 4]


@pytest.mark.parametrize("name, cycles", [("sgd", False), ("momentum", True), ("adam", True)])
def test_one_cycle_cycles_momentum_only_where_there_is_one(name, cycles):
    optimizer = training.make_optimizer(name, nn.Linear(2, 2).parameters(), 0.1)
    scheduler = training.make_scheduler("onecycle", optimizer, 20)

    def momentum():
        group = optimizer.param_groups[0]
        return group["betas"][0] if "betas" in group else group["momentum"]

    seen = set()
    for _ in range(20):
        seen.add(round(momentum(), 6))
        optimizer.step()
        scheduler.step()
    assert (len(seen) > 1) == cycles
    if not cycles:
        assert seen == {0.0}  # plain SGD gets no momentum from the schedule


@pytest.mark.parametrize("name, kind, momentum, nesterov", [
    ("sgd", torch.optim.SGD, 0.0, False), ("momentum", torch.optim.SGD, 0.9, False),
    ("nesterov", torch.optim.SGD, 0.9, True), ("adam", torch.optim.Adam, None, None),
    ("adamw", torch.optim.AdamW, None, None)])
def test_optimizers_by_name(name, kind, momentum, nesterov):
    optimizer = training.make_optimizer(name, nn.Linear(2, 2).parameters(), 0.01, weight_decay=1e-4)
    group = optimizer.param_groups[0]
    assert type(optimizer) is kind and group["lr"] == 0.01 and group["weight_decay"] == 1e-4
    if momentum is not None:
        assert group["momentum"] == momentum and group["nesterov"] == nesterov


def test_schedules_by_name():
    def lrs(name, steps=20):
        optimizer = training.make_optimizer("adam", nn.Linear(2, 2).parameters(), 0.1)
        scheduler = training.make_scheduler(name, optimizer, steps)
        out = []
        for _ in range(steps):
            out.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        return out

    assert lrs("none") == [0.1] * 20
    cosine = lrs("cosine")
    assert cosine[0] == pytest.approx(0.1) and all(a > b for a, b in zip(cosine, cosine[1:], strict=False))
    onecycle = lrs("onecycle")
    peak = onecycle.index(max(onecycle))
    assert onecycle[0] < 0.1 / 10 and max(onecycle) == pytest.approx(0.1, rel=1e-3) and 0 < peak < 10
    with raises_naming("'step'", "none, onecycle, cosine"):
        lrs("step")


def test_steps_skipped_by_the_gradient_scaler_do_not_advance_the_schedule():
    # as on a float16 GPU, where the first steps often overflow; a CPU scaler with a huge scale does the same
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    optimizer = training.make_optimizer("adam", model.parameters(), 1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 120)
    train, _ = loaders()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Detected call of `lr_scheduler.step()` before `optimizer.step()`"
        training.train_one_epoch(model, lambda logits, y: 1000 * logits.sum(), optimizer, train,
                                 Run(CPU, progress=False), scheduler, scaler)
    steps = int(optimizer.state[model.weight]["step"])
    assert 0 < steps < len(train)  # some steps were skipped, some taken
    assert scheduler.last_epoch == steps


@pytest.mark.parametrize("loss_fn", [nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0])),
                                     nn.CrossEntropyLoss(label_smoothing=0.1)])
def test_loss_settings_repr_does_not_show_key_the_checkpoint(tmp_path, loss_fn):
    train, val = loaders()
    kwargs = dict(optimizer="sgd", lr=0.1, epochs=2, checkpoint=tmp_path / "ck.pt")
    plain = fit(nn.Linear(2, 2), train, val, **kwargs)
    assert repr(loss_fn) == repr(nn.CrossEntropyLoss())  # so repr alone would reuse the checkpoint
    changed = fit(nn.Linear(2, 2), train, val, loss_fn=loss_fn, **kwargs)
    assert changed.train_loss != plain.train_loss  # trained again, not loaded


CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=CUDA)])
def test_resume_replays_the_same_shuffled_batches(tmp_path, device):
    # on CUDA the checkpoint is loaded onto the GPU, random-generator states included
    device = torch.device(device)
    kwargs = dict(optimizer="momentum", lr=0.05, epochs=4, key={"seed": 0})
    train, val = loaders(shuffle=True)
    torch.manual_seed(0)
    full = fit(nn.Linear(2, 2).to(device), train, val, device, **kwargs)

    train, val = loaders(shuffle=True)  # a fresh loader, seeded as before
    torch.manual_seed(0)
    interrupted = InterruptAt(train, after=2 * len(train))
    with pytest.raises(Interrupted):
        fit(nn.Linear(2, 2).to(device), interrupted, val, device, checkpoint=tmp_path / "ck.pt", **kwargs)
    resumed = fit(nn.Linear(2, 2).to(device), interrupted.loader, val, device, checkpoint=tmp_path / "ck.pt", **kwargs)
    assert resumed.epoch == [1, 2, 3, 4]
    assert resumed.train_loss == pytest.approx(full.train_loss, rel=1e-6)


def test_resume_with_crop_loading_workers_replays_the_same_crops(tmp_path):
    # worker processes seed their crops from PyTorch's generator, which the checkpoint saves
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, 40, 48), dtype=torch.uint8, generator=g) for _ in range(4)]
    masks = [torch.randint(0, 3, (40, 48), generator=g) for _ in range(4)]
    crops = SegmentationCrops(images, masks, 16, 24, [0.5] * 3, [0.25] * 3)
    val = torch.utils.data.DataLoader(WholeImages(images, masks, [0.5] * 3, [0.25] * 3), batch_size=2)
    settings = Training(epochs=3, num_classes=3, optimizer="momentum", lr=0.05, monitor="val_miou")

    def run(loader, checkpoint=None):
        torch.manual_seed(1)  # the same initial weights
        return training.fit(nn.Conv2d(3, 3, 3, padding=1), Run(CPU, progress=False, checkpoint_dir=tmp_path),
                            settings, loader, val, checkpoint=checkpoint)

    full = run(torch.utils.data.DataLoader(crops, batch_size=4, num_workers=2))
    loader = torch.utils.data.DataLoader(crops, batch_size=4, num_workers=2)
    interrupted = InterruptAt(loader, after=2 * len(loader) + 3)  # in the third epoch
    with pytest.raises(Interrupted):
        run(interrupted, "ck")
    resumed = run(interrupted.loader, "ck")
    assert resumed.epoch == [1, 2, 3]
    assert resumed.train_loss == pytest.approx(full.train_loss, rel=1e-6)


def test_one_cycle_refuses_too_few_steps():
    optimizer = training.make_optimizer("adam", nn.Linear(2, 2).parameters(), 0.1)
    with raises_naming("at least 10 training steps", "got 4", "'none'"):
        training.make_scheduler("onecycle", optimizer, 4)


def test_bad_optimizer_settings_are_one_line_errors():
    params = nn.Linear(2, 2).parameters()
    with raises_naming("'rmsprop'", "sgd, momentum, nesterov, adam, adamw"):
        training.make_optimizer("rmsprop", params, 0.1)
    with raises_naming("lr=-0.1", "positive number"):
        training.make_optimizer("adam", params, -0.1)
    with raises_naming("weight_decay=-1", "zero or positive"):
        training.make_optimizer("adam", params, 0.1, weight_decay=-1)


def test_evaluate_can_keep_the_predictions():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    _, val = loaders()
    out = training.evaluate(model, nn.CrossEntropyLoss(), val, Run(CPU), 2, keep_predictions=True)
    x, y = torch.cat([b[0] for b in val]), torch.cat([b[1] for b in val])
    kept = torch.stack(out["predictions"])
    assert kept.dtype == torch.uint8 and torch.equal(kept.long(), model(x).argmax(1))
    assert out["accuracy"] == pytest.approx((kept.long() == y).float().mean().item())
    assert "predictions" not in training.evaluate(model, nn.CrossEntropyLoss(), val, Run(CPU), 2)


def test_predict_returns_probabilities_and_labels():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    _, val = loaders()
    probs, labels = training.predict(model, val, Run(CPU))
    x, y = torch.cat([b[0] for b in val]), torch.cat([b[1] for b in val])
    assert torch.equal(labels, y) and torch.allclose(probs.sum(1), torch.ones(len(y)))
    assert torch.allclose(probs, model(x).softmax(1))


