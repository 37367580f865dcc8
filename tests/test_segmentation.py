from dataclasses import replace

import pytest
import torch

from utils import segmentation
from utils.config import Config
from utils.results import SegScores
from utils.segmentation import SegData

CPU = torch.device("cpu")


def tiny_data(frames: int = 6) -> SegData:
    g = torch.Generator().manual_seed(0)
    images = {name: [torch.randint(0, 256, (3, 40, 60), dtype=torch.uint8, generator=g) for _ in range(frames)]
              for name in ("train", "val", "test")}
    masks = {name: [torch.randint(0, 8, (40, 60), generator=g) for _ in range(frames)] for name in images}
    masks["train"][0][:] = 2  # class 2 the most frequent: the smallest weight
    return SegData({}, images, masks, [0.5] * 3, [0.25] * 3)


def test_the_loss_is_class_weighted_only_where_the_settings_say_so():
    data, seg = tiny_data(), Config().seg
    weighted = segmentation.loss_function(data.masks["train"], seg, CPU)
    assert weighted.weight is not None and int(weighted.weight.argmin()) == 2
    assert segmentation.loss_function(data.masks["train"], replace(seg, class_weights=False), CPU).weight is None


def test_the_loaders_follow_the_settings():
    data = tiny_data()
    seg = replace(Config().seg, crop=24, crops_per_epoch=10, batch_size=4, val_every=2)
    loaders = segmentation.loaders(data, seg)
    crops, labels = next(iter(loaders.train))
    assert crops.shape == (4, 3, 24, 24) and labels.shape == (4, 24, 24) and len(loaders.train) == 3
    assert len(loaders.val) == 3 and len(loaders.test) == 6  # every second validation image; every test image
    image, mask = loaders.test.dataset[1]
    assert torch.equal(mask, data.masks["test"][1])
    assert torch.allclose(image, (data.images["test"][1].float() / 255 - 0.5) / 0.25)


def test_the_networks_and_their_training_follow_the_settings():
    seg = replace(Config().seg, fcn_width=4, unet_width=6, unet_depth=2, optimizer="sgd", lr=0.1, schedule="cosine")
    assert segmentation.fcn(seg).encoder[0][0].out_channels == 4
    assert segmentation.fcn(seg, upsample="transposed").upsample == "transposed"
    unet = segmentation.unet(seg)
    assert unet.stem[0].out_channels == 6 and len(unet.downs) == 2 and unet.stride == 8
    assert not segmentation.unet(seg, skips=False).ups[0].use_skip
    settings = segmentation.training(seg, torch.nn.CrossEntropyLoss(), epochs=3)
    assert (settings.epochs, settings.optimizer, settings.lr, settings.schedule, settings.monitor) == \
        (3, "sgd", 0.1, "cosine", "val_miou")


def test_the_data_are_the_course_split_of_the_stand_in(tmp_path):
    cfg = Config.from_parameters({"STANDIN_DIR": str(tmp_path), "STANDIN_WIDTH": 32, "STANDIN_HEIGHT": 18,
                                  "STANDIN_FRAMES": 1, "UAVID_TEST_SEQUENCES": 4})
    cfg = replace(cfg, seg=replace(cfg.seg, height=12))
    data = segmentation.load_data(segmentation.standin_root(cfg), cfg)
    assert {name: len(frames) for name, frames in data.split.items()} == {"train": 16, "val": 7, "test": 4}
    assert data.images["test"][0].shape == (3, 12, 21) and data.masks["test"][0].shape == (12, 21)
    assert len(data.mean) == len(data.std) == 3 and all(0 < s < 1 for s in data.std)


def test_model_names_carry_their_epochs_and_stay_apart_at_equal_epochs():
    names = segmentation.model_names(Config().seg)
    assert (names.window, names.fcn, names.fcn_other, names.unet_no_skips, names.unet_short, names.unet) == (
        "window classifier", "FCN, 6 epochs", "FCN, transposed upsampling, 6 epochs", "U-Net without skips, 6 epochs",
        "U-Net, 6 epochs", "U-Net, 24 epochs")
    equal = segmentation.model_names(replace(Config().seg, epochs=1, fcn_epochs=1, fcn_upsample="transposed"))
    assert (equal.fcn_other, equal.unet_short, equal.unet) == (
        "FCN, bilinear upsampling, 1 epoch", "U-Net (2.6), 1 epoch", "U-Net, 1 epoch")
    assert names.unet_unweighted == "U-Net, unweighted loss, 6 epochs"
    planned = segmentation.controlled_comparisons(names)
    assert [(p.topic, p.first, p.second) for p in planned] == [
        ("Upsampling", "FCN, transposed upsampling, 6 epochs", "FCN, 6 epochs"),
        ("Skip connections", "U-Net, 6 epochs", "U-Net without skips, 6 epochs"),
        ("U-Net against FCN", "U-Net, 6 epochs", "FCN, 6 epochs"),
        ("Training length", "U-Net, 24 epochs", "U-Net, 6 epochs")]
    weighted = segmentation.controlled_comparisons(names, rare=[3, 6, 7])[-1]
    assert (weighted.topic, weighted.first, weighted.second, weighted.classes, weighted.measure) == (
        "Class weights", "U-Net, 6 epochs", "U-Net, unweighted loss, 6 epochs", (3, 6, 7), "rare-class mIoU")


def per_image(correct: list[int]) -> torch.Tensor:
    """2-class confusions of images with 100 pixels of each class, `correct` of each class right."""
    return torch.tensor([[[c, 100 - c], [100 - c, c]] for c in correct])


def score(name: str) -> SegScores:
    return SegScores(name, 0.5, 0.5, [0.5, 0.5], [0.5, 0.5], [0.5, 0.5], torch.eye(2), 1, 1.0, 1)


def test_compare_takes_the_more_cautious_test_and_holm_over_the_family():
    good = per_image([95, 90, 97, 92, 96, 91, 94, 93, 90, 98, 95, 92])
    poor = per_image([60, 62, 55, 70, 58, 64, 61, 57, 66, 59, 63, 60])
    models_by_name = {"good": score("good"), "poor": score("poor")}
    confusions = {"good": good, "poor": poor}
    planned = [segmentation.Planned("clear", "good", "poor"), segmentation.Planned("itself", "good", "good")]
    six = segmentation.compare("family", planned, models_by_name, confusions, list("AABBCCDDEEFF"), seed=0)
    assert [c.verdict for c in six] == ["better", "no detectable difference"]
    clear = six[0]
    assert (clear.sequences.sequences, clear.sequences.first_better, clear.family) == (6, 6, "family")
    # Holm over two: the smaller p doubled; each comparison's p is the larger of its frame and sequence p
    assert clear.adjusted_p == pytest.approx(2 * max(clear.test.p_value, clear.sequences.p_value))
    assert clear.adjusted_p < 0.01 and six[1].adjusted_p == 1.0
    one = segmentation.compare("family", planned[:1], models_by_name, confusions, ["A"] * 12, seed=0)[0]
    # one test sequence: the sequence-level p is 1, so no verdict, however small the frame-level p
    assert one.test.p_value < 0.001 and one.sequences.p_value == 1.0
    assert (one.adjusted_p, one.verdict) == (1.0, "no detectable difference")


def test_compare_on_some_classes_tests_their_mean_iou_only():
    # class 0 alike in both models; class 1 better in the first: the first's class-1 IoU is higher on every image
    first = torch.tensor([[[100, 0, 0], [0, 90, 10], [0, 0, 100]]] * 12)
    second = torch.tensor([[[100, 0, 0], [0, 50, 50], [0, 0, 100]]] * 12)
    models_by_name = {"first": score("first"), "second": score("second")}
    planned = [segmentation.Planned("class 1", "first", "second", (1,), "class-1 IoU"),
               segmentation.Planned("class 0", "first", "second", (0,), "class-0 IoU")]
    one, zero = segmentation.compare("family", planned, models_by_name, {"first": first, "second": second},
                                     list("AABBCCDDEEFF"), seed=0)
    assert one.compared() == (pytest.approx(0.9), pytest.approx(0.5)) and one.measure == "class-1 IoU"  # TP / row
    assert one.test.difference == pytest.approx(0.4) and one.sequences.first_better == 6
    assert zero.test.difference == 0 and zero.verdict == "no detectable difference"
