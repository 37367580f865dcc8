import warnings

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display in tests
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from utils import image_plots, plots  # noqa: E402
from utils.eval_samples import Region  # noqa: E402
from utils.palette import CLASSES, PALETTE  # noqa: E402
from utils.results import History  # noqa: E402


def history(errors: list[float]) -> History:
    """A History whose validation error rates (%) per epoch are `errors`."""
    h = History()
    for epoch, e in enumerate(errors, 1):
        h.append(epoch=epoch, val_accuracy=1 - e / 100)
    return h


@pytest.mark.parametrize("errors, scale", [
    ([[3.0, 2.1], [9.5, 5.2], [1.6, 0.9, 0.6]], "log"),  # a decade apart
    ([[3.0, 2.1], [2.5, 1.5], [1.6, 1.2]], "linear"),
    ([[3.0, 2.1], [9.5, 5.2], [1.6, 0.9], [1.2, 0.8], [1.4, 1.0, 0.7, 0.6]], "log"),
])
def test_plot_study_has_one_dot_per_model_and_one_panel_each(errors, scale):
    names = [f"model {i}" for i in range(len(errors))]
    fig = plots.plot_study({n: history(e) for n, e in zip(names, errors, strict=True)}, title="study")
    try:
        assert len(fig.axes) == 1 + len(names)  # the dot chart, then a small panel per model (spare cells removed)
        dots = fig.axes[0]
        assert [t.get_text() for t in dots.get_yticklabels()] == names  # in the given order, first on top
        assert dots.get_xscale() == scale
        written = [t.get_text() for t in dots.texts]
        assert written == [f"{min(e):.2f} %" for e in errors]
        assert [ax.get_title() for ax in fig.axes[1:]] == names
        assert all(len(ax.lines) == len(names) for ax in fig.axes[1:])  # its own line, and the others in grey
    finally:
        plt.close(fig)


def test_plot_confusions_share_one_colour_bar():
    g = torch.Generator().manual_seed(0)
    matrices = {"FCN": torch.randint(0, 50, (8, 8), generator=g), "U-Net": torch.randint(0, 50, (8, 8), generator=g)}
    fig = plots.plot_confusions(matrices, list(CLASSES), title="test")
    try:
        assert len(fig.axes) == 3  # two matrices and one colour bar
        assert [ax.get_title() for ax in fig.axes[:2]] == ["FCN", "U-Net"]
        rows = matrices["FCN"].double() / matrices["FCN"].sum(1, keepdim=True)
        assert np.allclose(fig.axes[0].images[0].get_array(), rows.numpy())  # row-normalised
    finally:
        plt.close(fig)


@pytest.mark.parametrize("normalize", [True, False])
def test_plot_confusion_still_draws_one_matrix_and_its_bar(normalize):
    matrix = torch.tensor([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    fig = plots.plot_confusion(matrix, ["0", "1", "2"], normalize=normalize)
    try:
        ax = fig.axes[0]
        assert len(fig.axes) == 2 and ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
        texts = [t.get_text() for t in ax.texts]
        assert texts == (["0.83", "0.17", "0.78", "0.22", "0.10", "0.90"] if normalize
                         else ["5", "1", "7", "2", "1", "9"])  # row by row, diagonal in grey
    finally:
        plt.close(fig)


def test_show_rare_regions_outlines_the_rare_classes_on_every_panel():
    mean, std = [0.5] * 3, [0.25] * 3
    truth = torch.zeros(30, 40, dtype=torch.uint8)  # clutter
    truth[10:13, 10:12] = 6  # a human
    truth[20:25, 25:35] = 7  # a moving car
    images = [torch.randn(3, 30, 40)]
    missed = truth.clone()
    missed[truth == 6] = 0  # a model that sees no human
    regions = [Region(0, 0, 0, 20), Region(0, 10, 20, 20)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. no contour warning for a class absent from a panel
        fig = image_plots.show_rare_regions(images, [truth], {"FCN": [missed], "U-Net": [truth]}, regions, [6, 7],
                                      mean, std, titles=["a human", "a car"])
    try:
        axes = np.array(fig.axes).reshape(2, 4)  # two rows: image | truth | FCN | U-Net
        assert [ax.get_title() for ax in axes[:, 0]] == ["a human", "a car"]
        assert [ax.get_title() for ax in axes[0, 1:]] == ["truth", "FCN", "U-Net"]
        outlined = [[len(ax.collections) for ax in row] for row in axes]
        assert outlined == [[1, 1, 0, 1], [1, 1, 1, 1]]  # the FCN misses the human; the car is seen by all
        assert all(im.get_interpolation() == "nearest" for ax in axes.flat for im in ax.images)
        assert axes[0, 1].images[0].get_array().shape == (20, 20, 3)
        legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
        assert "human (outline)" in legend and "moving car (outline)" in legend and "clutter" in legend
    finally:
        plt.close(fig)


def test_grouped_bars_sit_side_by_side_in_each_category():
    fig, ax = plt.subplots()
    try:
        bars = plots.grouped_bars(ax, [[1, 2, 3], [4, 5, 6]], labels=["a", "b"])
        assert [[round(b.get_x() + b.get_width() / 2, 6) for b in c] for c in bars] == [[-0.2, 0.8, 1.8],
                                                                                      [0.2, 1.2, 2.2]]
        assert {round(b.get_width(), 6) for c in bars for b in c} == {0.4}  # the two fill 0.8 of a category
        assert [[b.get_height() for b in c] for c in bars] == [[1, 2, 3], [4, 5, 6]]
        assert [t.get_text() for t in ax.legend().get_texts()] == ["a", "b"]
    finally:
        plt.close(fig)


def test_iou_bars_in_class_colours_and_class_counts_per_split():
    ious = {"FCN": np.linspace(0.1, 0.8, 8), "U-Net": np.linspace(0.2, 0.9, 8)}
    fig = plots.plot_iou_bars(ious)
    try:
        ax = fig.axes[0]
        assert len(ax.patches) == 16 and [t.get_text() for t in ax.get_xticklabels()] == list(CLASSES)
        assert np.allclose([p.get_facecolor()[:3] for p in ax.patches[8:]], PALETTE / 255)
        assert [t.get_text() for t in ax.texts[:2]] == ["0.10", "0.20"]  # each bar's value written on it
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["FCN", "U-Net"]
    finally:
        plt.close(fig)
    fig = plots.plot_class_counts({"train": [3, 1], "test": [0, 2]}, names=["cat", "dog"])
    try:
        ax = fig.axes[0]
        assert [p.get_height() for p in ax.patches] == [3, 1, 0, 2]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train (4)", "test (2)"]
    finally:
        plt.close(fig)


def test_large_images_and_maps_are_reduced_to_screen_size_before_drawing():
    assert [image_plots.reduction(*size) for size in [(540, 960), (1080, 1919), (2160, 3840), (2160, 4096)]] == \
        [1, 1, 4, 4]
    image = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    reduced = image_plots.reduced_image(image, 2)
    assert reduced.dtype == np.uint8 and reduced.shape == (2, 3, 3)
    assert reduced[0, 0].tolist() == [round(v) for v in image[:2, :2].reshape(4, 3).mean(0)]
    labels = np.arange(36).reshape(6, 6)
    assert image_plots.reduced_map(labels, 3).tolist() == [[7, 10], [25, 28]]  # each 3 x 3 block's centre
    assert image_plots.reduced_map(labels, 1) is labels and image_plots.reduced_image(image, 1) is image


def test_bin_spans_give_each_bin_its_width_and_centre_the_open_last_as_wide_as_the_one_before():
    widths, centres = plots.bin_spans(np.array([0, 1, 2, 4, 8]))
    assert widths.tolist() == [1, 1, 2, 4, 4] and centres.tolist() == [0.5, 1.5, 3, 6, 10]


def test_iou_bar_labels_never_print_a_nonzero_iou_as_zero():
    assert [plots.iou_text(value) for value in (0.0, 0.004, 0.006, 0.5)] == ["0.00", "<0.01", "0.01", "0.50"]
