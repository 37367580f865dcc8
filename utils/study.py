"""The MNIST study as data: LeNet variants that each change one thing against the step before them."""
from dataclasses import dataclass, replace
from typing import Any

from .results import Trained
from .significance import McNemar, mcnemar
from .training import Training, predict


@dataclass(frozen=True)
class Recipe:
    """How one LeNet variant is built and trained."""

    optimizer: str = "sgd"
    lr: float = 0.05
    schedule: str = "none"
    batch_norm: bool = False
    dropout: float = 0.0
    augment: bool = False
    pool: str = "max"
    epochs: int = 2

    def training(self) -> Training:
        """How training.fit trains it: on MNIST's 10 classes, with the default loss and monitor."""
        return Training(epochs=self.epochs, num_classes=10, optimizer=self.optimizer, lr=self.lr,
                        schedule=self.schedule)

    def label(self) -> str:
        """How it was trained, for a table: e.g. 'adam 0.003 one-cycle'."""
        return f"{self.optimizer} {self.lr:g}" + (" one-cycle" if self.schedule == "onecycle" else "")


@dataclass(frozen=True)
class Step:
    """One variant of the study: its name, what it changes, and the variant it is compared with."""

    name: str
    kind: str  # what changed: a key of findings.MECHANISMS
    recipe: Recipe
    against: str | None  # the variant it differs from in exactly this one change


def study_steps(lr_sgd: float, lr_momentum: float, lr_adam: float, lr_onecycle: float, dropout: float,
                epochs: int, long_epochs: int) -> list[Step]:
    """The ladder (each step keeps the ones before it and changes one thing) and the pooling side variant.

    Each optimizer runs at its own learning rate: momentum multiplies SGD's effective step by 1 / (1 - 0.9),
    and Adam's steps are normalised per parameter, so one shared rate would suit only one of them."""
    sgd = Recipe(optimizer="sgd", lr=lr_sgd, epochs=epochs)
    ladder = [("SGD", "sgd", sgd),
              ("+ momentum", "momentum", replace(sgd, optimizer="momentum", lr=lr_momentum)),
              ("Adam", "adam", replace(sgd, optimizer="adam", lr=lr_adam)),
              ("+ one-cycle", "onecycle", replace(sgd, optimizer="adam", lr=lr_onecycle, schedule="onecycle"))]
    recipe = ladder[-1][2]
    for name, kind, change in (("+ batch norm", "batch_norm", {"batch_norm": True}),
                               ("+ dropout", "dropout", {"dropout": dropout}),
                               ("+ augmentation", "augment", {"augment": True}),
                               (f"+ {long_epochs} epochs", "epochs", {"epochs": long_epochs})):
        recipe = replace(recipe, **change)
        ladder.append((name, kind, recipe))
    steps = [Step(name, kind, recipe, ladder[i - 1][0] if i else None) for i, (name, kind, recipe) in enumerate(ladder)]
    course = ladder[3]  # the course's LeNet (max pooling) with the study's best optimizer setting
    steps.append(Step("average pooling", "pool", replace(course[2], pool="avg"), course[0]))
    return steps


def paired_tests(pairs: list[Step], trained: dict[str, Trained]) -> dict[tuple[str, str], McNemar]:
    """McNemar's test of each variant against the one it changes, on the same test digits; keyed by both names."""
    return {(pair.name, pair.against): mcnemar(trained[pair.name].test_correct, trained[pair.against].test_correct)
            for pair in pairs if pair.against is not None}


def against_the_mlp(steps: list[Step], mlp: str) -> Step:
    """LeNet trained as the MLP is (Adam at a constant rate), compared with the MLP: convolution against none."""
    adam = next(step for step in steps if step.kind == "adam")
    return Step(adam.name, "convolution", adam.recipe, mlp)


def test_answers(model, loader, run) -> Any:
    """Which test items the model gets right (a bool tensor, in the loader's order); run: a run.Run."""
    probabilities, labels = predict(model, loader, run)
    return probabilities.argmax(1) == labels
