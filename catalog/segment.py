"""jieba segmentation, loaded once per process and taught the catalogue's words.

jieba's dictionary takes about a second to load, so it is loaded on first use, not at
import. We keep our own ``jieba.Tokenizer`` so the words we add do not change how other
code using the global ``jieba.cut`` segments.
"""

import logging
import threading

import jieba

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_taught: set[str] = set()


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                # jieba logs its dictionary loading to stderr at DEBUG by default.
                jieba.setLogLevel(logging.WARNING)
                loaded = jieba.Tokenizer()
                loaded.initialize()
                _tokenizer = loaded
    return _tokenizer


def teach(words) -> None:
    """Make ``words`` segment as single words (idempotent; words are never forgotten,
    which is harmless: an unused word only changes how its own characters are cut)."""
    segmenter = tokenizer()
    with _lock:
        for word in words:
            if word and word not in _taught:
                segmenter.add_word(word)
                _taught.add(word)


def words(text: str) -> set[str]:
    """The words of ``text`` (jieba's precise mode)."""
    return {token for token in tokenizer().cut(text) if token.strip()}


def search_tokens(text: str) -> set[str]:
    """The words of ``text`` and, for long ones, the dictionary words inside them
    (jieba's search mode), so 「垃圾堆」 also yields 「垃圾」."""
    return {token for token in tokenizer().cut_for_search(text) if token.strip()}
