"""Ids sort in creation order within a process, also when many are made in one millisecond."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hushdesk.kit.ids import new_id


def test_ids_made_one_after_another_are_strictly_increasing_and_unique() -> None:
    ids = [new_id("e") for _ in range(20_000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 21 for i in ids)


def test_ids_from_many_threads_are_unique() -> None:
    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(lambda _: [new_id() for _ in range(2_000)], range(8)))
    every = [i for batch in batches for i in batch]
    assert len(set(every)) == len(every)
    assert all(batch == sorted(batch) for batch in batches)
