"""A short chaos session in `make test`: 10 random faults with the invariants of chaos.py.

The seed is printed (and kept in the JUnit report); `CHAOS_SEED=<n> make test` or
`make chaos CHAOS_SEED=<n> CHAOS_FAULTS=10` replays a failing run.
"""
import os
import random

import chaos

SHORT_FAULTS = int(os.environ.get("CHAOS_SHORT_FAULTS", 10))


def test_ten_random_faults_break_no_invariant(tmp_path, record_property):
    seed = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(1 << 31))
    record_property("chaos_seed", seed)
    print(f"\nCHAOS_SEED={seed}")
    elapsed = chaos.run(tmp_path, seed, SHORT_FAULTS, log=lambda s: print(s, flush=True))
    record_property("chaos_seconds", round(elapsed))
