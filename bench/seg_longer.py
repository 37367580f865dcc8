"""U-Net test mIoU on the stand-in after longer training than the notebook's (best run on a GPU).

The notebook's data (course split at 270 rows), U-Net, class-weighted loss, crops and `train_model`, with
one-cycle Adam at 3e-3 and 640 crops of 128 px per epoch, as in the notebook; only the epochs and the
width change, and crops are cut by --workers loader processes (so the random crops differ from the
notebook's). The last lines are one summary line per run: `seg_longer: epochs=.. width=.. seconds=..
test_miou=..`.
"""
import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import models, training, uavid  # noqa: E402
from utils.device import describe, pick_device, seed_everything, to_device  # noqa: E402
from utils.palette import CLASSES  # noqa: E402
from standin_data import eval_loaders, load_standin_split  # noqa: E402  (bench/, the script's folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--standin", default="data/uavid_standin", help="written there if missing (960x540)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32], help="UNET_WIDTH of each run")
    parser.add_argument("--workers", type=int, default=8, help="crop-loading processes")
    args = parser.parse_args()

    device = pick_device(args.device)
    images, masks, mean, std = load_standin_split(args.standin)
    loss_fn = nn.CrossEntropyLoss(weight=uavid.class_weights(masks["train"]).to(device))
    val_loader, test_loader = eval_loaders(images, masks, mean, std)
    print(f"device {describe(device)}; {len(images['train'])} training images", flush=True)

    summary = []
    for width in args.widths:
        seed_everything(0)
        crops = uavid.SegmentationCrops(images["train"], masks["train"], 128, 640, mean, std)
        loader = torch.utils.data.DataLoader(crops, batch_size=4, num_workers=args.workers,
                                             persistent_workers=args.workers > 0)
        unet = to_device(models.UNet(len(CLASSES), width=width, depth=3), device)
        tic = time.perf_counter()
        training.train_model(unet, loader, val_loader, device, optimizer="adam", lr=3e-3, schedule="onecycle",
                             epochs=args.epochs, num_classes=len(CLASSES), loss_fn=loss_fn, monitor="val_miou",
                             progress=False, name=f"U-Net width {width}")
        seconds = time.perf_counter() - tic
        test = training.evaluate(unet, loss_fn, test_loader, device, len(CLASSES))
        print("test IoU: " + ", ".join(f"{c} {test['iou'][i]:.3f}" for i, c in enumerate(CLASSES)), flush=True)
        summary.append(f"seg_longer: epochs={args.epochs} width={width} seconds={seconds:.0f} "
                       f"test_miou={test['miou']:.3f}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
