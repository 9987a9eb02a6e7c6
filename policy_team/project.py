"""Where the project's data lives, so every command can work on the repository or on a copy."""

from __future__ import annotations

import dataclasses
import os
import pathlib

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parent.parent
# The project's Rasa data, as `make train` passes it to Rasa (relative to the project root).
RASA_DATA_ARGS = (
    "--config",
    "config.yml",
    "--domain",
    "bot/domain",
    "--data",
    "nlu_data",
    "bot/data",
)


@dataclasses.dataclass(frozen=True)
class Project:
    """The data folders of one checkout (the repository itself or a copy of it)."""

    root: pathlib.Path

    @classmethod
    def find(cls, root: str | os.PathLike | None = None) -> Project:
        """``root``, else the current directory when it holds the data, else this checkout."""
        if root is not None:
            path = pathlib.Path(root).resolve()
            if not (path / "nlu_data").is_dir():
                raise FileNotFoundError(f"{path} 不是项目目录（里面没有 nlu_data 文件夹）")
            return cls(path)
        cwd = pathlib.Path.cwd()
        return cls(cwd if (cwd / "nlu_data").is_dir() else PACKAGE_ROOT)

    @property
    def nlu_dir(self) -> pathlib.Path:
        return self.root / "nlu_data"

    @property
    def domain_dir(self) -> pathlib.Path:
        return self.root / "bot" / "domain"

    @property
    def rules_dir(self) -> pathlib.Path:
        return self.root / "bot" / "data"

    @property
    def sources_dir(self) -> pathlib.Path:
        return self.root / "policy_kb" / "sources"

    @property
    def seeds_dir(self) -> pathlib.Path:
        return self.root / "policy_kb" / "seeds"

    @property
    def holdout(self) -> pathlib.Path:
        return self.root / "tests" / "data" / "nlu_holdout.yml"

    @property
    def faq_nlu(self) -> pathlib.Path:
        return self.nlu_dir / "faq.yml"

    @property
    def faq_domain(self) -> pathlib.Path:
        return self.domain_dir / "faq.yml"

    @property
    def faq_rules(self) -> pathlib.Path:
        return self.rules_dir / "faq.yml"
