"""Mini-batches of tensors that already live on the training device (MNIST digits, UAVid windows)."""
from collections.abc import Callable

import torch

from .errors import check
from .stats import Stat, as_channels, normalize


class TensorLoader:
    """Mini-batches from image and label tensors that already live on the training device.

    Images are uint8 or float in [0, 1]; each batch is optionally augmented (a function of a
    float batch in [0, 1]) and then normalised with (mean, std).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool = False,
                 mean: Stat = 0.0, std: Stat = 1.0,
                 augment: Callable | None = None, seed: int = 0):
        check(isinstance(batch_size, int) and batch_size > 0,
              f"batch_size={batch_size} must be a positive whole number (e.g. 128)")
        check(len(images) == len(labels), "images and labels must have the same length")
        if images.dtype == torch.uint8:
            images = images.float().div_(255)
        self.images = images.unsqueeze(1) if images.dim() == 3 else images
        self.labels = labels
        self.batch_size, self.shuffle = batch_size, shuffle
        self.mean, self.std = as_channels(mean, self.images), as_channels(std, self.images)  # converted once
        self.augment = augment
        self.generator = torch.Generator(device=images.device).manual_seed(seed)

    def __len__(self) -> int:
        return (len(self.labels) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        n = len(self.labels)
        device = self.images.device
        order = (torch.randperm(n, device=device, generator=self.generator) if self.shuffle
                 else torch.arange(n, device=device))
        for start in range(0, n, self.batch_size):
            idx = order[start: start + self.batch_size]
            x = self.images[idx]
            if self.augment is not None:
                x = self.augment(x, self.generator)
            yield normalize(x, self.mean, self.std), self.labels[idx]
