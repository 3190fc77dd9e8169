"""One frozen Settings object: the only module that reads environment variables.

Every default works offline on a laptop; every override is an `ASSISTANT_*` variable (plus the
conventional `OPENAI_*` and `CHROMA_*` ones), documented in the README's configuration table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the engine, ingest and app can be told; built once by `Settings.from_env()`."""

    data_dir: Path = PROJECT_DIR / "data"
    model_dir: Path = PROJECT_DIR / "models"
    seeds_dir: Path = PROJECT_DIR / "seeds"
    prompts_dir: Path = PROJECT_DIR / "prompts"
    collection: str = "articles"
    chunk_tokens: int = 256
    chunk_overlap: int = 32
    top_k: int = 4
    dense_weight: float = 0.2
    context_words: int = 80
    min_score: float = 0.1  # chunk vectors hold only their first 128 word pieces: docs/configuration.md
    passage_floor: float = 0.4
    sentence_floor: float = 0.6
    second_article_floor: float = 0.5
    verify_support: float = 0.8  # the verifier's P(TRUE) that verifies a claim: docs/decisions.md
    verify_contradict: float = 0.5  # its P(FALSE) that refutes one (when FALSE also outweighs TRUE)
    verify_doubt: float = 0.4  # a yes/no verdict is withheld when a judged sentence leans FALSE this much
    verify_attribute: float = 0.5  # "who reported it" names the article whose sentence reaches this
    verify_cited: float = 0.6  # a sentence the model wrote keeps its citation at this P(TRUE)
    llm: str = "local"
    gguf: Path | None = None
    llm_model: str = "local-model"
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_api_key: str = field(default="", repr=False)
    llm_threads: int = max(1, os.cpu_count() or 1)
    flash_attn: bool = True  # llama.cpp flash attention (docs/speed.md: what it measured here)
    llm_extra_buffers: bool | None = None  # llama.cpp weight repacking; None: off on AMX CPUs (generation/hardware.py)
    llm_context: int = 4096
    max_answer_tokens: int = 320
    llm_concurrency: int | None = None  # answers generated at once; None: 1 embedded, 8 with a server
    llm_timeout_s: float = 120.0
    llm_idle_timeout_s: float = 60.0
    max_question_chars: int = 2000
    chroma_host: str | None = None
    chroma_port: int = 8000
    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = field(default=None, repr=False)
    queue_size: int = 8
    max_upload_mb: int = 10
    link_hosts: tuple[str, ...] = ()
    mcp: bool = False
    browser_key: str = field(default="", repr=False)  # encrypts saved conversations; shared by replicas

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `env` (default: `os.environ`)."""
        env = os.environ if env is None else env
        base = cls()
        values = {
            "data_dir": _path(env, "ASSISTANT_DATA_DIR", base.data_dir),
            "model_dir": _path(env, "ASSISTANT_MODEL_DIR", base.model_dir),
            "seeds_dir": _path(env, "ASSISTANT_SEEDS_DIR", base.seeds_dir),
            "prompts_dir": _path(env, "ASSISTANT_PROMPTS_DIR", base.prompts_dir),
            "collection": env.get("ASSISTANT_COLLECTION", base.collection),
            "chunk_tokens": _int(env, "ASSISTANT_CHUNK_TOKENS", base.chunk_tokens, low=128),
            "chunk_overlap": _int(env, "ASSISTANT_CHUNK_OVERLAP", base.chunk_overlap, low=0),
            "top_k": _int(env, "ASSISTANT_TOP_K", base.top_k, low=1),
            "context_words": _int(env, "ASSISTANT_CONTEXT_WORDS", base.context_words, low=20),
            "dense_weight": _float(env, "ASSISTANT_DENSE_WEIGHT", base.dense_weight),
            "min_score": _float(env, "ASSISTANT_MIN_SCORE", base.min_score),
            "passage_floor": _float(env, "ASSISTANT_PASSAGE_FLOOR", base.passage_floor),
            "sentence_floor": _float(env, "ASSISTANT_SENTENCE_FLOOR", base.sentence_floor),
            "second_article_floor": _float(env, "ASSISTANT_SECOND_ARTICLE_FLOOR", base.second_article_floor),
            "verify_support": _float(env, "ASSISTANT_VERIFY_SUPPORT", base.verify_support),
            "verify_contradict": _float(env, "ASSISTANT_VERIFY_CONTRADICT", base.verify_contradict),
            "verify_doubt": _float(env, "ASSISTANT_VERIFY_DOUBT", base.verify_doubt),
            "verify_attribute": _float(env, "ASSISTANT_VERIFY_ATTRIBUTE", base.verify_attribute),
            "verify_cited": _float(env, "ASSISTANT_VERIFY_CITED", base.verify_cited),
            "llm": env.get("ASSISTANT_LLM", base.llm).strip().lower(),
            "gguf": _path(env, "ASSISTANT_GGUF", None),
            "llm_model": env.get("ASSISTANT_LLM_MODEL", base.llm_model),
            "openai_base_url": env.get("OPENAI_BASE_URL", base.openai_base_url).rstrip("/"),
            "openai_api_key": env.get("OPENAI_API_KEY", base.openai_api_key),
            "llm_threads": _int(env, "ASSISTANT_LLM_THREADS", base.llm_threads, low=1),
            "flash_attn": _flag(env, "ASSISTANT_FLASH_ATTN", default=base.flash_attn),
            "llm_extra_buffers": _auto_flag(env, "ASSISTANT_LLM_EXTRA_BUFFERS"),
            "llm_context": _int(env, "ASSISTANT_LLM_CONTEXT", base.llm_context, low=512),
            "max_answer_tokens": _int(env, "ASSISTANT_MAX_ANSWER_TOKENS", base.max_answer_tokens, low=16),
            "llm_concurrency": _int(env, "ASSISTANT_LLM_CONCURRENCY", 0, low=1) or None,
            "llm_timeout_s": _float(env, "ASSISTANT_LLM_TIMEOUT", base.llm_timeout_s),
            "llm_idle_timeout_s": _float(env, "ASSISTANT_LLM_IDLE_TIMEOUT", base.llm_idle_timeout_s),
            "max_question_chars": _int(env, "ASSISTANT_MAX_QUESTION_CHARS", base.max_question_chars, low=10),
            "chroma_host": env.get("CHROMA_HOST") or None,
            "chroma_port": _int(env, "CHROMA_PORT", base.chroma_port, low=1),
            "host": env.get("ASSISTANT_HOST", base.host),
            "port": _int(env, "ASSISTANT_PORT", base.port, low=1),
            "auth": _auth(env.get("ASSISTANT_AUTH", "")),
            "queue_size": _int(env, "ASSISTANT_QUEUE_SIZE", base.queue_size, low=1),
            "max_upload_mb": _int(env, "ASSISTANT_MAX_UPLOAD_MB", base.max_upload_mb, low=1),
            "link_hosts": tuple(h.strip().lower() for h in env.get("ASSISTANT_LINK_HOSTS", "").split(",") if h.strip()),
            "mcp": _flag(env, "ASSISTANT_MCP"),
            "browser_key": env.get("ASSISTANT_BROWSER_KEY", "").strip(),
        }
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and CLIs use this)."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        changed.validate()
        return changed

    def validate(self) -> None:
        """Raise ConfigError for combinations that cannot work."""
        if self.llm not in ("local", "openai"):
            raise ConfigError(f"ASSISTANT_LLM must be 'local' or 'openai', not {self.llm!r}.")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ConfigError("ASSISTANT_DENSE_WEIGHT must be between 0 and 1.")
        if not 0.0 <= self.passage_floor <= 1.0:
            raise ConfigError("ASSISTANT_PASSAGE_FLOOR must be between 0 and 1.")
        if not 0.0 <= self.sentence_floor <= 1.0:
            raise ConfigError("ASSISTANT_SENTENCE_FLOOR must be between 0 and 1.")
        if not 0.0 <= self.second_article_floor <= 1.0:
            raise ConfigError("ASSISTANT_SECOND_ARTICLE_FLOOR must be between 0 and 1.")
        verify = (
            self.verify_support,
            self.verify_contradict,
            self.verify_doubt,
            self.verify_attribute,
            self.verify_cited,
        )
        if not all(0.0 < v <= 1.0 for v in verify):
            raise ConfigError(
                "ASSISTANT_VERIFY_SUPPORT, _CONTRADICT, _DOUBT, _ATTRIBUTE and _CITED must be above 0 and at most 1."
            )
        if self.llm_timeout_s <= 0 or self.llm_idle_timeout_s <= 0:
            raise ConfigError("ASSISTANT_LLM_TIMEOUT and ASSISTANT_LLM_IDLE_TIMEOUT must be more than 0 seconds.")
        if self.llm == "local" and self.llm_concurrency not in (None, 1):
            raise ConfigError(
                "The embedded model answers one question at a time: ASSISTANT_LLM_CONCURRENCY must be 1 "
                "(or unset) unless ASSISTANT_LLM=openai."
            )
        if self.browser_key and len(self.browser_key) < 16:
            raise ConfigError("ASSISTANT_BROWSER_KEY must be at least 16 characters.")
        if self.chunk_overlap >= self.chunk_tokens:
            raise ConfigError("ASSISTANT_CHUNK_OVERLAP must be smaller than ASSISTANT_CHUNK_TOKENS.")

    @property
    def generation_slots(self) -> int:
        """How many answers are generated at once: ASSISTANT_LLM_CONCURRENCY, else 1 for the embedded
        model (its only safe value) and 8 for an OpenAI-compatible server (which batches them)."""
        return self.llm_concurrency or (1 if self.llm == "local" else 8)

    @property
    def chroma_dir(self) -> Path:
        """Where the embedded Chroma store lives."""
        return self.data_dir / "chroma"

    @property
    def generation_file(self) -> Path:
        """Rewritten by every ingest that changed the store; running retrievers reload when it changes."""
        return self.data_dir / "generation"

    @property
    def lexical_dir(self) -> Path:
        """Where the BM25 index for this store and collection lives (beside the Chroma data)."""
        where = f"{self.chroma_host}-{self.chroma_port}-" if self.chroma_host else ""
        return self.data_dir / "lexical" / f"{where}{self.collection}"


def _path(env: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def _int(env: Mapping[str, str], name: str, default: int, *, low: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < low:
        raise ConfigError(f"{name} must be at least {low}, not {value}.")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}.") from None


def _auth(raw: str) -> tuple[str, str] | None:
    if not raw.strip():
        return None
    user, _, password = raw.partition(":")
    if not user.strip() or not password:
        raise ConfigError("ASSISTANT_AUTH must be 'user:password'.")
    return user.strip(), password


def _auto_flag(env: Mapping[str, str], name: str) -> bool | None:
    """1 or 0 as True or False; unset or 'auto' as None (the code decides)."""
    if env.get(name, "").strip().lower() in ("", "auto"):
        return None
    try:
        return _flag(env, name)
    except ConfigError:
        raise ConfigError(f"{name} must be auto, 1 or 0, not {env[name].strip()!r}.") from None


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {raw!r}.")
