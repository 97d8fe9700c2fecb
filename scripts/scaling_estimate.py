"""Per-rank memory and per-slice spike exchange of the seed network on many
MPI ranks, from the engine's own byte counts (storage.rs, shard.rs and a
measured run's `bytes_per_neuron`). Prints the Markdown tables of
docs/scaling.md. Usage: python3 scripts/scaling_estimate.py"""

# The engine's accounts (crates/spindle-network/src/storage.rs, the JSON
# record of the seed network at order 2500: 720 bytes per neuron for state,
# input ring and Poisson stream).
OFFSET = 8  # bytes per source neuron per projection per shard (row offsets)
PER_NEURON = 720
SPIKE = 8  # bytes per spike on the wire (lag << 32 | id)
RATE_HZ = 28.6  # the seed's rate at CE = 1000, CI = 250
SLICE_MS = 1.5  # min delay

ORDERS = [25_000, 50_000, 100_000, 250_000]
RANKS = [64, 128, 256, 512, 1024]
THREADS = 8  # per rank, as on a typical cluster node's socket


def bytes_per_synapse(mean_step):
    """A row stores the step to each next target: one byte below 128, two
    below 32,640, five beyond (storage.rs). With fixed in-degree, a shard's
    neurons are each a target of a given source with probability
    1 / mean_step, so the steps are geometric with that mean."""
    beyond = lambda k: (1 - 1 / mean_step) ** k
    return 1 + beyond(128) + 3 * beyond(32_640)


def per_rank(order, ranks, threads=THREADS, ce=1000, ci=250):
    n = 5 * order
    synapses = n * (ce + ci)
    # NE / CE = NI / CI: the mean step between a source's targets
    target = bytes_per_synapse(4 * order / ce)
    syn = synapses / ranks * target
    rows = 2 * (n + 2) * OFFSET * threads  # two projections (E, I) per shard
    neurons = n / ranks * PER_NEURON
    spikes = n * RATE_HZ * SLICE_MS / 1000.0  # per slice, all ranks
    recv = spikes * SPIKE + ranks * (1 + threads) * 8  # plus headers
    return syn, rows, neurons, recv, spikes


def gib(b):
    return b / 2**30


print("| order | neurons | ranks | synapses / rank (GiB) | source rows / rank (GiB) | neurons / rank (GiB) | total / rank (GiB) | spikes / slice | received / rank / slice (KiB) |")
print("|---|---|---|---|---|---|---|---|---|")
for order in ORDERS:
    for ranks in RANKS:
        syn, rows, neurons, recv, spikes = per_rank(order, ranks)
        print(f"| {order:,} | {5 * order:,} | {ranks} | {gib(syn):.3f} | {gib(rows):.3f} | "
              f"{gib(neurons):.4f} | {gib(syn + rows + neurons):.3f} | {spikes:,.0f} | {recv / 1024:,.0f} |")
