"""Time the anonymous story page and the trivial view in this process: the quick check while tuning.

.venv/bin/python bench/inprocess.py --repeat 500 --profile
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402


def mean_ms(client, path, repeat):
    client.get(path)
    best = []
    for _ in range(3):  # the best of three rounds: the neighbours' load only ever adds time
        started = time.perf_counter()
        for _ in range(repeat):
            client.get(path)
        best.append((time.perf_counter() - started) * 1000 / repeat)
    return min(best)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    run.WORK.mkdir(parents=True, exist_ok=True)
    run.setup_django()
    story = run.load_stories([args.size], 300)[args.size]
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    path = story.get_absolute_url()
    trivial = mean_ms(client, run.TRIVIAL_PATH, args.repeat)
    cached = mean_ms(client, path, args.repeat)
    size = len(client.get(path).content)
    print(f"trivial {trivial:.3f} ms, story {args.size} cached {cached:.3f} ms ({size} bytes)")
    print(f"ratio {trivial / cached:.2f}x")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
