#!/usr/bin/env python3
"""Writes a planted-cluster interaction file (user,item,rating,timestamp) for the top-N
comparison: 3,000 users and 1,000 items in 20 clusters of 50 items. Each user belongs to one
cluster and takes 10-40 items, 70% from their cluster (popular items more often, Zipf within the
cluster) and 30% from the whole catalogue (popular items more often), at increasing times.
Seeded, so the same file comes out every time.

Usage: python3 Benchmarks/peers/planted.py OUT.csv [--seed 7]
"""
import argparse
import csv

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    size = args.items // args.clusters
    within = 1.0 / np.arange(1, size + 1) ** 0.8
    within /= within.sum()
    overall = 1.0 / np.arange(1, args.items + 1) ** 1.0
    overall = overall[rng.permutation(args.items)]
    overall /= overall.sum()
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["user", "item", "rating", "timestamp"])
        for u in range(args.users):
            cluster = rng.integers(args.clusters)
            order = rng.permutation(size)
            taken, t = set(), 1_700_000_000 + int(rng.integers(0, 86_400 * 30))
            for _ in range(int(rng.integers(10, 41))):
                for _ in range(20):
                    if rng.random() < 0.7:
                        item = int(cluster * size + order[rng.choice(size, p=within)])
                    else:
                        item = int(rng.choice(args.items, p=overall))
                    if item not in taken:
                        break
                if item in taken:
                    continue
                taken.add(item)
                t += int(rng.integers(600, 86_400 * 3))
                out.writerow([f"u{u}", f"i{item}", 1, t])


if __name__ == "__main__":
    main()
