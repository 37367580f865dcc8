"""UAVid class names and colour code, in the official toolkit's class order."""
import numpy as np

CLASSES = (
    "clutter",
    "building",
    "road",
    "static car",
    "tree",
    "low vegetation",
    "human",
    "moving car",
)

# Row i is the RGB colour of class i in UAVid's label PNGs.
PALETTE = np.array(
    [
        (0, 0, 0),
        (128, 0, 0),
        (128, 64, 128),
        (192, 0, 192),
        (0, 128, 0),
        (128, 128, 0),
        (64, 64, 0),
        (64, 0, 128),
    ],
    dtype=np.uint8,
)

NUM_CLASSES = len(CLASSES)
