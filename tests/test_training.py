import json
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from utils import settings as rules
from utils import training
from utils.datasets import TensorLoader
from utils.device import pick_device
from utils.errors import LabError
from utils.settings import check_settings
from utils.uavid import SegmentationCrops, WholeImages


def blobs(n=400, seed=0):
    """Two well separated Gaussian blobs in 2-D."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) * 0.5 + (y[:, None].float() * 2 - 1) * 2
    return x, y


def loaders(shuffle=True):
    x, y = blobs()
    return TensorLoader(x[:300], y[:300], 32, shuffle=shuffle), TensorLoader(x[300:], y[300:], 100)


def test_a_tiny_model_learns_a_separable_problem():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    train, val = loaders()
    history = training.train_model(model, train, val, torch.device("cpu"), optimizer="sgd", lr=0.1, epochs=5,
                                   num_classes=2, progress=False)
    assert history["val_accuracy"][-1] > 0.97
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert len(history["epoch"]) == 5 and history["best_epoch"] >= 1
    training.stop_if_interrupted(history, "training")  # finished: nothing to stop


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
    training.train_model(nn.Linear(2, 2), counted, val, torch.device("cpu"), epochs=3, num_classes=2, progress=progress)
    assert counted.iters == 3


def test_train_one_epoch_takes_any_iterable_of_batches():
    x, y = blobs(64)
    batches = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))  # a generator: no len()
    model = nn.Linear(2, 2)
    result = training.train_one_epoch(model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), batches,
                                      torch.device("cpu"), progress=True)
    assert 0 < result["loss"] and 0 <= result["accuracy"] <= 1


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


def test_interrupt_keeps_best_weights_and_history(tmp_path):
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    train, val = loaders()
    interrupted = InterruptAt(train, after=2 * len(train) + 3)  # in the third epoch
    history = training.train_model(model, interrupted, val, torch.device("cpu"), optimizer="sgd", lr=0.1,
                                   epochs=10, num_classes=2, progress=False, checkpoint=tmp_path / "ck.pt")
    assert history["interrupted"] and history["epoch"] == [1, 2]
    with pytest.raises(KeyboardInterrupt, match="^training stopped by Ctrl-C after 2 finished epoch"):
        training.stop_if_interrupted(history, "training")  # so that the notebook stops in this cell
    state = torch.load(tmp_path / "ck.pt", map_location="cpu", weights_only=True)
    best = state["best_model"]
    assert all(torch.equal(model.state_dict()[k], best[k]) for k in best)
    assert training.evaluate(model, nn.CrossEntropyLoss(), val, torch.device("cpu"), 2)["accuracy"] == max(history["val_accuracy"])


def test_resume_continues_where_it_stopped(tmp_path):
    train, val = loaders(shuffle=False)  # the same batches in every epoch, so runs can be compared
    kwargs = dict(optimizer="momentum", lr=0.002, schedule="onecycle", epochs=4, num_classes=2, progress=False,
                  config={"seed": 0})

    torch.manual_seed(0)
    straight = nn.Linear(2, 2)
    full = training.train_model(straight, train, val, torch.device("cpu"), **kwargs)

    torch.manual_seed(0)
    first = nn.Linear(2, 2)
    interrupted = InterruptAt(train, after=2 * len(train))  # stops exactly after epoch 2
    part = training.train_model(first, interrupted, val, torch.device("cpu"), checkpoint=tmp_path / "ck.pt", **kwargs)
    assert part["epoch"] == [1, 2]

    resumed_model = nn.Linear(2, 2)
    resumed = training.train_model(resumed_model, interrupted.loader, val, torch.device("cpu"),
                                   checkpoint=tmp_path / "ck.pt", **kwargs)
    assert resumed["epoch"] == [1, 2, 3, 4] and not resumed["interrupted"]
    # the optimizer's and the schedule's state were restored: the same losses as training straight through
    assert resumed["train_loss"] == pytest.approx(full["train_loss"], rel=1e-5)
    assert resumed["lr"] == pytest.approx(full["lr"])

    # a finished checkpoint is not trained again; other settings start from scratch
    again = training.train_model(nn.Linear(2, 2), interrupted.loader, val, torch.device("cpu"),
                                 checkpoint=tmp_path / "ck.pt", **kwargs)
    assert again["train_loss"] == resumed["train_loss"]
    other = training.train_model(nn.Linear(2, 2), train, val, torch.device("cpu"),
                                 checkpoint=tmp_path / "ck.pt", **{**kwargs, "lr": 0.01})
    assert other["train_loss"] != resumed["train_loss"]


@pytest.mark.parametrize("batch_size", [16, 31])  # 16: more batches an epoch; 31: as many as 32 gives
def test_resume_with_another_batch_size_trains_from_scratch(tmp_path, capsys, batch_size):
    # the checkpoint's one-cycle schedule has a fixed number of steps; resuming it with more batches an
    # epoch used to fail in the fourth epoch ("Tried to step 41 times")
    x, y = blobs()
    val = TensorLoader(x[300:], y[300:], 100)
    kwargs = dict(optimizer="adam", lr=0.01, schedule="onecycle", epochs=4, num_classes=2, progress=False,
                  checkpoint=tmp_path / "ck.pt")
    loader = TensorLoader(x[:300], y[:300], 32)
    interrupted = InterruptAt(loader, after=2 * len(loader))  # stops exactly after epoch 2
    assert training.train_model(nn.Linear(2, 2), interrupted, val, torch.device("cpu"), **kwargs)["epoch"] == [1, 2]
    other = TensorLoader(x[:300], y[:300], batch_size)
    history = training.train_model(nn.Linear(2, 2), other, val, torch.device("cpu"), **kwargs)
    assert "made with other settings: training from scratch" in capsys.readouterr().out
    assert history["epoch"] == [1, 2, 3, 4] and not history["interrupted"]


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
        training.train_one_epoch(model, lambda logits, y: 1000 * logits.sum(), optimizer, train, torch.device("cpu"),
                                 scheduler, scaler, progress=False)
    steps = int(optimizer.state[model.weight]["step"])
    assert 0 < steps < len(train)  # some steps were skipped, some taken
    assert scheduler.last_epoch == steps


@pytest.mark.parametrize("loss_fn", [nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0])),
                                     nn.CrossEntropyLoss(label_smoothing=0.1)])
def test_loss_settings_repr_does_not_show_key_the_checkpoint(tmp_path, loss_fn):
    train, val = loaders()
    kwargs = dict(optimizer="sgd", lr=0.1, epochs=2, num_classes=2, progress=False, checkpoint=tmp_path / "ck.pt")
    plain = training.train_model(nn.Linear(2, 2), train, val, torch.device("cpu"), **kwargs)
    assert repr(loss_fn) == repr(nn.CrossEntropyLoss())  # so repr alone would reuse the checkpoint
    changed = training.train_model(nn.Linear(2, 2), train, val, torch.device("cpu"), loss_fn=loss_fn, **kwargs)
    assert changed["train_loss"] != plain["train_loss"]  # trained again, not loaded


CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=CUDA)])
def test_resume_replays_the_same_shuffled_batches(tmp_path, device):
    # on CUDA the checkpoint is loaded onto the GPU, random-generator states included
    device = torch.device(device)
    kwargs = dict(optimizer="momentum", lr=0.05, epochs=4, num_classes=2, progress=False, config={"seed": 0})
    train, val = loaders(shuffle=True)
    torch.manual_seed(0)
    full = training.train_model(nn.Linear(2, 2).to(device), train, val, device, **kwargs)

    train, val = loaders(shuffle=True)  # a fresh loader, seeded as before
    torch.manual_seed(0)
    interrupted = InterruptAt(train, after=2 * len(train))
    training.train_model(nn.Linear(2, 2).to(device), interrupted, val, device, checkpoint=tmp_path / "ck.pt", **kwargs)
    resumed = training.train_model(nn.Linear(2, 2).to(device), interrupted.loader, val, device,
                                   checkpoint=tmp_path / "ck.pt", **kwargs)
    assert resumed["epoch"] == [1, 2, 3, 4]
    assert resumed["train_loss"] == pytest.approx(full["train_loss"], rel=1e-6)


def test_resume_with_crop_loading_workers_replays_the_same_crops(tmp_path):
    # worker processes seed their crops from PyTorch's generator, which the checkpoint saves
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, 40, 48), dtype=torch.uint8, generator=g) for _ in range(4)]
    masks = [torch.randint(0, 3, (40, 48), generator=g) for _ in range(4)]
    crops = SegmentationCrops(images, masks, 16, 24, [0.5] * 3, [0.25] * 3)
    val = torch.utils.data.DataLoader(WholeImages(images, masks, [0.5] * 3, [0.25] * 3), batch_size=2)
    kwargs = dict(optimizer="momentum", lr=0.05, epochs=3, num_classes=3, progress=False, monitor="val_miou")

    def run(loader, checkpoint=None):
        torch.manual_seed(1)  # the same initial weights
        return training.train_model(nn.Conv2d(3, 3, 3, padding=1), loader, val, torch.device("cpu"),
                                    checkpoint=checkpoint, **kwargs)

    full = run(torch.utils.data.DataLoader(crops, batch_size=4, num_workers=2))
    loader = torch.utils.data.DataLoader(crops, batch_size=4, num_workers=2)
    interrupted = InterruptAt(loader, after=2 * len(loader) + 3)  # in the third epoch
    run(interrupted, tmp_path / "ck.pt")
    resumed = run(interrupted.loader, tmp_path / "ck.pt")
    assert resumed["epoch"] == [1, 2, 3]
    assert resumed["train_loss"] == pytest.approx(full["train_loss"], rel=1e-6)


def test_one_cycle_refuses_too_few_steps():
    optimizer = training.make_optimizer("adam", nn.Linear(2, 2).parameters(), 0.1)
    with pytest.raises(LabError, match="needs at least 10 training steps, but these settings give 4"):
        training.make_scheduler("onecycle", optimizer, 4)


def test_bad_optimizer_settings_are_one_line_errors():
    params = nn.Linear(2, 2).parameters()
    with pytest.raises(LabError, match="unknown optimizer 'rmsprop'"):
        training.make_optimizer("rmsprop", params, 0.1)
    with pytest.raises(LabError, match="lr=-0.1 must be a positive"):
        training.make_optimizer("adam", params, -0.1)


@pytest.mark.parametrize("settings, message", [
    ({"LR_ADAM": -1e-3}, "LR_ADAM=-0.001 in the parameters cell: a learning rate must be a positive"),
    ({"BATCH_SIZE": 0}, "BATCH_SIZE=0 in the parameters cell: must be a positive whole number"),
    ({"SEG_OPTIMIZER": "adamax"}, "SEG_OPTIMIZER='adamax' in the parameters cell: unknown optimizer"),
    ({"VAL_SIZE": 70000}, "VAL_SIZE=70000 in the parameters cell: the validation set"),
    ({"STUDY_EPOCHS": 1.5}, "STUDY_EPOCHS=1.5"),
    ({"SEG_VAL_EVERY": 0}, "SEG_VAL_EVERY=0 in the parameters cell: must be a positive whole number"),
    ({"AUG_SCALE": 1.5}, "AUG_SCALE=1.5 in the parameters cell: must be in [0, 1)"),
    ({"FCN_WIDTH": 0}, "FCN_WIDTH=0 in the parameters cell: must be a positive whole number"),
    ({"SEG_WORKERS": -1}, "SEG_WORKERS=-1 in the parameters cell: must be a whole number, 0 or more"),
    ({"UNET_DEPTH": 2.0}, "UNET_DEPTH=2.0 in the parameters cell: must be a whole number from 1 to 7"),
    ({"TRAIN_LIMIT": -5}, "TRAIN_LIMIT=-5 in the parameters cell: must be a whole number, 0 or more"),
    ({"PATCH_SIZE": 24}, "PATCH_SIZE=24 in the parameters cell: the window must have a centre pixel"),
    ({"FCN_UPSAMPLE": "nearest"}, "FCN_UPSAMPLE='nearest' in the parameters cell: use one of bilinear, transposed"),
    ({"MLP_HIDDEN": [512, 0]}, "MLP_HIDDEN=[512, 0] in the parameters cell: must be a list of layer widths"),
    ({"PROGRESS": "no"}, "PROGRESS='no' in the parameters cell: must be True or False"),
    ({"STANDIN_WIDTH": 8}, "STANDIN_WIDTH=8 in the parameters cell: the stand-in's frames need at least 16 px"),
    ({"SEG_HEIGHT": 270, "SEG_CROP": 256}, "SEG_CROP=256 in the parameters cell is larger than the images' 270 rows"),
    ({"SEG_CROP": 8, "UNET_DEPTH": 4}, "SEG_CROP=8 in the parameters cell is too small to pool down 4 times"),
    ({"TILE_SIZE": 256, "TILE_OVERLAP": 250, "UNET_DEPTH": 3}, "TILE_OVERLAP=250 in the parameters cell leaves tiles"),
    ({"UNET_DEPTH": 8}, "UNET_DEPTH=8 in the parameters cell: must be a whole number from 1 to 7"),
    ({"UAVID_TEST_SEQUENCES": 20}, "UAVID_TEST_SEQUENCES=20 in the parameters cell: the test split takes whole sequences"),
    ({"SEED": 2 ** 32}, "SEED=4294967296 in the parameters cell: must be a whole number from 0 to 2**32 - 1"),
    ({"LR_SEG": float("inf")}, "LR_SEG=inf in the parameters cell: a learning rate must be a positive number"),
    ({"PATCH_SIZE": 301, "SEG_HEIGHT": 270}, "PATCH_SIZE=301 in the parameters cell is larger than the images' 270 rows"),
    ({"SEG_CROP": 15, "UNET_DEPTH": 3}, "SEG_CROP=15 in the parameters cell is too small to pool down 3 times"),
    ({"STUDY_EPOCHS": 2, "LONG_EPOCHS": 6, "BATCH_SIZE": 128, "VAL_SIZE": 5000, "TRAIN_LIMIT": 500},
     "STUDY_EPOCHS, LONG_EPOCHS, BATCH_SIZE, TRAIN_LIMIT in the parameters cell give a one-cycle schedule 2 x 4 = 8"),
    ({"PATCH_EPOCHS": 2, "PATCH_TRAIN_WINDOWS": 500, "PATCH_BATCH_SIZE": 128},
     "PATCH_EPOCHS, PATCH_TRAIN_WINDOWS, PATCH_BATCH_SIZE in the parameters cell give a one-cycle schedule 2 x 4 = 8"),
    ({"SEG_SCHEDULE": "onecycle", "SEG_EPOCHS": 1, "SEG_CROPS_PER_EPOCH": 8, "SEG_BATCH_SIZE": 4},
     "SEG_EPOCHS, SEG_CROPS_PER_EPOCH, SEG_BATCH_SIZE in the parameters cell give a one-cycle schedule 1 x 2 = 2"),
])
def test_notebook_settings_are_checked_by_name(settings, message):
    with pytest.raises(LabError) as err:
        check_settings(settings)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_few_steps_pass_without_one_cycle_and_with_enough_epochs():
    check_settings({"SEG_SCHEDULE": "none", "SEG_EPOCHS": 1, "SEG_CROPS_PER_EPOCH": 8, "SEG_BATCH_SIZE": 4})
    check_settings({"STUDY_EPOCHS": 3, "LONG_EPOCHS": 6, "BATCH_SIZE": 128, "VAL_SIZE": 5000, "TRAIN_LIMIT": 500})


def test_good_settings_pass():
    check_settings({"LR_ADAM": 1e-3, "BATCH_SIZE": 128, "SEG_OPTIMIZER": "adam", "VAL_SIZE": 5000, "EPOCHS": 2,
                    "SEG_HEIGHT": 270, "SEG_CROP": 202, "UNET_DEPTH": 3, "TILE_SIZE": 256, "TILE_OVERLAP": 248, "SEED": 2 ** 32 - 1,
                    "PATCH_SIZE": 25, "MLP_HIDDEN": [512, 256], "TRAIN_LIMIT": 0, "FCN_UPSAMPLE": "transposed"})


def test_the_notebook_settings_pass_and_every_number_is_checked():
    # the defaults of the parameters cell are valid, and no numeric setting escapes the rules
    # (so a bad value stops the notebook at once, not after minutes of training)
    nb = json.loads((Path(__file__).resolve().parents[1] / "lab3.ipynb").read_text())
    source = next("".join(c["source"]) for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    values = {}
    exec(source, {}, values)
    check_settings(values)
    unchecked = []
    for name, value in values.items():
        if isinstance(value, (bool, int, float, list)):
            try:  # a value of the wrong kind must be refused by the rule for that name
                rules.check_setting(name, "not a number")
                unchecked.append(name)
            except LabError:
                pass
    assert not unchecked


def test_evaluate_can_keep_the_predictions():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    _, val = loaders()
    out = training.evaluate(model, nn.CrossEntropyLoss(), val, torch.device("cpu"), 2, keep_predictions=True)
    x, y = torch.cat([b[0] for b in val]), torch.cat([b[1] for b in val])
    kept = torch.stack(out["predictions"])
    assert kept.dtype == torch.uint8 and torch.equal(kept.long(), model(x).argmax(1))
    assert out["accuracy"] == pytest.approx((kept.long() == y).float().mean().item())
    assert "predictions" not in training.evaluate(model, nn.CrossEntropyLoss(), val, torch.device("cpu"), 2)


def test_device_names_are_checked():
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(LabError, match="not a device name"):
        pick_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(LabError, match="CUDA GPU"):
            pick_device("cuda:1")
