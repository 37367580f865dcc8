import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix, f1_score, jaccard_score, precision_score, recall_score

from utils.metrics import ConfusionMatrix

from expect import raises_naming


def test_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 6, size=5000)
    pred = np.where(rng.random(5000) < 0.7, truth, rng.integers(0, 6, size=5000))
    pred[pred == 5] = 4  # class 5 is never predicted: zero precision
    cm = ConfusionMatrix(6)
    for chunk in np.array_split(np.arange(5000), 7):
        cm.update(torch.from_numpy(pred[chunk]), torch.from_numpy(truth[chunk]))
    m = cm.compute()
    labels = list(range(6))
    assert np.array_equal(m["confusion"].numpy(), confusion_matrix(truth, pred, labels=labels))
    assert np.isclose(m["accuracy"], (truth == pred).mean())
    kw = dict(labels=labels, average=None, zero_division=0)
    assert np.allclose(m["precision"].numpy(), precision_score(truth, pred, **kw))
    assert np.allclose(m["recall"].numpy(), recall_score(truth, pred, **kw))
    assert np.allclose(m["f1"].numpy(), f1_score(truth, pred, **kw))
    assert np.allclose(m["iou"].numpy(), jaccard_score(truth, pred, **kw))
    assert np.isclose(m["miou"], jaccard_score(truth, pred, labels=labels, average="macro", zero_division=0))


def test_images_and_reset():
    cm = ConfusionMatrix(3)
    truth = torch.tensor([[[0, 1], [2, 2]]])
    cm.update(truth, truth)
    assert cm.compute()["miou"] == 1.0 and cm.mat.sum() == 4
    cm.reset()
    assert cm.mat.sum() == 0


def test_out_of_range_labels_are_ignored():
    cm = ConfusionMatrix(2)
    cm.update(torch.tensor([0, 1, 1]), torch.tensor([0, 1, 255]))
    assert cm.mat.tolist() == [[1, 0], [0, 1]]


def test_confusion_matrix_counts_uint8_inputs_and_refuses_out_of_range_predictions():
    cm = ConfusionMatrix(20)
    cm.update(torch.tensor([19], dtype=torch.uint8), torch.tensor([19], dtype=torch.uint8))  # 19 * 20 > 255
    assert cm.mat[19, 19] == 1 and cm.mat.sum() == 1
    with raises_naming("[0, 2)", "from 2 to 2"):  # what is allowed, and what was given
        ConfusionMatrix(2).update(torch.tensor([2]), torch.tensor([0]))


def test_a_class_absent_from_truth_and_prediction_counts_as_iou_zero_in_the_mean():
    # three classes; class 2 is neither present nor predicted: its IoU is 0 and the mean is over all three
    truth = torch.tensor([0, 0, 1, 1])
    pred = torch.tensor([0, 1, 1, 1])
    cm = ConfusionMatrix(3)
    cm.update(pred, truth)
    out = cm.compute()
    assert out["iou"].tolist() == [0.5, 2 / 3, 0.0]
    assert out["miou"] == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)


def test_largest_confusions_are_shares_of_the_truth_row_largest_first():
    from utils.metrics import Confusion, largest_confusions
    confusion = torch.tensor([[90, 10, 0], [25, 50, 25], [0, 0, 0]])
    assert largest_confusions(confusion, top=2) == [Confusion(1, 0, 0.25), Confusion(1, 2, 0.25)]
    assert largest_confusions(confusion, top=5) == [Confusion(1, 0, 0.25), Confusion(1, 2, 0.25),
                                                    Confusion(0, 1, 0.1)]
    assert largest_confusions(torch.eye(3), top=3) == []
