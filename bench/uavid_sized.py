"""A UAVid-layout tree of stand-in frames at UAVid's own sizes, 3840x2160 and 4096x2160 (alternate sequences),
for the full-resolution benchmark and a quick notebook run on frames of that size.

    python -m bench.uavid_sized /tmp/uavid_sized --frames 2     # from the repository root
"""
import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from utils import standin
from utils.device import usable_cores

SIZES = ((3840, 2160), (4096, 2160))  # UAVid's two frame sizes (width, height)


def sequence_jobs(root: Path, frames: int, seed: int) -> list[tuple]:
    """write_sequence's arguments for every sequence of UAVid's train and val folders, sizes alternating."""
    numbered = [("uavid_train", n) for n in standin.TRAIN_SEQUENCES] + [("uavid_val", n) for n in standin.VAL_SEQUENCES]
    return [(str(root / split / f"seq{n}"), standin.sequence_seed(seed, n), SIZES[i % len(SIZES)], list(range(frames)))
            for i, (split, n) in enumerate(numbered)]


def write_tree(root: str | Path, frames: int = 2, seed: int = 0) -> Path:
    """Write the tree under root (frames already there are kept) and return root."""
    root = Path(root)
    jobs = sequence_jobs(root, frames, seed)
    with ProcessPoolExecutor(min(usable_cores(), 4)) as pool:  # a 4K scene takes about 0.6 GB per worker
        list(pool.map(standin.write_sequence, *zip(*jobs, strict=True)))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--frames", type=int, default=2, help="frames per sequence (UAVid has 10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root = write_tree(args.root, args.frames, args.seed)
    count = len(list(root.glob("uavid_*/seq*/Images/*.png")))
    print(f"uavid_sized: {count} frames of {' and '.join(f'{w}x{h}' for w, h in SIZES)} in {root}")


if __name__ == "__main__":
    main()
