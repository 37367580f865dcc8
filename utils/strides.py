"""How much the segmentation networks shrink their input: read by the models and by the settings' checks (no torch
here, so that the settings can check it cheaply)."""

FCN_DEPTH = 3  # the FCN's steps down after its stem: its scores are at 1/16 of the input's resolution


def total_stride(depth: int) -> int:
    """The total down-sampling of a U-Net or an FCN encoder: the stride-2 stem halves, then each of `depth` steps
    down halves again."""
    return 2 ** (depth + 1)
