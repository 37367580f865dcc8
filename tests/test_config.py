import json
import subprocess
import sys
from dataclasses import FrozenInstanceError, fields, replace
from pathlib import Path

import pytest
import torch

from utils.config import Config, setting_names
from utils.errors import LabError

from expect import raises_naming


# each bad value: the settings its error must name, and what it must say is allowed (not the wording around it)
@pytest.mark.parametrize("settings, named, allowed", [
    ({"LR_ONECYCLE": -1e-3}, ["LR_ONECYCLE=-0.001"], "positive number"),
    ({"SWEEP_RATES": [0.1, 0]}, ["SWEEP_RATES=[0.1, 0]"], "positive learning rates"),
    ({"SHIFTS": [1, 9]}, ["SHIFTS=[1, 9]"], "1 to 8"),
    ({"BATCH_SIZE": 0}, ["BATCH_SIZE=0"], "positive whole number"),
    ({"SEG_OPTIMIZER": "adamax"}, ["SEG_OPTIMIZER='adamax'"], "sgd, momentum, nesterov, adam, adamw"),
    ({"VAL_SIZE": 70000}, ["VAL_SIZE=70000"], "between 1 and 59,999"),
    ({"REG_EPOCHS": 1.5}, ["REG_EPOCHS=1.5"], "positive whole number"),
    ({"SEG_VAL_EVERY": 0}, ["SEG_VAL_EVERY=0"], "positive whole number"),
    ({"AUG_SCALE": 1.5}, ["AUG_SCALE=1.5"], "[0, 1)"),
    ({"FCN_WIDTH": 0}, ["FCN_WIDTH=0"], "positive whole number"),
    ({"SEG_WORKERS": -1}, ["SEG_WORKERS=-1"], "0 or more"),
    ({"UNET_DEPTH": 2.0}, ["UNET_DEPTH=2.0"], "from 1 to 7"),
    ({"TRAIN_LIMIT": -5}, ["TRAIN_LIMIT=-5"], "0 or more"),
    ({"PATCH_SIZE": 24}, ["PATCH_SIZE=24"], "odd whole number, at least 9"),
    ({"FCN_UPSAMPLE": "nearest"}, ["FCN_UPSAMPLE='nearest'"], "bilinear, transposed"),
    ({"MLP_HIDDEN": [512, 0]}, ["MLP_HIDDEN=[512, 0]"], "positive whole numbers"),
    ({"PROGRESS": "no"}, ["PROGRESS='no'"], "True or False"),
    ({"STANDIN_WIDTH": 8}, ["STANDIN_WIDTH=8"], "at least 16"),
    ({"SEG_HEIGHT": 270, "SEG_CROP": 256}, ["SEG_CROP=256", "SEG_HEIGHT"], "at most 202"),
    ({"SEG_CROP": 8, "UNET_DEPTH": 4}, ["SEG_CROP=8", "UNET_DEPTH"], "at least 64"),
    ({"TILE_SIZE": 256, "TILE_OVERLAP": 250, "UNET_DEPTH": 3}, ["TILE_OVERLAP=250", "TILE_SIZE=256"], "at most 240"),
    ({"UNET_DEPTH": 8}, ["UNET_DEPTH=8"], "from 1 to 7"),
    ({"UAVID_TEST_SEQUENCES": 20}, ["UAVID_TEST_SEQUENCES=20"], "from 1 to 19"),
    ({"SEED": 2 ** 32}, ["SEED=4294967296"], "from 0 to 2**32 - 1"),
    ({"LR_SEG": float("inf")}, ["LR_SEG=inf"], "positive number"),
    ({"PATCH_SIZE": 301, "SEG_HEIGHT": 270}, ["PATCH_SIZE=301", "SEG_HEIGHT"], "smaller window"),
    ({"MLP_EPOCHS": True}, ["MLP_EPOCHS=True"], "positive whole number"),
    ({"RESUME": 1}, ["RESUME=1"], "True or False"),
    ({"SEG_CROP": 31, "UNET_DEPTH": 3}, ["SEG_CROP=31", "UNET_DEPTH"], "at least 32"),
    ({"SWEEP_LIMIT": 1000, "BATCH_SIZE": 128}, ["SWEEP_LIMIT", "BATCH_SIZE"], "at least 10"),
    ({"REG_EPOCHS": 1, "REG_LIMIT": 1000, "BATCH_SIZE": 128}, ["REG_EPOCHS", "REG_LIMIT"], "at least 10"),
    ({"PATCH_EPOCHS": 2, "PATCH_TRAIN_WINDOWS": 500, "PATCH_BATCH_SIZE": 128},
     ["PATCH_EPOCHS", "PATCH_TRAIN_WINDOWS", "PATCH_BATCH_SIZE"], "at least 10"),
    ({"SEG_SCHEDULE": "onecycle", "SEG_EPOCHS": 1, "SEG_CROPS_PER_EPOCH": 8, "SEG_BATCH_SIZE": 4},
     ["SEG_EPOCHS", "SEG_CROPS_PER_EPOCH", "SEG_BATCH_SIZE"], "at least 10"),
    ({"FCN_EPOCHS": 1, "SEG_CROPS_PER_EPOCH": 8, "SEG_BATCH_SIZE": 4},
     ["FCN_EPOCHS", "SEG_CROPS_PER_EPOCH", "SEG_BATCH_SIZE"], "at least 10"),
    ({"FCN_EPOCHS": 0}, ["FCN_EPOCHS=0"], "positive whole number"),
])
def test_a_bad_setting_is_named_with_what_is_allowed(settings, named, allowed):
    with raises_naming(*named, allowed):
        Config.from_parameters(settings)


def test_few_steps_pass_without_one_cycle_and_with_enough_epochs():
    Config.from_parameters({"SEG_SCHEDULE": "none", "SEG_EPOCHS": 1, "SEG_CROPS_PER_EPOCH": 8, "SEG_BATCH_SIZE": 4})
    Config.from_parameters({"REG_EPOCHS": 2, "REG_LIMIT": 1000, "BATCH_SIZE": 128})


def test_good_settings_pass_into_their_sections():
    cfg = Config.from_parameters({
        "LR_ONECYCLE": 1e-3, "BATCH_SIZE": 128, "SEG_OPTIMIZER": "adam", "VAL_SIZE": 5000, "SEG_HEIGHT": 270,
        "SEG_CROP": 202, "UNET_DEPTH": 3, "TILE_SIZE": 256, "TILE_OVERLAP": 240, "SEED": 2 ** 32 - 1, "PATCH_SIZE": 25,
        "MLP_HIDDEN": [512, 256], "TRAIN_LIMIT": 0, "FCN_UPSAMPLE": "transposed", "DEVICE": "cpu"})
    assert (cfg.general.seed, cfg.general.device) == (2 ** 32 - 1, "cpu")
    assert (cfg.mnist.lr_onecycle, cfg.mnist.batch_size, cfg.mnist.val_size) == (1e-3, 128, 5000)
    assert cfg.mnist.train_limit == 0
    assert cfg.mnist.mlp_hidden == (512, 256)  # a list in the notebook, a tuple in the frozen config
    assert (cfg.seg.height, cfg.seg.crop, cfg.seg.tile_overlap, cfg.seg.fcn_upsample) == (270, 202, 240, "transposed")


def test_names_that_are_not_settings_are_ignored():
    # the notebook passes its globals(): modules, functions and its own variables besides the settings
    cfg = Config.from_parameters({"EPOCHS": 0, "torch": torch, "In": [], "__name__": "__main__", "SEG_EPOCHS": 3})
    assert cfg == replace(Config(), seg=replace(Config().seg, epochs=3))


def test_the_config_is_frozen():
    cfg = Config()
    with pytest.raises(FrozenInstanceError):
        cfg.seg.crop = 64  # type: ignore[misc]


def test_checkpoint_keys_change_with_what_the_models_are_trained_on():
    base = Config()
    assert base.mnist_key() == {"seed": 0, "val_size": 5000, "train_limit": 0}
    assert base.seg_key()["seed"] == 0 and base.seg_key()["crop"] == base.seg.crop
    for name, value in (("SEED", 1), ("SEG_CROP", 96), ("PATCH_SIZE", 23), ("SEG_VAL_EVERY", 1)):
        assert Config.from_parameters({name: value}).seg_key() != base.seg_key(), name
    for name, value in (("SEG_EPOCHS", 8), ("LR_SEG", 1e-2), ("SEG_BATCH_SIZE", 8), ("PROGRESS", False)):
        # the training settings key the checkpoint in fit, the others do not change the weights
        assert Config.from_parameters({name: value}).seg_key() == base.seg_key(), name
    assert Config.from_parameters({"TRAIN_LIMIT": 1500}).mnist_key() != base.mnist_key()
    assert Config.from_parameters({"BATCH_SIZE": 64}).mnist_key() == base.mnist_key()


def parameters_cell() -> dict:
    """The values of lab3.ipynb's cell tagged `parameters`."""
    nb = json.loads((Path(__file__).resolve().parents[1] / "lab3.ipynb").read_text())
    source = next("".join(c["source"]) for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    values = {}
    exec(source, {}, values)
    return values


def defaults() -> dict:
    """Every setting's default in Config(), by its name in the parameters cell."""
    cfg = Config()
    out = {}
    for section in (cfg.general, cfg.mnist, cfg.seg):
        for f in fields(section):
            out[f.metadata["name"] or f.name.upper()] = getattr(section, f.name)
    return out


def test_the_notebook_settings_pass_and_every_setting_is_checked():
    # the defaults of the parameters cell are valid, every name there is a setting, and no setting that is not
    # a string escapes its rule (so a bad value stops the notebook at once, not after minutes of training)
    values = parameters_cell()
    Config.from_parameters(values)
    names = setting_names()
    assert len(names) == len(set(names))
    assert sorted(values) == sorted(names)  # no setting of the cell is ignored, and every setting is in the cell
    kinds = defaults()
    unchecked = []
    for name in names:
        try:  # a value of the wrong kind must be refused by the rule for that name
            Config.from_parameters({name: "not a number"})
            unchecked.append(name)
        except LabError as err:
            assert f"{name}='not a number'" in str(err)
    assert unchecked == [name for name in names if isinstance(kinds[name], str) and name not in CHOICES + PATHS]
    assert {"DEVICE", "DATA_DIR"} <= set(unchecked)  # names: checked where they are used


CHOICES = ("PRECISION", "SEG_OPTIMIZER", "SEG_SCHEDULE", "FCN_UPSAMPLE")  # string settings with a fixed set of values
PATHS = ("UAVID_DIR",)  # folders checked with the settings


def test_config_defaults_are_the_parameters_cell():
    values = parameters_cell()
    expected = {name: tuple(v) if isinstance(v, list) else v for name, v in values.items()}
    assert defaults() == expected
    assert all(type(defaults()[name]) is type(expected[name]) for name in expected)  # 10, not 10.0; True, not 1
    assert Config() == Config.from_parameters(values)


def test_the_settings_load_without_torch():
    # reading or checking the settings must not wait for torch, torchvision or tqdm to import
    code = ("import sys; from utils.config import Config; Config.from_parameters({'SEED': 1}); "
            "print(sorted(m for m in ('torch', 'torchvision', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"
