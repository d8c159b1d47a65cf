"""Story clustering: group different outlets' articles about one real-world event.

Three levels (see DESIGN.md): entry identity lives elsewhere; here are the copy level
(bottom-k MinHash over word shingles marks syndicated near-duplicates) and the story level
(online clustering against live stories found through an inverted index, scored by TF-IDF
cosine and entity overlap with an incrementally maintained IDF).
"""

from storywire.stories.engine import StoryEngine
from storywire.stories.files import FileReport, cluster_file
from storywire.stories.model import Assignment, Doc, Params, StoryState, story_id_for
from storywire.stories.redis_store import RedisStoryStore
from storywire.stories.store import LockLost, MemoryStoryStore, StoryStore

__all__ = [
    "Assignment",
    "Doc",
    "FileReport",
    "LockLost",
    "MemoryStoryStore",
    "Params",
    "RedisStoryStore",
    "StoryEngine",
    "StoryState",
    "StoryStore",
    "cluster_file",
    "story_id_for",
]
