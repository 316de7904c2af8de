"""Full-text search and matching for Kakehashi, in Japanese and English.

Knows nothing of Flask or the database: callers hand it documents (kind, id, text fields,
filter tags) and get back ids, scores and the words that matched.

    from search_index import Index
    ix = Index.create(path)                       # Index.open(path) for an existing one
    ix.upsert("seed", 42, {"title": ..., "text": ..., "keywords": ...})
    ix.match("a company's needs", kind="seed", limit=10)   # -> [Hit(kind, id, score, terms)]
    ix.search("全固体電池", kinds=["seed", "company"])      # the search box

The engine (Whoosh) stays behind this face, so it can be replaced.
"""
from search_index.analysis import normalise, term_list, terms
from search_index.highlight import highlight, snippet
from search_index.index import COUNT_CAP, Index, IndexBusy, IndexNotFound, SearchResults
from search_index.matching import Hit

__all__ = [
           "COUNT_CAP",
           "Hit",
           "Index",
           "IndexBusy",
           "IndexNotFound",
           "SearchResults",
           "highlight",
           "normalise",
           "snippet",
           "term_list",
           "terms",
]
