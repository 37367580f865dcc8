"""The values a setting may take, where both the settings and the code that uses them read them (no torch here)."""

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw")
SCHEDULERS = ("none", "onecycle", "cosine")
MONITORS = ("val_accuracy", "val_miou", "val_loss")
PRECISIONS = ("auto", "float32", "bfloat16", "float16")
UPSAMPLING = ("bilinear", "transposed")
CROP_SCALE = (0.75, 1.25)  # training crops are cut after a random zoom by a factor in this range
