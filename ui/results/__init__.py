"""What computes or keeps results, shared by every session of the server process; never draws.

Results are immutable (kmcore freezes its arrays; the caches freeze what they
store), so one object is handed to every tab instead of a copy per tab: thirty
students on one setting cost one run and one copy in memory. Every cache is
bounded in bytes (budget.py; the table is in the README's "Memory budget").

- data: data sets and the rows a setting clusters
- runs: k-means runs, 2-D region grids, elbow sweeps, experiment grids
- tsne: t-SNE maps (background jobs in maps.py), their colours per k, work ahead (ahead.py)
- images: sample photos and uploads, quantisations, segmentations
- budget, memory: the byte-bounded caches, and how memory goes back to the system
"""
