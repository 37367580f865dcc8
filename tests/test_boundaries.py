import numpy as np
import pytest
import torch

from utils.boundaries import (
    boundary_distance,
    boundary_distances,
    boundary_scores,
    far_confusion,
    label_shares,
    mean_regions,
    region_count,
)


def test_distance_is_zero_on_both_sides_of_a_boundary_and_grows_away_from_it():
    mask = np.zeros((5, 8), dtype=np.uint8)
    mask[:, 4:] = 3
    distance = boundary_distance(mask)
    assert (distance[:, 3] == 0).all() and (distance[:, 4] == 0).all()
    assert distance[0].tolist() == [3, 2, 1, 0, 0, 1, 2, 3]


def test_an_image_of_one_class_has_no_boundary():
    assert np.isinf(boundary_distance(np.ones((4, 4), dtype=np.uint8))).all()


def test_a_prediction_off_by_one_pixel_loses_accuracy_only_near_the_boundary():
    truth = np.zeros((10, 20), dtype=np.int64)
    truth[:, 10:] = 1
    shifted = np.zeros_like(truth)
    shifted[:, 11:] = 1  # column 10 is wrong
    scores = boundary_scores([torch.from_numpy(shifted)], [torch.from_numpy(truth)], 2, band=2.0,
                             bins=np.array([0, 1, 2, 5]))
    assert scores.band_share == 40 / 200  # columns 8-11
    assert scores.accuracy == 30 / 40
    assert scores.accuracy_by_distance.tolist() == [0.5, 1.0, 1.0, 1.0]  # distance 0: columns 9 and 10
    assert scores.pixels_by_distance.tolist() == [20, 20, 60, 100]  # columns 9-10, 8 and 11, 5-7 and 12-14, the rest
    assert scores.accuracy_from(1) == 1.0 and scores.accuracy_from(0) == 190 / 200
    assert scores.band_share == scores.pixel_share[:2].sum()  # the band is the bins below 2 px, as the bins count
    # IoU of class 0 in the band: 20 right of 30 in the union; class 1: 10 of 20
    assert np.isclose(scores.miou, (20 / 30 + 10 / 20) / 2)


def test_a_perfect_prediction_scores_one_everywhere():
    truth = torch.from_numpy(np.kron(np.arange(4).reshape(2, 2), np.ones((6, 6), dtype=np.int64)))
    scores = boundary_scores([truth], [truth], 4, band=2.0, bins=np.array([0, 2, 4]))
    assert scores.accuracy == 1.0 and scores.miou == 1.0
    assert np.all(scores.accuracy_by_distance == 1.0)


def test_errors_in_band_are_the_bands_wrong_pixels_over_all_wrong_pixels():
    from utils.boundaries import BoundaryScores, errors_in_band
    band = BoundaryScores(3.0, 0.2, 0.6, 0.5, np.arange(2), np.ones(2), np.ones(2) / 2, np.ones(2, dtype=int))
    assert errors_in_band(band, 0.9) == pytest.approx(0.8)  # 0.2 * 0.4 of all pixels, of 0.1 wrong
    assert errors_in_band(band, 1.0) == 0.0


def test_region_count_sums_the_4_connected_regions_of_every_class():
    mask = np.array([[0, 0, 1, 1],
                     [0, 1, 0, 0],
                     [2, 2, 0, 1]])
    # class 0: two regions, class 1: three (diagonal neighbours do not join), class 2: one
    assert region_count(mask, 3) == 6
    assert region_count(torch.zeros(4, 4, dtype=torch.long), 8) == 1
    assert mean_regions([mask, np.zeros((2, 2), dtype=int)], 3) == 3.5


def test_far_confusion_counts_only_pixels_far_from_every_true_boundary():
    mask = np.zeros((1, 20), dtype=np.int64)
    mask[0, 10:] = 1  # one boundary between columns 9 and 10
    prediction = np.zeros((1, 20), dtype=np.int64)  # right half wrong
    near_all = far_confusion([prediction], [mask], 2, 0)
    assert near_all.sum() == 20 and near_all[1, 0] == 10
    far = far_confusion([prediction], [mask], 2, 5)  # columns 0..4 and 15..19
    assert far.tolist() == [[5, 0], [5, 0]]
    given = far_confusion([prediction], [mask], 2, 5, distances=boundary_distances([mask]))
    assert given.tolist() == far.tolist()


def test_label_shares_pool_the_pixels_of_every_map():
    shares = label_shares([np.array([[0, 1], [1, 1]]), np.array([[2, 2], [2, 2]])], 4)
    assert np.allclose(shares, [1 / 8, 3 / 8, 4 / 8, 0])
    assert np.allclose(label_shares([], 3), 0)
