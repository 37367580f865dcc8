import pytest
import torch
import torch.nn as nn

from utils.batches import TensorLoader
from utils.checkpoints import describe_loss, load_checkpoint, rng_state, save_checkpoint, set_rng_state

from expect import raises_naming

CPU = torch.device("cpu")


def test_a_checkpoint_round_trips_with_its_key(tmp_path):
    path = tmp_path / "sub" / "ck.pt"  # folders are made
    state = {"model": nn.Linear(2, 2).state_dict(), "history": {"epoch": [1]}, "key": {"seed": 0}}
    save_checkpoint(path, state)
    assert [p.name for p in path.parent.iterdir()] == ["ck.pt"]  # no temporary file left behind
    loaded = load_checkpoint(path, CPU, {"seed": 0})
    assert loaded["history"] == {"epoch": [1]}
    assert all(torch.equal(loaded["model"][k], v) for k, v in state["model"].items())


def test_no_checkpoint_or_other_settings_give_none(tmp_path, capsys):
    assert load_checkpoint(None, CPU, {}) is None
    assert load_checkpoint(tmp_path / "missing.pt", CPU, {}) is None
    save_checkpoint(tmp_path / "ck.pt", {"key": {"seed": 0}})
    assert load_checkpoint(tmp_path / "ck.pt", CPU, {"seed": 1}) is None
    assert "was made with other settings: training from scratch" in capsys.readouterr().out


def test_an_unreadable_checkpoint_is_a_one_line_error(tmp_path):
    path = tmp_path / "ck.pt"
    path.write_bytes(b"not a checkpoint")
    with raises_naming(str(path), "delete it"):
        load_checkpoint(path, CPU, {})


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    save_checkpoint(path, {"key": "old"})

    def broken_save(state, f):
        with open(f, "wb") as out:
            out.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(path, {"key": "new"})
    monkeypatch.undo()
    assert load_checkpoint(path, CPU, "old") == {"key": "old"}


def test_rng_state_restores_the_global_and_the_loaders_generators():
    loader = TensorLoader(torch.arange(20.0).view(20, 1), torch.arange(20), 5, shuffle=True, seed=3)
    next(iter(loader))  # advance the loader's generator
    state = rng_state(loader)
    assert state["cuda"] is None or torch.cuda.is_initialized()
    first = (torch.rand(3), [y.tolist() for _, y in loader])
    set_rng_state(state, loader)
    assert torch.equal(torch.rand(3), first[0]) and [y.tolist() for _, y in loader] == first[1]


def test_loader_without_a_generator_saves_none():
    assert rng_state([(torch.zeros(1), torch.zeros(1))])["loader"] is None


def test_describe_loss_shows_what_repr_does_not():
    plain = describe_loss(nn.CrossEntropyLoss())
    assert plain.startswith("CrossEntropyLoss(") and plain == describe_loss(nn.CrossEntropyLoss())
    weighted = describe_loss(nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0])))
    assert "'weight': [1.0, 3.0]" in weighted
    assert describe_loss(nn.CrossEntropyLoss(label_smoothing=0.1)) != plain != weighted
