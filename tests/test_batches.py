import torch

from utils.batches import TensorLoader

from expect import raises_naming


def test_tensor_loader_batches_normalises_and_covers_everything():
    images = torch.arange(10, dtype=torch.float32).reshape(10, 1, 1).expand(10, 2, 2) / 10
    labels = torch.arange(10)
    loader = TensorLoader(images, labels, batch_size=4, shuffle=True, mean=0.5, std=0.25)
    batches = list(loader)
    assert len(loader) == 3 and [len(y) for _, y in batches] == [4, 4, 2]
    seen = torch.cat([y for _, y in batches])
    assert sorted(seen.tolist()) == list(range(10))
    x, y = batches[0]
    assert x.shape == (4, 1, 2, 2)
    assert torch.allclose(x[:, 0, 0, 0], (y.float() / 10 - 0.5) / 0.25)


def test_uint8_images_are_scaled_and_shuffling_is_seeded():
    images = torch.arange(8, dtype=torch.uint8).reshape(8, 1, 1).expand(8, 3, 3).contiguous() * 30
    labels = torch.arange(8)

    def order(seed):
        return torch.cat([y for _, y in TensorLoader(images, labels, 3, shuffle=True, seed=seed)]).tolist()

    x, y = next(iter(TensorLoader(images, labels, 8)))
    assert x.dtype == torch.float32 and torch.allclose(x[:, 0, 0, 0], y.float() * 30 / 255)
    assert order(0) == order(0) and order(0) != order(1) and sorted(order(1)) == list(range(8))


def test_augment_gets_each_batch_in_unit_range_and_the_loaders_generator():
    calls = []

    def augment(x, generator):
        calls.append((x.clone(), generator))
        return 1 - x

    images, labels = torch.full((5, 1, 2, 2), 0.25), torch.zeros(5, dtype=torch.long)
    loader = TensorLoader(images, labels, 2, mean=0.5, std=0.5, augment=augment)
    xs = [x for x, _ in loader]
    assert len(calls) == 3
    assert torch.equal(calls[0][0], images[:2])  # before normalisation
    assert torch.allclose(xs[0], torch.full((2, 1, 2, 2), (0.75 - 0.5) / 0.5))  # augmented, then normalised


def test_zero_batch_size_is_refused():
    with raises_naming("batch_size=0", "positive whole number"):
        TensorLoader(torch.zeros(4, 2, 2), torch.zeros(4), batch_size=0)


def test_images_and_labels_of_different_lengths_are_refused():
    with raises_naming("images", "labels", "same length"):
        TensorLoader(torch.zeros(4, 2, 2), torch.zeros(3), batch_size=2)


def test_tensor_loader_normalises_per_channel_on_the_images_device():
    images = torch.full((4, 3, 2, 2), 0.5)
    loader = TensorLoader(images, torch.zeros(4, dtype=torch.long), 2, mean=[0.5, 0.25, 0.0],
                          std=torch.tensor([1.0, 0.5, 0.25]).view(3, 1, 1))
    x, _ = next(iter(loader))
    assert torch.allclose(x[0, :, 0, 0], torch.tensor([0.0, 0.5, 2.0]))
    assert loader.mean.device == images.device


def test_augmentation_draws_from_the_loaders_seeded_generator():
    def noisy(x, generator):
        return x + torch.rand(x.shape, generator=generator, device=x.device)

    def batches(seed):
        torch.manual_seed(0)  # the global generator is the same every time: only the loader's seed differs
        loader = TensorLoader(torch.zeros(6, 1, 2, 2), torch.zeros(6, dtype=torch.long), 3, shuffle=True,
                              augment=noisy, seed=seed)
        return torch.cat([x for x, _ in loader])

    assert torch.equal(batches(1), batches(1)) and not torch.equal(batches(1), batches(2))
