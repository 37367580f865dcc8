"""U-Net test mIoU on the stand-in after longer training than the notebook's (best run on a GPU).

The notebook's data (course split at SEG_HEIGHT rows), U-Net, class-weighted loss, crops and `fit`, with its
optimizer, schedule and learning rate (one-cycle Adam at 3e-3) and its crops (640 of 128 px per epoch, in
batches of 4), all from utils.config.Config; only the epochs and the width change, and crops are cut by
--workers loader processes (so the random crops differ from the notebook's). The last lines are one summary line
per run: `seg_longer: epochs=.. width=.. seconds=.. test_miou=..`.

    python -m bench.seg_longer             # from the repository root
"""
import argparse
import time

import torch
import torch.nn as nn

from bench.standin_data import DEFAULTS, eval_loaders, load_standin_split
from utils import models, samples, training
from utils.device import describe, pick_device, seed_everything, to_device
from utils.palette import CLASSES


def main() -> None:
    s = DEFAULTS.seg
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=DEFAULTS.general.device)
    parser.add_argument("--standin", default=s.standin_dir,
                        help=f"written there if missing ({s.standin_width}x{s.standin_height})")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32], help="UNET_WIDTH of each run")
    parser.add_argument("--workers", type=int, default=8, help="crop-loading processes")
    args = parser.parse_args()

    device = pick_device(args.device)
    images, masks, mean, std = load_standin_split(args.standin)
    loss_fn = nn.CrossEntropyLoss(weight=samples.class_weights(masks["train"]).to(device))
    val_loader, test_loader = eval_loaders(images, masks, mean, std)
    print(f"device {describe(device)}; {len(images['train'])} training images", flush=True)

    summary = []
    for width in args.widths:
        seed_everything(DEFAULTS.general.seed)
        crops = samples.SegmentationCrops(images["train"], masks["train"], s.crop, s.crops_per_epoch, mean, std)
        loader = torch.utils.data.DataLoader(crops, batch_size=s.batch_size, num_workers=args.workers,
                                             persistent_workers=args.workers > 0)
        unet = to_device(models.UNet(len(CLASSES), width=width, depth=s.unet_depth), device)
        tic = time.perf_counter()
        training.fit(unet, train_loader=loader, val_loader=val_loader, device=device, num_classes=len(CLASSES),
                     epochs=args.epochs, optimizer=s.optimizer, lr=s.lr, schedule=s.schedule, loss_fn=loss_fn,
                     monitor="val_miou", progress=False, name=f"U-Net width {width}")
        seconds = time.perf_counter() - tic
        test = training.evaluate(unet, loss_fn, test_loader, device, len(CLASSES))
        print("test IoU: " + ", ".join(f"{c} {test['iou'][i]:.3f}" for i, c in enumerate(CLASSES)), flush=True)
        summary.append(f"seg_longer: epochs={args.epochs} width={width} seconds={seconds:.0f} "
                       f"test_miou={test['miou']:.3f}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
