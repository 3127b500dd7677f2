"""An independent, simple and slow reading of the watch-query semantics of
docs/watch-queries.md, used to check the automaton. It shares no code with
tracker/ingest/ or tracker/watchquery/ beyond the standard library."""

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")


def text_words(text):
    """Words of plain text (HTML already stripped by the caller)."""
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def term_words(term):
    return WORD.findall(unicodedata.normalize("NFKC", term).casefold())


def occurs(words, pattern_words, prefix):
    n = len(pattern_words)
    for start in range(len(words) - n + 1):
        window = words[start : start + n]
        if window[:-1] != pattern_words[:-1]:
            continue
        last = window[-1]
        if last == pattern_words[-1] or (prefix and last.startswith(pattern_words[-1])):
            return True
    return False


def tokenize(query):
    return re.findall(r'\(|\)|"[^"]*"|@[\w-]+|[^\s()"]+', query)


def evaluate(query, words, actor_names):
    """Recursive descent over tokens, evaluating as it goes."""
    tokens = tokenize(query)
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def leaf(token):
        if token.startswith("@"):
            return any(occurs(words, term_words(n), False) for n in actor_names[token[1:]])
        text = token.strip('"')
        prefix = text.endswith("*")
        return occurs(words, term_words(text.rstrip("*")), prefix)

    def primary():
        token = take()
        if token == "(":
            value = disjunction()
            take()
            return value
        return leaf(token)

    def unary():
        if peek() == "NOT":
            take()
            return not unary()
        return primary()

    def conjunction():
        value = unary()
        while peek() not in (None, ")", "OR"):
            if peek() == "AND":
                take()
            value = unary() and value
        return value

    def disjunction():
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    return disjunction()
