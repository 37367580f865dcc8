"""Time for LeNet to reach 99.0 % MNIST test accuracy: the project's pipeline vs a textbook one.

Both train the same LeNet with the same optimizer (Adam, one-cycle), batch size and seed on the 60,000
training images; the test accuracy is measured every --eval-every steps with the clock stopped.
Project: uint8 tensors read once, batches indexed on the device, the model in channels-last layout.
Textbook: torchvision's MNIST dataset with ToTensor + Normalize per sample and a DataLoader. Then one epoch each
with augmentation on (project: one affine grid per batch; textbook: torchvision RandomAffine per sample). The
defaults are the notebook's (utils.config.Config): batch size, one-cycle peak, study epochs, seed, augmentation.

    python -m bench.mnist_speed            # from the repository root; prints a line per phase, the last is the summary
"""
import argparse
import gzip
import shutil
import tempfile
import time
from pathlib import Path

import torch
import torch.nn as nn

from utils.augment import RandomAffine
from utils.batches import TensorLoader
from utils.config import Config
from utils.device import pick_device, seed_everything, to_device
from utils.mnist import MNIST_MD5, load_mnist
from utils.models import LeNet
from utils.run import Run
from utils.training import evaluate, make_optimizer, make_scheduler

MEAN, STD = 0.1307, 0.3081
DEFAULTS = Config()


def time_to_accuracy(train_loader, test_loader, device, args, project: bool) -> tuple[float | None, float]:
    """Train until the test accuracy reaches args.target; return (training seconds or None, final accuracy)."""
    seed_everything(args.seed)
    model = to_device(LeNet(), device) if project else LeNet().to(device)
    optimizer = make_optimizer("adam", model.parameters(), args.lr)
    scheduler = make_scheduler("onecycle", optimizer, args.epochs * len(train_loader))
    loss_fn = nn.CrossEntropyLoss()
    seconds, step, accuracy = 0.0, 0, 0.0
    for _ in range(args.epochs):
        model.train()
        tic = time.perf_counter()
        for x, y in train_loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            if step % args.eval_every == 0 or step == args.epochs * len(train_loader):
                if device.type == "cuda":
                    torch.cuda.synchronize()
                seconds += time.perf_counter() - tic
                accuracy = evaluate(model, loss_fn, test_loader, Run(device), 10)["accuracy"]
                print(f"  step {step:>5} (epoch {step / len(train_loader):.2f}): "
                      f"{seconds:6.1f} s of training, test accuracy {accuracy:.2%}", flush=True)
                if accuracy >= args.target:
                    return seconds, accuracy
                model.train()
                tic = time.perf_counter()
    return None, accuracy


def epoch_seconds(loader, device, seed: int, project: bool) -> float:
    """Seconds for one training epoch of LeNet (Adam) over loader."""
    seed_everything(seed)
    model = to_device(LeNet(), device) if project else LeNet().to(device)
    optimizer = make_optimizer("adam", model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    tic = time.perf_counter()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - tic


def textbook_root(data: Path) -> Path:
    """A temporary folder with the raw files uncompressed, as torchvision's MNIST expects them."""
    root = Path(tempfile.mkdtemp(prefix="mnist_textbook_"))
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_MD5:
        src = data / "MNIST" / "raw" / name
        if src.is_file():
            shutil.copy(src, raw / name)
        else:
            (raw / name).write_bytes(gzip.decompress((src.parent / f"{name}.gz").read_bytes()))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    m = DEFAULTS.mnist
    parser.add_argument("--data", default=DEFAULTS.general.data_dir, type=Path)
    parser.add_argument("--device", default=DEFAULTS.general.device)
    parser.add_argument("--batch-size", type=int, default=m.batch_size)
    parser.add_argument("--lr", type=float, default=m.lr_onecycle, help="peak of the one-cycle schedule")
    parser.add_argument("--epochs", type=int, default=m.pool_epochs, help="length of the one-cycle schedule")
    parser.add_argument("--eval-every", type=int, default=50, help="steps between test evaluations")
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=DEFAULTS.general.seed)
    args = parser.parse_args()

    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    device = pick_device(args.device)
    print(f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}")

    mnist = load_mnist(args.data, download=False)
    images = {split: x.to(device) for split, (x, _) in mnist.items()}
    labels = {split: y.to(device) for split, (_, y) in mnist.items()}
    g = torch.Generator().manual_seed(args.seed)
    project_train = TensorLoader(images["train"], labels["train"], args.batch_size, shuffle=True, mean=MEAN, std=STD,
                                 seed=args.seed)
    project_test = TensorLoader(images["test"], labels["test"], 1000, mean=MEAN, std=STD)

    root = textbook_root(args.data)
    try:
        plain = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
        train_set = datasets.MNIST(str(root), train=True, transform=plain)
        test_set = datasets.MNIST(str(root), train=False, transform=plain)
        textbook_train = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=g)
        textbook_test = DataLoader(test_set, batch_size=1000)

        print("project pipeline: time to reach the target")
        project, _ = time_to_accuracy(project_train, project_test, device, args, project=True)
        print("textbook pipeline: time to reach the target")
        textbook, _ = time_to_accuracy(textbook_train, textbook_test, device, args, project=False)

        shift, degrees, scale = m.aug_shift, m.aug_degrees, (1 - m.aug_scale, 1 + m.aug_scale)
        augmenter = RandomAffine(shift, degrees, scale)
        project_aug = TensorLoader(images["train"], labels["train"], args.batch_size, shuffle=True, mean=MEAN, std=STD,
                                   augment=augmenter, seed=args.seed)
        affine = transforms.Compose([transforms.RandomAffine(degrees, translate=(shift, shift), scale=scale), plain])
        textbook_aug = DataLoader(datasets.MNIST(str(root), train=True, transform=affine), batch_size=args.batch_size,
                                  shuffle=True, generator=g)
        aug_project = epoch_seconds(project_aug, device, args.seed, project=True)
        aug_textbook = epoch_seconds(textbook_aug, device, args.seed, project=False)
        print(f"epoch_with_augmentation: project={aug_project:.1f}s textbook={aug_textbook:.1f}s "
              f"ratio={aug_textbook / aug_project:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def fmt(seconds: float | None) -> str:
        return f"{seconds:.1f}s" if seconds is not None else "not-reached"

    ratio = f"{textbook / project:.2f}" if project and textbook else "n/a"
    print(f"time_to_99: project={fmt(project)} textbook={fmt(textbook)} ratio={ratio}")


if __name__ == "__main__":
    main()
