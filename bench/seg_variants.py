"""U-Net test mIoU on the stand-in after the notebook's training budget, changing one thing at a time.

Each run is the notebook's U-Net training (course split at 270 rows, 6 epochs of 640 crops of 128 px in
batches of 4, one-cycle Adam at 3e-3, class-weighted cross-entropy) with one change: a higher learning rate,
no class weights, crops placed around rare-class pixels half of the time, a soft Dice term added to the loss,
batches of 2, or smaller crops. It asks whether the notebook's default budget can reach a much higher mIoU by a
better recipe rather than by more training. The notebook's settings are those of utils.config.Config. The last
lines are one summary line per run: `seg_variant: name=.. ..`.

    python -m bench.seg_variants           # from the repository root
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import tv_tensors
from torchvision.transforms import v2

from bench.standin_data import DEFAULTS, eval_loaders, load_standin_split
from utils import models, samples, training
from utils.device import describe, pick_device, seed_everything, to_device
from utils.errors import check
from utils.palette import CLASSES

RARE = [CLASSES.index(name) for name in ("static car", "human", "moving car")]
VARIANTS = {  # name: changes to the notebook's defaults
    "notebook": {},
    "lr 1e-2": {"lr": 1e-2},
    "no class weights": {"weights": False},
    "rare-class crops": {"rare": 0.5},
    "+ Dice loss": {"dice": 1.0},
    "batch 2": {"batch_size": 2},
    "crops of 96 px": {"crop": 96, "crops": 1136},  # as many pixels an epoch as 640 of 128 px, in more steps
}


class RareClassCrops(samples.SegmentationCrops):
    """The notebook's crops, but with probability `rare` a crop is placed around a random rare-class pixel.

    The pixel is chosen before the random zoom, so a blob of a pixel or two can still miss the crop."""

    def __init__(self, images, masks, crop, length, mean, std, rare: float):
        super().__init__(images, masks, crop, length, mean, std)
        self.crop, self.rare = crop, rare
        resize, _, *rest = self.transform.transforms  # the parent's zoom, random crop (replaced here), the rest
        self.resize, self.rest = resize, v2.Compose(rest)
        self.where = [torch.nonzero(torch.isin(m, torch.tensor(RARE))) for m in masks]
        self.with_rare = [k for k, w in enumerate(self.where) if len(w)]
        check(len(self.with_rare) > 0, "no training image has a static car, human or moving car to centre crops on")

    def __getitem__(self, i):
        if torch.rand(()) >= self.rare:
            return super().__getitem__(i)
        k = self.with_rare[int(torch.randint(len(self.with_rare), ()))]
        y, x = self.where[k][int(torch.randint(len(self.where[k]), ()))].tolist()
        image, mask = self.resize(tv_tensors.Image(self.images[k]), tv_tensors.Mask(self.masks[k]))
        h, w = image.shape[-2:]
        y, x = y * h // self.images[k].shape[-2], x * w // self.images[k].shape[-1]  # the pixel after resizing
        top = min(max(y - int(torch.randint(self.crop, ())), 0), h - self.crop)
        left = min(max(x - int(torch.randint(self.crop, ())), 0), w - self.crop)
        window = (slice(None), slice(top, top + self.crop), slice(left, left + self.crop))
        image, mask = self.rest(tv_tensors.Image(image[window]), tv_tensors.Mask(mask[window[1:]]))
        return image.as_subclass(torch.Tensor), mask.as_subclass(torch.Tensor)


class CrossEntropyDice(nn.Module):
    """Cross-entropy plus `dice` times the soft Dice loss, averaged over the classes present in the batch."""

    def __init__(self, weight: torch.Tensor | None, dice: float):
        super().__init__()
        self.ce, self.dice = nn.CrossEntropyLoss(weight=weight), dice

    def forward(self, logits, target):
        probs = logits.softmax(1)
        onehot = F.one_hot(target, probs.shape[1]).permute(0, 3, 1, 2).float()
        overlap, total = (probs * onehot).sum((0, 2, 3)), (probs + onehot).sum((0, 2, 3))
        present = onehot.sum((0, 2, 3)) > 0
        dice = 1 - (2 * overlap + 1) / (total + 1)
        return self.ce(logits, target) + self.dice * dice[present].mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    s = DEFAULTS.seg
    parser.add_argument("--device", default=DEFAULTS.general.device)
    parser.add_argument("--standin", default=s.standin_dir,
                        help=f"written there if missing ({s.standin_width}x{s.standin_height})")
    parser.add_argument("--epochs", type=int, default=s.epochs)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS), metavar="NAME",
                        help=f"any of: {', '.join(repr(v) for v in VARIANTS)}")
    args = parser.parse_args()

    device = pick_device(args.device)
    images, masks, mean, std = load_standin_split(args.standin)
    weights = samples.class_weights(masks["train"]).to(device)
    val_loader, test_loader = eval_loaders(images, masks, mean, std)
    print(f"device {describe(device)}; {len(images['train'])} training images; {args.epochs} epochs a run", flush=True)

    summary = []
    for name in args.variants:
        v = {"lr": s.lr, "weights": True, "rare": 0.0, "dice": 0.0, "batch_size": s.batch_size, "crop": s.crop,
             "crops": s.crops_per_epoch, **VARIANTS[name]}
        w = weights if v["weights"] else None
        loss_fn = CrossEntropyDice(w, v["dice"]) if v["dice"] else nn.CrossEntropyLoss(weight=w)
        seed_everything(DEFAULTS.general.seed)
        if v["rare"]:
            crops = RareClassCrops(images["train"], masks["train"], v["crop"], v["crops"], mean, std, v["rare"])
        else:
            crops = samples.SegmentationCrops(images["train"], masks["train"], v["crop"], v["crops"], mean, std)
        loader = torch.utils.data.DataLoader(crops, batch_size=v["batch_size"])
        seed_everything(DEFAULTS.general.seed)
        unet = to_device(models.UNet(len(CLASSES), width=s.unet_width, depth=s.unet_depth), device)
        tic = time.perf_counter()
        training.fit(unet, train_loader=loader, val_loader=val_loader, device=device, num_classes=len(CLASSES),
                     epochs=args.epochs, optimizer=s.optimizer, lr=v["lr"], schedule=s.schedule, loss_fn=loss_fn,
                     monitor="val_miou", progress=False, name=name)
        seconds = time.perf_counter() - tic
        test = training.evaluate(unet, loss_fn, test_loader, device, len(CLASSES))
        iou = {c: test["iou"][i] for i, c in enumerate(CLASSES)}
        print(f"[{name}] test IoU: " + ", ".join(f"{c} {x:.3f}" for c, x in iou.items()), flush=True)
        summary.append(f"seg_variant: name={name.replace(' ', '_')} seconds={seconds:.0f} "
                       f"test_miou={test['miou']:.3f} human={iou['human']:.3f} static_car={iou['static car']:.3f} "
                       f"moving_car={iou['moving car']:.3f}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
