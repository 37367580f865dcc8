"""The MNIST study as data and as runs: LeNet recipes, a learning-rate sweep per optimizer, and paired verdicts
(each variant against one that differs from it in a single thing), Holm-corrected within each family of tests."""
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from scipy.stats import binomtest

from .batches import TensorLoader
from .device import seed_everything, to_device
from .models import LeNet
from .probes import as_float, relative_variation, spatial_correlation
from .results import Trained
from .run import Run
from .significance import holm, mcnemar, sign_flip_test
from .stats import normalize
from .training import Training, fit, predict

ALPHA = 0.05  # a Holm-adjusted p-value below this calls a difference detectable
Measure = Callable[[torch.Tensor], torch.Tensor]  # feature maps (N, C, H, W) -> one value per item
SMOOTHNESS_MEASURES: dict[str, Measure] = {"neighbour correlation (higher: smoother)": spatial_correlation,
                                           "total variation ÷ mean (lower: smoother)": relative_variation}


@dataclass(frozen=True)
class Recipe:
    """How one LeNet variant is built and trained; limit: how many training digits (0: all)."""

    optimizer: str = "sgd"
    lr: float = 0.05
    schedule: str = "none"
    batch_norm: bool = False
    dropout: float = 0.0
    augment: bool = False
    pool: str = "max"
    epochs: int = 1
    limit: int = 0

    def training(self, log_every: int = 1) -> Training:
        """How training.fit trains it: on MNIST's 10 classes, with the default loss and monitor."""
        return Training(epochs=self.epochs, num_classes=10, optimizer=self.optimizer, lr=self.lr,
                        schedule=self.schedule, log_every=log_every)

    def label(self) -> str:
        """How it was trained, for a table: e.g. 'adam 0.003 one-cycle'."""
        return f"{self.optimizer} {self.lr:g}" + (" one-cycle" if self.schedule == "onecycle" else "")


@dataclass(frozen=True)
class StudyData:
    """What every variant of the study shares: its training digits (on the device), the validation and test
    loaders, the normalisation, batch size, seed and augmentation."""

    train: tuple[torch.Tensor, torch.Tensor]
    val_loader: TensorLoader
    test_loader: TensorLoader
    mean: float
    std: float
    batch_size: int
    seed: int
    augmenter: Callable | None = None


def test_answers(model, loader, run: Run) -> tuple[torch.Tensor, torch.Tensor]:
    """Which test items the model gets right (bool) and the cross-entropy of each, in the loader's order."""
    probabilities, labels = predict(model, loader, run)
    picked = probabilities[torch.arange(len(labels)), labels].clamp(min=1e-12)
    return probabilities.argmax(1) == labels, -picked.log()


def train_variant(name: str, recipe: Recipe, data: StudyData, run: Run, key: dict, checkpoint: str,
                  log_every: int = 1) -> Trained:
    """Seed, build and train one LeNet as `recipe` says (best weights by validation accuracy); score it on the
    test digits. Every variant starts from the same seed: the same weights, batch order and augmentation.
    log_every: which epochs print a line (training.Training)."""
    seed_everything(data.seed)
    images, labels = (tensor[:recipe.limit] if recipe.limit else tensor for tensor in data.train)
    loader = TensorLoader(images, labels, data.batch_size, shuffle=True, mean=data.mean, std=data.std,
                          augment=data.augmenter if recipe.augment else None, seed=data.seed)
    model = to_device(LeNet(batch_norm=recipe.batch_norm, dropout=recipe.dropout, pool=recipe.pool), run.device)
    history = fit(model, run, recipe.training(log_every), loader, data.val_loader, name=name, checkpoint=checkpoint,
                  key={**key, "limit": recipe.limit, "augment": recipe.augment and repr(data.augmenter)})
    correct, losses = test_answers(model, data.test_loader, run)
    return Trained(name, model, recipe.label(), history, correct, losses)


def lr_sweep(recipes: dict[str, Recipe], rates: list[float], data: StudyData, run: Run,
             key: dict) -> dict[str, dict[float, Trained]]:
    """Each recipe trained at each learning rate (same seed, data and budget): {recipe name: {rate: Trained}}."""
    return {name: {rate: train_variant(f"{name}, lr {rate:g}", replace(recipe, lr=rate), data,
                                       run, key, f"mnist_sweep_{name.replace(' ', '')}_{rate:g}", log_every=0)
                   for rate in rates}
            for name, recipe in recipes.items()}


def best_rate(runs: dict[float, Trained]) -> float:
    """The learning rate whose run reached the highest validation accuracy (the first of equals)."""
    return max(runs, key=lambda rate: runs[rate].history.best("val_accuracy"))


@dataclass(frozen=True)
class Judged:
    """One paired comparison of a family: the first variant against the second on the same test items."""

    family: str
    comparison: str  # e.g. "SGD + momentum against SGD"
    measure: str  # what is compared, e.g. "test accuracy"
    first: float  # the first variant's score on that measure
    second: float
    test: str  # the paired test, e.g. "McNemar"
    p_value: float  # the test's own p-value
    adjusted: float  # Holm-adjusted within the family
    verdict: str  # for the first: 'better', 'worse' or 'no detectable difference'
    higher_is_better: bool = True

    def as_record(self) -> dict:
        """The record metrics.json keeps of it."""
        return {"family": self.family, "comparison": self.comparison, "difference": self.first - self.second,
                "p": self.adjusted, "verdict": self.verdict}


def verdict(difference: float, adjusted_p: float, higher_is_better: bool = True) -> str:
    """'better', 'worse' or 'no detectable difference' for a paired difference and its adjusted p-value."""
    if adjusted_p >= ALPHA or difference == 0:
        return "no detectable difference"
    return "better" if (difference > 0) == higher_is_better else "worse"


@dataclass(frozen=True)
class Paired:
    """A comparison before correction: its name, what is measured, both scores and the test's p-value."""

    comparison: str
    measure: str
    first: float
    second: float
    test: str
    p_value: float
    higher_is_better: bool = True


def judge(family: str, tests: list[Paired]) -> list[Judged]:
    """Holm-adjust a family's p-values and word each verdict."""
    adjusted = holm([test.p_value for test in tests])
    return [Judged(family, test.comparison, test.measure, test.first, test.second, test.test, test.p_value, p,
                   verdict(test.first - test.second, p, test.higher_is_better), test.higher_is_better)
            for test, p in zip(tests, adjusted, strict=True)]


def accuracy_test(comparison: str, first: torch.Tensor, second: torch.Tensor,
                  measure: str = "test accuracy") -> Paired:
    """McNemar's exact test on two models' right/wrong answers to the same items."""
    result = mcnemar(first, second)
    return Paired(comparison, measure, float(first.float().mean()), float(second.float().mean()), "McNemar",
                  result.p_value)


def loss_test(comparison: str, first: torch.Tensor, second: torch.Tensor,
              measure: str = "test cross-entropy", seed: int = 0) -> Paired:
    """Sign-flip permutation test of two models' per-item losses on the same items (lower is better): per-digit
    cross-entropy is skewed, so no normal distribution is assumed."""
    p_value = sign_flip_test(first.double() - second.double(), seed=seed)
    return Paired(comparison, measure, float(first.mean()), float(second.mean()), "permutation", p_value,
                  higher_is_better=False)


def sign_test(comparison: str, first: torch.Tensor, second: torch.Tensor, measure: str) -> Paired:
    """Two-sided sign test on paired per-item values (higher is better); ties are left out."""
    wins, losses = int((first > second).sum()), int((first < second).sum())
    p_value = binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
    return Paired(comparison, measure, float(first.mean()), float(second.mean()), "sign test", float(p_value))


def eval_losses(model, images: torch.Tensor, labels: torch.Tensor, data: StudyData, run: Run) -> dict[str, float]:
    """Accuracy and mean cross-entropy of a model on digits in evaluation mode (no dropout, no augmentation)."""
    correct, losses = test_answers(model, TensorLoader(images, labels, 1000, mean=data.mean, std=data.std), run)
    return {"accuracy": float(correct.float().mean()), "loss": float(losses.mean())}


def answers_on(model, images: torch.Tensor, labels: torch.Tensor, data: StudyData, run: Run) -> torch.Tensor:
    """Which of these digits (e.g. moved or noisy test digits) the model gets right."""
    correct, _ = test_answers(model, TensorLoader(images, labels, 1000, mean=data.mean, std=data.std), run)
    return correct


@torch.no_grad()
def pooled_smoothness(model: LeNet, images: torch.Tensor, data: StudyData, run: Run,
                      measure: Measure = spatial_correlation) -> torch.Tensor:
    """The smoothness `measure` of each digit's feature maps after LeNet's first pooling."""
    model.eval()
    with run.autocast():
        maps = model.features[:3](_normalised(images, data, run))  # conv, ReLU, pool (LeNet without batch norm)
    return measure(maps).cpu()


def sweep_recipes(limit: int) -> dict[str, Recipe]:
    """The optimizers of the sweep, one epoch on `limit` training digits: plain SGD, SGD with momentum 0.9, Adam,
    Adam with the one-cycle schedule (the rate is its peak), and plain SGD with batch norm (its effect on the usable
    rate)."""
    return {"SGD": Recipe("sgd", limit=limit), "SGD + momentum": Recipe("momentum", limit=limit),
            "Adam": Recipe("adam", limit=limit), "Adam, one-cycle": Recipe("adam", schedule="onecycle", limit=limit),
            "SGD + batch norm": Recipe("sgd", batch_norm=True, limit=limit)}


OPTIMIZER_PAIRS = [("SGD + momentum", "SGD"), ("Adam", "SGD + momentum"), ("Adam, one-cycle", "Adam"),
                   ("SGD + batch norm", "SGD")]  # each pair differs in one thing, each at its own best rate, except
# one-cycle, compared with constant Adam at the same peak (compared_runs): the schedule is then the only change


def compared_rates(chosen: dict[str, float]) -> dict[str, float]:
    """The rate at which OPTIMIZER_PAIRS compares each recipe: its best, but one-cycle at constant Adam's."""
    if "Adam, one-cycle" in chosen and "Adam" in chosen:
        return chosen | {"Adam, one-cycle": chosen["Adam"]}
    return dict(chosen)


def compared_runs(sweep: dict[str, dict[float, Trained]], chosen: dict[str, float]) -> dict[str, Trained]:
    """The run of each recipe that OPTIMIZER_PAIRS compares, at compared_rates."""
    rates = compared_rates(chosen)
    return {name: by_rate[rates[name]] for name, by_rate in sweep.items()}


def regularisation_recipes(limit: int, epochs: int, lr: float, dropout: float) -> dict[str, Recipe]:
    """Adam with one-cycle, many epochs on few digits, so that LeNet overfits; then one regulariser each."""
    plain = Recipe("adam", lr, "onecycle", epochs=epochs, limit=limit)
    return {"plain": plain, f"+ dropout {dropout:g}": replace(plain, dropout=dropout),
            "+ augmentation": replace(plain, augment=True), "+ batch norm": replace(plain, batch_norm=True)}


@torch.no_grad()
def pooled_both_ways(model: LeNet, images: torch.Tensor, data: StudyData, run: Run) -> dict[str, torch.Tensor]:
    """LeNet's first convolution and ReLU maps of the digits, max- and average-pooled: {'max' or 'avg': maps}."""
    model.eval()
    with run.autocast():
        maps = model.features[:2](_normalised(images, data, run)).float()  # conv, ReLU
    return {"max": F.max_pool2d(maps, 2), "avg": F.avg_pool2d(maps, 2)}


def operator_smoothness(model: LeNet, images: torch.Tensor, data: StudyData, run: Run,
                        measure: Measure = spatial_correlation) -> dict[str, torch.Tensor]:
    """Max and average pooling applied to the same maps (LeNet's first convolution and ReLU): the smoothness
    `measure` of each digit's pooled maps, by operator alone."""
    return {name: measure(maps).cpu() for name, maps in pooled_both_ways(model, images, data, run).items()}


def _normalised(images: torch.Tensor, data: StudyData, run: Run) -> torch.Tensor:
    """Digits (N, H, W), uint8 or float in [0, 1], as one normalised batch (N, 1, H, W) on the run's device."""
    return normalize(as_float(images).unsqueeze(1), data.mean, data.std).to(run.device)
