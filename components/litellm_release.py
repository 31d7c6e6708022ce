"""What LiteLLM (the release the image pins) accepts, read from its source into components/data/litellm.json
by `scripts/litellm_release.py`; tests/test_litellm_release.py checks the file against an installed LiteLLM."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "litellm.json"
SCHEMA_FILE = DATA_FILE.with_name("schema-compatibility.json")
SCHEMA_COMPATIBILITY: dict[str, dict] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["pairs"]
"""`"<old> -> <new>"` -> {compatible, problems}: whether the old release's schema survives the new release's
migrations, found on a real PostgreSQL by scripts/upgrade_report.py (scripts/bump-litellm.sh records it)."""
_DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))

LITELLM_VERSION: str = _DATA["litellm"]
PROVIDERS: frozenset[str] = frozenset(_DATA["providers"])
"""Model prefixes LiteLLM routes (`openai` of `openai/gpt-4o`); it drops a model with any other prefix."""
RETRY_POLICY_ORDER: list[str] = [entry["field"] for entry in _DATA["retryPolicyOrder"]]
"""`RetryPolicy` fields in the order LiteLLM tests their error classes; the first set one that matches wins."""
RETRY_POLICY_BASES: dict[str, list[str]] = {
    field: [
        base["field"]
        for base in _DATA["retryPolicyOrder"]
        if base["errorClass"] in _DATA["retryPolicySubclasses"].get(entry["errorClass"], [])
    ]
    for entry in _DATA["retryPolicyOrder"]
    for field in [entry["field"]]
}
"""Each `RetryPolicy` field -> the fields of its error class's base classes (a subclass error is also one of those)."""

# Providers that work without an API key: cloud identity (IAM roles, workload identity, Entra ID,
# SDK profiles) or a self-hosted server. Every other provider needs `apiKeyEnv`, unless `apiBase`
# points it at a server of your own.
KEYLESS_PROVIDERS = frozenset(
    {
        "auto_router",
        "azure",
        "azure_text",
        "bedrock",
        "custom",
        "custom_openai",
        "databricks",
        "github_copilot",
        "hosted_vllm",
        "infinity",
        "llamafile",
        "lm_studio",
        "oci",
        "ollama",
        "ollama_chat",
        "oobabooga",
        "openai_like",
        "petals",
        "sagemaker",
        "sagemaker_chat",
        "snowflake",
        "triton",
        "vertex_ai",
        "vertex_ai_beta",
        "vllm",
        "watsonx",
        "watsonx_text",
        "xinference",
    }
)
